/**
 * Export to JSON Lines and `verify --file` of the export, each in a child process so its peak
 * RSS is its own, against bare baselines in the same bundled child on the same files (see
 * export-baselines.ts), at the full size and at a tenth of it ("flat memory").
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Children } from './children';
import { custom, formatNumber, median, rateAgainst, type Figure } from './figures';

/** Export ≥ 0.8× a bare streaming read of the same rows written to a file. */
const EXPORT_MINIMUM = 0.8;
/** verify --file ≥ 0.5× a bare streaming SHA-256 over the same export file. */
const VERIFY_MINIMUM = 0.5;
/** "Flat": the full-size peak RSS is at most this many times the peak at a tenth of the events. */
const FLAT_MAXIMUM = 1.25;

type ChildRun = { events: number; ms: number; maxRssMb: number };
type SmallRun = { events: number; peakMb: number };
type FullRun = SmallRun & { exportRate: number; bareExportRate: number; verifyRate: number; bareShaRate: number };

/**
 * A single process's peak moves with the garbage collector's timing, and the machine is
 * shared, so both sizes run `rounds` times (at least 2), interleaved small, full, small, full…, and
 * within a full round each engine step runs right beside its baseline (export, bare export,
 * verify, bare SHA-256 over that same export file); the medians compare.
 */
export async function measureExportAndVerify(
  children: Children,
  folder: string,
  paths: { readonly small: string; readonly full: string },
  rounds: number,
  log: (message: string) => void,
): Promise<Figure[]> {
  if (rounds < 2) throw new Error('export and verify need at least 2 rounds (A/B interleaved)');
  const exportAndVerify = async (path: string, out: string): Promise<{ exported: ChildRun; verified: ChildRun }> => {
    const exported = await children.run<ChildRun>('export-child', ['export', path, out]);
    const verified = await children.run<ChildRun>('export-child', ['verify', out]);
    if (verified.events !== exported.events) throw new Error(`verify saw ${verified.events} of ${exported.events} events`);
    return { exported, verified };
  };
  const smallRound = async (): Promise<SmallRun> => {
    const out = join(folder, 'small.jsonl');
    try {
      const { exported, verified } = await exportAndVerify(paths.small, out);
      log(`export small: ${formatNumber(exported.events)} events, peak RSS export ${mb(exported)}, verify ${mb(verified)}`);
      return { events: exported.events, peakMb: Math.max(exported.maxRssMb, verified.maxRssMb) };
    } finally {
      rmSync(out, { force: true });
    }
  };
  const fullRound = async (): Promise<FullRun> => {
    const out = join(folder, 'full.jsonl');
    const bareOut = join(folder, 'full-bare.jsonl');
    try {
      const exported = await children.run<ChildRun>('export-child', ['export', paths.full, out]);
      const bare = await children.run<ChildRun>('export-child', ['bare-export', paths.full, bareOut]);
      rmSync(bareOut, { force: true });
      if (bare.events !== exported.events) throw new Error(`the bare export wrote ${bare.events} of ${exported.events} rows`);
      const verified = await children.run<ChildRun>('export-child', ['verify', out]);
      if (verified.events !== exported.events) throw new Error(`verify saw ${verified.events} of ${exported.events} events`);
      const sha = await children.run<ChildRun>('export-child', ['bare-sha256', out]);
      const run: FullRun = {
        events: exported.events,
        peakMb: Math.max(exported.maxRssMb, verified.maxRssMb),
        exportRate: rate(exported.events, exported.ms),
        bareExportRate: rate(exported.events, bare.ms),
        verifyRate: rate(exported.events, verified.ms),
        bareShaRate: rate(exported.events, sha.ms),
      };
      log(
        `export full: ${formatNumber(run.exportRate)} events/s vs bare ${formatNumber(run.bareExportRate)} (peak RSS ${mb(exported)}, bare ${mb(bare)}); ` +
          `verify ${formatNumber(run.verifyRate)} events/s vs bare SHA-256 ${formatNumber(run.bareShaRate)} (peak RSS ${mb(verified)}, bare ${mb(sha)})`,
      );
      return run;
    } finally {
      rmSync(out, { force: true });
      rmSync(bareOut, { force: true });
    }
  };
  const small: SmallRun[] = [];
  const full: FullRun[] = [];
  for (let round = 0; round < rounds; round++) {
    small.push(await smallRound());
    full.push(await fullRound());
  }
  const smallPeak = median(small.map((run) => run.peakMb));
  const fullPeak = median(full.map((run) => run.peakMb));
  const medianOf = (pick: (run: FullRun) => number) => median(full.map(pick));
  log(
    `export/verify peak RSS: ${fullPeak.toFixed(0)} MB at ${formatNumber(full[0]!.events)} events, ${smallPeak.toFixed(0)} MB at ${formatNumber(small[0]!.events)}`,
  );
  return [
    rateAgainst(
      'export to JSON Lines',
      medianOf((run) => run.exportRate),
      'events/s',
      medianOf((run) => run.bareExportRate),
      EXPORT_MINIMUM,
    ),
    rateAgainst(
      'verify --file of the export',
      medianOf((run) => run.verifyRate),
      'events/s',
      medianOf((run) => run.bareShaRate),
      VERIFY_MINIMUM,
    ),
    // The name carries no event count, so the figure lines up across sizes (bench:scale).
    custom(
      'export/verify peak RSS (baseline: at a tenth of the events)',
      fullPeak,
      'MB',
      smallPeak,
      `flat (≤ ${FLAT_MAXIMUM}× the tenth)`,
      fullPeak <= smallPeak * FLAT_MAXIMUM,
    ),
  ];
}

function rate(events: number, ms: number): number {
  return events / (ms / 1000);
}

function mb(run: ChildRun): string {
  return `${run.maxRssMb.toFixed(0)} MB`;
}
