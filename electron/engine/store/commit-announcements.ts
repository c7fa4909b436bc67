/**
 * What the event store's subscribers hear, and when: the events a write transaction appends
 * are held until its outermost commit and then told, in position order, only once they are
 * committed and durable. A rolled-back part is never told.
 */
import type { CommittedEvent, Subscriber } from './event-types';

/** Events one transaction may hold for its subscribers before they are told to catch up instead. */
const PENDING_LIMIT = 10_000;

export class CommitAnnouncements {
  private readonly subscribers = new Set<Subscriber>();
  /** Events appended by the open transaction, told after the outermost commit. */
  private pending: CommittedEvent[] = [];
  /**
   * Set when one transaction appends more than PENDING_LIMIT events (a restore, an import):
   * instead of holding them all in memory, subscribers are told "catch up" with an empty list.
   */
  private overflowed = false;

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** An event inserted in the open transaction. */
  hold(event: CommittedEvent): void {
    if (this.overflowed) return;
    this.pending.push(event);
    if (this.pending.length > PENDING_LIMIT) {
      this.pending = [];
      this.overflowed = true;
    }
  }

  /** Where a savepoint starts: rolledBackTo(mark) forgets what was held after it. */
  mark(): number {
    return this.pending.length;
  }

  /** A savepoint rolled back: what it held is forgotten (after an overflow there is nothing to forget). */
  rolledBackTo(mark: number): void {
    if (!this.overflowed) this.pending.length = mark;
  }

  /**
   * The outermost transaction ended: returns what to tell after its commit (an empty list
   * for "catch up"), or undefined when there is nothing to tell; holds nothing afterwards.
   */
  settle(committed: boolean): readonly CommittedEvent[] | undefined {
    const events = this.pending;
    const overflowed = this.overflowed;
    this.pending = [];
    this.overflowed = false;
    if (!committed) return undefined;
    if (overflowed) return [];
    return events.length > 0 ? events : undefined;
  }

  /** Tells every subscriber about committed events; an empty list means "more than we kept: catch up". */
  tell(events: readonly CommittedEvent[]): void {
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
}
