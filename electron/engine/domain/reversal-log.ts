/**
 * What a reverse command reads from the log inside the write transaction: the event at a
 * position (decoded and upcast, its stream verified first like any account a command is
 * decided on) and which events are already reversed. The committed links come from the
 * projection, which holds every committed event while a batch is decided (Ledger.executeBatch
 * checks that); links of reversals decided earlier in the same batch, not committed yet, are
 * kept here until the batch's decisions are done.
 */
import { decodeEvent } from '../events/decode';
import type { AccountsProjection } from '../projection/accounts-projection';
import type { EventStore } from '../store/event-store';
import type { LogLookups } from './decide-command';
import type { Decision } from './bank-account';
import type { SaveResult } from './repository';
import type { LoggedEvent } from './reverse';

export class ReversalLog implements LogLookups {
  /** Reversed position → its reversal's position, for reversals saved in the batch being decided. */
  private readonly pending = new Map<number, number>();

  /**
   * @param verifyStream checks an account's stream holds together in the chain (throws when not).
   * @param projectionIsCurrent true while the projection holds every committed event.
   */
  constructor(
    private readonly store: EventStore,
    private readonly projection: AccountsProjection,
    private readonly verifyStream: (streamId: string) => void,
    private readonly projectionIsCurrent: () => boolean,
  ) {}

  readonly eventAt = (position: number): LoggedEvent | undefined => {
    const [row] = this.store.readPositions([position]);
    if (row === undefined) return undefined;
    this.verifyStream(row.streamId);
    return { position: row.position, eventId: row.eventId, streamId: row.streamId, event: decodeEvent(row) };
  };

  readonly reversedBy = (position: number): number | undefined => {
    const pending = this.pending.get(position);
    if (pending !== undefined) return pending;
    if (!this.projectionIsCurrent()) throw new Error('A reversal was decided on a projection behind the log: bug');
    return this.projection.reversedBy(position);
  };

  /** Notes the links a saved decision made (its events are in `saved.events`, in decision order). */
  noteSaved(decision: Decision, saved: SaveResult): void {
    let index = 0;
    for (const part of decision) {
      for (const event of part.events) {
        const position = saved.events[index++]!.position;
        if (event.type === 'EntryReversed') this.pending.set(event.data.reversesPosition, position);
      }
    }
  }

  /** The batch's decisions are done (committed or rolled back): the projection takes over. */
  forget(): void {
    this.pending.clear();
  }
}
