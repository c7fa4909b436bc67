/**
 * Checking RFC 9162 proofs: an inclusion path (§2.1.3.2) and a consistency path (§2.1.4.2),
 * with nothing but the hashes they name.
 *
 * Invariants:
 * - Strict before anything is hashed: sizes and indices are safe whole numbers, a leaf index
 *   is below its tree size, a consistency proof starts from a tree of at least one leaf and
 *   does not shrink, every hash has 32 bytes, and a path has exactly the length its sizes
 *   require (inclusionPathLength, consistencyPathLength). A wrong length is its own reason.
 * - Equal sizes prove consistency only with an empty path and equal roots.
 * - The answer is succeed(undefined) or an INTEGRITY failure whose details.reason is one of
 *   ProofFailureReason and whose message is a plain sentence. Nothing throws on any input.
 */
import { fail, succeed, type Failure, type Result } from '#shared/errors';
import { nodeHash } from './tree-hash';
import { MAX_TREE_SIZE, bitLength, isPowerOfTwo, popCount, shiftRight, trailingZeros, xor } from './tree-math';

export type ProofFailureReason =
  /** A size or index that is not a whole number, an index past the tree, a shrinking or empty tree. */
  | 'impossible-sizes'
  /** A hash that is not 32 bytes. */
  | 'malformed-hash'
  /** The path is longer or shorter than the sizes require. */
  | 'wrong-path-length'
  /** The path leads to another root than the one it is checked against (the leaf or path changed). */
  | 'root-mismatch'
  /** Consistency only: the path does not rebuild the old tree's root. */
  | 'old-root-mismatch';

const HASH_BYTES = 32;

function refuse(reason: ProofFailureReason, message: string, details: Record<string, string | number> = {}): Failure {
  return fail('INTEGRITY', message, { reason, ...details });
}

function isSize(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0 && value <= MAX_TREE_SIZE;
}

/** The number of hashes in the inclusion path of leaf `leafIndex` (< treeSize) in a tree of `treeSize` leaves. */
export function inclusionPathLength(leafIndex: number, treeSize: number): number {
  // Levels below the point where the paths to the leaf and to the last leaf part, then one
  // left sibling per one bit of the index above it.
  const inner = bitLength(xor(leafIndex, treeSize - 1));
  return inner + popCount(shiftRight(leafIndex, inner));
}

/** The number of hashes in the consistency path between trees of 0 < fromSize ≤ toSize leaves. */
export function consistencyPathLength(fromSize: number, toSize: number): number {
  if (fromSize === toSize) return 0;
  const shift = trailingZeros(fromSize);
  return (isPowerOfTwo(fromSize) ? 0 : 1) + inclusionPathLength(fromSize - 1, toSize) - shift;
}

/** RFC 9162 §2.1.3.2: whether `path` proves the leaf with hash `leafHash` at `leafIndex` into the tree (`treeSize`, `rootHash`). */
export function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  path: readonly Uint8Array[],
  rootHash: Uint8Array,
): Result<void> {
  if (!isSize(leafIndex) || !isSize(treeSize) || treeSize === 0 || leafIndex >= treeSize) {
    return refuse('impossible-sizes', `Leaf ${leafIndex} cannot be in a tree of ${treeSize} leaves (leaves are numbered from 0).`, {
      leafIndex,
      treeSize,
    });
  }
  if (![leafHash, rootHash, ...path].every((hash) => hash.length === HASH_BYTES)) {
    return refuse('malformed-hash', `Every hash of an inclusion proof has ${HASH_BYTES} bytes; one here does not.`);
  }
  const expected = inclusionPathLength(leafIndex, treeSize);
  if (path.length !== expected) {
    return refuse(
      'wrong-path-length',
      `The inclusion path of leaf ${leafIndex} in a tree of ${treeSize} leaves has ${expected} hashes, but this one has ${path.length}.`,
      { expected, actual: path.length },
    );
  }
  let index = leafIndex;
  let last = treeSize - 1;
  let hash: Buffer = Buffer.from(leafHash);
  for (const sibling of path) {
    if (last === 0) break; // not reached: the length check above rules it out
    if (index % 2 === 1 || index === last) {
      hash = nodeHash(sibling, hash);
      // On the right edge, skip the levels where the node has no right sibling.
      while (index % 2 === 0 && index !== 0) {
        index = shiftRight(index, 1);
        last = shiftRight(last, 1);
      }
    } else {
      hash = nodeHash(hash, sibling);
    }
    index = shiftRight(index, 1);
    last = shiftRight(last, 1);
  }
  if (last !== 0 || !hash.equals(rootHash)) {
    return refuse(
      'root-mismatch',
      `The inclusion proof of leaf ${leafIndex} does not lead to the root of the tree of ${treeSize} leaves.`,
      {
        leafIndex,
        treeSize,
      },
    );
  }
  return succeed(undefined);
}

/** RFC 9162 §2.1.4.2: whether `path` proves the tree (`toSize`, `toRoot`) extends the tree (`fromSize`, `fromRoot`). */
export function verifyConsistency(
  fromSize: number,
  toSize: number,
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
  path: readonly Uint8Array[],
): Result<void> {
  if (!isSize(fromSize) || !isSize(toSize) || fromSize === 0 || fromSize > toSize) {
    return refuse(
      'impossible-sizes',
      `A consistency proof goes from a tree of at least one leaf to one at least as large, not from ${fromSize} to ${toSize} leaves.`,
      { fromSize, toSize },
    );
  }
  if (![fromRoot, toRoot, ...path].every((hash) => hash.length === HASH_BYTES)) {
    return refuse('malformed-hash', `Every hash of a consistency proof has ${HASH_BYTES} bytes; one here does not.`);
  }
  const expected = consistencyPathLength(fromSize, toSize);
  if (path.length !== expected) {
    return refuse(
      'wrong-path-length',
      `The consistency path from ${fromSize} to ${toSize} leaves has ${expected} hashes, but this one has ${path.length}.`,
      { expected, actual: path.length },
    );
  }
  const mismatch = () =>
    refuse('root-mismatch', `The consistency proof does not lead to the root of the tree of ${toSize} leaves.`, { fromSize, toSize });
  if (fromSize === toSize) return Buffer.from(fromRoot).equals(toRoot) ? succeed(undefined) : mismatch();

  // The old tree's root starts the path when the old tree is one perfect subtree.
  const hashes = isPowerOfTwo(fromSize) ? [fromRoot, ...path] : path;
  let first = fromSize - 1;
  let second = toSize - 1;
  while (first % 2 === 1) {
    first = shiftRight(first, 1);
    second = shiftRight(second, 1);
  }
  let oldHash: Buffer = Buffer.from(hashes[0]!);
  let newHash: Buffer = Buffer.from(hashes[0]!);
  for (const node of hashes.slice(1)) {
    if (second === 0) return mismatch(); // not reached: the length check above rules it out
    if (first % 2 === 1 || first === second) {
      oldHash = nodeHash(node, oldHash);
      newHash = nodeHash(node, newHash);
      while (first % 2 === 0 && first !== 0) {
        first = shiftRight(first, 1);
        second = shiftRight(second, 1);
      }
    } else {
      newHash = nodeHash(newHash, node);
    }
    first = shiftRight(first, 1);
    second = shiftRight(second, 1);
  }
  if (!oldHash.equals(fromRoot)) {
    return refuse('old-root-mismatch', `The consistency proof does not rebuild the root of the tree of ${fromSize} leaves.`, {
      fromSize,
      toSize,
    });
  }
  if (second !== 0 || !newHash.equals(toRoot)) return mismatch();
  return succeed(undefined);
}
