/**
 * The ledger's signed history: sealing its head, listing its seals, and proving an event or
 * the consistency of two seals from the stored tree. The Ledger delegates to this.
 *
 * Invariants:
 * - A seal signs the root of the first treeSize events as the file holds them, after checking
 *   the events since the last stored seal: that seal still holds and still signs the events up
 *   to its size, and the events after it chain on and give the stored tree's nodes. So a seal
 *   never signs over a break, and sealing costs the events since the last seal, not the log.
 * - Sealing a head this key has sealed already answers the stored seal (no second signature).
 *   A seal is stored outside the log: sealing never grows the tree.
 * - A proof is built from the stored tree (O(log n) reads) for the latest seal's tree, then held
 *   to the very check `ledger verify --proof` makes (signing/proof-file-verify.ts) before it is
 *   answered: a ledger whose events or tree no longer match its seal gives INTEGRITY, not a
 *   proof that would not hold.
 */
import { fail, LedgerFailure, succeed, type Result } from '#shared/errors';
import { eventLine } from '../export/export-format';
import { fingerprintOf, type SigningKey } from '../signing/keys';
import {
  MAX_PROOF_BYTES,
  consistencyProofFile,
  inclusionProofFile,
  proofFileText,
  type ConsistencyProofFile,
  type InclusionProofFile,
  type ProofFile,
} from '../signing/proof-file';
import { verifyProofFile } from '../signing/proof-file-verify';
import { consistencyProof, inclusionProof } from '../signing/proofs';
import { sealTreeHead, verifySeal, type Seal } from '../signing/seal';
import type { EventStore, StoredEvent } from '../store/event-store';
import { GENESIS_HASH, checkChainLink } from '../store/hash-chain';
import { toBuffer, toHex, type BinaryHash } from './binary-hash';
import { SealStore } from './seal-store';
import { TreeCheck } from './tree-check';
import { STORED_LEAVES } from './tree-frontier';
import type { TreeNodes } from './tree-nodes';

/** Events read per page while sealing. */
const PAGE = 5_000;

export class SignedHistory {
  readonly seals: SealStore;
  private readonly nodes: TreeNodes;

  constructor(private readonly store: EventStore) {
    this.seals = new SealStore(store.db, store.path);
    this.nodes = store.tree.nodes;
  }

  /** The tree head now: its size (the last position) and root, from the stored tree. */
  head(): { treeSize: number; rootHash: string } {
    return this.read(() => {
      const treeSize = this.nodes.eventCount();
      return { treeSize, rootHash: toHex(this.nodes.computedFrontier(treeSize).root()) };
    });
  }

  /**
   * Seals the head with `key` (see the invariants); answers the stored seal. INTEGRITY when the
   * events since the last seal do not hold. The caller refuses a read-only ledger first.
   */
  seal(key: SigningKey, now: Date = new Date()): Result<Seal> {
    try {
      // Checked and hashed on one snapshot, without the write lock: the first seal of a large
      // ledger reads it all, and other writers go on meanwhile. A head sealed at its size stays
      // a head of this log whatever is appended after.
      const made = this.read(() => {
        const treeSize = this.nodes.eventCount();
        const sealed = this.seals.atSize(treeSize).find((seal) => seal.publicKey === key.publicKey);
        return sealed ?? sealTreeHead(treeSize, toHex(this.verifiedRoot(treeSize)), key, now);
      });
      return succeed(this.store.writeTransaction(() => this.seals.store(made)));
    } catch (error) {
      if (error instanceof LedgerFailure) return { ok: false, error: error.error };
      throw error;
    }
  }

  /** Every stored seal, in the order stored. */
  list(): Result<Seal[]> {
    return this.answer(() => succeed(this.seals.list().map((stored) => stored.seal)));
  }

  /** The seal of the largest tree size, or null when the ledger has none. */
  latest(): Result<Seal | null> {
    return this.answer(() => succeed(this.seals.latest() ?? null));
  }

  /** The inclusion proof of the event at `position` in the latest seal's tree. */
  inclusionProof(position: number): Result<InclusionProofFile> {
    return this.answer(() => {
      const seal = this.latestSeal(`prove the event at position ${position}`);
      const events = this.nodes.eventCount();
      if (seal.treeSize > events) throw this.cutOff(seal, events);
      if (!Number.isSafeInteger(position) || position < 1 || position > events) {
        return fail('NOT_FOUND', `There is no event at position ${position}: the log holds positions 1 to ${events}`);
      }
      if (position > seal.treeSize) {
        return fail(
          'NOT_FOUND',
          `No seal covers position ${position} yet: the latest seal is of ${seal.treeSize} events. Seal the ledger first (ledger seal)`,
        );
      }
      const [row] = this.store.readPositions([position]);
      if (row?.position !== position) throw missing(position, 'no proof was made');
      const path = inclusionProof(position - 1, seal.treeSize, this.readNode);
      if (!path.ok) return path;
      return this.holding(inclusionProofFile(lineOf(row), position - 1, path.value, seal));
    });
  }

  /** The consistency proof from the seal of `fromSize` events to the latest seal. */
  consistencyProof(fromSize: number): Result<ConsistencyProofFile> {
    return this.answer(() => {
      const to = this.latestSeal(`prove its consistency from ${fromSize} events`);
      const events = this.nodes.eventCount();
      if (to.treeSize > events) throw this.cutOff(to, events);
      const candidates = this.seals.atSize(fromSize);
      const from = candidates.find((seal) => seal.publicKey === to.publicKey) ?? candidates[0];
      if (from === undefined) {
        return fail('NOT_FOUND', `The ledger holds no seal of ${fromSize} events; ledger seals lists the sizes it has sealed`);
      }
      const path = consistencyProof(from.treeSize, to.treeSize, this.readNode);
      if (!path.ok) return path;
      return this.holding(consistencyProofFile(from, to, path.value));
    });
  }

