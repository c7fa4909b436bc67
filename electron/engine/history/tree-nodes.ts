/**
 * The Merkle tree as the ledger file keeps it: the table tree_nodes (schema.ts) holds the root
 * of every perfect subtree of at least STORED_LEAVES leaves that the log has completed, and
 * anything smaller is hashed from the events when asked for. So any subtree root is one
 * indexed read, or at most 2^STORED_LEVEL − 1 events read and hashed, and a proof over a
 * million events reads some forty rows.
 *
 * Leaf i is the line of the event at position i + 1, exactly as the JSON Lines export writes it.
 */
import type Database from 'better-sqlite3';
import { LedgerFailure } from '#shared/errors';
import { EVENT_LINE_COLUMNS, eventLineOf, type EventLineColumns } from '../export/export-format';
import { rangeNodes } from '../signing/tree-math';
import { fromBuffer, leafHashOfLine, nodeHashOf, type BinaryHash } from './binary-hash';
import { STORED_LEAVES, STORED_LEVEL, TreeFrontier, type NodeSink } from './tree-frontier';

/** The INSERT of one node, positional (level, node_index, hash as 32 bytes); the bulk writer's thread runs it too. */
export const INSERT_TREE_NODE_SQL = 'INSERT INTO tree_nodes (level, node_index, hash) VALUES (?, ?, ?)';

/** Events read per page when leaves are hashed in bulk. */
const PAGE_EVENTS = 2_000;

export class TreeNodes {
  private readonly statements: ReturnType<typeof prepare>;

  constructor(readonly db: Database.Database) {
    this.statements = prepare(db);
  }

  /** A stored node's hash, or undefined when it is not stored. */
  storedNode(level: number, index: number): BinaryHash | undefined {
    const bytes = this.statements.node.get(level, index) as Buffer | undefined;
    return bytes === undefined ? undefined : fromBuffer(bytes);
  }

  /** The stored nodes of one level with indexes from `first` to `last`, by index. */
  storedRange(level: number, first: number, last: number): Map<number, BinaryHash> {
    const nodes = new Map<number, BinaryHash>();
    for (const [index, bytes] of this.statements.range.all(level, first, last) as Array<[number, Buffer]>)
      nodes.set(index, fromBuffer(bytes));
    return nodes;
  }

  insertNode(level: number, index: number, hash: BinaryHash): void {
    this.statements.insert.run(level, index, Buffer.from(hash, 'latin1'));
  }

  /** Sink that stores each node it is given (which must not be stored yet: see reachesPast). */
  readonly store: NodeSink = (level, index, hash) => this.insertNode(level, index, hash);

  /** Whether a stored node covers any leaf at or past `leaves` (a tree over events that are gone). */
  reachesPast(leaves: number): boolean {
    for (let level = STORED_LEVEL; level <= 52; level++) {
      const last = this.statements.lastNode.get(level) as number | null;
      if (last !== null && (last + 1) * 2 ** level > leaves) return true;
    }
    return false;
  }

  /**
   * The leaves whose stored subtrees are all there: nodes are written in leaf order, each
   * with its larger parents in the same transaction, so the last stored node of the lowest
   * stored level tells how far the stored tree reaches.
   */
  coveredLeaves(): number {
    const last = this.statements.lastFloorNode.get() as number | null;
    return last === null ? 0 : (last + 1) * STORED_LEAVES;
  }

  /** The number of events (positions are gap-free from 1: the last one). */
  eventCount(): number {
    return (this.statements.lastPosition.get() as number | null) ?? 0;
  }

  /**
   * Calls `each` with the leaf hashes of leaves [from, to), in order, a page of events at a
   * time (bounded memory however many). Throws INTEGRITY where the log has no event for a leaf.
   */
  forEachLeaf(from: number, to: number, each: (hash: BinaryHash, leaf: number) => void): void {
    for (let leaf = from; leaf < to;) {
      const rows = this.statements.events.all(leaf, Math.min(PAGE_EVENTS, to - leaf)) as EventLineColumns[];
      for (const row of rows) {
        if (row[0] !== leaf + 1) throw missingEvent(leaf + 1);
        each(leafHashOfLine(eventLineOf(row).slice(0, -1)), leaf);
        leaf += 1;
      }
      if (rows.length === 0) throw missingEvent(leaf + 1);
    }
  }

  /**
   * The frontier of the tree of `size` leaves from the stored nodes, the last size mod 16
   * leaves hashed from their events; undefined when a stored node it needs is missing.
   */
  storedFrontier(size: number): TreeFrontier | undefined {
    const stored = size - (size % STORED_LEAVES);
    const roots: BinaryHash[] = [];
    for (const { level, index } of rangeNodes(0, stored)) {
      const hash = this.storedNode(level, index);
      if (hash === undefined) return undefined;
      roots.push(hash);
    }
    const frontier = TreeFrontier.of(stored, roots);
    this.forEachLeaf(stored, size, (hash) => frontier.push(hash));
    return frontier;
  }

  /**
   * The root of the perfect subtree (level, index), which the log must hold whole: stored, or
   * computed from its children (down to the events) where it is not stored — a file written
   * before the tree, opened read-only, or a stored tree still being built.
   */
  subtreeRoot(level: number, index: number): BinaryHash {
    if (level >= STORED_LEVEL) {
      const stored = this.storedNode(level, index);
      if (stored !== undefined) return stored;
    }
    if (level <= STORED_LEVEL) {
      // At most 16 leaves: hashed from their events and folded.
      const frontier = TreeFrontier.empty();
      const first = index * 2 ** level;
      this.forEachLeaf(first, first + 2 ** level, (hash) => frontier.push(hash));
      return frontier.root();
    }
    return nodeHashOf(this.subtreeRoot(level - 1, 2 * index), this.subtreeRoot(level - 1, 2 * index + 1));
  }

  /** The frontier of the tree of `size` leaves, computing whatever is not stored. */
  computedFrontier(size: number): TreeFrontier {
    return (
      this.storedFrontier(size) ??
      TreeFrontier.of(
        size,
        rangeNodes(0, size).map(({ level, index }) => this.subtreeRoot(level, index)),
      )
    );
  }
}

function missingEvent(position: number): LedgerFailure {
  return new LedgerFailure({
    code: 'INTEGRITY',
    message: `The log has no event at position ${position}, so its Merkle tree cannot be computed; run ledger verify`,
  });
}

function prepare(db: Database.Database) {
  return {
    node: db.prepare('SELECT hash FROM tree_nodes WHERE level = ? AND node_index = ?').pluck(),
    range: db.prepare('SELECT node_index, hash FROM tree_nodes WHERE level = ? AND node_index BETWEEN ? AND ?').raw(),
    insert: db.prepare(INSERT_TREE_NODE_SQL),
    lastNode: db.prepare('SELECT max(node_index) FROM tree_nodes WHERE level = ?').pluck(),
    lastFloorNode: db.prepare(`SELECT max(node_index) FROM tree_nodes WHERE level = ${STORED_LEVEL}`).pluck(),
    lastPosition: db.prepare('SELECT max(position) FROM events').pluck(),
    events: db.prepare(`SELECT ${EVENT_LINE_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`).raw(),
  };
}
