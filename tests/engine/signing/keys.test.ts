/**
 * Signing keys: the one text encoding (strict both ways), the key file's location on each
 * platform, and the key file's refusals — missing, a link, loose permissions, another
 * owner, wrong format, a non-Ed25519 key — each a typed value with a plain sentence that
 * never quotes the key. Creation is 0600 in a 0700 folder and never replaces a key.
 */
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKeyFile, readKeyFile, resolveKeyFilePath } from '#engine/signing/key-file';
import {
  fingerprintOf,
  generateSigningKey,
  isPublicKeyText,
  isSignatureText,
  parsePublicKey,
  privateKeyPem,
  signMessage,
  signingKeyFromPem,
  verifyMessage,
} from '#engine/signing/keys';
import { ok, tempFolder } from '../helpers';

const posixOnly = process.platform === 'win32' ? it.skip : it; // mode bits and owners are POSIX; Windows relies on %APPDATA%'s ACL

describe('the text encoding of keys and signatures', () => {
  const key = generateSigningKey();

  it('public key: base64 of the raw 32 bytes; fingerprint: SHA256: + unpadded base64 of their SHA-256', () => {
    expect(key.publicKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const raw = Buffer.from(key.publicKey, 'base64');
    expect(raw).toHaveLength(32);
    // The raw key is the SPKI DER encoding without its fixed 12-byte Ed25519 prefix.
    const spki = createPublicKey(key.privateKey).export({ format: 'der', type: 'spki' });
    expect(spki.toString('hex')).toBe(`302a300506032b6570032100${raw.toString('hex')}`);
    expect(key.fingerprint).toBe(`SHA256:${createHash('sha256').update(raw).digest('base64').replace(/=+$/, '')}`);
    expect(key.fingerprint).toHaveLength(50);
    expect(fingerprintOf(raw)).toBe(key.fingerprint);
  });

  it('signatures: base64 of 64 bytes, verified only for the same message and key', () => {
    const message = Buffer.from('a message');
    const signature = signMessage(key, message);
    expect(isSignatureText(signature)).toBe(true);
    expect(Buffer.from(signature, 'base64')).toHaveLength(64);
    expect(verifyMessage(key.publicKey, message, signature)).toBe(true);
    expect(verifyMessage(key.publicKey, Buffer.from('a massage'), signature)).toBe(false);
    expect(verifyMessage(generateSigningKey().publicKey, message, signature)).toBe(false);
    const flipped = Buffer.from(signature, 'base64');
    flipped[10]! ^= 1;
    expect(verifyMessage(key.publicKey, message, flipped.toString('base64'))).toBe(false);
  });

  it('parsing is strict: no white space, padding, other alphabets or other lengths', () => {
    expect(parsePublicKey(key.publicKey)).toEqual({ ok: true, value: { publicKey: key.publicKey, fingerprint: key.fingerprint } });
    const raw = Buffer.from(key.publicKey, 'base64');
    for (const text of [
      key.publicKey.slice(0, -1), // padding missing
      ` ${key.publicKey}`,
      `${key.publicKey}\n`,
      raw.toString('base64url'),
      raw.toString('hex'),
      Buffer.concat([raw, Buffer.of(0)]).toString('base64'),
      key.publicKey.slice(0, 42) + 'B=', // stray bits in the last character
      '',
    ]) {
      if (text === raw.toString('base64url') && !/[-_]/.test(text)) continue; // only differs when it uses - or _
      expect(isPublicKeyText(text), JSON.stringify(text)).toBe(false);
      expect(parsePublicKey(text)).toMatchObject({ ok: false, error: { code: 'VALIDATION', details: { reason: 'wrong-public-key' } } });
    }
    expect(verifyMessage(`${key.publicKey} `, Buffer.from('x'), signMessage(key, Buffer.from('x')))).toBe(false);
  });

  it('a PEM of another key type or format is refused with its reason, never quoting the text', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(signingKeyFromPem(rsa, 'The file k')).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', details: { reason: 'not-ed25519' } },
    });
    const sec1 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'sec1' }).toString();
    expect(signingKeyFromPem(sec1, 'The file k')).toMatchObject({ ok: false, error: { details: { reason: 'wrong-format' } } });
    const pem = privateKeyPem(key);
    const broken = signingKeyFromPem(pem.replace(/[A-Za-z](?=[A-Za-z0-9+/]*\n-----END)/, '!'), 'The file k');
    expect(broken).toMatchObject({ ok: false, error: { details: { reason: 'wrong-format' } } });
    const body = pem.split('\n')[1]!;
    if (!broken.ok) expect(broken.error.message).not.toContain(body.slice(0, 16));
    const round = ok(signingKeyFromPem(pem, 'The file k'));
    expect(round.publicKey).toBe(key.publicKey);
  });
});

