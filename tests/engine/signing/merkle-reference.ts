/**
 * RFC 9162 §2.1 written out as the RFC writes it, recursively and slowly: MTH, PATH and
 * PROOF/SUBPROOF over a list of leaf hashes. The tests hold the fast code to these.
 */
import { createHash } from 'node:crypto';
import { leafHash, nodeHash } from '#engine/signing/tree-hash';

/** The largest power of two smaller than n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) over leaf hashes. */
export function referenceRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return leaves[0]!;
  const k = split(leaves.length);
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

/** PATH(m, D[n]). */
export function referencePath(m: number, leaves: readonly Buffer[]): Buffer[] {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  return m < k
    ? [...referencePath(m, leaves.slice(0, k)), referenceRoot(leaves.slice(k))]
    : [...referencePath(m - k, leaves.slice(k)), referenceRoot(leaves.slice(0, k))];
}

function subproof(m: number, leaves: readonly Buffer[], complete: boolean): Buffer[] {
  const n = leaves.length;
  if (m === n) return complete ? [] : [referenceRoot(leaves)];
  const k = split(n);
  return m <= k
    ? [...subproof(m, leaves.slice(0, k), complete), referenceRoot(leaves.slice(k))]
    : [...subproof(m - k, leaves.slice(k), false), referenceRoot(leaves.slice(0, k))];
}

/** PROOF(m, D[n]) for 0 < m ≤ n. */
export function referenceConsistency(m: number, leaves: readonly Buffer[]): Buffer[] {
  return subproof(m, leaves, true);
}

/** Leaf hashes of n distinct leaves. */
export function someLeaves(n: number): Buffer[] {
  return Array.from({ length: n }, (_, index) => leafHash(Buffer.from(`leaf ${index}`)));
}
