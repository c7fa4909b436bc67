/**
 * The bulk-append figure: the bench's ledger built through the pipelined writer `ledger apply`
 * uses, against bare inserts of the very same rows measured between its slices (see
 * BareBulkInsert), and the tree upkeep's share of the same work (see bench/signing.ts).
 */
import { rmSync } from 'node:fs';
import { parseCommandLine } from '../electron/hosts/cli/apply-stream';
import { MAX_IN_FLIGHT, PipelinedWriter } from '#engine/bulk/pipelined-writer';
import { Ledger } from '#engine/ledger';
import { openDatabase } from '#engine/store/open-database';
import type { CommandReceipt } from '#shared/commands';
import type { Result } from '#shared/errors';
import { BareBulkInsert } from './baselines';
import { formatNumber, median, rateAgainst, type Figure } from './figures';
import { TreeUpkeepAlone, type UpkeepRun } from './signing';
import { eventCount, workload } from './workload';

/** The bare bulk baseline is measured in this many slices between the engine's batches. */
const BARE_SLICES = 20;
/**
 * Bare bulk baselines measured side by side (median taken). One of them ends in a single
 * commit of ~500 MB at 1M rows, whose time swings widely from run to run on shared disks:
 * alone, it would move the ratio with the engine unchanged.
 */
const BARE_BULK_ROUNDS = 3;
/**
 * Batches the engine is timed on at a stretch (a slice's lines are written before its clock
 * starts). Each slice starts and ends with one batch on one thread only, so the longer the
 * slice, the nearer the figure is to a file streaming through `ledger apply`.
 */
const BATCHES_PER_SLICE = 50;

export type BulkOptions = {
  readonly events: number;
  readonly accounts: number;
  /** Commands per transaction (the batches `ledger apply` commits from streamed input). */
  readonly batch: number;
  /** The events of the consistent copy taken on the way, for the export's "flat memory" comparison. */
  readonly smallEvents: number;
};

export type BuiltLedger = {
  readonly eventsPerSecond: number;
  readonly ms: number;
  readonly snapshotEvents: number;
  readonly bare: ReadonlyArray<{ rows: number; ms: number }>;
  readonly upkeep: UpkeepRun;
};

export function openLedger(path: string, options: { verifyInBackground?: boolean } = {}): Ledger {
  const opened = Ledger.open({ path, actor: 'bench', ...options });
  if (!opened.ok) throw new Error(`cannot open ${path}: ${opened.error.message}`);
  return opened.value;
}

/** Fails the run when the workload (which only ever asks for what the rules allow) had a command refused. */
function expectAllRecorded(results: ReadonlyArray<Result<CommandReceipt>>): void {
  const refused = results.find((result) => !result.ok);
  if (refused && !refused.ok) throw new Error(`the workload was refused: ${refused.error.code} ${refused.error.message}`);
}

function barePathOf(barePath: string, round: number): string {
  return barePath.replace(/\.db$/, `-${round + 1}.db`);
}

/**
 * Builds the ledger through the pipelined writer `ledger apply` uses and, between slices of
 * its batches, the bare baseline of the same rows (see BareBulkInsert). Each slice's input
 * lines are written first (not timed: that is the producer's work); then the slice is timed
 * from its first line parsed to its last batch committed — wall-clock time, so the writer's
 * thread gets no credit for work done while the clock is stopped.
 */
