/**
 * Loads accounts by replaying their streams and saves decisions with the expected version.
 * A snapshot cache keeps the state at the last version read, so a load reads only the events
 * after it — usually none — instead of the whole stream (an account with 100k events stays fast).
 */
import { decodeEvent } from '../events/decode';
import { CURRENT_SCHEMA_VERSIONS, type EventMetadata } from '../../../shared/events';
import type { AppendResult, EventStore } from '../store/event-store';
import { evolve, type AccountState, type Decision } from './bank-account';

export class AccountRepository {
  private readonly snapshots = new Map<string, AccountState>();

  constructor(private readonly store: EventStore) {}

  /** The account's state from its stream, or undefined when the stream has no events (NOT_FOUND). */
  load(accountId: string): AccountState | undefined {
    let state = this.snapshots.get(accountId);
    for (const row of this.store.readStream(accountId, state?.version ?? 0)) {
      state = evolve(state, decodeEvent(row), accountId, row.recordedAt);
    }
    if (state) this.snapshots.set(accountId, state);
    return state;
  }

  /** Appends a decision; each stream must still be at the version the decision was based on. */
  save(decision: Decision, metadata: EventMetadata): AppendResult {
    return this.store.append(
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
  }

  /**
   * Drops every snapshot. Called when a write transaction rolls back: a snapshot may have
   * been taken from rows that no longer exist.
   */
  forget(): void {
    this.snapshots.clear();
  }
}
