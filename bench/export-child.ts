/**
 * Child process for the export figures, so its peak RSS is the export's own and nothing else:
 *   export-child export LEDGER OUT   streams the ledger to JSON Lines (the engine's exportJsonLines)
 *   export-child verify FILE         checks an export offline (what `ledger verify --file` runs)
 * Prints one JSON line: { events, ms, maxRssMb }.
 */
import { createWriteStream } from 'node:fs';
import { exportJsonLines } from '#engine/export/jsonl-export';
import { verifyExportFile } from '#engine/export/export-verify';
import { peakRssMb } from './peak-rss';

async function main(): Promise<void> {
  const [mode, first, second] = process.argv.slice(2);
  const started = performance.now();
  let events: number;
  if (mode === 'export' && first && second) {
    const out = createWriteStream(second);
    const manifest = await exportJsonLines(first, out);
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    events = manifest.count;
  } else if (mode === 'verify' && first) {
    const report = await verifyExportFile(first);
    if (!report.ok) throw new Error(`verify failed at line ${report.firstBadLine}: ${report.reason}`);
    events = report.events;
  } else {
    throw new Error('usage: export-child export LEDGER OUT | verify FILE');
  }
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ events, ms, maxRssMb: peakRssMb() })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
