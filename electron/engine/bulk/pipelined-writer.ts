/**
 * The pipelined bulk writer behind `ledger apply` (and the bench): while a second thread
 * commits one batch, the main thread decides, builds and hashes the next, so on two cores
 * SQLite's half of bulk append overlaps JavaScript's. The hashing stays on this thread (see
 * docs/performance.md).
 *
 * It gives exactly the answers executeBatch would, in the order submitted, each only after
 * its batch is durable:
 * - A batch is decided on the projection plus every batch staged before it (BulkStaging.stage)
 *   and built, hashes included, to chain from the tail they leave. The thread commits it only
 *   if the log still ends at that very position and hash, under the write lock
 *   (writer-thread.mjs). So another process appending in between cannot be overlooked: the
 *   batch is refused whole, nothing of it is written, and it is decided again.
 * - Anything unusual — a refused or failed batch, a ledger that cannot stage (read-only,
 *   verifying in the background), an error while staging, a lost thread — sends the next
 *   batch down the plain path (executeBatch on the main connection, with its typed errors
 *   and busy retries), and only once no batch is in flight, so answers never overtake.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { AnyCommand, CommandReceipt } from '#shared/commands';
import type { Failure, Result } from '#shared/errors';
import { INSERT_COMMAND_RECORD_SQL } from '../domain/command-records';
import type { Ledger } from '../ledger';
import type { BulkStaging, LedgerStagingBasis, StagedBatch } from '../ledger/bulk-staging';
import { INSERT_EVENT_SQL, TAIL_SQL, type StoredEvent } from '../store/event-store';
import { VALUES_PER_EVENT, eventValues } from '../store/event-row';
import type { ThreadReply, WriterMessage, WriterThreadData } from './writer-protocol';
import { GENESIS_HASH } from '../store/hash-chain';
import { INSERT_TREE_NODE_SQL } from '../history/tree-nodes';
import { BULK_WRITER_PAGE_CACHE_KIB, connectionPragmas } from '../store/open-database';

/**
 * Batches staged ahead of the thread's commits. Two would keep both threads busy (one being
 * committed, one being built); more let the thread, the slower of the two on large files,
 * commit several in one transaction (see writer-thread.mjs), which makes each event's share
 * of a commit smaller. Until its commit each holds, here, its answers and the events the
 * projection will apply (the rows themselves went to the thread, see RowSender).
 */
export const MAX_IN_FLIGHT = 8;

/** Values sent per idempotency record (an event row sends its VALUES_PER_EVENT, see eventValues). */
const VALUES_PER_RECORD = 4;

/**
 * Rows are sent to the thread in chunks of this many while their batch is being staged,
 * rather than all at once at its end: a row's texts are then garbage within a fraction of a
 * young-generation cycle instead of surviving one or two, and being copied by V8 each time,
 * until the batch is posted. See RowSender.
 */
const CHUNK_EVENTS = 256;

type Submitted = {
  readonly commands: ReadonlyArray<AnyCommand | Failure>;
  readonly resolve: (results: Result<CommandReceipt>[]) => void;
};
type InFlight = { readonly submitted: Submitted; readonly batch: StagedBatch };
/** What the thread answers for each batch, in the order they were posted. */

export class PipelinedWriter {
  /** The SQLite thread; undefined once lost (or for an in-memory ledger): then every batch takes the plain path. */
  private thread: Worker | undefined;
  /** Submitted, not yet staged (or to be decided again), in order. */
  private queue: Submitted[] = [];
  /** Posted to the thread, awaiting its reply, in order. */
  private readonly inFlight: InFlight[] = [];
  /** Batches the thread did not commit, waiting for the replies to the batches staged on them. */
  private notCommitted: Submitted[] = [];
  private basis: LedgerStagingBasis | undefined;
  /** The next batch takes the plain path (see the file comment). */
  private plainNext = false;
  private closing = false;
  private waiters: Array<{ readonly until: () => boolean; readonly resolve: () => void }> = [];