describe('where the key file lives', () => {
  const home = '/home/ada';
  it('the flag, else LEDGER_KEY_FILE, else the config folder of the platform', () => {
    expect(resolveKeyFilePath({ flag: '/keys/k.pem', env: { LEDGER_KEY_FILE: '/env/k.pem' }, platform: 'linux', home })).toBe(
      '/keys/k.pem',
    );
    expect(resolveKeyFilePath({ env: { LEDGER_KEY_FILE: '/env/k.pem' }, platform: 'linux', home })).toBe('/env/k.pem');
    expect(resolveKeyFilePath({ flag: '', env: { LEDGER_KEY_FILE: '' }, platform: 'linux', home })).toBe(
      '/home/ada/.config/event-ledger/signing-key.pem',
    );
    expect(resolveKeyFilePath({ env: { XDG_CONFIG_HOME: '/xdg' }, platform: 'linux', home })).toBe('/xdg/event-ledger/signing-key.pem');
    // The XDG specification ignores a relative XDG_CONFIG_HOME.
    expect(resolveKeyFilePath({ env: { XDG_CONFIG_HOME: 'rel' }, platform: 'linux', home })).toBe(
      '/home/ada/.config/event-ledger/signing-key.pem',
    );
    expect(resolveKeyFilePath({ env: {}, platform: 'darwin', home: '/Users/ada' })).toBe(
      '/Users/ada/Library/Application Support/event-ledger/signing-key.pem',
    );
    expect(resolveKeyFilePath({ env: { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, platform: 'win32', home: 'C:\\Users\\ada' })).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\event-ledger\\signing-key.pem',
    );
    expect(resolveKeyFilePath({ env: {}, platform: 'win32', home: 'C:\\Users\\ada' })).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\event-ledger\\signing-key.pem',
    );
  });
});