  /** The stored root of the perfect subtree (level, index), as proofs.ts reads nodes. */
  private readonly readNode = (level: number, index: number): Buffer => toBuffer(this.nodes.subtreeRoot(level, index));

  private latestSeal(purpose: string): Seal {
    const seal = this.seals.latest();
    if (seal === undefined) {
      throw new LedgerFailure({
        code: 'NOT_FOUND',
        message: `The ledger ${this.store.path} has no seal yet, so nothing can ${purpose}. Seal it first (ledger seal)`,
      });
    }
    return seal;
  }

  /** A seal of more events than the log holds: the log lost events it had when sealed. */
  private cutOff(seal: Seal, events: number): LedgerFailure {
    return new LedgerFailure({
      code: 'INTEGRITY',
      message: `The ledger ${this.store.path} holds a seal of ${seal.treeSize} events (key ${fingerprintOf(seal.publicKey)}) but its log ends at position ${events}: events were cut off. Run ledger verify; no proof was made`,
    });
  }

  /** The proof, once it passes the offline verifier; INTEGRITY naming the seal when it does not. */
  private holding<T extends ProofFile>(proof: T): Result<T> {
    const bytes = Buffer.byteLength(proofFileText(proof));
    if (bytes > MAX_PROOF_BYTES) {
      return fail(
        'VALIDATION',
        `The proof would take ${bytes} bytes, more than a proof file may (${MAX_PROOF_BYTES}): the event's line is too long`,
      );
    }
    const verdict = verifyProofFile(proof);
    if (verdict.ok) return succeed(proof);
    const seal = proof.kind === 'inclusion' ? proof.seal : proof.toSeal;
    return fail(
      'INTEGRITY',
      `The ledger ${this.store.path} no longer matches its seal of ${seal.treeSize} events (key ${fingerprintOf(seal.publicKey)}): ${verdict.error.message} Run ledger verify; no proof was made`,
    );
  }

  /**
   * The root of the first `treeSize` events, after checking the events since the last seal
   * (see the invariants). Throws INTEGRITY naming what does not hold.
   */
  private verifiedRoot(treeSize: number): BinaryHash {
    const previous = this.seals.latest();
    if (previous !== undefined && previous.treeSize > treeSize) {
      throw integrity(
        `it holds a seal of ${previous.treeSize} events (key ${fingerprintOf(previous.publicKey)}) but its log ends at position ${treeSize}: events were cut off`,
      );
    }
    let check: TreeCheck;
    let previousHash = GENESIS_HASH;
    if (previous === undefined || previous.treeSize === 0) {
      check = new TreeCheck(this.store.db);
    } else {
      const signature = verifySeal(previous);
      if (!signature.ok) throw integrity(`its latest seal does not hold: ${signature.error.message}`);
      // The sealed events' last chunk is hashed again, so the event the chain goes on from is
      // bound by the seal itself, not only by the stored node over it.
      const sealed = previous.treeSize;
      const chunk = sealed - 1 - ((sealed - 1) % STORED_LEAVES);
      const frontier = this.nodes.storedFrontier(chunk);
      if (frontier === undefined) throw integrity(`its stored Merkle tree has lost nodes below position ${chunk}`);
      check = new TreeCheck(this.store.db, { from: frontier });
      this.eachEvent(chunk + 1, sealed, (row) => {
        check.add(row);
        previousHash = row.hash;
      });
      if (toHex(check.root()) !== previous.rootHash) {
        throw integrity(
          `its first ${sealed} events no longer match the seal key ${fingerprintOf(previous.publicKey)} signed for them: the log or its tree was rewritten`,
        );
      }
    }
    this.eachEvent(check.size + 1, treeSize, (row) => {
      const broken = checkChainLink(row, check.size + 1, previousHash);
      if (broken) throw integrity(`the hash chain is broken at position ${broken.position}: ${broken.reason}`);
      check.add(row);
      previousHash = row.hash;
    });
    const problem = check.finish(treeSize);
    if (problem !== undefined) throw integrity(problem.reason);
    return check.root();
  }

  /** Calls `each` with the events at positions [from, to], in order, a page at a time. */
  private eachEvent(from: number, to: number, each: (row: StoredEvent) => void): void {
    for (let position = from; position <= to;) {
      const rows = this.store.readAll({ fromPosition: position, limit: Math.min(PAGE, to - position + 1) });
      if (rows.length === 0) throw missing(position, 'nothing was sealed');
      for (const row of rows) {
        if (row.position !== position) throw missing(position, 'nothing was sealed');
        each(row);
        position += 1;
      }
    }
  }

  /** Runs `work` on one read snapshot of the file. */
  private read<T>(work: () => T): T {
    if (this.store.db.inTransaction) return work();
    return this.store.db.transaction(work)();
  }

  private answer<T>(work: () => Result<T>): Result<T> {
    try {
      return this.read(work);
    } catch (error) {
      if (error instanceof LedgerFailure) return { ok: false, error: error.error };
      throw error;
    }
  }
}

/** The event's export line without its line feed: its leaf's bytes. */
function lineOf(row: StoredEvent): string {
  return eventLine(row).slice(0, -1);
}

function integrity(why: string): LedgerFailure {
  return new LedgerFailure({ code: 'INTEGRITY', message: `The ledger cannot be sealed: ${why}. Run ledger verify; nothing was sealed` });
}

function missing(position: number, outcome: string): LedgerFailure {
  return new LedgerFailure({
    code: 'INTEGRITY',
    message: `The log has no event at position ${position}: events were removed or moved. Run ledger verify; ${outcome}`,
  });
}
