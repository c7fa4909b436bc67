/**
 * An account's own positions, ascending, in one growable Uint32Array: 4 bytes an event (plus
 * the doubling's slack), where a position and a balance each in a Float64Array cost 16. The
 * balance after each event is not copied here: the audit index already holds it by position
 * (`balancesAfter`), so a timeline reads it there. Index i holds stream version i + 1.
 *
 * Invariant: positions are pushed in increasing order and never change once pushed, and every
 * pushed position's balance is in `balances` before anything reads it (the projection records
 * an event in the audit index and in its account's timeline in the same step).
 */
import { countAtOrBelow } from './count-at-or-below';

/** Where a timeline reads the balance right after a global position (the projection's audit index). */
export type BalancesByPosition = { balanceAfterAt(position: number): number };

/** Room for the first events: most accounts of a large log have more, a new account has one. */
const FIRST_CAPACITY = 4;
/** The largest position a Uint32Array holds; a log longer than that moves its timelines to Float64Array. */
const LARGEST_UINT32 = 0xffff_ffff;

export class BalanceTimeline {
  private positions: Uint32Array<ArrayBuffer> | Float64Array<ArrayBuffer> = new Uint32Array(FIRST_CAPACITY);
  private size = 0;

  constructor(private readonly balances: BalancesByPosition) {}

  get length(): number {
    return this.size;
  }

  /** Appends the account's next event, at `position` (above every position pushed before). */
  push(position: number): void {
    if (this.size === this.positions.length) this.positions = grown(this.positions, this.positions.length * 2, position);
    else if (position > LARGEST_UINT32 && this.positions instanceof Uint32Array)
      this.positions = grown(this.positions, this.positions.length, position);
    this.positions[this.size] = position;
    this.size += 1;
  }

  /** Global position of the event at `streamVersion` (1-based). */
  positionOfVersion(streamVersion: number): number | undefined {
    return streamVersion >= 1 && streamVersion <= this.size ? this.positions[streamVersion - 1] : undefined;
  }

  /** Balance right after the event at `streamVersion` (1-based). */
  balanceAfterVersion(streamVersion: number): number | undefined {
    return streamVersion >= 1 && streamVersion <= this.size ? this.balances.balanceAfterAt(this.positions[streamVersion - 1]!) : undefined;
  }

  /** Balance as of global `position` (after every event at or before it), or undefined if none yet. */
  balanceAtPosition(position: number): number | undefined {
    const version = this.versionAtPosition(position);
    return version === 0 ? undefined : this.balances.balanceAfterAt(this.positions[version - 1]!);
  }

  /** The stream version in effect at global `position` (0 if the account did not exist yet). */
  versionAtPosition(position: number): number {
    return countAtOrBelow(this.positions, this.size, position);
  }
}

/** A copy of `array` with room for `capacity`, a Float64Array once `position` no longer fits in 32 bits. */
function grown(
  array: Uint32Array<ArrayBuffer> | Float64Array<ArrayBuffer>,
  capacity: number,
  position: number,
): Uint32Array<ArrayBuffer> | Float64Array<ArrayBuffer> {
  const larger = position > LARGEST_UINT32 || array instanceof Float64Array ? new Float64Array(capacity) : new Uint32Array(capacity);
  larger.set(array);
  return larger;
}
