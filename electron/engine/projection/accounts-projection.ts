/**
 * The read model: every account's view and balance timeline, kept in memory.
 * Rebuilt from the whole log at startup, then advanced on every append — ours (through the
 * store's subscription) and other processes' (through catchUp). It remembers the last
 * position applied and only ever applies position + 1, so it can never skip or repeat an event.
 */
import { formatMinor } from '#shared/money';
import { CURRENT_SCHEMA_VERSIONS, EVENT_TYPES, type EventMetadata, type LedgerEvent } from '#shared/events';
import type { AccountView } from '#shared/views';
import { evolve, type AccountState } from '../domain/bank-account';
import { upcast } from '../events/upcasters';
import type { CommittedEvent, EventStore } from '../store/event-store';
import { AuditIndex } from '../audit/audit-index';
import { REPLAY_PAGE_SIZE, REPLAY_SQL, type ReplayRow } from './replay-sql';
import { ReplayThread, THREAD_REPLAY_MIN_EVENTS, type ThreadPage } from './replay-thread';
import { ReversalLinks } from './reversal-links';
import { BalanceTimeline } from './timeline';

export type ReplayProgress = (applied: number, total: number) => void;

/**
 * An event the projection cannot apply: unreadable JSON, an unknown type or schema version,
 * or a movement that breaks the domain's rules. Only a tampered or foreign-written log has
 * one; the ledger then opens read-only at the last good position instead of failing to open.
 */
export class ReplayError extends Error {
  constructor(
    readonly position: number,
    reason: string,
  ) {
    super(`the event at position ${position} cannot be replayed: ${reason}`);
    this.name = 'ReplayError';
  }
}

/** The current schema version of each type, by its code (the read thread's pages hold only current events). */
const CURRENT_VERSION_BY_CODE = EVENT_TYPES.map((type) => CURRENT_SCHEMA_VERSIONS[type]);

type AccountEntry = { state: AccountState; readonly timeline: BalanceTimeline; readonly auditNumber: number };

export class AccountsProjection {
  /** Each account's state and balance timeline under one key: one lookup per replayed event. */
  private accounts = new Map<string, AccountEntry>();
  private appliedThrough = 0;
  private auditIndex = new AuditIndex();
  private reversals = new ReversalLinks();

  /**
   * `threadReplayFrom`: how many events a replay must have before it reads through the read
   * thread (tests lower it to drive the thread with small logs).
   */
  constructor(private readonly options: { readonly threadReplayFrom?: number } = {}) {}

  /** Per-position facts the audit screen filters on. */
  get audit(): AuditIndex {
    return this.auditIndex;
  }

  /** The last global position applied. */
  get lastPosition(): number {
    return this.appliedThrough;
  }

  /** Drops everything and replays the whole log. */
  rebuild(store: EventStore, onProgress?: ReplayProgress): void {
    this.accounts = new Map();
    this.auditIndex = new AuditIndex();
    this.reversals = new ReversalLinks();
    this.appliedThrough = 0;
    this.catchUp(store, onProgress);
  }

  /** Applies every event after lastPosition, page by page (keyset on position, never OFFSET). */
  catchUp(store: EventStore, onProgress?: ReplayProgress): number {
    let applied = 0;
    for (applied of this.replayPages(store, onProgress));
    return applied;
  }

  /**
   * The same replay, yielding to the event loop between pages so a host (Electron's main
   * process) stays responsive and can paint progress while a million events replay.
   */
  async catchUpInSlices(store: EventStore, onProgress?: ReplayProgress): Promise<number> {
    let applied = 0;
    for (applied of this.replayPages(store, onProgress)) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    return applied;
  }

  /**
   * Replays one page per iteration; yields the running count of events applied. A long
   * replay takes its pages from the read thread (see replay-thread.ts) as far as it can; the
   * projection's own reads then go on from wherever it stopped, to the end of the log.
   */
  private *replayPages(store: EventStore, onProgress?: ReplayProgress): Generator<number> {
    const total = store.lastPosition() - this.appliedThrough;
    this.auditIndex.reserve(total);
    const page = store.db.prepare(REPLAY_SQL).raw();
    /** Reads and applies the page after the last position applied; returns its row count. */
    const readPage = (): number => {
      const rows = page.all(this.appliedThrough) as ReplayRow[];
      for (const row of rows) this.applyRow(row);
      return rows.length;
    };
    const thread =
      total >= (this.options.threadReplayFrom ?? THREAD_REPLAY_MIN_EVENTS) ? ReplayThread.start(store, this.appliedThrough) : undefined;
    let applied = 0;
    let reachedEnd = false;
    try {
      for (let threadPage = thread?.next(); threadPage !== undefined; threadPage = thread!.next()) {
        // A page the thread cannot vouch for is read here: the same page (same keyset, same
        // size), and a broken row fails at its position.
        const count = threadPage === 'irregular' ? readPage() : this.applyThreadPage(threadPage, thread!);
        applied += count;
        reachedEnd = count < REPLAY_PAGE_SIZE;
        onProgress?.(applied, Math.max(total, applied));
        yield applied;
      }
    } finally {
      thread?.stop();
    }
    // The end of the log as this connection sees it (the thread's connection may have seen less).
    for (;;) {
      const count = readPage();
      applied += count;
      if (count > 0 || !reachedEnd) {
        onProgress?.(applied, Math.max(total, applied));
        yield applied;
      }
      if (count < REPLAY_PAGE_SIZE) return;
    }
  }

