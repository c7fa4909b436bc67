/**
 * The right edge of a Merkle tree (its compact range): the roots of the perfect subtrees that
 * cover leaves [0, size), largest first, one per one bit of `size`. Appending a leaf merges
 * equal-sized neighbours, so an append costs at most log2(size) node hashes, and the tree's
 * root (RFC 9162 §2.1.1) is these roots folded from the right.
 *
 * Every merge completes a perfect subtree that never changes again; those at STORED_LEVEL and
 * above (or from the level the caller asks for) are handed to `emit` to be stored (see
 * tree-nodes.ts). This is the one compact range of the engine: signing/compact-range.ts gives
 * it a Buffer interface.
 */
import { rangeNodes } from '../signing/tree-math';
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

  /** The frontier of a tree of `size` leaves from its compact range's roots, largest first (see rangeNodes). */
  static of(size: number, hashes: readonly BinaryHash[]): TreeFrontier {
    const levels = rangeNodes(0, size).map((node) => node.level);
    if (levels.length !== hashes.length) throw new Error(`a tree of ${size} leaves has ${levels.length} range roots, not ${hashes.length}`);
    return new TreeFrontier(size, levels, [...hashes]);
  }

  get size(): number {
    return this.leaves;
  }

  /** Appends one leaf hash; every subtree of `emitFrom` levels or more (≥ 1) that it completes goes to `emit`. */
  push(leaf: BinaryHash, emit?: NodeSink, emitFrom = STORED_LEVEL): void {
    const end = this.leaves + 1;
    let level = 0;
    let hash = leaf;
    const { levels, hashes } = this;
    while (levels.length > 0 && levels[levels.length - 1] === level) {
      levels.pop();
      hash = nodeHashOf(hashes.pop()!, hash);
      level += 1;
      if (level >= emitFrom && emit !== undefined) emit(level, end / 2 ** level - 1, hash);
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

  /** The compact range's roots, largest first (a copy). */
  roots(): BinaryHash[] {
    return [...this.hashes];
  }

  copy(): TreeFrontier {
    return new TreeFrontier(this.leaves, [...this.levels], [...this.hashes]);
  }
}