  /** The ledger's side: staging batches, and hearing which ones landed. */
  private readonly staging: BulkStaging;

  constructor(private readonly ledger: Ledger) {
    this.staging = ledger.bulkStaging();
    const connection = this.staging.connection;
    // An in-memory ledger cannot be opened a second time: another connection would get a database of its own.
    if (connection.path === ':memory:') return;
    const thread = new Worker(new URL('./writer-thread.mjs', import.meta.url), {
      workerData: {
        path: connection.path,
        nativeBinding: connection.nativeBinding,
        pragmas: connectionPragmas(false, connection.busyTimeoutMs, BULK_WRITER_PAGE_CACHE_KIB),
        sql: {
          tail: TAIL_SQL,
          insertEvent: INSERT_EVENT_SQL,
          insertRecord: INSERT_COMMAND_RECORD_SQL,
          insertTreeNode: INSERT_TREE_NODE_SQL,
        },
        genesisHash: GENESIS_HASH,
        valuesPerEvent: VALUES_PER_EVENT,
        valuesPerRecord: VALUES_PER_RECORD,
      } satisfies WriterThreadData,
    });
    thread.on('message', (reply: ThreadReply) => this.onReply(reply));
    thread.on('error', (error) => this.onThreadLost(error));
    thread.on('exit', (code) => this.onThreadLost(new Error(`the writer thread exited with code ${code}`)));
    this.thread = thread;
  }

  /** Queues a batch; resolves to its answers once it is committed (or refused as executeBatch would). */
  submit(commands: ReadonlyArray<AnyCommand | Failure>): Promise<Result<CommandReceipt>[]> {
    if (this.closing) throw new Error('the bulk writer is closed');
    return new Promise((resolve) => {
      this.queue.push({ commands, resolve });
      this.pump();
    });
  }

  /** Batches submitted and not yet answered. */
  get backlog(): number {
    return this.queue.length + this.inFlight.length + this.notCommitted.length;
  }

  /** Resolves once fewer than `limit` batches are unanswered (a producer's back-pressure). */
  whenBacklogBelow(limit: number): Promise<void> {
    return this.waitUntil(() => this.backlog < limit);
  }

  /** Answers everything submitted, then stops the thread. */
  async close(): Promise<void> {
    await this.waitUntil(() => this.backlog === 0);
    if (this.closing) return;
    this.closing = true;
    const thread = this.thread;
    if (thread === undefined) return;
    const exited = once(thread, 'exit');
    thread.postMessage({ kind: 'close' } satisfies WriterMessage);
    await exited;
  }

