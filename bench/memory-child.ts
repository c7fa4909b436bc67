/**
 * Child process for the startup-memory figure: opens the ledger the way the app's main process
 * does (Ledger.open: checks, migration, full projection rebuild), collects garbage, and prints
 * { events, openMs, rssMb, heapUsedMb, maxRssMb } as one JSON line. Run with --expose-gc.
 */
import { Ledger } from '#engine/ledger';
import { peakRssMb } from './peak-rss';

const path = process.argv[2];
if (!path) throw new Error('usage: memory-child LEDGER');
const started = performance.now();
const opened = Ledger.open({ path, actor: 'bench' });
if (!opened.ok) throw new Error(opened.error.message);
const openMs = performance.now() - started;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
gc();
gc();
const memory = process.memoryUsage();
process.stdout.write(
  `${JSON.stringify({
    events: opened.value.lastPosition,
    openMs,
    rssMb: memory.rss / 1048576,
    heapUsedMb: memory.heapUsed / 1048576,
    maxRssMb: peakRssMb(),
  })}\n`,
);
opened.value.close();
