/**
 * Reference Merkle trees for the signed-history tests: RFC 9162 §2.1.1 written out as the RFC
 * states it (recursive, over the export's lines), with the signing core's own leaf and node
 * hashes, so the engine's incremental, stored tree is compared with a second, plain definition.
 */
import { expect } from 'vitest';
import { emptyRoot, leafHash, nodeHash } from '#engine/signing/tree-hash';
import type { Ledger } from '#engine/ledger';
import { exportText } from './export-helpers';
import { readLedgerFile } from './helpers';

/** MTH(D[n]) of RFC 9162, recursively. */
export function referenceRoot(leaves: readonly Uint8Array[]): Buffer {
  if (leaves.length === 0) return emptyRoot();
  if (leaves.length === 1) return leafHash(leaves[0]!);
  let split = 1;
  while (split * 2 < leaves.length) split *= 2;
  return nodeHash(referenceRoot(leaves.slice(0, split)), referenceRoot(leaves.slice(split)));
}

/** The event lines of a ledger's full export, as UTF-8 bytes without their line feeds. */
export async function exportedLeaves(ledger: Ledger): Promise<Buffer[]> {
  const { text } = await exportText(ledger);
  const lines = text.slice(0, -1).split('\n');
  expect(lines.pop()).toMatch(/^\{"manifest":/);
  return lines.map((line) => Buffer.from(line, 'utf8'));
}

/** Every perfect subtree of at least 16 leaves that `leaves` complete: what tree_nodes must hold. */
export function expectedNodes(leaves: readonly Uint8Array[]): Array<{ level: number; index: number; hash: string }> {
  const nodes: Array<{ level: number; index: number; hash: string }> = [];
  for (let level = 4; 2 ** level <= leaves.length; level++) {
    for (let index = 0; (index + 1) * 2 ** level <= leaves.length; index++) {
      nodes.push({ level, index, hash: referenceRoot(leaves.slice(index * 2 ** level, (index + 1) * 2 ** level)).toString('hex') });
    }
  }
  return nodes;
}

/** The nodes the ledger's file holds, in the same order as expectedNodes. */
export function storedNodes(ledger: Ledger): Array<{ level: number; index: number; hash: string }> {
  const rows = readLedgerFile(ledger.path, (db) =>
    db.prepare('SELECT level, node_index AS "index", hex(hash) AS hash FROM tree_nodes ORDER BY level, node_index').all(),
  );
  return rows.map((row) => {
    const { level, index, hash } = row as { level: number; index: number; hash: string };
    return { level, index, hash: hash.toLowerCase() };
  });
}

/** The ledger's tree root at its current size, as the engine computes it (hex). */
export function engineRoot(ledger: Ledger): string {
  return ledger.signedHistory().head().rootHash;
}

/** Asserts that the stored tree and its root are exactly those of the ledger's export. */
export async function expectTreeMatchesExport(ledger: Ledger): Promise<void> {
  const leaves = await exportedLeaves(ledger);
  expect(leaves.length).toBe(ledger.logHead().position);
  expect(engineRoot(ledger)).toBe(referenceRoot(leaves).toString('hex'));
  expect(storedNodes(ledger)).toEqual(expectedNodes(leaves));
}
