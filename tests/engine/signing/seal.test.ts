/**
 * Seals (signed tree heads): the exact signed bytes, and every change to a seal refused —
 * its size, root or time changed, a signature by another key, a key swapped in, a malformed
 * field — each with its reason and, where a key was expected, both fingerprints.
 */
import { describe, expect, it } from 'vitest';
import { generateSigningKey, verifyMessage } from '#engine/signing/keys';
import { sealSchema, sealTreeHead, sealedBytes, verifySeal, type Seal } from '#engine/signing/seal';
import { emptyRoot } from '#engine/signing/tree-hash';

const key = generateSigningKey();
const other = generateSigningKey();
const root = 'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77';
const at = new Date('2025-03-01T09:30:00.125Z');

describe('the signed bytes', () => {
  it('are four ASCII lines: the domain, the size, the root and the time', () => {
    expect(sealedBytes({ treeSize: 3, rootHash: root, signedAt: at.toISOString() }).toString('latin1')).toBe(
      `event-ledger tree head v1\ntreeSize 3\nrootHash ${root}\nsignedAt 2025-03-01T09:30:00.125Z\n`,
    );
  });

  it('a seal signs exactly them, with the signer key inside', () => {
    const seal = sealTreeHead(3, Buffer.from(root, 'hex'), key, at);
    expect(seal).toEqual({
      treeSize: 3,
      rootHash: root,
      signedAt: '2025-03-01T09:30:00.125Z',
      publicKey: key.publicKey,
      signature: seal.signature,
    });
    expect(Object.keys(seal)).toEqual(['treeSize', 'rootHash', 'signedAt', 'publicKey', 'signature']);
    expect(verifyMessage(key.publicKey, sealedBytes(seal), seal.signature)).toBe(true);
    expect(verifySeal(seal)).toEqual({ ok: true, value: { fingerprint: key.fingerprint } });
    expect(verifySeal(seal, key.publicKey)).toEqual({ ok: true, value: { fingerprint: key.fingerprint } });
  });

  it('the empty tree can be sealed', () => {
    expect(verifySeal(sealTreeHead(0, emptyRoot(), key), key.publicKey).ok).toBe(true);
  });

  it('a tree head that has no one form is a bug, not a seal', () => {
    expect(() => sealedBytes({ treeSize: 1.5, rootHash: root, signedAt: at.toISOString() })).toThrow(RangeError);
    expect(() => sealedBytes({ treeSize: 1, rootHash: root.toUpperCase(), signedAt: at.toISOString() })).toThrow(RangeError);
  });
});

describe('a seal that does not hold', () => {
  const seal = sealTreeHead(3, root, key, at);
  const refusal = (result: ReturnType<typeof verifySeal>) => {
    expect(result.ok).toBe(false);
    return result.ok ? undefined : result.error;
  };

  it('a changed size, root or time: bad-signature, naming the key', () => {
    for (const changed of [
      { ...seal, treeSize: 4 },
      { ...seal, rootHash: root.replace(/^a/, 'b') },
      { ...seal, signedAt: '2025-03-01T09:30:00.126Z' },
    ]) {
      expect(refusal(verifySeal(changed))).toMatchObject({
        code: 'INTEGRITY',
        details: { reason: 'bad-signature', fingerprint: key.fingerprint },
      });
      expect(refusal(verifySeal(changed, key.publicKey))).toMatchObject({
        code: 'INTEGRITY',
        details: { reason: 'bad-signature', fingerprint: key.fingerprint, expectedFingerprint: key.fingerprint },
      });
    }
  });

  it('signed by another key: wrong-key, naming the key found and the key expected', () => {
    const forged = sealTreeHead(3, root, other, at);
    expect(verifySeal(forged).ok).toBe(true); // a valid seal by someone; only the expected key tells
    const error = refusal(verifySeal(forged, key.publicKey))!;
    expect(error).toMatchObject({
      code: 'INTEGRITY',
      details: { reason: 'wrong-key', fingerprint: other.fingerprint, expectedFingerprint: key.fingerprint },
    });
    expect(error.message).toContain(other.fingerprint);
    expect(error.message).toContain(key.fingerprint);
  });

  it("another key's signature under the expected key's name: bad-signature", () => {
    const forged: Seal = { ...sealTreeHead(3, root, other, at), publicKey: key.publicKey };
    expect(refusal(verifySeal(forged, key.publicKey))).toMatchObject({
      details: { reason: 'bad-signature', expectedFingerprint: key.fingerprint },
    });
  });

  it('a malformed seal is VALIDATION before any signature is checked', () => {
    const malformed: unknown[] = [
      { ...seal, extra: 1 },
      { ...seal, rootHash: root.toUpperCase() },
      { ...seal, signedAt: '2025-02-30T09:30:00.125Z' },
      { ...seal, signedAt: '2025-03-01T09:30:00Z' },
      { ...seal, signedAt: '2025-03-01T10:30:00.125+01:00' },
      { ...seal, treeSize: -1 },
      { ...seal, treeSize: '3' },
      { ...seal, publicKey: `${key.publicKey} ` },
      { ...seal, signature: seal.signature.slice(4) },
      { treeSize: 3, rootHash: root },
    ];
    for (const value of malformed) {
      expect(sealSchema.safeParse(value).success, JSON.stringify(value)).toBe(false);
      expect(refusal(verifySeal(value as Seal)), JSON.stringify(value)).toMatchObject({
        code: 'VALIDATION',
        details: { reason: 'malformed-seal' },
      });
    }
  });
});
