/**
 * Child process for the startup figure, so both sides start as the app does — a fresh,
 * bundled process with a cold JIT — and neither inherits the bench's warmed-up code or heap:
 *   startup-child engine LEDGER   Ledger.open: checks, migration, full projection rebuild
 *   startup-child bare LEDGER     the baseline: one scan with JSON.parse of every payload
 * Prints { events, ms } as one JSON line.
 */
import { Ledger } from '#engine/ledger';
import { bareScan } from './baselines';

const [mode, path] = process.argv.slice(2);
if (!path || (mode !== 'engine' && mode !== 'bare')) throw new Error('usage: startup-child engine|bare LEDGER');
if (mode === 'bare') {
  const scan = bareScan(path);
  process.stdout.write(`${JSON.stringify({ events: scan.rows, ms: scan.ms })}\n`);
} else {
  const started = performance.now();
  const opened = Ledger.open({ path, actor: 'bench' });
  if (!opened.ok) throw new Error(opened.error.message);
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ events: opened.value.lastPosition, ms })}\n`);
  opened.value.close();
}
