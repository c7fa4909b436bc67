/**
 * An account's balance after each of its events, in two growable typed arrays
 * (16 bytes per event instead of an object each: a million events cost ~16 MB).
 * Index i holds stream version i + 1.
 */
import { countAtOrBelow } from './count-at-or-below';

export class BalanceTimeline {
  private positions = new Float64Array(16);
  private balances = new Float64Array(16);
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(position: number, balanceMinor: number): void {
    if (this.size === this.positions.length) {
      this.positions = grow(this.positions);
      this.balances = grow(this.balances);
    }
    this.positions[this.size] = position;
    this.balances[this.size] = balanceMinor;
    this.size += 1;
  }

  /** Global position of the event at `streamVersion` (1-based). */
  positionOfVersion(streamVersion: number): number | undefined {
    return streamVersion >= 1 && streamVersion <= this.size ? this.positions[streamVersion - 1] : undefined;
  }

  /** Balance right after the event at `streamVersion` (1-based). */
  balanceAfterVersion(streamVersion: number): number | undefined {
    return streamVersion >= 1 && streamVersion <= this.size ? this.balances[streamVersion - 1] : undefined;
  }

  /** Balance as of global `position` (after every event at or before it), or undefined if none yet. */
  balanceAtPosition(position: number): number | undefined {
    const version = this.versionAtPosition(position);
    return version === 0 ? undefined : this.balances[version - 1];
  }

  /** The stream version in effect at global `position` (0 if the account did not exist yet). */
  versionAtPosition(position: number): number {
    return countAtOrBelow(this.positions, this.size, position);
  }
}

function grow(array: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const larger = new Float64Array(array.length * 2);
  larger.set(array);
  return larger;
}