  private waitUntil(until: () => boolean): Promise<void> {
    if (until()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ until, resolve }));
  }

  /** Stages and posts what it can; runs plain-path batches when the pipeline is empty. */
  private pump(): void {
    while (this.queue.length > 0 && this.notCommitted.length === 0) {
      if (this.plainNext || this.thread === undefined || this.basis === undefined) {
        // A new basis, and the plain path, need every staged batch answered first.
        if (this.inFlight.length > 0) break;
        if (!this.plainNext && this.thread !== undefined) {
          this.basis = this.staging.begin();
          if (this.basis !== undefined) continue;
        }
        this.plainNext = false;
        const next = this.queue.shift()!;
        next.resolve(this.ledger.executeBatch(next.commands));
        continue;
      }
      if (this.inFlight.length >= MAX_IN_FLIGHT) break;
      const next = this.queue[0]!;
      const sender = new RowSender(this.thread);
      let batch: StagedBatch | undefined;
      try {
        batch = this.staging.stage(next.commands, this.basis, sender.send);
      } catch {
        // The basis may hold part of this batch. The plain path decides it again and answers
        // what went wrong as executeBatch does.
        batch = undefined;
      }
      if (batch === undefined) {
        sender.abandon();
        this.dropBasis();
        this.plainNext = true;
        continue;
      }
      this.queue.shift();
      this.inFlight.push({ submitted: next, batch });
      sender.finish(batch);
    }
    this.wakeWaiters();
  }

  private onReply(reply: ThreadReply): void {
    const answered = this.inFlight.shift();
    if (answered === undefined) throw new Error(`the writer thread answered a batch nobody sent (${reply.outcome}): bug`);
    if (reply.outcome === 'committed') {
      this.staging.landed(answered.batch, this.basis);
      answered.submitted.resolve(answered.batch.results);
    } else {
      // Nothing of it was written, nor of any batch staged on it (the thread skips those):
      // each is decided again, the first on the plain path.
      this.notCommitted.push(answered.submitted);
      this.dropBasis();
      this.plainNext = true;
    }
    if (this.inFlight.length === 0 && this.notCommitted.length > 0) {
      this.queue = [...this.notCommitted, ...this.queue];
      this.notCommitted = [];
      this.thread?.postMessage({ kind: 'resume' } satisfies WriterMessage);
    }
    this.pump();
  }

  /**
   * The thread is gone (it failed to open the file, or died). Whether each batch in flight
   * was committed is read from the log itself: its last row is there with its hash, or not.
   * Everything after goes down the plain path.
   */
  private onThreadLost(error: Error): void {
    if (this.thread === undefined || this.closing) return;
    this.thread = undefined;
    console.error('The bulk writer thread stopped; writing on the main thread from here on', error);
    const unsure = this.inFlight.splice(0);
    this.dropBasis();
    const again: Submitted[] = [...this.notCommitted];
    this.notCommitted = [];
    for (const { submitted, batch } of unsure) {
      if (again.length === 0 && this.staging.isInLog(batch)) {
        this.staging.landed(batch, undefined);
        submitted.resolve(batch.results);
      } else again.push(submitted);
    }
    this.queue = [...again, ...this.queue];
    this.pump();
  }

  private dropBasis(): void {
    if (this.basis === undefined) return;
    this.basis = undefined;
    this.staging.drop();
  }

  private wakeWaiters(): void {
    if (this.waiters.length === 0) return;
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) {
      if (waiter.until()) waiter.resolve();
      else this.waiters.push(waiter);
    }
  }
}

/**
 * One batch's rows on their way to the thread: chunks while the batch is staged, then the
 * batch itself (its last rows, the tail it was built on and its idempotency records), which
 * the thread may commit. The thread holds the chunks until that message, or until `abandon`.
 */
class RowSender {
  /** One flat array per chunk: the structured clone then copies strings and numbers, not an object per row. */
  private values: unknown[] = [];
  private chunksSent = 0;

  constructor(private readonly thread: Worker) {}

  /** Copies a staged row's values (see EventStore.stage); sends them once a chunk is full. */
  readonly send = (row: StoredEvent): void => {
    this.values.push(...eventValues(row));
    if (this.values.length >= CHUNK_EVENTS * VALUES_PER_EVENT) {
      this.thread.postMessage({ kind: 'rows', events: this.values } satisfies WriterMessage);
      this.values = [];
      this.chunksSent += 1;
    }
  };

  /**
   * The batch is staged: the thread gets the rest of it, with the Merkle tree nodes its rows
   * complete (inserted in the same transaction). Batches with no rows are posted too:
   * their refusals were decided on the same basis and hold only if the log is still where the
   * basis says.
   */
  finish(batch: StagedBatch): void {
    this.thread.postMessage({
      kind: 'batch',
      expectedTail: batch.appends.expectedTail,
      events: this.values,
      records: batch.commandRecords.flat(),
      treeNodes: batch.appends.nodes,
    } satisfies WriterMessage);
  }

  /** The batch could not be staged: the thread drops the chunks it holds of it. */
  abandon(): void {
    if (this.chunksSent > 0) this.thread.postMessage({ kind: 'discard' } satisfies WriterMessage);
  }
}
