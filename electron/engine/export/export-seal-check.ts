/**
 * The seals of an export (manifest version 2), checked against the tree the verifier computed
 * from the file's own event lines.
 *
 * Invariants:
 * - The export's seal must cover exactly the file's events, sign the root of exactly those
 *   lines, be one of the carried seals, and verify; with an expected key it must be that key's.
 * - Every carried seal must be no larger than the file, sign the root of the file's first
 *   treeSize lines, verify under its own key, and be the only one of its size by its key
 *   (a ledger stores one per size and key).
 * - The export's seal is judged before the others, so the first reason names the main claim.
 * - Without an expected key the verdict names the signer; it proves only that the file agrees
 *   with itself and with whoever holds that key.
 */
import { fingerprintOf } from '../signing/keys';
import { verifySeal, type Seal } from '../signing/seal';
import { sealText } from '../history/seal-store';
import type { ExportManifest } from './export-format';

/** Who signed the export, for the auditor to compare with the key received out of band. */
export type ExportSealFacts = {
  readonly fingerprint: string;
  readonly publicKey: string;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly signedAt: string;
};

export type SealProblem = {
  /** Why, naming the keys' fingerprints (found and expected) where a key is at issue. */
  readonly reason: string;
  readonly details: {
    readonly reason: 'unsealed' | 'wrong-key' | 'bad-signature' | 'root-mismatch' | 'wrong-size' | 'not-carried' | 'duplicate-seal';
    readonly fingerprint?: string;
    readonly expectedFingerprint?: string;
    readonly treeSize?: number;
  };
};

export type SealVerdict = {
  /** The export's seal, when it has one that holds. */
  readonly seal: ExportSealFacts | null;
  /** Whether the export's seal was checked against an expected key (not merely the one it names). */
  readonly keyChecked: boolean;
  /** The first problem, if any. */
  readonly problem?: SealProblem;
  /** The carried seals that hold, in the manifest's order (what a restore told to ignore a bad seal keeps). */
  readonly sealsThatHold: readonly Seal[];
};

/** The tree sizes whose roots the seals need (the verifier computes those while streaming). */
export function sealedSizes(manifest: ExportManifest | undefined): number[] {
  if (!manifest) return [];
  return [...(manifest.seal ? [manifest.seal.treeSize] : []), ...(manifest.seals ?? []).map((seal) => seal.treeSize)];
}

/**
 * @param rootAt the root of the file's first `size` event lines (hex), for every sealed size
 *   up to the file's event count; undefined for sizes beyond it
 */
export function checkExportSeals(
  manifest: ExportManifest,
  events: number,
  rootAt: (size: number) => string | undefined,
  expectedPublicKey?: string,
): SealVerdict {
  const expected = expectedPublicKey === undefined ? undefined : fingerprintOf(expectedPublicKey);
  const carried = manifest.seals ?? [];
  const sealsThatHold = carried.filter((seal) => sealProblem(seal, events, rootAt, 'a seal the export carries') === undefined);
  const unique = new Set<string>();
  let carriedProblem: SealProblem | undefined;
  for (const seal of carried) {
    const key = `${seal.treeSize} ${seal.publicKey}`;
    carriedProblem ??= unique.has(key)
      ? {
          reason: `the manifest carries two seals of ${seal.treeSize} events by key ${fingerprintOf(seal.publicKey)}; a ledger holds one`,
          details: { reason: 'duplicate-seal', fingerprint: fingerprintOf(seal.publicKey), treeSize: seal.treeSize },
        }
      : sealProblem(seal, events, rootAt, 'a seal the export carries');
    unique.add(key);
  }
  const head = manifest.seal;
  if (!head) {
    const problem: SealProblem | undefined = expected
      ? {
          reason: `the export carries no seal (it is a version 1 export, one written without a key, or a filtered one), so nothing in it was signed by the expected key ${expected}`,
          details: { reason: 'unsealed', expectedFingerprint: expected },
        }
      : carriedProblem;
    return { seal: null, keyChecked: false, sealsThatHold, ...(problem ? { problem } : {}) };
  }
  const facts: ExportSealFacts = {
    fingerprint: fingerprintOf(head.publicKey),
    publicKey: head.publicKey,
    treeSize: head.treeSize,
    rootHash: head.rootHash,
    signedAt: head.signedAt,
  };
  let problem: SealProblem | undefined;
  if (expectedPublicKey !== undefined && head.publicKey !== expectedPublicKey) {
    problem = {
      reason: `the export was sealed by key ${facts.fingerprint}, not by the expected key ${expected}`,
      details: { reason: 'wrong-key', fingerprint: facts.fingerprint, expectedFingerprint: expected, treeSize: head.treeSize },
    };
  } else if (head.treeSize !== events) {
    problem = {
      reason: `the export's seal (key ${facts.fingerprint}) covers ${head.treeSize} events but the file holds ${events}`,
      details: { reason: 'wrong-size', fingerprint: facts.fingerprint, treeSize: head.treeSize },
    };
  } else {
    problem = sealProblem(head, events, rootAt, "the export's seal", expected);
  }
  if (problem === undefined && !carried.some((seal) => sealText(seal) === sealText(head))) {
    problem = {
      reason: `the export's seal (key ${facts.fingerprint}) is not among the seals it carries from the ledger`,
      details: { reason: 'not-carried', fingerprint: facts.fingerprint, treeSize: head.treeSize },
    };
  }
  problem ??= carriedProblem;
  return {
    seal: problem === undefined ? facts : null,
    keyChecked: expectedPublicKey !== undefined,
    sealsThatHold,
    ...(problem ? { problem } : {}),
  };
}

/** Why `seal` does not hold over the file's lines, or undefined when it does. */
function sealProblem(
  seal: Seal,
  events: number,
  rootAt: (size: number) => string | undefined,
  which: string,
  expected?: string,
): SealProblem | undefined {
  const fingerprint = fingerprintOf(seal.publicKey);
  const withExpected = expected === undefined ? {} : { expectedFingerprint: expected };
  if (seal.treeSize > events) {
    return {
      reason: `${which} (key ${fingerprint}) covers ${seal.treeSize} events but the file holds only ${events}`,
      details: { reason: 'wrong-size', fingerprint, treeSize: seal.treeSize, ...withExpected },
    };
  }
  const root = rootAt(seal.treeSize);
  if (root !== seal.rootHash) {
    return {
      reason:
        `${which} (key ${fingerprint}, ${seal.treeSize} events) does not match the file's first ${seal.treeSize} event lines: ` +
        `it signed the root ${seal.rootHash}, the lines give ${root ?? 'another'}. Lines were changed, removed, reordered or inserted after it was signed`,
      details: { reason: 'root-mismatch', fingerprint, treeSize: seal.treeSize, ...withExpected },
    };
  }
  const verified = verifySeal(seal);
  if (!verified.ok) {
    return {
      reason: `${which} (${seal.treeSize} events) does not hold: its signature is not key ${fingerprint}'s signature of its tree head (its size, root or time was changed, or the signature was forged)${
        expected ? `; expected key ${expected}` : ''
      }`,
      details: { reason: 'bad-signature', fingerprint, treeSize: seal.treeSize, ...withExpected },
    };
  }
  return undefined;
}

/** What an export's answer says of its seal: who signed its events, or null when it carries none. */
export function sealSummaryOf(manifest: ExportManifest): {
  seal: { fingerprint: string; treeSize: number; signedAt: string } | null;
} {
  const seal = manifest.seal;
  return { seal: seal ? { fingerprint: fingerprintOf(seal.publicKey), treeSize: seal.treeSize, signedAt: seal.signedAt } : null };
}