describe('the key file', () => {
  const reasonOf = (result: { ok: boolean }) => (result as { error?: { code: string; details?: { reason?: string } } }).error;

  it('missing: NOT_FOUND, and nothing is created unless asked', () => {
    const path = join(tempFolder(), 'config', 'event-ledger', 'signing-key.pem');
    const refused = loadKeyFile(path, { createIfMissing: false });
    expect(reasonOf(refused)).toMatchObject({ code: 'NOT_FOUND', details: { reason: 'missing', path } });
    expect(existsSync(join(path, '..'))).toBe(false);
  });

  posixOnly('created on first use: mode 0600 in a folder made 0700, PEM PKCS#8, then read back as the same key', () => {
    const folder = join(tempFolder(), 'config', 'event-ledger');
    const path = join(folder, 'signing-key.pem');
    const first = ok(loadKeyFile(path, { createIfMissing: true }));
    expect(first.created).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(readFileSync(path, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/);
    expect(readdirSync(folder)).toEqual(['signing-key.pem']); // no temporary left
    const again = ok(loadKeyFile(path, { createIfMissing: true }));
    expect(again).toMatchObject({ created: false, key: { publicKey: first.key.publicKey, fingerprint: first.key.fingerprint } });
  });

  it('an existing key is never replaced, even when create-on-first-use is asked', () => {
    const path = join(tempFolder(), 'signing-key.pem');
    const theirs = generateSigningKey();
    writeFileSync(path, privateKeyPem(theirs), { mode: 0o600 });
    expect(ok(loadKeyFile(path, { createIfMissing: true }))).toMatchObject({ created: false, key: { publicKey: theirs.publicKey } });
  });

  posixOnly('loose permissions: STORAGE, naming the mode, whatever group or other bit is set', () => {
    const path = join(tempFolder(), 'signing-key.pem');
    writeFileSync(path, privateKeyPem(generateSigningKey()), { mode: 0o600 });
    for (const mode of [0o640, 0o604, 0o620, 0o602, 0o610, 0o601, 0o644]) {
      chmodSync(path, mode);
      const refused = readKeyFile(path);
      expect(reasonOf(refused), mode.toString(8)).toMatchObject({ code: 'STORAGE', details: { reason: 'loose-permissions' } });
      if (!refused.ok) expect(refused.error.message).toContain(`mode 0${mode.toString(8)}`);
    }
    chmodSync(path, 0o400);
    expect(readKeyFile(path).ok).toBe(true);
  });

  posixOnly('a symbolic link, even to a good key file, or a dangling one, is refused and never written through', () => {
    const folder = tempFolder();
    const target = join(folder, 'real.pem');
    writeFileSync(target, privateKeyPem(generateSigningKey()), { mode: 0o600 });
    const link = join(folder, 'signing-key.pem');
    symlinkSync(target, link);
    expect(reasonOf(readKeyFile(link))).toMatchObject({ code: 'STORAGE', details: { reason: 'link' } });
    const dangling = join(folder, 'dangling.pem');
    const elsewhere = join(folder, 'not-there.pem');
    symlinkSync(elsewhere, dangling);
    expect(reasonOf(loadKeyFile(dangling, { createIfMissing: true }))).toMatchObject({ code: 'STORAGE', details: { reason: 'link' } });
    expect(existsSync(elsewhere)).toBe(false);
  });

  it('a folder, a wrong format, a huge file, a non-Ed25519 key: each refused with its reason', () => {
    const folder = tempFolder();
    const path = join(folder, 'signing-key.pem');
    mkdirSync(path);
    expect(reasonOf(readKeyFile(path))).toMatchObject({ code: 'STORAGE', details: { reason: 'not-a-file' } });
    const cases: Array<[string, string, string]> = [
      ['text.pem', 'not a key at all\n', 'wrong-format'],
      ['public.pem', generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString(), 'wrong-format'],
      ['huge.pem', 'A'.repeat(20_000), 'wrong-format'],
      [
        'rsa.pem',
        generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
        'not-ed25519',
      ],
      [
        'encrypted.pem',
        generateKeyPairSync('ed25519')
          .privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'secret' })
          .toString(),
        'wrong-format',
      ],
    ];
    for (const [name, text, reason] of cases) {
      const file = join(folder, name);
      writeFileSync(file, text, { mode: 0o600 });
      const refused = readKeyFile(file);
      expect(reasonOf(refused), name).toMatchObject({ code: 'VALIDATION', details: { reason, path: file } });
      if (!refused.ok) expect(refused.error.message).toContain(file);
    }
  });

  // Only root can give a file to another user, so elsewhere this test skips.
  it.skipIf(process.platform === 'win32' || process.getuid?.() !== 0)('a file of another user is refused (run as root)', () => {
    const path = join(tempFolder(), 'signing-key.pem');
    writeFileSync(path, privateKeyPem(generateSigningKey()), { mode: 0o600 });
    chownSync(path, 12345, 12345);
    expect(reasonOf(readKeyFile(path))).toMatchObject({ code: 'STORAGE', details: { reason: 'wrong-owner' } });
  });

  it('no refusal quotes the private key', () => {
    const key = generateSigningKey();
    const pem = privateKeyPem(key);
    const path = join(tempFolder(), 'signing-key.pem');
    writeFileSync(path, pem, { mode: 0o644 });
    const texts = [readKeyFile(path), signingKeyFromPem(pem.replace('PRIVATE', 'PRIVAT'), 'The file')].map((result) =>
      JSON.stringify(result),
    );
    const secret = pem.split('\n').slice(1, -2).join('');
    for (const text of texts) {
      expect(text).not.toContain(secret.slice(0, 20));
      expect(text).not.toContain(secret.slice(-20));
    }
    expect(JSON.stringify(key)).not.toContain(secret.slice(-20));
  });
});
