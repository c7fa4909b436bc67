/**
 * The append-only event store on one SQLite file.
 *
 * Invariants it protects:
 * - Global positions are gap-free and in commit order: each is assigned as (last + 1) inside a
 *   BEGIN IMMEDIATE transaction, which holds the file's single write lock.
 * - Stream versions are 1-based and gap-free; every append states an expectation that is
 *   checked in the same transaction. A failed expectation writes nothing and bumps nothing.
 * - Each event is chained to the one before by SHA-256 (hash-chain.ts).
 * - Subscribers hear about events only after they are committed and durable.
 */
import type Database from 'better-sqlite3';
import { LedgerFailure, type LedgerError } from '#shared/errors';
import type { EventMetadata } from '#shared/events';
import { GENESIS_HASH, hashEvent, type ChainRow } from './hash-chain';
import { CheckpointWriter, type CheckpointSealer } from './head-checkpoint';
import { timeOrderedId } from './time-ordered-id';
import { openDatabase, type OpenOptions } from './open-database';
import { readingDamaged } from './storage-errors';
import type { TreeFrontier } from '../history/tree-frontier';
import { TreeUpkeep } from '../history/tree-upkeep';

/** What an append expects of the stream before it writes. */
export type StreamExpectation = 'any' | 'no_stream' | 'stream_exists' | number;

export type NewEvent = {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: object;
  readonly metadata: EventMetadata;
  /** Only imports set these: they keep the original ids and timestamps. */
  readonly eventId?: string;
  readonly recordedAt?: string;
  /** Stored verbatim instead of JSON.stringify(data) (imports keep the original bytes). */
  readonly dataText?: string;
  readonly metadataText?: string;
};

export type AppendRequest = {
  readonly streamId: string;
  readonly expected: StreamExpectation;
  readonly events: readonly NewEvent[];
};

/** An event row exactly as stored: payload and metadata are the stored JSON texts. */
export type StoredEvent = ChainRow;

export type AppendResult = {
  readonly events: readonly StoredEvent[];
  /** Stream id → its version after the append. */
  readonly streamVersions: ReadonlyMap<string, number>;
};

export type ReadFilter = {
  readonly fromPosition?: number;
  readonly limit?: number;
  readonly streamId?: string;
  /** Stored type names (see storedTypesFor for the upcast ones). */
  readonly types?: readonly string[];
};

/**
 * An event as its subscribers hear of it after the commit: what a read model applies. It
 * carries the payload object its data text was serialised from, so the projection need not
 * parse back what this process has just written. Only an event appended with its stored text
 * (an import) has no payload object: its `data` and `metadata` texts are then given instead.
 */
export type CommittedEvent = {
  readonly position: number;
  readonly streamId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly recordedAt: string;
  readonly payload: object | undefined;
  readonly data?: string;
  readonly metadata?: string;
};

/** Told after each commit; an empty list means "too many to list: catch up from the log". */
export type Subscriber = (events: readonly CommittedEvent[]) => void;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const SELECT_COLUMNS =
  'position, event_id AS eventId, stream_id AS streamId, stream_version AS streamVersion, type, ' +
  'schema_version AS schemaVersion, data, metadata, recorded_at AS recordedAt, ' +
  'previous_hash AS previousHash, hash';

/** Largest page a single read returns; larger reads page by position. */
export const MAX_READ_LIMIT = 10_000;

/** How long the head checkpoint may lag the last commit (see scheduleCheckpoint). */
export const CHECKPOINT_DELAY_MS = 20;

/** Events one transaction may buffer for its subscribers before they are told to catch up instead. */
const PENDING_LIMIT = 10_000;

/**
 * What staged appends build on (see EventStore.stage): the log's tail and the versions of the
 * streams appended to, as they will be once every batch staged before has been committed.
 * Owned by the caller and carried from one staged batch to the next.
 */
export type StagingBasis = {
  tail: { readonly position: number; readonly hash: string };
  readonly versions: Map<string, number>;
  /** The Merkle tree's frontier at `tail` (loaded at the first staged row; see TreeUpkeep.staged). */
  tree?: TreeFrontier;
};

/**
 * Appends staged for another connection to insert (see EventStore.stage). The rows themselves
 * went to `send` as they were built; what stays is what the subscribers hear once they are in.
 */
