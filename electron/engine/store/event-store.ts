/**
 * The append-only event store on one SQLite file.
 *
 * Invariants it protects:
 * - Global positions are gap-free and in commit order: each is assigned as (last + 1) inside a
 *   BEGIN IMMEDIATE transaction, which holds the file's single write lock.
 * - Stream versions are 1-based and gap-free; every append states an expectation that is
 *   checked in the same transaction. A failed expectation writes nothing and bumps nothing.
 * - Each event is chained to the one before by SHA-256 (hash-chain.ts, event-row.ts).
 * - Subscribers hear about events only after they are committed and durable (commit-announcements.ts).
 */
import type Database from 'better-sqlite3';
import { LedgerFailure } from '#shared/errors';
import { GENESIS_HASH } from './hash-chain';
import type { CheckpointSealer } from './head-checkpoint';
import { openDatabase, type OpenOptions } from './open-database';
import { EventReads } from './event-reads';
import { TreeUpkeep } from '../history/tree-upkeep';
import { CheckpointTiming } from './checkpoint-timing';
import { CommitAnnouncements } from './commit-announcements';
import { EventRowBuilder, INSERT_EVENT_SQL, TAIL_SQL, eventValues, isoNow } from './event-row';
import type { AppendRequest, AppendResult, CommittedEvent, LogTail, NewEvent, ReadFilter, StoredEvent, Subscriber } from './event-types';
import { Staging, type StagedAppends, type StagedRowSink, type StagingBasis } from './staging';
import { checkExpectation } from './stream-expectation';
import { KnownStreamVersions } from './stream-versions';

export type {
  AppendRequest,
  AppendResult,
  CommittedEvent,
  NewEvent,
  ReadFilter,
  StoredEvent,
  StreamExpectation,
  Subscriber,
} from './event-types';
export type { StagedAppends, StagedRowSink, StagingBasis } from './staging';
export { CHECKPOINT_DELAY_MS } from './checkpoint-timing';
export { INSERT_EVENT_SQL, TAIL_SQL } from './event-row';
export { MAX_READ_LIMIT } from './event-reads';

export class EventStore {
  readonly db: Database.Database;
  readonly path: string;
  readonly readOnly: boolean;
  /** The better_sqlite3.node this file was opened with, if not Node's own: second connections (threads) need it too. */
  readonly nativeBinding: string | undefined;
  /** Keeps the stored Merkle tree level with the log, in the same transactions (history/tree-upkeep.ts). */
  readonly tree: TreeUpkeep;

  private readonly announcements = new CommitAnnouncements();
  private readonly checkpoint: CheckpointTiming;
  private readonly rows = new EventRowBuilder();
  private readonly knownVersions = new KnownStreamVersions();
  private readonly reads: EventReads;
  /** Tail of the log as seen inside the open write transaction (or stage). */
  private tail: LogTail | undefined;
  /** Set while stage() runs: rows go to its sink instead of being written. */
  private staging: Staging | undefined;
  /** Rows this connection has inserted, ever: lets a caller check that a refusal wrote nothing. */
  private inserted = 0;

  private readonly statements: ReturnType<typeof prepareStatements>;
  /** One transaction function for every write, made once: db.transaction() builds a new wrapper on each call. */
  private readonly transaction: Database.Transaction<(work: () => unknown) => unknown>;
  /** The stream's version as the file holds it: one query. */
  private readonly storedStreamVersion = (streamId: string): number => (this.statements.streamVersion.get(streamId) as number | null) ?? 0;

  private constructor(db: Database.Database, path: string, options: OpenOptions) {
    this.db = db;
    this.path = path;
    this.readOnly = options.readOnly ?? false;
    this.nativeBinding = options.nativeBinding;
    this.statements = prepareStatements(db);
    this.tree = new TreeUpkeep(db);
    this.checkpoint = new CheckpointTiming(path);
    this.reads = new EventReads(db, path);
    this.transaction = db.transaction((work: () => unknown) => work());
  }

  /** Opens (creating if needed) a ledger file. Throws LedgerFailure with a clear message naming the file. */
  static open(path: string, options: OpenOptions = {}): EventStore {
    const db = openDatabase(path, options);
    return new EventStore(db, path, options);
  }

  close(): void {
    this.checkpoint.close();
    if (this.db.open) this.db.close();
  }

  subscribe(subscriber: Subscriber): () => void {
    return this.announcements.subscribe(subscriber);
  }

  /**
   * Runs `work` inside one write transaction (BEGIN IMMEDIATE, so the write lock is taken up
   * front and no other writer can slip in between our reads and our writes). Nested calls
   * become savepoints: a failure inside rolls back only its own part.
   */
  writeTransaction<T>(work: () => T): T {
    this.assertWritable();
    const outermost = !this.db.inTransaction;
    const heldBefore = this.announcements.mark();
    const tailBefore = this.tail;
    let result: T;
    try {
      result = this.transaction.immediate(outermost ? () => (this.trustKnownVersions(), work()) : work) as T;
    } catch (error) {
      if (outermost) this.settle(false);
      else {
        this.announcements.rolledBackTo(heldBefore);
        this.tail = tailBefore;
        // The savepoint's rollback may have undone versions we learnt inside it, and tree nodes.
        this.knownVersions.forget();
        this.tree.settled(false);
      }
      throw error;
    }
    if (outermost) this.settle(true);
    return result;
  }

