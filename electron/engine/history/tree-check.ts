/**
 * The stored Merkle tree and the seals held against the events, during a walk of the chain
 * (a whole walk in store/verify.ts; the events since the last seal when sealing, see
 * signed-history.ts): every event is hashed as a leaf again, every subtree the walk completes
 * is compared with the node stored for it, the stored tree must not reach past the log, and
 * every stored seal must hold and sign the root the events give at its size. So a node edited
 * in the file, a tree left over a log that was cut or rewritten, or a log rewritten with its
 * tree under seals it no longer matches, is found.
 *
 * Problems are kept, not returned at once: the walk reports a broken chain, a missing event or
 * a rolled-back checkpoint first, as it always has, and these only when the chain itself holds.
 */
import type Database from 'better-sqlite3';
import { LedgerFailure } from '#shared/errors';
import { fingerprintOf } from '../signing/keys';
import { verifySeal, type Seal } from '../signing/seal';
import type { ChainRow } from '../store/hash-chain';
import { isDamage } from '../store/storage-errors';
import { leafHashOfEvent, toHex, type BinaryHash } from './binary-hash';
import { SealStore } from './seal-store';
import { STORED_LEAVES, TreeFrontier } from './tree-frontier';
import { TreeNodes } from './tree-nodes';

export type TreeProblem = { readonly firstBadPosition: number; readonly reason: string };

export type TreeCheckOptions = {
  /** The tree the walk continues (its size is the number of events before the walk's first); empty by default. */
  readonly from?: TreeFrontier;
  /** Hold the stored seals against the roots the walk passes (whole walks). */
  readonly seals?: { readonly ledgerPath: string };
};

export class TreeCheck {
  private readonly nodes: TreeNodes;
  private readonly frontier: TreeFrontier;
  /** Leaves the stored tree covers (see TreeNodes.coveredLeaves). */
  private readonly covered: number;
  private problem: TreeProblem | undefined;
  private readonly seals: readonly Seal[];
  /** The tree sizes the seals sign. */
  private readonly sealedSizes: ReadonlySet<number>;
  /** Roots at the sealed sizes, as the walk passes them. */
  private readonly roots = new Map<number, BinaryHash>();

  constructor(db: Database.Database, options: TreeCheckOptions = {}) {
    this.nodes = new TreeNodes(db);
    this.frontier = options.from ?? TreeFrontier.empty();
    this.covered = this.readingTree(0, () => this.nodes.coveredLeaves()) ?? 0;
    this.seals = options.seals === undefined ? [] : (this.readSeals(db, options.seals.ledgerPath) ?? []);
    this.sealedSizes = new Set(this.seals.map((seal) => seal.treeSize));
    this.noteRoot();
  }

  /** Events the tree holds so far. */
  get size(): number {
    return this.frontier.size;
  }

  root(): BinaryHash {
    return this.frontier.root();
  }

  /** The next event of the walk, already found in its place in the chain. */
  add(row: ChainRow): void {
    this.frontier.push(leafHashOfEvent(row), this.collect);
    if (this.sealedSizes.size > 0) this.noteRoot();
  }

  /** The first problem found, with the stored tree's reach and the seals checked against the log's `events`. */
  finish(events: number): TreeProblem | undefined {
    this.flush();
    if (this.problem !== undefined) return this.problem;
    if (this.covered > events - (events % STORED_LEAVES)) {
      return {
        firstBadPosition: events + 1,
        reason: `the stored Merkle tree covers ${this.covered} events but the log ends at position ${events}: events were cut off`,
      };
    }
    for (const seal of this.seals) {
      const problem = sealProblem(seal, events, this.roots.get(seal.treeSize));
      if (problem !== undefined) return problem;
    }
    return undefined;
  }

  private noteRoot(): void {
    const size = this.frontier.size;
    if (this.sealedSizes.has(size)) this.roots.set(size, this.frontier.root());
  }

