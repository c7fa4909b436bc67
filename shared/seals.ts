/**
 * What the audit screen shows of the ledger's signed history (docs/signing.md): its latest
 * seal, sealing now, the verdict on a file an auditor checks (an export or a proof), and a
 * saved inclusion proof. Pure shapes and the one request schema the contract needs.
 *
 * The private key never appears here: only public keys (base64 of the raw 32 bytes) and their
 * fingerprints ("SHA256:" + base64 without padding of the key's SHA-256).
 */
import { z } from 'zod';

/** A seal as a screen shows it: the signed tree head and its signer's fingerprint. */
export type SealView = {
  readonly treeSize: number;
  readonly rootHash: string;
  /** The signer's clock, UTC with milliseconds. */
  readonly signedAt: string;
  readonly publicKey: string;
  readonly fingerprint: string;
};

/** The signing key of the window asking (the app's, or the preview host's): its public half only. */
export type HostKeyView = { readonly publicKey: string; readonly fingerprint: string };

/** The latestSeal channel's answer. */
export type SealStatus = {
  /** The seal of the largest tree the ledger holds, by any key; null when it has none. */
  readonly seal: SealView | null;
  /** The ledger's last position now: events after the seal's size are not sealed yet. */
  readonly lastPosition: number;
  /** This window's key, once it has one (it is made by the first seal); null before. */
  readonly key: HostKeyView | null;
  /** Why this window cannot seal (no place to keep a key safely), in plain words. */
  readonly unavailable?: string;
  /** How the key is kept, when that is weaker than the system's key store, in plain words. */
  readonly keyWarning?: string;
};

/** One check a verification makes, in plain words; passed is null when it was not made. */
export type VerdictCheck = { readonly what: string; readonly passed: boolean | null };

/** The verifyFile channel's answer: what the file is, whether it holds, and why not. */
export type FileVerdict = {
  readonly path: string;
  readonly kind: 'export' | 'inclusion-proof' | 'consistency-proof';
  /** True when every check made passed (with no key given, that proves only self-agreement: see keyChecked). */
  readonly verified: boolean;
  /** One sentence saying what the file is and whether it holds. */
  readonly headline: string;
  readonly checks: readonly VerdictCheck[];
  /** Why it does not hold, when it does not. */
  readonly reason?: string;
  /** The fingerprint of the key that signed it (the newer seal's, for a consistency proof), when known. */
  readonly fingerprint?: string;
  /** Whether the signer was held to a key the person gave, not only to the key the file names. */
  readonly keyChecked: boolean;
  /** Whether the signer is this window's own key. */
  readonly signedByThisKey: boolean;
  /** What the verdict does not prove, when that matters most. */
  readonly caution?: string;
};

/** The saveInclusionProof channel's answer. */
export type ProofSaved = {
  readonly path: string;
  readonly position: number;
  /** The size of the sealed tree the proof places the event in. */
  readonly treeSize: number;
  readonly fingerprint: string;
  readonly bytes: number;
  /** Whether the head was sealed for this proof (no seal covered the event yet). */
  readonly sealedNow: boolean;
};

/**
 * A public key as a person pastes it: the canonical base64 of 32 bytes, 44 characters ending
 * in "=" whose last digit carries no stray bits (so one key has one text).
 */
export const publicKeyTextSchema = z
  .string()
  .max(200)
  .regex(
    /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/,
    'A public key is the base64 of its 32 bytes: 44 characters ending in “=”, as the key holder’s app or `ledger key` shows it',
  );
