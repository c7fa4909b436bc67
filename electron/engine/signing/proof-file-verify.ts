/**
 * Verifying a parsed proof file offline: no ledger, only the file and (ideally) the public
 * key the auditor received out of band.
 *
 * Invariants:
 * - Inclusion: the event line is checked as the export verifier checks a line (the exporter's
 *   exact form, read by parseCanonicalEventLine or else parseEventLine, and its own hash
 *   recomputed), its position is leafIndex + 1 (positions start at 1, leaves at 0), then the
 *   seal's signature, then the audit path from the line's leaf hash to the sealed root.
 * - Consistency: both seals' signatures, then the path from the old root to the new.
 * - With an expected key every seal must carry it; without one, the answer names each
 *   signer's fingerprint, which proves nothing until someone compares it with a key they trust.
 * - The answer is a verdict or the first failure: INTEGRITY when the proof does not hold
 *   (details.reason: 'bad-event-line', 'wrong-position', those of seal.ts and
 *   proof-verify.ts), VALIDATION when a seal is malformed.
 */
import { fail, succeed, type Result } from '#shared/errors';
import { parseCanonicalEventLine, parseEventLine } from '../export/export-format';
import type { StoredEvent } from '../store/event-store';
import { hashEvent } from '../store/hash-chain';
import type { ConsistencyProofFile, InclusionProofFile, ProofFile } from './proof-file';
import { verifyConsistency, verifyInclusion } from './proof-verify';
import { verifySeal } from './seal';
import { leafHash } from './tree-hash';

export type InclusionVerdict = {
  readonly kind: 'inclusion';
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly position: number;
  readonly eventId: string;
  readonly rootHash: string;
  readonly signedAt: string;
  /** The fingerprint of the key that signed the seal. */
  readonly fingerprint: string;
  /** Whether that key was the one expected, or merely the one the file names. */
  readonly keyChecked: boolean;
};

export type ConsistencyVerdict = {
  readonly kind: 'consistency';
  readonly fromSize: number;
  readonly toSize: number;
  readonly fromRootHash: string;
  readonly toRootHash: string;
  readonly fromSignedAt: string;
  readonly toSignedAt: string;
  /** The fingerprints of the keys that signed the older and the newer seal. */
  readonly fingerprints: readonly [string, string];
  readonly keyChecked: boolean;
};

export type ProofVerdict = InclusionVerdict | ConsistencyVerdict;

/** Lone UTF-16 surrogates: such a string has no UTF-8 form, so its leaf bytes would not be the line's. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function badLine(why: string) {
  return fail('INTEGRITY', `The proof's event line is not a line of an export: ${why}.`, { reason: 'bad-event-line' });
}

/** The event of a proof's line, checked as strictly as an export line, at leaf `leafIndex`. */
export function checkProofEventLine(line: string, leafIndex: number): Result<StoredEvent> {
  if (/[\n\r]/.test(line)) return badLine('it holds a line break');
  if (LONE_SURROGATE.test(line)) return badLine('it holds text that has no UTF-8 form');
  let row = parseCanonicalEventLine(line);
  if (!row) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return badLine('it is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return badLine('it is not a JSON object');
    row = parseEventLine(line, parsed as Record<string, unknown>);
    if (!row) return badLine('it is not an event in the export format');
  }
  if (hashEvent(row.previousHash, row) !== row.hash)
    return badLine(`the stored hash of the event at position ${row.position} does not match its content`);
  if (row.position !== leafIndex + 1) {
    return fail(
      'INTEGRITY',
      `The proof's event is at position ${row.position}, but leaf ${leafIndex} is the event at position ${leafIndex + 1}.`,
      {
        reason: 'wrong-position',
        position: row.position,
        leafIndex,
      },
    );
  }
  return succeed(row);
}

/** Whether the proof holds, with `expectedPublicKey` (keys.ts text) or naming its signers without one. */
export function verifyProofFile(file: ProofFile, expectedPublicKey?: string): Result<ProofVerdict> {
  return file.kind === 'inclusion' ? verifyInclusionFile(file, expectedPublicKey) : verifyConsistencyFile(file, expectedPublicKey);
}

const fromHex = (hashes: readonly string[]) => hashes.map((hash) => Buffer.from(hash, 'hex'));

function verifyInclusionFile(file: InclusionProofFile, expectedPublicKey: string | undefined): Result<InclusionVerdict> {
  const row = checkProofEventLine(file.eventLine, file.leafIndex);
  if (!row.ok) return row;
  const seal = verifySeal(file.seal, expectedPublicKey);
  if (!seal.ok) return seal;
  if (file.treeSize !== file.seal.treeSize) {
    return fail('INTEGRITY', `The proof names a tree of ${file.treeSize} events but its seal signs ${file.seal.treeSize}.`, {
      reason: 'impossible-sizes',
    });
  }
  const leaf = leafHash(Buffer.from(file.eventLine, 'utf8'));
  const included = verifyInclusion(file.leafIndex, file.treeSize, leaf, fromHex(file.auditPath), Buffer.from(file.seal.rootHash, 'hex'));
  if (!included.ok) {
    return fail(
      'INTEGRITY',
      `${included.error.message} The event at position ${row.value.position} is not proved to be in the ledger that key ${seal.value.fingerprint} sealed.`,
      included.error.details,
    );
  }
  return succeed({
    kind: 'inclusion',
    leafIndex: file.leafIndex,
    treeSize: file.treeSize,
    position: row.value.position,
    eventId: row.value.eventId,
    rootHash: file.seal.rootHash,
    signedAt: file.seal.signedAt,
    fingerprint: seal.value.fingerprint,
    keyChecked: expectedPublicKey !== undefined,
  });
}

function verifyConsistencyFile(file: ConsistencyProofFile, expectedPublicKey: string | undefined): Result<ConsistencyVerdict> {
  const older = verifySeal(file.fromSeal, expectedPublicKey);
  if (!older.ok) return older;
  const newer = verifySeal(file.toSeal, expectedPublicKey);
  if (!newer.ok) return newer;
  const [from, to] = [file.fromSeal, file.toSeal];
  const consistent = verifyConsistency(
    from.treeSize,
    to.treeSize,
    Buffer.from(from.rootHash, 'hex'),
    Buffer.from(to.rootHash, 'hex'),
    fromHex(file.consistencyPath),
  );
  if (!consistent.ok) {
    return fail(
      'INTEGRITY',
      `${consistent.error.message} The ledger sealed at ${to.treeSize} events is not proved to extend the one sealed at ${from.treeSize}.`,
      consistent.error.details,
    );
  }
  return succeed({
    kind: 'consistency',
    fromSize: from.treeSize,
    toSize: to.treeSize,
    fromRootHash: from.rootHash,
    toRootHash: to.rootHash,
    fromSignedAt: from.signedAt,
    toSignedAt: to.signedAt,
    fingerprints: [older.value.fingerprint, newer.value.fingerprint],
    keyChecked: expectedPublicKey !== undefined,
  });
}