  private readSeals(db: Database.Database, ledgerPath: string): Seal[] | undefined {
    try {
      return this.readingTree(0, () => new SealStore(db, ledgerPath).list().map((stored) => stored.seal));
    } catch (error) {
      if (!(error instanceof LedgerFailure)) throw error;
      this.problem ??= { firstBadPosition: 0, reason: lowerFirst(error.error.message) };
      return undefined;
    }
  }

  /**
   * Runs a read of the stored tree or seals; damage SQLite meets there is this walk's problem
   * (at `position`, 0 standing for the file where no event is concerned), not an exception.
   */
  private readingTree<T>(position: number, read: () => T, onDamage?: () => void): T | undefined {
    try {
      return read();
    } catch (error) {
      if (!isDamage(error)) throw error;
      this.problem ??= {
        firstBadPosition: position,
        reason:
          'the ledger file is damaged in its stored Merkle tree or seals (its pages do not form a whole SQLite database); restore it from a backup or an export',
      };
      onDamage?.();
      return undefined;
    }
  }

  /** Completed nodes waiting to be compared, flat: level, index, hash, … */
  private pending: Array<number | BinaryHash> = [];

  private readonly collect = (level: number, index: number, hash: BinaryHash): void => {
    this.pending.push(level, index, hash);
    if (this.pending.length >= COMPARE_BATCH * 3) this.flush();
  };

  /**
   * Compares the pending nodes with the stored ones, one range read per level: they were
   * completed in leaf order, so each level's are consecutive.
   */
  private flush(): void {
    const pending = this.pending;
    this.pending = [];
    if (this.problem !== undefined || pending.length === 0) return;
    const byLevel = new Map<number, Array<{ index: number; hash: BinaryHash }>>();
    for (let at = 0; at < pending.length; at += 3) {
      const level = pending[at] as number;
      let nodes = byLevel.get(level);
      if (nodes === undefined) byLevel.set(level, (nodes = []));
      nodes.push({ index: pending[at + 1] as number, hash: pending[at + 2] as BinaryHash });
    }
    // Levels from the lowest: the first problem named is the one over the earliest events.
    for (const level of [...byLevel.keys()].sort((a, b) => a - b)) {
      const nodes = byLevel.get(level)!;
      const first = nodes[0]!.index;
      const position = first * 2 ** level + 1;
      const stored = this.readingTree(position, () => this.nodes.storedRange(level, first, nodes[nodes.length - 1]!.index));
      if (stored === undefined) return;
      for (const { index, hash } of nodes) {
        const found = stored.get(index);
        if (found !== hash) {
          this.problem = problemAt(level, index, found === undefined);
          return;
        }
      }
    }
  }
}

/** Nodes compared per range read. */
const COMPARE_BATCH = 1_024;

function problemAt(level: number, index: number, lost: boolean): TreeProblem {
  const first = index * 2 ** level + 1;
  const last = (index + 1) * 2 ** level;
  return lost
    ? { firstBadPosition: first, reason: `the stored Merkle tree has lost its node over positions ${first}–${last}` }
    : {
        firstBadPosition: first,
        reason: `the stored Merkle tree node over positions ${first}–${last} does not match those events: the tree was edited`,
      };
}

/** Why a stored seal does not stand on a log of `events` events whose root at its size is `root`, if it does not. */
export function sealProblem(seal: Seal, events: number, root: BinaryHash | undefined): TreeProblem | undefined {
  const fingerprint = fingerprintOf(seal.publicKey);
  if (seal.treeSize > events) {
    return {
      firstBadPosition: events + 1,
      reason: `the ledger holds a seal of ${seal.treeSize} events (key ${fingerprint}) but its log ends at position ${events}: events were cut off`,
    };
  }
  const signature = verifySeal(seal);
  if (!signature.ok)
    return { firstBadPosition: seal.treeSize, reason: `a stored seal does not hold: ${lowerFirst(signature.error.message)}` };
  if (root === undefined || toHex(root) !== seal.rootHash) {
    return {
      firstBadPosition: seal.treeSize,
      reason: `the first ${seal.treeSize} events do not match the seal key ${fingerprint} signed for them (its root differs): the log was rewritten`,
    };
  }
  return undefined;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