export async function buildLedger(
  options: BulkOptions,
  path: string,
  snapshotPath: string,
  barePath: string,
  log: (message: string) => void,
): Promise<BuiltLedger> {
  const { events: EVENTS, smallEvents: SMALL_EVENTS } = options;
  const ledger = openLedger(path);
  const bares = Array.from({ length: BARE_BULK_ROUNDS }, (_, round) => new BareBulkInsert(path, barePathOf(barePath, round)));
  // The Merkle tree's share of the same work, measured in the same slices (see bench/signing.ts).
  const upkeep = new TreeUpkeepAlone(path, barePath.replace(/\.db$/, '-upkeep.db'));
  let writer: PipelinedWriter | undefined;
  let nextBareSlice = EVENTS / BARE_SLICES;
  let ms = 0;
  let snapshotEvents = 0;
  let nextReport = EVENTS / 20;
  const batches = workload({ events: EVENTS, accounts: options.accounts }, options.batch)[Symbol.iterator]();
  try {
    for (;;) {
      // The input lines of the next slice, as a file fed to `ledger apply` holds them. The
      // slice that reaches the small snapshot's size ends there, so the snapshot is taken at it.
      const slice: string[][] = [];
      let sliceEnd = ledger.lastPosition;
      while (slice.length < BATCHES_PER_SLICE && !(snapshotEvents === 0 && sliceEnd >= SMALL_EVENTS)) {
        const next = batches.next();
        if (next.done) break;
        slice.push(next.value.map((command) => JSON.stringify({ command: command.name, ...command.input })));
        for (const command of next.value) sliceEnd += eventCount(command);
      }
      if (slice.length === 0) break;
      const started = performance.now();
      writer ??= new PipelinedWriter(ledger);
      // Parsed, validated, submitted and read ahead exactly as `ledger apply` does (see applyStream).
      const answered: Array<Promise<void>> = [];
      for (const lines of slice) {
        answered.push(writer.submit(lines.map(parseCommandLine)).then(expectAllRecorded));
        await writer.whenBacklogBelow(MAX_IN_FLIGHT + 1);
      }
      await Promise.all(answered);
      ms += performance.now() - started;
      const position = ledger.lastPosition;
      if (snapshotEvents === 0 && position >= SMALL_EVENTS) {
        // A consistent copy at ~N/10 events for the export's "flat memory" comparison (not timed).
        const source = openDatabase(ledger.path, { readOnly: true });
        try {
          source.exec(`VACUUM INTO '${snapshotPath.replace(/'/g, "''")}'`);
        } finally {
          source.close();
        }
        snapshotEvents = position;
      }
      if (position >= nextBareSlice) {
        for (const bare of bares) bare.catchUp();
        upkeep.catchUp();
        while (nextBareSlice <= position) nextBareSlice += EVENTS / BARE_SLICES;
      }
      if (position >= nextReport) {
        log(
          `built ${formatNumber(position)} / ${formatNumber(EVENTS)} events: engine ${formatNumber(position / (ms / 1000))} events/s, ` +
            `bare ${bares.map((bare) => formatNumber(bare.rows / (bare.ms / 1000))).join(' / ')} rows/s`,
        );
        while (nextReport <= position) nextReport += EVENTS / 20;
      }
    }
    const events = ledger.lastPosition;
    if (events !== EVENTS) throw new Error(`built ${events} events instead of ${EVENTS}`);
    const bare = bares.map((each) => each.finish());
    return { eventsPerSecond: events / (ms / 1000), ms, snapshotEvents, bare, upkeep: upkeep.finish() };
  } finally {
    await writer?.close();
    ledger.close();
  }
}

/** The bulk-append figure from a built ledger; removes the bare baselines' files. */
export function bulkAppendFigure(built: BuiltLedger, events: number, barePath: string, log: (message: string) => void): Figure {
  for (let round = 0; round < BARE_BULK_ROUNDS; round++) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${barePathOf(barePath, round)}${suffix}`, { force: true });
  }
  const bareRates = built.bare.map((bare) => {
    if (bare.rows !== events) throw new Error(`a bare baseline copied ${bare.rows} rows instead of ${events}`);
    return bare.rows / (bare.ms / 1000);
  });
  const bareRate = median(bareRates);
  log(`bare bulk insert: ${bareRates.map((rate) => formatNumber(rate)).join(' / ')} rows/s, median ${formatNumber(bareRate)}`);
  return rateAgainst('bulk append (apply path)', built.eventsPerSecond, 'events/s', bareRate, 0.6);
}
