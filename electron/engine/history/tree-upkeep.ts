/**
 * Keeps the stored Merkle tree (tree-nodes.ts) level with the log: every event appended on
 * this connection is hashed as a leaf inside the write transaction that inserts it, and each
 * subtree it completes is inserted in that same transaction. So the stored tree and the log
 * commit together or not at all, and an append costs one leaf hash, at most log2(n) node
 * hashes and on average one node row per eight events.
 *
 * Staged appends (the bulk writer) are hashed here too, on the staging basis's own frontier;
 * their nodes travel with the rows to the writer's thread, which inserts both in one
 * transaction (see EventStore.stage and bulk/writer-thread.mjs).
 *
 * A log written before the tree gets its whole tree in the migration that adds the table
 * (buildStoredTree, from schema.ts), so every ledger this version opens has a stored tree that
 * ends exactly where its log ends. One that does not (nodes deleted, events cut off, a damaged
 * page) is not repaired: appends are refused as INTEGRITY and verify names what is wrong.
 */
import type Database from 'better-sqlite3';
import { LedgerFailure } from '#shared/errors';
import type { StoredEvent } from '../store/event-store';
import { leafHashOfEvent } from './binary-hash';
import { STORED_LEAVES, TreeFrontier } from './tree-frontier';
import { TreeNodes } from './tree-nodes';

export class TreeUpkeep {
  readonly nodes: TreeNodes;
  /** The tree as this connection's write transaction (or its last commit) leaves it, with the hash of its last event. */
  private frontier: { tree: TreeFrontier; tailHash: string } | undefined;

  constructor(db: Database.Database) {
    this.nodes = new TreeNodes(db);
  }

  /**
   * Called inside the write transaction before a row is appended onto `tail`: loads the frontier
   * there unless this connection already holds it. Throws INTEGRITY, before anything is
   * written, when the stored tree does not end where the log ends.
   */
  readyFor(tail: { readonly position: number; readonly hash: string }): void {
    const current = this.frontier;
    if (current !== undefined && current.tree.size === tail.position && current.tailHash === tail.hash) return;
    this.frontier = { tree: this.frontierAt(tail.position), tailHash: tail.hash };
  }

  /** An event row inserted in the open write transaction (after readyFor): its leaf, and the nodes it completes, join the tree. */
  added(row: StoredEvent): void {
    const current = this.frontier;
    if (current === undefined || current.tree.size !== row.position - 1)
      throw new Error(`the tree was not readied for position ${row.position}: bug`);
    current.tree.push(leafHashOfEvent(row), this.nodes.store);
    current.tailHash = row.hash;
  }

  /**
   * Before a row is staged: loads the basis's frontier at its tail (for its first row). Where
   * readyFor would refuse, this throws a plain error, not a refusal: staging stops, and the bulk
   * writer takes the plain path, which answers what is wrong (or, if another process appended
   * since the basis was taken, simply appends).
   */
  readyToStage(basis: { readonly tail: { readonly position: number }; tree?: TreeFrontier }): void {
    if (basis.tree !== undefined) return;
    try {
      basis.tree = this.frontierAt(basis.tail.position);
    } catch (error) {
      if (!(error instanceof LedgerFailure)) throw error;
      throw new Error(`cannot stage onto position ${basis.tail.position}: ${error.error.message}`);
    }
  }

  /** Hashes a staged row onto the basis's frontier (after readyToStage); the nodes it completes go to `nodes` (flat: level, index, hash). */
  staged(row: StoredEvent, basis: { tree?: TreeFrontier }, nodes: unknown[]): void {
    const tree = basis.tree;
    if (tree === undefined || tree.size !== row.position - 1)
      throw new Error(`the staging basis's tree is not at position ${row.position - 1}: bug`);
    tree.push(leafHashOfEvent(row), (level, index, hash) => nodes.push(level, index, hash));
  }

  /** The write transaction ended: after a rollback the frontier may hold leaves that are not in the file. */
  settled(committed: boolean): void {
    if (!committed) this.frontier = undefined;
  }

  /** The frontier at `size` leaves from the stored tree, which must end exactly there (its next nodes not stored yet). */
  private frontierAt(size: number): TreeFrontier {
    const stored = size - (size % STORED_LEAVES);
    const covered = this.nodes.coveredLeaves();
    if (covered > stored || this.nodes.reachesPast(stored)) {
      // Its next leaves would complete nodes that are already there, over other events.
      throw new LedgerFailure({
        code: 'INTEGRITY',
        message: `The stored Merkle tree reaches past the log's last event (position ${size}): events were removed; run ledger verify`,
      });
    }
    const tree = covered === stored ? this.nodes.storedFrontier(size) : undefined;
    if (tree === undefined) {
      throw new LedgerFailure({
        code: 'INTEGRITY',
        message: `The stored Merkle tree has lost nodes below position ${size}, so nothing more can be recorded; run ledger verify`,
      });
    }
    return tree;
  }
}

/**
 * Builds the stored tree of the events already in the file, which has no stored node yet (the
 * migration to the schema with the tree). Streams the log a page at a time: memory stays
 * bounded however long it is. Runs inside the migration's transaction.
 */
export function buildStoredTree(db: Database.Database): void {
  const nodes = new TreeNodes(db);
  const tree = TreeFrontier.empty();
  nodes.forEachLeaf(0, nodes.eventCount(), (hash) => tree.push(hash, nodes.store));
}
