/**
 * The app's signing key (docs/signing.md): an Ed25519 key kept ENCRYPTED by Electron's
 * safeStorage (the system's key store: Keychain on macOS, DPAPI on Windows, a secret service on
 * Linux) in the app's user-data folder, made on first use.
 *
 * Invariants:
 * - The private key is plain text only in memory: the file holds what safeStorage's encryption
 *   made of its PEM, nothing else. Where safeStorage cannot encrypt, NO key is written and
 *   sealing is refused with a sentence saying why (the CLI, whose key file is the user's own,
 *   can still seal); the app never falls back to an unencrypted key on its own.
 * - On Linux without a key store safeStorage encrypts with a fixed password ("basic_text"):
 *   the key is then protected by its file permissions only, and warning() says so for the
 *   person to read (the audit screen shows it).
 * - The file is written whole under a temporary name (exclusive create, 0600, no link
 *   followed, flushed) in a folder made 0700, then published by a hard link, which never
 *   replaces a key: if one appeared meanwhile, that one is read and used.
 * - It is read only when it is a regular file (never through a link), and on POSIX only when it
 *   is this user's with no group or other permission bit.
 * - The key is read once and kept in memory; no message, answer or log quotes key material.
 *
 * Importable without Electron: safeStorage is a parameter (tests pass the stand-in's).
 */
import { closeSync, constants, fstatSync, linkSync, lstatSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fail, succeed, type Result } from '#shared/errors';
import type { SigningKeyService } from '#engine/sealing/seal-channels';
import { generateSigningKey, privateKeyPem, signingKeyFromPem, type SigningKey } from '#engine/signing/keys';
import { syncFolder, writePrivateTemporary } from '#engine/signing/private-file';

/** The part of Electron's safeStorage the key needs (its asynchronous API: the synchronous one is going away). */
export type KeyStore = {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ shouldReEncrypt: boolean; result: string }>;
  /** Linux only. */
  getSelectedStorageBackend?(): string;
};

export const APP_KEY_FILE_NAME = 'signing-key.enc';
/** An encrypted Ed25519 PEM is a few hundred bytes; anything far larger is not one. */
const MOST_KEY_BYTES = 16 * 1024;
const IS_POSIX = process.platform !== 'win32';

export type AppSigningKey = SigningKeyService & {
  readonly path: string;
  /** Why the key is protected less than by the system's key store, or undefined. */
  readonly warning: () => string | undefined;
};