export type StagedAppends = {
  /** The writer must find the log ending exactly here (position and hash) to insert the rows. */
  readonly expectedTail: { readonly position: number; readonly hash: string };
  /** The last staged row's position and hash (the expected tail when nothing was staged). */
  readonly tail: { readonly position: number; readonly hash: string };
  readonly events: readonly CommittedEvent[];
  /** The Merkle tree nodes the rows complete, flat: level, index, hash (latin1), … (inserted with the rows). */
  readonly nodes: readonly unknown[];
};

/** Takes each staged row as it is built; it must copy what it keeps (see EventStore.stage). */
export type StagedRowSink = (row: StoredEvent) => void;

export class EventStore {
  readonly db: Database.Database;
  readonly path: string;
  readonly readOnly: boolean;
  /** The better_sqlite3.node this file was opened with, if not Node's own: second connections (threads) need it too. */
  readonly nativeBinding: string | undefined;

  private readonly subscribers = new Set<Subscriber>();
  /** Events appended by the open transaction, announced after the outermost commit. */
  private pending: CommittedEvent[] = [];
  /**
   * Set when one transaction appends more than PENDING_LIMIT events (a restore, an import):
   * instead of holding them all in memory, subscribers are told "catch up" with an empty list.
   */
  private pendingOverflowed = false;
  /** Tail of the log as seen inside the open write transaction. */
  private tail: { position: number; hash: string } | undefined;
  /** Writes the head checkpoint (opened at the first write). */
  private checkpoint: CheckpointWriter | undefined;
  /** Seals each checkpoint where the ledger's user holds a key (see checkpoint-seal.ts). */
  private checkpointSealer: CheckpointSealer | undefined;
  /** The head the checkpoint is to be advanced to, and the timer that will do it (see scheduleCheckpoint). */
  private checkpointDue: { position: number; hash: string } | undefined;
  private checkpointTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set while stage() runs: rows go to `send` instead of being written; their events are kept here. */
  private staging:
    | { readonly basis: StagingBasis; readonly send: StagedRowSink; readonly events: CommittedEvent[]; readonly nodes: unknown[] }
    | undefined;
  /** Keeps the stored Merkle tree level with the log, in the same transactions (history/tree-upkeep.ts). */
  readonly tree: TreeUpkeep;
  private lastMetadata: EventMetadata | undefined;
  private lastMetadataText = '';
  /** Rows this connection has inserted, ever: lets a caller check that a refusal wrote nothing. */
  private inserted = 0;
  /**
   * Stream versions as this connection last read or wrote them, so the expectation check
   * costs no query (with the repository's read-back, such queries were a third of bulk
   * append time). Trusted only inside our own write transaction and only while no OTHER
   * connection has committed since they were learnt: PRAGMA data_version changes exactly
   * then, and it is compared at the start of every write transaction (see trustKnownVersions).
   */
  private readonly knownVersions = new Map<string, number>();
  /** data_version the known versions were learnt under. */
  private knownAsOf: number | undefined;
  /** True inside a write transaction whose start found the known versions current. */
  private knownVersionsTrusted = false;

  private readonly statements: ReturnType<typeof prepareStatements>;
  /**
   * One transaction function for every write, made once: db.transaction() builds a new
   * wrapper (and its begin/commit/savepoint variants) on each call, which showed up as ~4 µs
   * per command in the bulk append profile.
   */
  private readonly transaction: Database.Transaction<(work: () => unknown) => unknown>;

  private constructor(db: Database.Database, path: string, options: OpenOptions) {
    this.db = db;
    this.path = path;
    this.readOnly = options.readOnly ?? false;
    this.nativeBinding = options.nativeBinding;
    this.statements = prepareStatements(db);
    this.tree = new TreeUpkeep(db);
    this.transaction = db.transaction((work: () => unknown) => work());
  }

  /** Opens (creating if needed) a ledger file. Throws LedgerFailure with a clear message naming the file. */
  static open(path: string, options: OpenOptions = {}): EventStore {
    const db = openDatabase(path, options);
    return new EventStore(db, path, options);
  }

