/**
 * Child process for the export figures, so its peak RSS is the export's own and nothing else:
 *   export-child export LEDGER OUT        streams the ledger to JSON Lines (the engine's exportJsonLines)
 *   export-child verify FILE              checks an export offline (what `ledger verify --file` runs)
 *   export-child bare-export LEDGER OUT   the export's baseline (see bareExport)
 *   export-child bare-sha256 FILE         verify's baseline: one streaming SHA-256 over the file
 * Prints one JSON line: { events, ms, maxRssMb } (bare-sha256 counts no events: 0; its file's are verify's).
 */
import { createWriteStream } from 'node:fs';
import { exportJsonLines } from '#engine/export/jsonl-export';
import { verifyExportFile } from '#engine/export/export-verify';
import { bareExport, bareSha256 } from './export-baselines';
import { peakRssMb } from './peak-rss';

async function run(mode: string | undefined, first: string | undefined, second: string | undefined): Promise<number> {
  if (mode === 'export' && first && second) {
    const out = createWriteStream(second);
    const manifest = await exportJsonLines(first, out);
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    return manifest.count;
  }
  if (mode === 'verify' && first) {
    const report = await verifyExportFile(first);
    if (!report.ok) throw new Error(`verify failed at line ${report.firstBadLine}: ${report.reason}`);
    return report.events;
  }
  if (mode === 'bare-export' && first && second) return bareExport(first, second);
  if (mode === 'bare-sha256' && first) {
    await bareSha256(first);
    return 0;
  }
  throw new Error('usage: export-child export LEDGER OUT | verify FILE | bare-export LEDGER OUT | bare-sha256 FILE');
}

async function main(): Promise<void> {
  const [mode, first, second] = process.argv.slice(2);
  const started = performance.now();
  const events = await run(mode, first, second);
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ events, ms, maxRssMb: peakRssMb() })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
