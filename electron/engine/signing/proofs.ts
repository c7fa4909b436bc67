/**
 * Building RFC 9162 proofs from stored perfect-subtree roots: the inclusion path of one leaf
 * (§2.1.3.1) and the consistency path between two tree sizes (§2.1.4.1).
 *
 * What the store keeps: every perfect subtree root, numbered (level, index) as in
 * tree-math.ts — the node over leaves [index·2^level, (index+1)·2^level); level 0 is the leaf
 * hash. CompactRange.append reports each one exactly when it is completed. Such a node never
 * changes, so one table keyed (level, index) answers proofs for every tree size, old or new.
 *
 * Invariants:
 * - A proof for tree size n reads only nodes with (index+1)·2^level ≤ n, at most
 *   2·⌈log2 n⌉ of them; a node of the path that is not perfect (on the tree's right edge) is
 *   rebuilt from the perfect nodes under it, in order.
 * - The paths are ordered as RFC 9162 orders them (from the leaf, or the old tree, upward),
 *   so proof-verify.ts and any RFC 9162 verifier accept them.
 * The plan/assemble split lets the store fetch a plan's nodes in one query.
 */
import { fail, succeed, type Result } from '#shared/errors';
import { emptyRoot, nodeHash } from './tree-hash';
import {
  MAX_TREE_SIZE,
  bitLength,
  isPowerOfTwo,
  nodeEnd,
  nodeStart,
  parentOf,
  rangeNodes,
  shiftRight,
  siblingOf,
  trailingZeros,
  xor,
  type NodeId,
} from './tree-math';

/** Answers the stored root of the perfect subtree (level, index), 32 bytes. */
export type NodeReader = (level: number, index: number) => Uint8Array;

/**
 * The nodes a proof needs, in proof order, except that nodes[ephemeralStart, ephemeralEnd)
 * (smallest first) fold into one path entry: a right-edge node that is not perfect.
 */
export type ProofPlan = {
  readonly nodes: readonly NodeId[];
  readonly ephemeralStart: number;
  readonly ephemeralEnd: number;
};

function isSize(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0 && value <= MAX_TREE_SIZE;
}

/** The nodes of the inclusion path of leaf `leafIndex` in the tree of `treeSize` leaves. */
export function inclusionPlan(leafIndex: number, treeSize: number): Result<ProofPlan> {
  if (!isSize(treeSize) || !isSize(leafIndex)) return fail('VALIDATION', 'A leaf index and a tree size are whole numbers from 0.');
  if (leafIndex >= treeSize) {
    return fail('VALIDATION', `Leaf ${leafIndex} is not in a tree of ${treeSize} leaves (leaves are numbered from 0).`, {
      leafIndex,
      treeSize,
    });
  }
  return succeed(skipFirst(planFor({ level: 0, index: leafIndex }, treeSize)));
}

/** The nodes of the consistency path from the tree of `fromSize` leaves to the tree of `toSize`. */
export function consistencyPlan(fromSize: number, toSize: number): Result<ProofPlan> {
  if (!isSize(fromSize) || !isSize(toSize)) return fail('VALIDATION', 'Tree sizes are whole numbers from 0.');
  if (fromSize === 0)
    return fail('VALIDATION', 'A consistency proof starts from a tree of at least one leaf: every tree extends the empty one.');
  if (fromSize > toSize) {
    return fail('VALIDATION', `A tree of ${fromSize} leaves cannot be proved consistent with a smaller tree of ${toSize}.`, {
      fromSize,
      toSize,
    });
  }
  if (fromSize === toSize) return succeed({ nodes: [], ephemeralStart: 0, ephemeralEnd: 0 });
  // The largest perfect subtree ending at fromSize: its path to the root of toSize is the
  // proof; its own root is left out when it is the whole old tree (the verifier has it).
  const level = trailingZeros(fromSize);
  const plan = planFor({ level, index: shiftRight(fromSize - 1, level) }, toSize);
  return succeed(isPowerOfTwo(fromSize) ? skipFirst(plan) : plan);
}

