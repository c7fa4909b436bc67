/**
 * Bit arithmetic on tree sizes and leaf indices, and the numbering of perfect subtrees.
 *
 * Invariants:
 * - Every size and index is a non-negative safe integer (< 2^53). JavaScript's bitwise
 *   operators work on 32 bits only, so each helper splits a number into a high and a low
 *   32-bit half, or divides by a power of two (exact in floating point, then floored).
 * - A node (level, index) is the root of the perfect subtree over the leaves
 *   [index·2^level, (index+1)·2^level). Level 0 is a leaf hash. Such a node never changes
 *   once the tree holds all its leaves, so it can be stored once and read forever.
 */

/** The largest tree size (and leaf count) this code handles: 2^53 − 1. */
export const MAX_TREE_SIZE = Number.MAX_SAFE_INTEGER;

const TWO_TO_32 = 2 ** 32;

/** A perfect subtree: the leaves [index·2^level, (index+1)·2^level). */
export type NodeId = { readonly level: number; readonly index: number };

function high(value: number): number {
  return Math.floor(value / TWO_TO_32);
}

function low(value: number): number {
  return value >>> 0;
}

/** The number of bits needed to write `value` (0 for 0): Go's bits.Len64. */
export function bitLength(value: number): number {
  const upper = high(value);
  return upper > 0 ? 64 - Math.clz32(upper) : 32 - Math.clz32(low(value));
}

/** `a XOR b` for safe integers. */
export function xor(a: number, b: number): number {
  return ((high(a) ^ high(b)) >>> 0) * TWO_TO_32 + ((low(a) ^ low(b)) >>> 0);
}

function popCount32(value: number): number {
  let count = 0;
  for (let rest = value >>> 0; rest !== 0; rest = (rest & (rest - 1)) >>> 0) count += 1;
  return count;
}

/** The number of one bits in `value`. */
export function popCount(value: number): number {
  return popCount32(high(value)) + popCount32(low(value));
}

/** The number of zero bits below the lowest one bit (`value` > 0). */
export function trailingZeros(value: number): number {
  const lower = low(value);
  if (lower !== 0) return 31 - Math.clz32(lower & -lower);
  const upper = high(value);
  return 32 + 31 - Math.clz32(upper & -upper);
}

/** `value >> shift`, for any shift from 0 to 63. */
export function shiftRight(value: number, shift: number): number {
  return Math.floor(value / 2 ** shift);
}

/** Whether `value` is a power of two (1, 2, 4, …). */
export function isPowerOfTwo(value: number): boolean {
  return value > 0 && popCount(value) === 1;
}

/** The first leaf a node covers. */
export function nodeStart(node: NodeId): number {
  return node.index * 2 ** node.level;
}

/** One past the last leaf a node covers. */
export function nodeEnd(node: NodeId): number {
  return (node.index + 1) * 2 ** node.level;
}

export function parentOf(node: NodeId): NodeId {
  return { level: node.level + 1, index: shiftRight(node.index, 1) };
}

export function siblingOf(node: NodeId): NodeId {
  return { level: node.level, index: node.index % 2 === 0 ? node.index + 1 : node.index - 1 };
}

/**
 * The fewest perfect subtrees that cover the leaves [begin, end), left to right. Each is as
 * large as its start allows without passing `end`; for [0, size) they are the subtrees of a
 * compact range, one per one bit of `size`, largest first.
 */
export function rangeNodes(begin: number, end: number): NodeId[] {
  const nodes: NodeId[] = [];
  let start = begin;
  while (start < end) {
    // The largest power of two that divides `start` (any, for 0) and fits in what is left.
    const fits = bitLength(end - start) - 1;
    const level = start === 0 ? fits : Math.min(trailingZeros(start), fits);
    nodes.push({ level, index: start / 2 ** level });
    start += 2 ** level;
  }
  return nodes;
}
