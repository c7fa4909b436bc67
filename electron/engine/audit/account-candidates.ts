/**
 * The positions an account filter has to look at, newest-first, without walking the log: an
 * account appears at its own events (its balance timeline's positions) and as the other side
 * of a transfer or a reversal. A command appends its events side by side, so the other side
 * sits next to one of the account's own events: each own position p stands for p + 1, p and
 * p − 1. A mention that is not next to one (the audit index records those as it goes: "strays")
 * and the newest position (whose next neighbour is not known yet) are added. The caller checks
 * every candidate against the whole filter, so a candidate too many costs a check, never a row.
 */

/** An account's own positions, ascending (see BalanceTimeline). */
export type OwnPositions = {
  positionOfVersion(version: number): number | undefined;
  versionAtPosition(position: number): number;
};

export class AccountCandidates {
  private version: number;
  /** +1, 0 or −1: which of the current own position's three candidates is the head. */
  private offset = 1;
  private strayIndex: number;
  private newest: number;
  /** Every candidate returned is below this (the last one returned): none twice, newest-first. */
  private bound: number;

  /**
   * `before`: only positions below it; `newest`: the last position recorded; `strays`:
   * ascending positions that mention the account away from its own events.
   */
  constructor(
    private readonly own: OwnPositions | undefined,
    private readonly strays: readonly number[],
    before: number,
    newest: number,
  ) {
    this.bound = Math.min(before, newest + 1);
    this.version = own ? own.versionAtPosition(this.bound) : 0;
    this.strayIndex = countBelow(strays, this.bound) - 1;
    this.newest = newest;
  }

  /** The next candidate (descending), or 0 when there are none left. */
  next(): number {
    for (;;) {
      const ownHead = this.version >= 1 ? this.own!.positionOfVersion(this.version)! + this.offset : 0;
      const strayHead = this.strayIndex >= 0 ? this.strays[this.strayIndex]! : 0;
      const head = Math.max(ownHead, strayHead, this.newest);
      if (head <= 0) return 0;
      if (ownHead === head) this.advanceOwn();
      if (strayHead === head) this.strayIndex--;
      if (this.newest === head) this.newest = 0;
      if (head < this.bound) {
        this.bound = head;
        return head;
      }
    }
  }

  private advanceOwn(): void {
    this.offset--;
    if (this.offset < -1) {
      this.offset = 1;
      this.version--;
    }
  }
}

/**
 * Several accounts' candidates merged, newest-first, none twice. Each cursor returns strictly
 * descending positions, so the merged stream is the running maximum of their heads.
 */
export class MergedCandidates {
  private readonly heads: number[];

  constructor(private readonly cursors: readonly AccountCandidates[]) {
    this.heads = cursors.map((cursor) => cursor.next());
  }

  next(): number {
    let best = 0;
    for (const head of this.heads) best = Math.max(best, head);
    if (best === 0) return 0;
    for (let index = 0; index < this.heads.length; index++) {
      if (this.heads[index] === best) this.heads[index] = this.cursors[index]!.next();
    }
    return best;
  }
}

/** How many entries of an ascending array are below `value`. */
function countBelow(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