  /** Applies events our own store just committed, catching up first if another writer came between. */
  applyCommitted(store: EventStore, events: readonly CommittedEvent[]): void {
    if (events.length === 0 || events[0]!.position !== this.appliedThrough + 1) {
      this.catchUp(store);
      return;
    }
    for (const event of events) {
      // Events appended with their stored text only (a verbatim legacy import) carry no payload object.
      const payloadKnown = event.payload !== undefined;
      this.applyEvent(
        event.position,
        event.streamId,
        event.type,
        event.schemaVersion,
        payloadKnown ? event.payload : event.data,
        !payloadKnown,
        event.metadata ?? null,
        event.recordedAt,
      );
    }
  }

  private applyRow(row: ReplayRow): void {
    this.applyEvent(row[0], row[1], row[2], row[3], row[4], true, row[5], row[6]);
  }

  /** Applies a page from the read thread, each payload parsed from its own slice of the page's text; returns its row count. */
  private applyThreadPage(page: ThreadPage, thread: ReplayThread): number {
    const { count, first, types, streams, text, ends, times, timeRunEnds } = page;
    let start = 0;
    let run = 0;
    for (let index = 0; index < count; index++) {
      const end = ends[index]!;
      const data = text.slice(start, end);
      start = end + 1;
      if (index === timeRunEnds[run]) run++;
      const typeCode = types[index]!;
      this.applyEvent(
        first + index,
        thread.streamId(streams[index]!),
        typeCode,
        CURRENT_VERSION_BY_CODE[typeCode]!,
        data,
        true,
        null,
        times[run]!,
      );
    }
    return count;
  }

  /** `dataIsText`: `data` is the payload's stored JSON text, parsed here (else the payload itself, from our own append). */
  private applyEvent(
    position: number,
    streamId: string,
    storedType: string | number,
    schemaVersion: number,
    data: unknown,
    dataIsText: boolean,
    metadata: string | null,
    recordedAt: string,
  ): void {
    const type = typeof storedType === 'number' ? EVENT_TYPES[storedType]! : storedType;
    if (position !== this.appliedThrough + 1) {
      throw new ReplayError(this.appliedThrough + 1, `the log jumps from position ${this.appliedThrough} to ${position}`);
    }
    let event: LedgerEvent;
    let state: AccountState;
    let entry: AccountEntry | undefined;
    try {
      // Metadata is parsed only when an upcaster asks for it (legacy events): most replays never do.
      // Any shape: upcast and evolve check what they read (see checkReplayedState).
      const payload = (dataIsText ? JSON.parse(data as string) : data) as Record<string, unknown>;
      event = upcast({ type, schemaVersion, data: payload }, () => JSON.parse(metadata ?? '{}') as EventMetadata);
      entry = this.accounts.get(streamId);
      state = evolve(entry?.state, event, streamId, recordedAt);
      checkReplayedState(state, event);
      if (event.type === 'EntryReversed') this.reversals.record(position, streamId, event, this.auditIndex);
    } catch (error) {
      throw new ReplayError(position, error instanceof Error ? error.message : String(error));
    }
    if (entry) entry.state = state;
    else {
      // An account's first event opens it (evolve refuses anything else), so its currency is known here.
      const auditNumber = this.auditIndex.accountNumber(streamId, state.currency);
      entry = { state, timeline: new BalanceTimeline(this.auditIndex), auditNumber };
      this.accounts.set(streamId, entry);
    }
    // The audit index holds the balance after each position; the timeline reads it there.
    this.auditIndex.record(position, entry.auditNumber, event, recordedAt, state.balanceMinor);
    entry.timeline.push(position);
    this.appliedThrough = position;
  }

  account(id: string): AccountView | undefined {
    const state = this.accounts.get(id)?.state;
    return state && toView(state);
  }

  /** Every account, ordered by id. */
  list(): AccountView[] {
    return [...this.accounts.values()]
      .map((entry) => entry.state)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map(toView);
  }

  accountState(id: string): AccountState | undefined {
    return this.accounts.get(id)?.state;
  }

  timeline(id: string): BalanceTimeline | undefined {
    return this.accounts.get(id)?.timeline;
  }

  /** Balance right after an account's event with the given stream version. */
  balanceAfter(accountId: string, streamVersion: number): number | undefined {
    return this.accounts.get(accountId)?.timeline.balanceAfterVersion(streamVersion);
  }

  /** The position of the reversal that took back the event at `position`, if one did. */
  reversedBy(position: number): number | undefined {
    return this.reversals.reversedBy(position);
  }

  accountIds(): IterableIterator<string> {
    return this.accounts.keys();
  }
}

/** What the decide functions guarantee for every event they produce; a log breaking it was not written by them. */
function checkReplayedState(state: AccountState, event: LedgerEvent): void {
  if (!Number.isSafeInteger(state.balanceMinor) || state.balanceMinor < 0) {
    throw new Error(`${event.type} leaves ${state.id} at an impossible balance (${state.balanceMinor})`);
  }
  if (typeof state.currency !== 'string' || typeof state.owner !== 'string') {
    throw new Error(`${event.type} on ${state.id} lacks an owner or currency`);
  }
}

export function toView(state: AccountState): AccountView {
  return {
    id: state.id,
    owner: state.owner,
    currency: state.currency,
    balance: formatMinor(state.balanceMinor, state.currency),
    balanceMinor: state.balanceMinor,
    transactionCount: state.transactionCount,
    lastTransactionAt: state.lastTransactionAt,
    openedAt: state.openedAt,
    version: state.version,
    status: state.status,
  };
}