export function createAppSigningKey(options: { folder: string; keyStore: KeyStore; platform: NodeJS.Platform }): AppSigningKey {
  const path = join(options.folder, APP_KEY_FILE_NAME);
  const store = options.keyStore;
  let key: SigningKey | undefined;
  let loading: Promise<Result<SigningKey>> | undefined;

  const refuse = (code: 'STORAGE' | 'VALIDATION', reason: string, message: string) => fail(code, message, { reason });
  const unreadable = (error: unknown) =>
    refuse(
      'STORAGE',
      'unreadable',
      `The app's signing key ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); nothing was sealed.`,
    );

  async function available(): Promise<boolean> {
    try {
      return await store.isAsyncEncryptionAvailable();
    } catch {
      return false;
    }
  }

  async function read(create: boolean): Promise<Result<SigningKey>> {
    if (!(await available())) {
      return refuse(
        'STORAGE',
        'no-key-store',
        'This computer offers the app no protected storage for its signing key (Electron’s safeStorage cannot encrypt here), and the app never keeps a key unencrypted, so it cannot seal. The command line can: ledger seal keeps its own key in a file only you can read.',
      );
    }
    const stats = lstatSync(path, { throwIfNoEntry: false });
    if (stats === undefined) {
      return create ? make() : fail('NOT_FOUND', 'The app has no signing key yet; the first seal makes one.', { reason: 'missing' });
    }
    if (stats.isSymbolicLink())
      return refuse('STORAGE', 'link', `The app's signing key path ${path} is a symbolic link; a key is read only from a regular file.`);
    if (!stats.isFile()) return refuse('STORAGE', 'not-a-file', `The app's signing key path ${path} is not a regular file.`);
    let encrypted: Buffer;
    try {
      const descriptor = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
      try {
        const opened = fstatSync(descriptor);
        if (IS_POSIX && (opened.mode & 0o077) !== 0) {
          const mode = (opened.mode & 0o777).toString(8).padStart(4, '0');
          return refuse(
            'STORAGE',
            'loose-permissions',
            `The app's signing key ${path} can be read or changed by other users (mode ${mode}); allow only its owner (chmod 600) and try again.`,
          );
        }
        if (IS_POSIX && typeof process.getuid === 'function' && opened.uid !== process.getuid()) {
          return refuse(
            'STORAGE',
            'wrong-owner',
            `The app's signing key ${path} belongs to another user; a key is read only from a file of your own.`,
          );
        }
        if (!opened.isFile() || opened.size > MOST_KEY_BYTES)
          return refuse('VALIDATION', 'wrong-format', `${path} is not the app's signing key.`);
        encrypted = readFileSync(descriptor);
      } finally {
        closeSync(descriptor);
      }
    } catch (error) {
      return unreadable(error);
    }
    let decrypted: { shouldReEncrypt: boolean; result: string };
    try {
      decrypted = await store.decryptStringAsync(encrypted);
    } catch {
      return refuse(
        'STORAGE',
        'cannot-decrypt',
        `The app's signing key ${path} cannot be decrypted by this computer's key store (it was made for another user, computer or key store); nothing was sealed. Move the file away to let the app make a new key: seals made with the old one stay checkable with its public key.`,
      );
    }
    const parsed = signingKeyFromPem(decrypted.result, `The app's key file ${path}`);
    if (!parsed.ok) return parsed;
    if (decrypted.shouldReEncrypt) await reEncrypt(decrypted.result);
    return parsed;
  }

  /** The key store rotated its key: the same signing key, encrypted again (best effort; the old text still decrypts). */
  async function reEncrypt(pem: string): Promise<void> {
    try {
      const temporary = writeTemporary(await store.encryptStringAsync(pem));
      try {
        renameSync(temporary, path);
      } finally {
        rmSync(temporary, { force: true });
      }
    } catch {
      // The file as it was still holds the key.
    }
  }

  /** Writes `bytes` whole under a fresh temporary name beside the key (0600, exclusive, no link followed). */
  function writeTemporary(bytes: Buffer): string {
    return writePrivateTemporary(dirname(path), `.${APP_KEY_FILE_NAME}.`, bytes);
  }

  async function make(): Promise<Result<SigningKey>> {
    const made = generateSigningKey();
    let temporary: string | undefined;
    try {
      temporary = writeTemporary(await store.encryptStringAsync(privateKeyPem(made)));
      linkSync(temporary, path);
    } catch (error) {
      // Another process published a key first: that one is THE key.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return read(false);
      return refuse(
        'STORAGE',
        'cannot-create',
        `A signing key could not be kept in ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); nothing was created and nothing was sealed.`,
      );
    } finally {
      if (temporary !== undefined) rmSync(temporary, { force: true });
    }
    syncFolder(dirname(path));
    return succeed(made);
  }

  return {
    path,
    load: async ({ create }) => {
      if (key) return succeed(key);
      // One load at a time: two first seals at once make one key, not two.
      while (loading) await loading.catch(() => undefined);
      if (key) return succeed(key);
      loading = read(create).catch((error: unknown) => unreadable(error));
      try {
        const loaded = await loading;
        if (loaded.ok) key = loaded.value;
        return loaded;
      } finally {
        loading = undefined;
      }
    },
    warning: () => {
      if (options.platform !== 'linux') return undefined;
      let backend: string | undefined;
      try {
        backend = store.getSelectedStorageBackend?.();
      } catch {
        return undefined;
      }
      if (backend !== 'basic_text') return undefined;
      return `This computer has no key store the app can use (Electron’s safeStorage falls back to “basic_text”), so the app’s signing key in ${path} is protected only by its file permissions: any program running as you could read it.`;
    },
  };
}
