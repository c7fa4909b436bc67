/**
 * Loads accounts by replaying their streams and saves decisions with the expected version.
 * A snapshot cache keeps the state at the last version read, so a load reads only the events
 * after it — usually none — instead of the whole stream (an account with 100k events stays fast).
 */
import { decodeEvent } from '../events/decode';
import { CURRENT_SCHEMA_VERSIONS, type EventMetadata } from '#shared/events';
import type { AppendResult, EventStore } from '../store/event-store';
import { evolve, type AccountState, type Decision } from './bank-account';

/** What save appended, with each account's state right after it. */
export type SaveResult = AppendResult & { readonly states: ReadonlyMap<string, AccountState> };

export class AccountRepository {
  private readonly snapshots = new Map<string, AccountState>();

  /**
   * @param committedState the account's state as of the last committed event the ledger has
   *   applied (its projection, which holds every account). A first load starts from it instead
   *   of replaying the whole stream; without it, the first command on each account after
   *   startup read the account's whole stream back.
   * @param committedStateIsCurrent true while the caller holds the write lock and knows its
   *   committed state includes every committed event (the ledger checks this at the start of
   *   each write transaction). A load then reads nothing back at all.
   */
  constructor(
    private readonly store: EventStore,
    private readonly committedState: (accountId: string) => AccountState | undefined = () => undefined,
    private readonly committedStateIsCurrent: () => boolean = () => false,
  ) {}

  /** The account's state from its stream, or undefined when the stream has no events (NOT_FOUND). */
  load(accountId: string): AccountState | undefined {
    // A snapshot is newer than the committed state when this transaction appended to the
    // stream, older when another process did; the higher version is the latest we know.
    const snapshot = this.snapshots.get(accountId);
    const committed = this.committedState(accountId);
    let state = snapshot !== undefined && snapshot.version >= (committed?.version ?? 0) ? snapshot : committed;
    // Only this connection writes while it holds the lock, so when the committed state is
    // current, the newer of the two is the stream's state: nothing to read back.
    if (this.committedStateIsCurrent()) {
      if (state !== undefined) this.snapshots.set(accountId, state);
      return state;
    }
    for (const row of this.store.readStream(accountId, state?.version ?? 0)) {
      state = evolve(state, decodeEvent(row), accountId, row.recordedAt);
    }
    if (state) this.snapshots.set(accountId, state);
    return state;
  }

  /**
   * Appends a decision; each stream must still be at the version the decision was based on.
   * The snapshots move forward with the decided events themselves (they are what was just
   * stored), so the next load of these accounts reads no rows back and parses no JSON.
   */
  save(decision: Decision, metadata: EventMetadata): SaveResult {
    const appended = this.store.append(
      decision.map((part) => ({
        streamId: part.streamId,
        expected: part.basedOnVersion === 0 ? 'no_stream' : part.basedOnVersion,
        events: part.events.map((event) => ({
          type: event.type,
          schemaVersion: CURRENT_SCHEMA_VERSIONS[event.type],
          data: event.data,
          metadata,
        })),
      })),
    );
    // Rows come back in the order of the parts and their events (see EventStore.append).
    const states = new Map<string, AccountState>();
    let index = 0;
    for (const part of decision) {
      let state = states.get(part.streamId) ?? this.snapshots.get(part.streamId);
      // Decisions are made on loaded snapshots, so this holds; if not, read the stream back.
      const basedOnSnapshot = (state?.version ?? 0) === part.basedOnVersion;
      for (const event of part.events) {
        const row = appended.events[index++]!;
        if (basedOnSnapshot) state = evolve(state, event, part.streamId, row.recordedAt);
      }
      if (!basedOnSnapshot) {
        this.snapshots.delete(part.streamId);
        state = this.load(part.streamId);
      }
      states.set(part.streamId, state!);
      this.snapshots.set(part.streamId, state!);
    }
    return { events: appended.events, streamVersions: appended.streamVersions, states };
  }

  /**
   * Drops every snapshot. Called when a write transaction rolls back: a snapshot may have
   * been taken from rows that no longer exist.
   */
  forget(): void {
    this.snapshots.clear();
  }
}
