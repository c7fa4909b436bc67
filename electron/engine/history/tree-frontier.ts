/**
 * The right edge of a Merkle tree (its compact range): the roots of the perfect subtrees that
 * cover leaves [0, size), largest first, one per one bit of `size`. Appending a leaf merges
 * equal-sized neighbours, so an append costs at most log2(size) node hashes, and the tree's
 * root (RFC 9162 §2.1.1) is these roots folded from the right.
 *
 * Every merge completes a perfect subtree that never changes again; those at STORED_LEVEL and
 * above are handed to `emit` to be stored (see tree-nodes.ts).
 */
import { EMPTY_ROOT, nodeHashOf, type BinaryHash } from './binary-hash';

/** Perfect subtrees of 2^STORED_LEVEL leaves (16) and larger are stored; smaller ones are computed from the events. */
export const STORED_LEVEL = 4;
export const STORED_LEAVES = 2 ** STORED_LEVEL;

/** Receives a completed perfect subtree: node (level, index) covers leaves [index·2^level, (index+1)·2^level). */
export type NodeSink = (level: number, index: number, hash: BinaryHash) => void;

export class TreeFrontier {
  private constructor(
    private leaves: number,
    /** Levels of the compact range's roots, strictly decreasing. */
    private readonly levels: number[],
    private readonly hashes: BinaryHash[],
  ) {}

  static empty(): TreeFrontier {
    return new TreeFrontier(0, [], []);
  }

  /** The frontier of a tree of `size` leaves from its compact range's roots, largest first (see compactRange). */
  static of(size: number, hashes: readonly BinaryHash[]): TreeFrontier {
    const levels = compactRange(size).map((node) => node.level);
    if (levels.length !== hashes.length) throw new Error(`a tree of ${size} leaves has ${levels.length} range roots, not ${hashes.length}`);
    return new TreeFrontier(size, levels, [...hashes]);
  }

  get size(): number {
    return this.leaves;
  }

  /** Appends one leaf hash; every stored-size subtree it completes goes to `emit`. */
  push(leaf: BinaryHash, emit?: NodeSink): void {
    const end = this.leaves + 1;
    let level = 0;
    let hash = leaf;
    const { levels, hashes } = this;
    while (levels.length > 0 && levels[levels.length - 1] === level) {
      levels.pop();
      hash = nodeHashOf(hashes.pop()!, hash);
      level += 1;
      if (level >= STORED_LEVEL && emit !== undefined) emit(level, end / 2 ** level - 1, hash);
    }
    levels.push(level);
    hashes.push(hash);
    this.leaves = end;
  }

  /** The tree's root: the range roots folded from the right (the empty tree's for no leaves). */
  root(): BinaryHash {
    const { hashes } = this;
    if (hashes.length === 0) return EMPTY_ROOT;
    let root = hashes[hashes.length - 1]!;
    for (let index = hashes.length - 2; index >= 0; index--) root = nodeHashOf(hashes[index]!, root);
    return root;
  }

  copy(): TreeFrontier {
    return new TreeFrontier(this.leaves, [...this.levels], [...this.hashes]);
  }
}

/** A perfect subtree: leaves [index·2^level, (index+1)·2^level). */
export type TreeNode = { readonly level: number; readonly index: number };

/** The perfect subtrees covering leaves [0, size), largest first: one per one bit of `size`. */
export function compactRange(size: number): TreeNode[] {
  const nodes: TreeNode[] = [];
  let start = 0;
  for (let level = 52; level >= 0; level--) {
    const width = 2 ** level;
    if (size - start >= width) {
      nodes.push({ level, index: start / width });
      start += width;
    }
  }
  return nodes;
}
