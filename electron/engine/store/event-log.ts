/**
 * The store contract: one event log, whichever engine keeps it. SQLite keeps a desk's own
 * ledger in one file (sqlite-event-log.ts); PostgreSQL keeps a ledger several desks share
 * (postgres/event-log.ts). The same contract suite (tests/store-contract/) runs against both.
 *
 * What every engine guarantees:
 * - Global positions are gap-free, 1-based and in commit order; a refused or failed append
 *   burns none.
 * - Stream versions are 1-based and gap-free; an append's expectations are all checked before
 *   anything is written, and a failed one writes nothing (CONCURRENCY_CONFLICT).
 * - Rows are chained by hash-chain.ts from the genesis hash, with the same texts and hashes on
 *   both engines: a log exported from one and restored into the other exports to the same bytes.
 * - An append with a command record writes the record in the same transaction; a command id
 *   already recorded writes nothing and answers the earlier record.
 * - An answer is given only after the commit; every failure is a typed Result, never a raw
 *   driver error.
 */
import { fail, type Failure, type LedgerError, type Result } from '#shared/errors';
import { checkChainLink } from './hash-chain';
import type { CommandRecord } from '../domain/command-records';
import type { AppendRequest, AppendResult, ReadFilter, StoredEvent } from './event-store';

/** Which engine keeps the log. */
export type StoreEngine = 'sqlite' | 'postgres';

/** The idempotency record an append writes with its events (see domain/command-records.ts). */
export type CommandRecordRequest = {
  readonly commandId: string;
  readonly fingerprint: string;
  /** The receipt's JSON text, built from the rows as assigned (inside the transaction, before the commit). */
  readonly receipt: (appended: AppendResult) => { readonly position: number; readonly text: string };
};

/** An append either wrote its events, or found its command id recorded before (and wrote nothing). */
export type AppendOutcome =
  { readonly kind: 'appended'; readonly appended: AppendResult } | { readonly kind: 'recorded-before'; readonly record: CommandRecord };

/** The log's end: its last position and that event's hash (0 and the genesis hash when empty). */
export type LogHead = { readonly position: number; readonly hash: string };

export interface EventLog {
  readonly engine: StoreEngine;
  /** Where the log is, as it may be shown: a file path, or postgres://user@host:port/database (never a password). */
  readonly display: string;
  /** Appends to one or several streams atomically, with an optional idempotency record. */
  append(requests: readonly AppendRequest[], command?: CommandRecordRequest): Promise<Result<AppendOutcome>>;
  /** Appends rows built elsewhere (a restore), byte for byte, if they continue the log exactly. */
  appendRows(rows: readonly StoredEvent[]): Promise<Result<AppendResult>>;
  /**
   * Appends pages of such rows in ONE transaction (a restore): all of them or none. They must
   * end exactly at `expectedHead` (INTEGRITY otherwise, nothing written). `pages` is called
   * again if the transaction is tried again, so it reads its source from the start.
   */
  appendRowPages(pages: () => AsyncIterable<readonly StoredEvent[]>, expectedHead: LogHead): Promise<Result<LogHead>>;
  /** A stream's events after `afterVersion`, oldest first (at most `limit`). */
  readStream(streamId: string, afterVersion?: number, limit?: number): Promise<Result<StoredEvent[]>>;
  /** One page of the global log in position order. */
  readLog(filter?: ReadFilter): Promise<Result<StoredEvent[]>>;
  /** The whole log from `fromPosition`, page by page, each page in position order. */
  readLogPages(fromPosition?: number, pageSize?: number): AsyncGenerator<Result<StoredEvent[]>>;
  head(): Promise<Result<LogHead>>;
  findCommandRecord(commandId: string): Promise<Result<CommandRecord | undefined>>;
  /** Calls `onWake` after appends by anyone (this desk, another process, another desk). */
  listen(onWake: () => void, onLost: (error: LedgerError) => void): Promise<Result<{ close(): Promise<void> }>>;
  close(): Promise<void>;
}

/** The refusal of row pages that do not end where they were to end. */
export function endsElsewhere(tail: LogHead, expected: LogHead): Failure {
  return fail(
    'INTEGRITY',
    `The rows end at position ${tail.position} with hash ${tail.hash.slice(0, 12)}…, not at position ${expected.position} with hash ${expected.hash.slice(0, 12)}… as they were to; nothing was recorded`,
  );
}

/**
 * An append's rows exactly as the log holds them (the contract's answer), without what an
 * engine's builder keeps beside them for its own subscribers (the payload object).
 */
export function storedRowsOf(result: AppendResult): AppendResult {
  return {
    streamVersions: result.streamVersions,
    events: result.events.map((row) => ({
      position: row.position,
      eventId: row.eventId,
      streamId: row.streamId,
      streamVersion: row.streamVersion,
      type: row.type,
      schemaVersion: row.schemaVersion,
      data: row.data,
      metadata: row.metadata,
      recordedAt: row.recordedAt,
      previousHash: row.previousHash,
      hash: row.hash,
    })),
  };
}

/**
 * Why rows built elsewhere cannot be appended at `head`: they do not start right after it, or
 * do not hold together as a chain. Undefined when they continue the log exactly (each engine
 * then checks the streams' versions as it writes).
 */
export function continuationProblem(rows: readonly StoredEvent[], head: LogHead, display: string): Failure | undefined {
  const first = rows[0];
  if (first === undefined) return undefined;
  if (first.position !== head.position + 1 || first.previousHash !== head.hash) {
    return fail(
      'CONCURRENCY_CONFLICT',
      `The rows start at position ${first.position}, but the log at ${display} ends at ${head.position}; nothing was recorded`,
      {
        expected: first.position - 1,
        actual: head.position,
      },
    );
  }
  let previous = head;
  for (const row of rows) {
    const broken = checkChainLink(row, previous.position + 1, previous.hash);
    if (broken !== undefined)
      return fail('INTEGRITY', `The rows do not hold together at position ${broken.position}: ${broken.reason}; nothing was recorded`);
    previous = row;
  }
  return undefined;
}

/** The whole log from `fromPosition`, one page of `pageSize` at a time, for any engine's one-page read. */
export async function* logPages(
  readLog: (filter: ReadFilter) => Promise<Result<StoredEvent[]>>,
  fromPosition: number,
  pageSize: number,
): AsyncGenerator<Result<StoredEvent[]>> {
  for (let next = fromPosition; ;) {
    const page = await readLog({ fromPosition: next, limit: pageSize });
    if (!page.ok) {
      yield page;
      return;
    }
    if (page.value.length === 0) return;
    yield page;
    const last = page.value.at(-1)!.position;
    // A position that does not move on would loop forever: damage, never ours.
    if (!(last >= next)) return;
    next = last + 1;
  }
}
