/**
 * `ledger apply`: JSON lines of commands in, one result line per command out, in order.
 * Lines run in batches, committed by the pipelined writer (at most one transaction, one
 * fsync, per batch; batches waiting for its thread share one), and a result is printed only
 * after its batch has committed: a printed result is on disk. A batch closes when the input
 * pauses, when it is full, or when its first line has waited long enough — so a file or a
 * pipe streams into full batches, and a person or a program sending one line at a time gets
 * each answer within a few milliseconds.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { MAX_IN_FLIGHT } from '#engine/bulk/pipelined-writer';
import { commandOfLine, type HostHandlerTable } from '#engine/handlers';
import { printJsonLines } from './output';

/** One line as the handler table reads it (the bench parses lines exactly as `apply` does). */
export const parseCommandLine = commandOfLine;

/**
 * Commands per batch at most. Bigger batches pay the commit (which rewrites every index page
 * the batch touched) less often, but keep more objects alive until it: 5,000 beat 1,000 by
 * ~12% and tied 20,000 (300k and 1M events). It also bounds how long the write lock is held
 * (about 0.1 s), so the app and other writers are never kept waiting long.
 */
export const MAX_BATCH = 5_000;
/** The input counts as paused when no new line came for this long. */
const PAUSE_MS = 2;
/** A line waits at most this long for its batch to fill (a slow, steady producer). */
const MAX_WAIT_MS = 50;

/**
 * Applies every line of `input`; resolves to the number of lines that failed. Batches go
 * through the handler table's command stream (validated there as every channel is, and
 * committed by the pipelined writer: one batch on its thread while the next is decided);
 * answers come back, and are printed, in input order.
 *
 * `stop` (the reader of the answers went away): no further line is read or started; the
 * batches already handed to the writer are committed, so nothing is left half-applied.
 */
export async function applyStream(handlers: HostHandlerTable, input: Readable, stop?: AbortSignal): Promise<number> {
  const writer = handlers.openCommandStream();
  let failures = 0;
  let lineNumber = 0;
  let batch: Array<{ line: number; text: string }> = [];
  const flush = () => {
    if (batch.length === 0) return;
    const current = batch;
    batch = [];
    void writer.submit(current.map((entry) => entry.text)).then((results) =>
      printJsonLines(
        results.map((result, index) => {
          const line = current[index]!.line;
          if (result.ok) return { ok: true, line, ...result.value };
          failures += 1;
          return { ok: false, line, error: result.error };
        }),
      ),
    );
  };
  // One timer per batch, re-armed while lines keep coming (not one per line).
  let timer: NodeJS.Timeout | undefined;
  let batchStarted = 0;
  let linesAtLastTick = 0;
  const tick = () => {
    timer = undefined;
    if (batch.length === linesAtLastTick || performance.now() - batchStarted >= MAX_WAIT_MS) flush();
    else armTimer();
  };
  const armTimer = () => {
    linesAtLastTick = batch.length;
    timer = setTimeout(tick, PAUSE_MS);
  };
  const reader = createInterface({ input, crlfDelay: Infinity });
  const onStop = () => {
    clearTimeout(timer);
    batch = [];
    reader.close();
    input.destroy();
  };
  stop?.addEventListener('abort', onStop, { once: true });
  try {
    for await (const text of reader) {
      if (stop?.aborted) break;
      lineNumber += 1;
      if (text.trim() === '') continue;
      if (batch.length === 0) batchStarted = performance.now();
      batch.push({ line: lineNumber, text });
      if (batch.length >= MAX_BATCH) {
        flush();
        // Read ahead no further than the pipeline can use: a huge file is not held in memory.
        await writer.whenBacklogBelow(MAX_IN_FLIGHT + 1);
      } else if (timer === undefined) armTimer();
    }
    clearTimeout(timer);
    if (!stop?.aborted) flush();
  } finally {
    stop?.removeEventListener('abort', onStop);
    await writer.close();
  }
  return failures;
}