  close(): void {
    this.flushCheckpoint();
    this.checkpoint?.close();
    if (this.db.open) this.db.close();
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /**
   * Runs `work` inside one write transaction (BEGIN IMMEDIATE, so the write lock is taken up
   * front and no other writer can slip in between our reads and our writes). Nested calls
   * become savepoints: a failure inside rolls back only its own part.
   */
  writeTransaction<T>(work: () => T): T {
    this.assertWritable();
    const outermost = !this.db.inTransaction;
    const pendingBefore = this.pending.length;
    const tailBefore = this.tail;
    let result: T;
    try {
      result = this.transaction.immediate(outermost ? () => (this.trustKnownVersions(), work()) : work) as T;
    } catch (error) {
      if (outermost) this.settle(false);
      else {
        this.pending.length = pendingBefore;
        this.tail = tailBefore;
        // The savepoint's rollback may have undone versions we learnt inside it, and tree nodes.
        this.forgetKnownVersions();
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
    const events = this.pending;
    const overflowed = this.pendingOverflowed;
    const tail = this.tail;
    this.pending = [];
    this.pendingOverflowed = false;
    this.tail = undefined;
    this.knownVersionsTrusted = false;
    if (!committed) this.forgetKnownVersions();
    this.tree.settled(committed);
    if (committed && (events.length > 0 || overflowed)) this.announce(overflowed ? [] : events, tail!);
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
    // Indexed loops: `requests.entries()` cost an iterator and an [index, request] pair per part.
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
   * of living until the commit. Objects that live that long are copied twice by V8's young
   * generation collector; with the rows kept, that copying was most of bulk append's GC time.
   */
  stage<T>(basis: StagingBasis, work: () => T, send: StagedRowSink): { result: T; appends: StagedAppends } {
    if (this.db.inTransaction || this.staging !== undefined) throw new Error('stage cannot run inside a transaction or another stage');
    const expectedTail = basis.tail;
    this.staging = { basis, send, events: [], nodes: [] };
    this.tail = expectedTail;
    try {
      const result = work();
      const { events, nodes } = this.staging;
      const tail = this.tail;
      basis.tail = tail;
      return { result, appends: { expectedTail, tail, events, nodes } };
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
    if (this.staging !== undefined) {
      const versions = this.staging.basis.versions;
      let version = versions.get(streamId);
      if (version === undefined) versions.set(streamId, (version = this.storedStreamVersion(streamId)));
      return version;
    }
    const known = this.knownStreamVersion(streamId);
    if (known !== undefined) return known;
    const version = this.storedStreamVersion(streamId);
    if (this.knownVersionsTrusted) this.knownVersions.set(streamId, version);
    return version;
  }

  /** The stream's version as the file holds it: one query. */
  private storedStreamVersion(streamId: string): number {
    return (this.statements.streamVersion.get(streamId) as number | null) ?? 0;
  }

  /**
   * The stream's current version when this connection knows it without a query (inside a
   * write transaction, nobody else having committed since it was learnt); otherwise undefined.
   */
  knownStreamVersion(streamId: string): number | undefined {
    return this.knownVersionsTrusted ? this.knownVersions.get(streamId) : undefined;
  }

  /**
   * Called first thing inside every outermost write transaction, once the write lock is held:
   * if another connection committed since the known versions were learnt, they are dropped.
   */
  private trustKnownVersions(): void {
    const dataVersion = this.dataVersion();
    if (dataVersion !== this.knownAsOf) this.forgetKnownVersions();
    this.knownAsOf = dataVersion;
    this.knownVersionsTrusted = true;
  }

  private forgetKnownVersions(): void {
    this.knownVersions.clear();
    this.knownAsOf = undefined;
  }

  /** Events of one stream in version order, optionally only those after `afterVersion`. */
  readStream(streamId: string, afterVersion = 0, limit = -1): StoredEvent[] {
    // LIMIT -1 is SQLite's "no limit": one prepared statement serves whole streams and pages.
    return readingDamaged(this.path, () => this.statements.readStream.all(streamId, afterVersion, limit) as StoredEvent[]);
  }

  /** A page of the global log in position order, from `fromPosition` (inclusive). */
  readAll(filter: ReadFilter = {}): StoredEvent[] {
    const limit = Math.min(filter.limit ?? MAX_READ_LIMIT, MAX_READ_LIMIT);
    const fromPosition = filter.fromPosition ?? 1;
    const conditions = ['position >= @fromPosition'];
    if (filter.streamId !== undefined) conditions.push('stream_id = @streamId');
    if (filter.types !== undefined) conditions.push('type IN (SELECT value FROM json_each(@types))');
    const sql = `SELECT ${SELECT_COLUMNS} FROM events WHERE ${conditions.join(' AND ')} ORDER BY position LIMIT @limit`;
    const parameters = { fromPosition, limit, streamId: filter.streamId, types: JSON.stringify(filter.types ?? []) };
    return readingDamaged(this.path, () => this.db.prepare(sql).all(filterUsed(parameters, conditions)) as StoredEvent[]);
  }

  /** Events at the given positions (any order in, position order out). */
  readPositions(positions: readonly number[]): StoredEvent[] {
    if (positions.length === 0) return [];
    const read = this.db.prepare(
      `SELECT ${SELECT_COLUMNS} FROM events WHERE position IN (SELECT value FROM json_each(?)) ORDER BY position`,
    );
    return readingDamaged(this.path, () => read.all(JSON.stringify(positions)) as StoredEvent[]);
  }

  lastPosition(): number {
    return this.readTail().position;
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
    // its start (trustKnownVersions) still holds: the ledger's refresh asks again right after.
    if (this.knownVersionsTrusted && this.knownAsOf !== undefined) return this.knownAsOf;
    // A prepared statement: db.pragma() prepares one on every call, and this runs at the start
    // of every write transaction and every query.
    return this.statements.dataVersion.get() as number;
  }

  private insert(streamId: string, streamVersion: number, event: NewEvent, recordedAt: string): StoredEvent {
    const tail = (this.tail ??= this.readTail());
    // The tree must be able to take the row (it may refuse as INTEGRITY) before anything is written.
    if (this.staging === undefined) this.tree.readyFor(tail);
    else this.tree.readyToStage(this.staging.basis);
    const row: Mutable<StoredEvent & { payload: object | undefined }> = {
      position: tail.position + 1,
      eventId: event.eventId ?? timeOrderedId(),
      streamId,
      streamVersion,
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: event.dataText ?? JSON.stringify(event.data),
      metadata: event.metadataText ?? this.metadataText(event.metadata),
      recordedAt: event.recordedAt ?? recordedAt,
      previousHash: tail.hash,
      hash: '',
      payload: event.dataText === undefined ? event.data : undefined,
    };
    // Filled in place: copying the row to add its hash was one more object per event.
    row.hash = hashEvent(row.previousHash, row);
    this.inserted += 1;
    this.tail = row; // the row is the new tail: no copy of its position and hash
    if (this.staging !== undefined) {
      this.tree.staged(row, this.staging.basis, this.staging.nodes);
      this.staging.send(row);
      const { position, type, schemaVersion, recordedAt, payload } = row;
      this.staging.events.push({ position, streamId, type, schemaVersion, recordedAt, payload });
      this.staging.basis.versions.set(streamId, streamVersion);
      return row;
    }
    // Positional parameters: binding by name costs better-sqlite3 ~0.7 us more per row.
    this.statements.insert.run(
      row.position,
      row.eventId,
      row.streamId,
      row.streamVersion,
      row.type,
      row.schemaVersion,
      row.data,
      row.metadata,
      row.recordedAt,
      row.previousHash,
      row.hash,
    );
    this.tree.added(row);
    if (this.knownVersionsTrusted) this.knownVersions.set(streamId, streamVersion);
    if (this.pendingOverflowed) return row;
    this.pending.push(row);
    if (this.pending.length > PENDING_LIMIT) {
      this.pending = [];
      this.pendingOverflowed = true;
    }
    return row;
  }

  /** A command's events share one metadata object: it is serialised once, not once per event. */
  private metadataText(metadata: EventMetadata): string {
    if (metadata !== this.lastMetadata) {
      this.lastMetadata = metadata;
      this.lastMetadataText = JSON.stringify(metadata);
    }
    return this.lastMetadataText;
  }

  /** The last committed event's position and hash (position 0 and the genesis hash when empty). */
  readTail(): { position: number; hash: string } {
    const head = this.statements.head.get() as { position: number; hash: string } | undefined;
    return head ?? { position: 0, hash: GENESIS_HASH };
  }

  /** Tells subscribers what was committed; an empty list means "more than we kept: catch up". */
  private announce(events: readonly CommittedEvent[], head: { position: number; hash: string }): void {
    if (this.path !== ':memory:') this.scheduleCheckpoint(head);
    for (const subscriber of this.subscribers) {
      // The commit already happened: a failing subscriber must not make the writer believe
      // (and tell its caller) that nothing was recorded.
      try {
        subscriber(events);
      } catch (error) {
        console.error('A subscriber of the event store failed after a commit', error);
      }
    }
  }

  /**
   * The head checkpoint follows the log within CHECKPOINT_DELAY_MS of a commit instead of on
   * every commit, after the caller has its answer. Writing it on every commit cost a durable
   * command ~0.05 ms on ext4: the rewrite dirties the checkpoint's inode, so the NEXT commit's
   * fsync has to flush its data block too. One write per interval serves any number of commits;
   * close() and verify write it at once. A checkpoint that lags is allowed — it attests the log
   * up to its position, and a crash could always leave it one commit behind (it is not synced).
   */
  private scheduleCheckpoint(head: { position: number; hash: string }): void {
    this.checkpointDue = head;
    this.checkpointTimer ??= setTimeout(() => this.flushCheckpoint(), CHECKPOINT_DELAY_MS);
  }

  /** From now on each head checkpoint carries a seal made by `sealer` (see head-checkpoint.ts). */
  sealCheckpointsWith(sealer: CheckpointSealer): void {
    this.checkpointSealer = sealer;
  }

  /** Writes the pending head checkpoint now, if there is one. */
  flushCheckpoint(): void {
    clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    const head = this.checkpointDue;
    if (head === undefined) return;
    this.checkpointDue = undefined;
    try {
      (this.checkpoint ??= new CheckpointWriter(this.path, () => this.checkpointSealer)).advance(head);
    } catch (error) {
      console.error(`The head checkpoint beside ${this.path} could not be written`, error);
    }
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

/** better-sqlite3 refuses named parameters the statement does not use: pass only those. */
function filterUsed(parameters: Record<string, unknown>, conditions: readonly string[]): Record<string, unknown> {
  const sql = `${conditions.join(' ')} @limit`;
  return Object.fromEntries(Object.entries(parameters).filter(([name]) => sql.includes(`@${name}`)));
}

/** The INSERT of one event row, positional in the order of the columns (the bulk writer's thread runs it too). */
export const INSERT_EVENT_SQL = `INSERT INTO events (position, event_id, stream_id, stream_version, type, schema_version, data, metadata,
    recorded_at, previous_hash, hash)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** The log's last event, for the tail every append chains from. */
export const TAIL_SQL = 'SELECT position, hash FROM events ORDER BY position DESC LIMIT 1';

function prepareStatements(db: Database.Database) {
  return {
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
    streamVersion: db.prepare('SELECT max(stream_version) FROM events WHERE stream_id = ?').pluck(),
    readStream: db.prepare(
      `SELECT ${SELECT_COLUMNS} FROM events WHERE stream_id = ? AND stream_version > ? ORDER BY stream_version LIMIT ?`,
    ),
    head: db.prepare(TAIL_SQL),
    insert: db.prepare(INSERT_EVENT_SQL),
  };
}

function checkExpectation(streamId: string, expected: StreamExpectation, actual: number): void {
  const holds =
    expected === 'any' || (expected === 'no_stream' && actual === 0) || (expected === 'stream_exists' && actual > 0) || expected === actual;
  if (holds) return;
  const described = typeof expected === 'number' ? `version ${expected}` : expected.replace('_', ' ');
  const error: LedgerError = {
    code: 'CONCURRENCY_CONFLICT',
    message: `Stream ${streamId} was expected at ${described} but is at version ${actual}; reload and try again`,
    details: { stream: streamId, expected: typeof expected === 'number' ? expected : expected, actual },
  };
  throw new LedgerFailure(error);
}

/**
 * The current time as ISO 8601 text, formatted once per millisecond: a bulk append records
 * dozens of events within one, and formatting a Date was one more string per event.
 */
let isoNowCache = { ms: 0, text: '' };
function isoNow(): string {
  const ms = Date.now();
  if (ms !== isoNowCache.ms) isoNowCache = { ms, text: new Date(ms).toISOString() };
  return isoNowCache.text;
}