  /**
   * A write transaction around work that must await (a restore streaming a file). Only for a
   * store nobody else uses meanwhile: anything run on this connection during the awaits
   * would join the transaction.
   */
  async writeTransactionAsync<T>(work: () => Promise<T>): Promise<T> {
    this.assertWritable();
    if (this.db.inTransaction) throw new Error('writeTransactionAsync cannot be nested');
    this.db.exec('BEGIN IMMEDIATE');
    let result: T;
    try {
      this.trustKnownVersions();
      result = await work();
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.settle(false);
      throw error;
    }
    this.settle(true);
    return result;
  }

  /** Ends the outermost transaction's bookkeeping; after a commit, tells the subscribers. */
  private settle(committed: boolean): void {
    const tail = this.tail;
    this.tail = undefined;
    this.knownVersions.settled(committed);
    this.tree.settled(committed);
    const told = this.announcements.settle(committed);
    if (told !== undefined) this.announce(told, tail!);
  }

  /**
   * Appends to one or several streams atomically; every expectation is checked before the
   * first row is written, so a refused append writes nothing. Inside an open transaction it
   * joins that transaction (no savepoint of its own: bulk imports stay fast).
   */
  append(requests: readonly AppendRequest[]): AppendResult {
    if (this.db.inTransaction || this.staging !== undefined) return this.appendInTransaction(requests);
    return this.writeTransaction(() => this.appendInTransaction(requests));
  }

  private appendInTransaction(requests: readonly AppendRequest[]): AppendResult {
    // Parts are checked in order, as if appended one after another: a later part for the
    // same stream sees the version the earlier parts leave (two 'no_stream' parts for one
    // stream conflict instead of both holding against the version before the append).
    const streamVersions = new Map<string, number>();
    const startVersions: number[] = [];
    for (const request of requests) {
      const actual = streamVersions.get(request.streamId) ?? this.streamVersion(request.streamId);
      checkExpectation(request.streamId, request.expected, actual);
      startVersions.push(actual);
      streamVersions.set(request.streamId, actual + request.events.length);
    }
    const appended: StoredEvent[] = [];
    // One append is one command (or one imported line): its events share one recorded time.
    const recordedAt = isoNow();
    // Indexed loops: `requests.entries()` costs an iterator and an [index, request] pair per part.
    for (let index = 0; index < requests.length; index++) {
      const { streamId, events } = requests[index]!;
      let version = startVersions[index]!;
      for (const event of events) {
        version += 1;
        appended.push(this.insert(streamId, version, event, recordedAt));
      }
      streamVersions.set(streamId, version);
    }
    return { events: appended, streamVersions };
  }

  /**
   * Runs `work` with its appends built exactly as a write transaction would build them —
   * positions, ids, texts, hashes chained from `basis.tail`, expectations checked against
   * `basis.versions` (a stream not in it is at its committed version) — but not written: each
   * row goes to `send` as it is built, for another connection to insert (the bulk writer's
   * thread, see bulk/pipelined-writer.ts). On success the basis moves on to the staged rows'
   * end, so the next batch can be staged before this one is committed. If `work` throws, the
   * basis may hold part of the batch: the caller must drop it.
   *
   * The staged appends keep only what the subscribers will hear (CommittedEvent), not the
   * rows: a row's texts and hash are then garbage as soon as `send` has copied them, instead
   * of living until the commit (long-lived young objects are copied twice by V8's scavenger).
   */
  stage<T>(basis: StagingBasis, work: () => T, send: StagedRowSink): { result: T; appends: StagedAppends } {
    if (this.db.inTransaction || this.staging !== undefined) throw new Error('stage cannot run inside a transaction or another stage');
    const expectedTail = basis.tail;
    const staging = (this.staging = new Staging(basis, send));
    this.tail = expectedTail;
    try {
      const result = work();
      const tail = this.tail;
      basis.tail = tail;
      return { result, appends: { expectedTail, tail, events: staging.events, nodes: staging.nodes } };
    } finally {
      this.staging = undefined;
      this.tail = undefined;
    }
  }

  /** Tells the subscribers about staged rows once another connection has committed them. */
  announceCommitted(appends: StagedAppends): void {
    if (appends.events.length > 0) this.announce(appends.events, appends.tail);
  }

  /** How many events this store has inserted since it was opened (rolled-back ones included). */
  get insertCount(): number {
    return this.inserted;
  }

