/**
 * Ed25519 signing keys (node:crypto) and their one text encoding.
 *
 * The encoding (docs/signing.md states it for auditors):
 * - public key: standard base64, with padding, of the raw 32-byte Ed25519 public key
 *   (RFC 8032): 44 characters. (Not SPKI DER, whose base64 starts "MCowBQYDK2VwAyEA".)
 * - signature: standard base64, with padding, of the raw 64-byte Ed25519 signature: 88 characters.
 * - fingerprint: "SHA256:" then unpadded standard base64 of SHA-256 over the raw 32 public-key
 *   bytes: 50 characters. The form is OpenSSH's, the value is not (OpenSSH hashes its own key blob).
 * - private key (files only): PEM, PKCS#8 ("-----BEGIN PRIVATE KEY-----"), unencrypted.
 *
 * Invariants:
 * - Every parser is strict: a text is accepted only if encoding its bytes again gives the
 *   same text (no white space, no missing padding, no stray padding bits, no other alphabet).
 * - The private key stays inside a KeyObject; no function here returns it as text except
 *   privateKeyPem (for the key file), and no error message ever quotes key material.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { fail, succeed, type Result } from '#shared/errors';

export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;

/** A key to sign with: the private key object and the text of its public half. */
export type SigningKey = {
  readonly privateKey: KeyObject;
  /** Base64 of the raw 32-byte public key. */
  readonly publicKey: string;
  /** "SHA256:" + base64 (unpadded) of SHA-256 of the raw public key. */
  readonly fingerprint: string;
};

/** Base64 text of exactly `bytes` bytes, as Buffer writes it (so the text is canonical). */
function base64Pattern(bytes: number): RegExp {
  const full = Math.floor(bytes / 3) * 4;
  const padding = bytes % 3 === 0 ? '' : bytes % 3 === 1 ? '[A-Za-z0-9+/]{2}==' : '[A-Za-z0-9+/]{3}=';
  return new RegExp(`^[A-Za-z0-9+/]{${full}}${padding}$`);
}

const PUBLIC_KEY_PATTERN = base64Pattern(PUBLIC_KEY_BYTES);
const SIGNATURE_PATTERN = base64Pattern(SIGNATURE_BYTES);

/** The bytes of a canonical base64 text of `bytes` bytes, or undefined. */
function strictBase64(text: unknown, pattern: RegExp): Buffer | undefined {
  if (typeof text !== 'string' || !pattern.test(text)) return undefined;
  const decoded = Buffer.from(text, 'base64');
  return decoded.toString('base64') === text ? decoded : undefined;
}

/** Whether `text` is a public key in our encoding. */
export function isPublicKeyText(text: unknown): text is string {
  return strictBase64(text, PUBLIC_KEY_PATTERN) !== undefined;
}

/** Whether `text` is a signature in our encoding. */
export function isSignatureText(text: unknown): text is string {
  return strictBase64(text, SIGNATURE_PATTERN) !== undefined;
}

/** The fingerprint of a public key given as its raw bytes or its text. */
export function fingerprintOf(publicKey: string | Uint8Array): string {
  const raw = typeof publicKey === 'string' ? Buffer.from(publicKey, 'base64') : publicKey;
  return `SHA256:${createHash('sha256').update(raw).digest('base64').replace(/=+$/, '')}`;
}

/**
 * A public key given by a person (`--public-key K`): VALIDATION unless it is the canonical
 * base64 of 32 bytes (44 characters). Answers the text and its fingerprint.
 */
export function parsePublicKey(text: string): Result<{ publicKey: string; fingerprint: string }> {
  const raw = strictBase64(text, PUBLIC_KEY_PATTERN);
  if (raw === undefined) {
    return fail(
      'VALIDATION',
      'A public key is written as the base64 of its 32 raw Ed25519 bytes (44 characters ending in "="), as `ledger key` prints it.',
      { reason: 'wrong-public-key' },
    );
  }
  return succeed({ publicKey: text, fingerprint: fingerprintOf(raw) });
}

/** node:crypto's object for raw public-key bytes, or undefined where it refuses them. */
function publicKeyObject(raw: Uint8Array): KeyObject | undefined {
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
  } catch {
    return undefined;
  }
}

function signingKeyOf(privateKey: KeyObject): SigningKey {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const raw = Buffer.from(jwk.x!, 'base64url');
  return { privateKey, publicKey: raw.toString('base64'), fingerprint: fingerprintOf(raw) };
}

/** A new random key. */
export function generateSigningKey(): SigningKey {
  return signingKeyOf(generateKeyPairSync('ed25519').privateKey);
}

/** The key as the key file holds it: unencrypted PKCS#8 PEM. */
export function privateKeyPem(key: SigningKey): string {
  return key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

const PEM_PATTERN = /^-----BEGIN PRIVATE KEY-----\r?\n(?:[A-Za-z0-9+/=]{1,76}\r?\n)+-----END PRIVATE KEY-----\r?\n?$/;

/**
 * The key in a key file's text. VALIDATION with details.reason 'wrong-format' unless it is
 * one unencrypted PKCS#8 PEM block, or 'not-ed25519' when it is a key of another kind.
 * `source` names the file in the sentence; the text itself is never quoted.
 */
export function signingKeyFromPem(pem: string, source: string): Result<SigningKey> {
  const wrongFormat = () =>
    fail(
      'VALIDATION',
      `${source} is not a signing key file: it must hold one unencrypted Ed25519 private key in PEM (PKCS#8, "BEGIN PRIVATE KEY").`,
      { reason: 'wrong-format' },
    );
  if (!PEM_PATTERN.test(pem)) return wrongFormat();
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return wrongFormat();
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    return fail('VALIDATION', `${source} holds a ${privateKey.asymmetricKeyType ?? 'unknown'} key; a signing key is Ed25519.`, {
      reason: 'not-ed25519',
    });
  }
  return succeed(signingKeyOf(privateKey));
}

/** The Ed25519 signature of `message`, as base64 text. */
export function signMessage(key: SigningKey, message: Uint8Array): string {
  return sign(null, message, key.privateKey).toString('base64');
}

/** Whether `signature` (our text) is a valid Ed25519 signature of `message` by `publicKey` (our text). */
export function verifyMessage(publicKey: string, message: Uint8Array, signature: string): boolean {
  const raw = strictBase64(publicKey, PUBLIC_KEY_PATTERN);
  const signatureBytes = strictBase64(signature, SIGNATURE_PATTERN);
  const keyObject = raw && publicKeyObject(raw);
  if (!keyObject || !signatureBytes) return false;
  try {
    return verify(null, message, keyObject, signatureBytes);
  } catch {
    return false;
  }
}
