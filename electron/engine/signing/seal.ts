/**
 * Seals: signed tree heads. A seal says "the signer's key saw the tree of treeSize leaves
 * with this root, at signedAt by its clock".
 *
 * The signed bytes (docs/signing.md), ASCII, each line ending in one line feed (0x0A):
 *
 *   event-ledger tree head v1
 *   treeSize <decimal, no sign, no leading zeros>
 *   rootHash <64 lowercase hex digits>
 *   signedAt <YYYY-MM-DDTHH:MM:SS.mmmZ>
 *
 * Invariants:
 * - The first line separates these signatures from any other use of the key; "v1" changes if
 *   the layout ever does. No field can hold a line feed or take two forms, so one seal has
 *   exactly one byte string and the signature covers every field but the key and itself.
 * - A seal's shape is checked (sealSchema) before its signature; verifySeal answers ok with the
 *   signer's fingerprint, or INTEGRITY with details.reason 'wrong-key' or 'bad-signature' and
 *   both fingerprints (found, expected) when a key was expected.
 */
import { z } from 'zod';
import { fail, succeed, type Result } from '#shared/errors';
import { fingerprintOf, isPublicKeyText, isSignatureText, signMessage, verifyMessage, type SigningKey } from './keys';
import { MAX_TREE_SIZE } from './tree-math';

export const SEAL_DOMAIN = 'event-ledger tree head v1';

/** A signed tree head, as stored, exported and printed (key order fixed). */
export type Seal = {
  readonly treeSize: number;
  /** The RFC 9162 root of the first treeSize leaves, lowercase hex. */
  readonly rootHash: string;
  /** ISO 8601 UTC with milliseconds, as Date.prototype.toISOString writes it. */
  readonly signedAt: string;
  /** The signer's public key (keys.ts encoding). */
  readonly publicKey: string;
  /** Ed25519 over sealedBytes(treeSize, rootHash, signedAt), base64. */
  readonly signature: string;
};

export type TreeHead = { readonly treeSize: number; readonly rootHash: string; readonly signedAt: string };

const ROOT_HASH = /^[0-9a-f]{64}$/;
const SIGNED_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A time exactly as toISOString writes it for a real instant (so 2025-02-30 is refused). */
export function isSignedAtText(text: string): boolean {
  if (!SIGNED_AT.test(text)) return false;
  const time = Date.parse(text);
  return Number.isFinite(time) && new Date(time).toISOString() === text;
}

/** The strict shape of a seal in any file: exactly these five keys, each in its one form. */
export const sealSchema = z.strictObject({
  treeSize: z.number().int().min(0).max(MAX_TREE_SIZE),
  rootHash: z.string().regex(ROOT_HASH, 'a root hash is 64 lowercase hex digits'),
  signedAt: z.string().refine(isSignedAtText, 'a seal time is UTC with milliseconds, as 2025-01-31T12:00:00.000Z'),
  publicKey: z.string().refine(isPublicKeyText, 'a public key is base64 of 32 bytes'),
  signature: z.string().refine(isSignatureText, 'a signature is base64 of 64 bytes'),
});

/** The exact bytes a seal's signature covers. */
export function sealedBytes(head: TreeHead): Buffer {
  if (!Number.isSafeInteger(head.treeSize) || head.treeSize < 0 || !ROOT_HASH.test(head.rootHash) || !isSignedAtText(head.signedAt)) {
    throw new RangeError('a tree head to seal has a whole size, a hex root and a toISOString time');
  }
  return Buffer.from(`${SEAL_DOMAIN}\ntreeSize ${head.treeSize}\nrootHash ${head.rootHash}\nsignedAt ${head.signedAt}\n`, 'ascii');
}

/** Signs the tree head (treeSize, rootHash) at `now`. */
export function sealTreeHead(treeSize: number, rootHash: Uint8Array | string, key: SigningKey, now: Date = new Date()): Seal {
  const head: TreeHead = {
    treeSize,
    rootHash: typeof rootHash === 'string' ? rootHash : Buffer.from(rootHash).toString('hex'),
    signedAt: now.toISOString(),
  };
  return { ...head, publicKey: key.publicKey, signature: signMessage(key, sealedBytes(head)) };
}

export type SealCheck = { readonly fingerprint: string };

/**
 * Whether the seal's signature holds, and under which key. With `expectedPublicKey` (our
 * text), the seal must carry that key and verify under it; a seal by any other key is
 * refused as 'wrong-key', naming both fingerprints.
 */
export function verifySeal(seal: Seal, expectedPublicKey?: string): Result<SealCheck> {
  const shape = sealSchema.safeParse(seal);
  if (!shape.success)
    return fail('VALIDATION', `The seal is malformed: ${shape.error.issues[0]?.message ?? 'its shape is wrong'}.`, {
      reason: 'malformed-seal',
    });
  const fingerprint = fingerprintOf(seal.publicKey);
  const expected = expectedPublicKey === undefined ? undefined : fingerprintOf(expectedPublicKey);
  const facts = { fingerprint, expectedFingerprint: expected ?? null, treeSize: seal.treeSize };
  if (expectedPublicKey !== undefined && seal.publicKey !== expectedPublicKey) {
    return fail('INTEGRITY', `The seal of ${seal.treeSize} events was signed by key ${fingerprint}, not by the expected key ${expected}.`, {
      reason: 'wrong-key',
      ...facts,
    });
  }
  if (!verifyMessage(seal.publicKey, sealedBytes(seal), seal.signature)) {
    return fail(
      'INTEGRITY',
      `The seal of ${seal.treeSize} events does not hold: its signature is not key ${fingerprint}'s signature of this tree head (size, root or time changed, or a forged signature)${
        expected ? `; expected key ${expected}` : ''
      }.`,
      { reason: 'bad-signature', ...facts },
    );
  }
  return succeed({ fingerprint });
}