/**
 * The node itself, then what proves it into the tree of `treeSize` leaves: its siblings up
 * to where its path leaves the tree's right edge (the fork), then the right-edge node beside
 * the fork (rebuilt from the perfect nodes under it), then the perfect nodes left of the fork.
 */
function planFor(node: NodeId, treeSize: number): ProofPlan {
  const inner = bitLength(xor(node.index, shiftRight(treeSize, node.level))) - 1;
  const fork: NodeId = { level: node.level + inner, index: shiftRight(node.index, inner) };
  const nodes: NodeId[] = [node];
  for (let current = node; current.level < fork.level; current = parentOf(current)) nodes.push(siblingOf(current));
  const ephemeralStart = nodes.length;
  nodes.push(...rangeNodes(nodeEnd(fork), treeSize).reverse());
  const ephemeralEnd = nodes.length;
  nodes.push(...rangeNodes(0, nodeStart(fork)).reverse());
  return ephemeralEnd - ephemeralStart > 1 ? { nodes, ephemeralStart, ephemeralEnd } : { nodes, ephemeralStart: 0, ephemeralEnd: 0 };
}

function skipFirst(plan: ProofPlan): ProofPlan {
  const folds = plan.ephemeralEnd > plan.ephemeralStart;
  return {
    nodes: plan.nodes.slice(1),
    ephemeralStart: folds ? plan.ephemeralStart - 1 : 0,
    ephemeralEnd: folds ? plan.ephemeralEnd - 1 : 0,
  };
}

/** The proof's path from the hashes of plan.nodes, in the same order. */
export function assembleProof(plan: ProofPlan, hashes: readonly Uint8Array[]): Buffer[] {
  if (hashes.length !== plan.nodes.length) throw new RangeError(`the plan has ${plan.nodes.length} nodes, not ${hashes.length}`);
  const path: Buffer[] = [];
  for (let position = 0; position < hashes.length; position++) {
    let hash: Buffer = Buffer.from(hashes[position]!);
    if (position === plan.ephemeralStart && plan.ephemeralEnd > plan.ephemeralStart) {
      for (position += 1; position < plan.ephemeralEnd; position++) hash = nodeHash(hashes[position]!, hash);
      position -= 1;
    }
    path.push(hash);
  }
  return path;
}

function readAll(plan: ProofPlan, readNode: NodeReader): Uint8Array[] {
  return plan.nodes.map(({ level, index }) => readNode(level, index));
}

/** RFC 9162 §2.1.3.1: the inclusion path of leaf `leafIndex` in the tree of `treeSize` leaves. */
export function inclusionProof(leafIndex: number, treeSize: number, readNode: NodeReader): Result<Buffer[]> {
  const plan = inclusionPlan(leafIndex, treeSize);
  return plan.ok ? succeed(assembleProof(plan.value, readAll(plan.value, readNode))) : plan;
}

/** RFC 9162 §2.1.4.1: the consistency path from the tree of `fromSize` leaves to the tree of `toSize`. */
export function consistencyProof(fromSize: number, toSize: number, readNode: NodeReader): Result<Buffer[]> {
  const plan = consistencyPlan(fromSize, toSize);
  return plan.ok ? succeed(assembleProof(plan.value, readAll(plan.value, readNode))) : plan;
}

/** The root of the tree of `treeSize` leaves, from its perfect subtrees (at most 53 reads). */
export function rootAt(treeSize: number, readNode: NodeReader): Buffer {
  const peaks = rangeNodes(0, treeSize).map(({ level, index }) => readNode(level, index));
  if (peaks.length === 0) return emptyRoot();
  let root: Buffer = Buffer.from(peaks[peaks.length - 1]!);
  for (let position = peaks.length - 2; position >= 0; position--) root = nodeHash(peaks[position]!, root);
  return root;
}
