/**
 * Export to JSON Lines and `verify --file` of the export, each in a child process so its peak
 * RSS is its own, at the full size and at a tenth of it ("flat memory").
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Children } from './children';
import { atLeast, custom, formatNumber, median, type Figure } from './figures';

/** Export + verify runs per ledger size (medians). */
const EXPORT_ROUNDS = 3;

type ExportRun = { events: number; ms: number; maxRssMb: number };
type ExportAndVerify = { events: number; exportRate: number; verifyRate: number; peakMb: number };

/**
 * A single process's peak moves with the garbage collector's timing, so both sizes run
 * EXPORT_ROUNDS times, interleaved small, full, small, full…, and the medians compare.
 */
export async function measureExportAndVerify(
  children: Children,
  folder: string,
  paths: { readonly small: string; readonly full: string },
  log: (message: string) => void,
): Promise<Figure[]> {
  const exportAt = async (path: string, label: string): Promise<ExportAndVerify> => {
    const out = join(folder, `${label}.jsonl`);
    const exported = await children.run<ExportRun>('export-child', ['export', path, out]);
    const verified = await children.run<ExportRun>('export-child', ['verify', out]);
    rmSync(out, { force: true });
    log(
      `export ${label}: ${formatNumber(exported.events)} events, ${formatNumber(exported.events / (exported.ms / 1000))} events/s, ` +
        `peak RSS ${exported.maxRssMb.toFixed(0)} MB; verify ${formatNumber(verified.events / (verified.ms / 1000))} events/s, ` +
        `peak RSS ${verified.maxRssMb.toFixed(0)} MB`,
    );
    return {
      events: exported.events,
      exportRate: exported.events / (exported.ms / 1000),
      verifyRate: verified.events / (verified.ms / 1000),
      peakMb: Math.max(exported.maxRssMb, verified.maxRssMb),
    };
  };
  const small: ExportAndVerify[] = [];
  const full: ExportAndVerify[] = [];
  for (let round = 0; round < EXPORT_ROUNDS; round++) {
    small.push(await exportAt(paths.small, 'small'));
    full.push(await exportAt(paths.full, 'full'));
  }
  const smallPeak = median(small.map((run) => run.peakMb));
  const fullPeak = median(full.map((run) => run.peakMb));
  return [
    atLeast('export to JSON Lines', median(full.map((run) => run.exportRate)), 'events/s', 250_000),
    atLeast('verify --file of the export', median(full.map((run) => run.verifyRate)), 'events/s', 300_000),
    // "Flat": the full-size peak is within 25% of the peak at a tenth of the events.
    custom(
      `export/verify peak RSS (baseline: at ${formatNumber(small[0]!.events)} events)`,
      fullPeak,
      'MB',
      smallPeak,
      '≤ 200 MB, flat (≤ 1.25× the small one)',
      fullPeak <= 200 && fullPeak <= smallPeak * 1.25,
    ),
  ];
}