  /** Current version of a stream (0 when it has no events). */
  streamVersion(streamId: string): number {
    if (this.staging !== undefined) return this.staging.streamVersion(streamId, this.storedStreamVersion);
    const known = this.knownVersions.get(streamId);
    if (known !== undefined) return known;
    const version = this.storedStreamVersion(streamId);
    this.knownVersions.learn(streamId, version);
    return version;
  }

  /**
   * The stream's current version when this connection knows it without a query (inside a
   * write transaction, nobody else having committed since it was learnt); otherwise undefined.
   */
  knownStreamVersion(streamId: string): number | undefined {
    return this.knownVersions.get(streamId);
  }

  /** Called first thing inside every outermost write transaction, once the write lock is held. */
  private trustKnownVersions(): void {
    this.knownVersions.trust(this.dataVersion());
  }

  /** Events of one stream in version order, optionally only those after `afterVersion`. */
  readStream(streamId: string, afterVersion = 0, limit = -1): StoredEvent[] {
    return this.reads.stream(streamId, afterVersion, limit);
  }

  /** A page of the global log in position order, from `fromPosition` (inclusive). */
  readAll(filter: ReadFilter = {}): StoredEvent[] {
    return this.reads.page(filter);
  }

  /** Events at the given positions (any order in, position order out). */
  readPositions(positions: readonly number[]): StoredEvent[] {
    return this.reads.positions(positions);
  }

  lastPosition(): number {
    return this.readTail().position;
  }

  /**
   * Inside a write transaction, before its appends: the log's last position, read once and
   * kept as the tail the transaction's first append chains from (one query, not two). Nobody
   * else can append while the transaction holds the write lock, and nothing in it may write
   * events but append, so the kept tail stays the log's. Outside a transaction: lastPosition().
   */
  appendTailPosition(): number {
    if (!this.db.inTransaction || this.staging !== undefined) return this.lastPosition();
    return (this.tail ??= this.readTail()).position;
  }

  headHash(): string {
    return this.readTail().hash;
  }

  /**
   * PRAGMA data_version changes whenever ANOTHER connection commits to the file: a cheap way
   * to learn that the CLI or a second app instance appended, without reading the log.
   */
  dataVersion(): number {
    // Inside our own write transaction no other connection can commit, so the value read at
    // its start still holds: the ledger's refresh asks again right after.
    // Otherwise a prepared statement: db.pragma() prepares one on every call, and this runs at
    // the start of every write transaction and every query.
    return this.knownVersions.dataVersionInTransaction() ?? (this.statements.dataVersion.get() as number);
  }

  private insert(streamId: string, streamVersion: number, event: NewEvent, recordedAt: string): StoredEvent {
    const tail = (this.tail ??= this.readTail());
    const staging = this.staging;
    // The tree must be able to take the row (it may refuse as INTEGRITY) before anything is written.
    if (staging === undefined) this.tree.readyFor(tail);
    else this.tree.readyToStage(staging.basis);
    const row = this.rows.build(tail, streamId, streamVersion, event, recordedAt);
    this.inserted += 1;
    this.tail = row; // the row is the new tail: no copy of its position and hash
    if (staging !== undefined) {
      staging.take(row, this.tree);
      return row;
    }
    // Positional parameters: better-sqlite3 binds them faster than named ones.
    this.statements.insert.run(eventValues(row));
    this.tree.added(row);
    this.knownVersions.learn(streamId, streamVersion);
    this.announcements.hold(row);
    return row;
  }

  /** The last committed event's position and hash (position 0 and the genesis hash when empty). */
  readTail(): { position: number; hash: string } {
    const head = this.statements.head.get() as { position: number; hash: string } | undefined;
    return head ?? { position: 0, hash: GENESIS_HASH };
  }

  /** After a commit up to `head`: the head checkpoint follows (checkpoint-timing.ts), and the subscribers are told. */
  private announce(events: readonly CommittedEvent[], head: LogTail): void {
    if (this.path !== ':memory:') this.checkpoint.schedule(head);
    this.announcements.tell(events);
  }

  /** From now on each head checkpoint carries a seal made by `sealer` (see head-checkpoint.ts). */
  sealCheckpointsWith(sealer: CheckpointSealer): void {
    this.checkpoint.sealWith(sealer);
  }

  /** Writes the pending head checkpoint now, if there is one. */
  flushCheckpoint(): void {
    this.checkpoint.flush();
  }

  private assertWritable(): void {
    if (this.readOnly) {
      throw new LedgerFailure({
        code: 'INTEGRITY',
        message: `The ledger ${this.path} is open read-only; nothing can be recorded in it`,
      });
    }
  }
}

function prepareStatements(db: Database.Database) {
  return {
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
    streamVersion: db.prepare('SELECT max(stream_version) FROM events WHERE stream_id = ?').pluck(),
    head: db.prepare(TAIL_SQL),
    insert: db.prepare(INSERT_EVENT_SQL),
  };
}
