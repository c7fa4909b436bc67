/**
 * The incremental Merkle tree of a ledger with Buffers in and out: its compact range, the roots
 * of the perfect subtrees that together cover leaves [0, size), largest (leftmost) first. The
 * range itself is history/tree-frontier.ts's TreeFrontier (the one the store keeps up); this
 * gives it 32-byte Buffers, every completed node, a persistable state and its checks.
 *
 * Invariants:
 * - There is one hash per one bit of `size`: the subtree of 2^k leaves for each bit k set, in
 *   order of decreasing k. So at most 53 hashes, and the root at `size` is them folded from
 *   the right with the RFC 9162 node hash, exactly RFC 9162's MTH over the same leaves.
 * - Appending a leaf hashes once per trailing one bit of the old size (those subtrees merge
 *   into one): amortized one node hash per append, at most 53.
 * - Each perfect subtree completed by an append is reported once, as (level, index, hash),
 *   the leaf itself (level 0) first: the store keeps those to answer proofs (see proofs.ts
 *   for the numbering).
 * - A state read back with compactRangeFromState is checked for shape (hash count and hex);
 *   nothing here can tell a forged state from a true one — compare its root with a seal.
 */
import { fail, succeed, type Result } from '#shared/errors';
import { fromBuffer, toBuffer } from '../history/binary-hash';
import { TreeFrontier } from '../history/tree-frontier';
import { leafHash } from './tree-hash';
import { MAX_TREE_SIZE, popCount } from './tree-math';

/** Called for every perfect subtree an append completes, the leaf itself (level 0) first. */
export type NodeVisitor = (level: number, index: number, hash: Buffer) => void;

/** What the store persists between runs: the size, and each subtree root as lowercase hex. */
export type CompactRangeState = { readonly size: number; readonly hashes: readonly string[] };

const HASH_BYTES = 32;
const HASH_HEX = /^[0-9a-f]{64}$/;

export class CompactRange {
  private constructor(private readonly frontier: TreeFrontier) {}

  /** The range of the empty tree. */
  static empty(): CompactRange {
    return new CompactRange(TreeFrontier.empty());
  }

  /** The number of leaves appended so far. */
  get size(): number {
    return this.frontier.size;
  }

  /** Appends one leaf given its hash (leafHash of its bytes). */
  append(hash: Uint8Array, visit?: NodeVisitor): void {
    if (hash.length !== HASH_BYTES) throw new RangeError(`a leaf hash has ${HASH_BYTES} bytes, not ${hash.length}`);
    if (this.frontier.size >= MAX_TREE_SIZE) throw new RangeError('the tree is at its largest size');
    if (visit === undefined) {
      this.frontier.push(fromBuffer(hash));
      return;
    }
    visit(0, this.frontier.size, Buffer.from(hash));
    this.frontier.push(fromBuffer(hash), (level, index, node) => visit(level, index, toBuffer(node)), 1);
  }

  /** Appends one leaf given its bytes (an event line's UTF-8, without the newline). */
  appendLeaf(bytes: Uint8Array, visit?: NodeVisitor): void {
    this.append(leafHash(bytes), visit);
  }

  /** The tree's root at its current size (the empty root for size 0). */
  root(): Buffer {
    return toBuffer(this.frontier.root());
  }

  /** The subtree roots, largest first (copies). */
  peaks(): Buffer[] {
    return this.frontier.roots().map(toBuffer);
  }

  /** A plain value to persist; compactRangeFromState reads it back. */
  state(): CompactRangeState {
    return { size: this.frontier.size, hashes: this.peaks().map((hash) => hash.toString('hex')) };
  }

  /** The range of a stored state: INTEGRITY when its shape is not one a range can have. */
  static fromState(state: unknown): Result<CompactRange> {
    const broken = (why: string) => fail('INTEGRITY', `The stored state of the ledger's Merkle tree is damaged: ${why}`);
    if (typeof state !== 'object' || state === null) return broken('it is not an object');
    const { size, hashes } = state as Record<string, unknown>;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return broken('its size is not a whole number of leaves');
    const expected = popCount(size);
    if (!Array.isArray(hashes) || hashes.length !== expected) {
      const found = Array.isArray(hashes) ? hashes.length : 'a list of none';
      return broken(`a tree of ${size} leaves has ${expected} subtree root${expected === 1 ? '' : 's'}, not ${found}`);
    }
    if (!hashes.every((hash) => typeof hash === 'string' && HASH_HEX.test(hash))) {
      return broken('a subtree root is not 64 lowercase hex digits');
    }
    const roots = hashes.map((hash: string) => fromBuffer(Buffer.from(hash, 'hex')));
    return succeed(new CompactRange(TreeFrontier.of(size, roots)));
  }
}

/** The tree size and root of leaves given one by one (their bytes), in O(log n) memory. */
export function merkleRootOf(leaves: Iterable<Uint8Array>): { treeSize: number; rootHash: Buffer } {
  const range = CompactRange.empty();
  for (const leaf of leaves) range.appendLeaf(leaf);
  return { treeSize: range.size, rootHash: range.root() };
}

/** merkleRootOf for leaves that arrive asynchronously (a file read in chunks). */
export async function merkleRootOfStream(leaves: AsyncIterable<Uint8Array>): Promise<{ treeSize: number; rootHash: Buffer }> {
  const range = CompactRange.empty();
  for await (const leaf of leaves) range.appendLeaf(leaf);
  return { treeSize: range.size, rootHash: range.root() };
}
