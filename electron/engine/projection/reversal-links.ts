/**
 * Which events were reversed, and by which position: part of the projection, rebuilt on every
 * replay (whichever thread read the rows, every event passes through the projection's
 * applyEvent), so "already reversed" is a map lookup, never a scan of the log. Only reversed
 * events have an entry.
 *
 * A replayed reversal must name an earlier event of its own account that can be reversed, has
 * not been reversed yet, and had exactly the opposite effect; a log breaking that was not
 * written by the reverse command, and replay stops there (the projection's ReplayError).
 */
import type { EntryReversed, EventType } from '#shared/events';
import type { AuditIndex } from '../audit/audit-index';

const REVERSIBLE: ReadonlySet<EventType> = new Set(['MoneyDeposited', 'MoneyWithdrawn', 'TransferSent', 'TransferReceived']);

export class ReversalLinks {
  /** Reversed position → the position of its reversal. */
  private readonly byOriginal = new Map<number, number>();

  /** The position of the reversal that took back the event at `position`, if one did. */
  reversedBy(position: number): number | undefined {
    return this.byOriginal.get(position);
  }

  /** How many events have been reversed. */
  get size(): number {
    return this.byOriginal.size;
  }

  /**
   * Links the reversal at `position` (of account `streamId`) to the event it names, after
   * checking it against what the audit index holds for that event. Throws when it does not
   * hold together (the projection reports the position).
   */
  record(position: number, streamId: string, reversal: EntryReversed, audit: AuditIndex): void {
    const target = reversal.data.reversesPosition;
    if (!Number.isSafeInteger(target) || target < 1 || target >= position) {
      throw new Error(`the reversal names position ${String(target)}, which is not an earlier event`);
    }
    const earlier = this.byOriginal.get(target);
    if (earlier !== undefined) throw new Error(`position ${target} was already reversed by position ${earlier}`);
    const type = audit.typeAt(target);
    if (!REVERSIBLE.has(type)) throw new Error(`the reversal names position ${target}, a ${type}, which cannot be reversed`);
    if (audit.accountAt(target) !== streamId) {
      throw new Error(`the reversal on ${streamId} names position ${target}, an event of ${audit.accountAt(target)}`);
    }
    if (audit.amountAt(target) + reversal.data.effectMinor !== 0 || reversal.data.currency !== audit.currencyAt(target)) {
      throw new Error(`the reversal's effect is not exactly the opposite of position ${target}'s`);
    }
    this.byOriginal.set(target, position);
  }
}
