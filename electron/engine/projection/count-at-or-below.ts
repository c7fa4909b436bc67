/**
 * How many of the first `length` entries of an ascending array are ≤ `value` — the index of
 * the first entry above it. The read models' per-position lookups (a balance as of a position,
 * the last position as of a moment) are all this one binary search over a typed column.
 */
export function countAtOrBelow(sorted: Float64Array | Uint32Array, length: number, value: number): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}
