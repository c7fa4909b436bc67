/**
 * The CLI's signing key file: where it lives, and reading or creating it safely.
 *
 * Invariants:
 * - Location: --key-file, else $LEDGER_KEY_FILE, else `signing-key.pem` in the user's config
 *   folder: $XDG_CONFIG_HOME (if absolute) or ~/.config, then `event-ledger`, on Linux;
 *   %APPDATA%\event-ledger on Windows; ~/Library/Application Support/event-ledger on macOS.
 * - A key file is read only if it is a regular file (never through a symbolic link: refused
 *   before opening and again by O_NOFOLLOW), and on POSIX only if it belongs to this user and
 *   no group or other permission bit is set. Windows has no mode bits; there %APPDATA%'s ACL
 *   (the user's own) is what protects it.
 * - A new key file is written whole under a temporary name (O_CREAT|O_EXCL|O_NOFOLLOW, mode
 *   0600, fsynced) in its folder (created 0700), then published by a hard link, which never
 *   replaces: if another process published a key first, that key is read and used instead,
 *   so two first uses can never each sign with a different key. (A rename would replace it.)
 * - Every refusal is a typed value with details.reason and the path; no message quotes the key.
 */
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, posix, win32 } from 'node:path';
import { fail, succeed, type ErrorCode, type Failure, type Result } from '#shared/errors';
import { publishWithoutReplacing } from '../store/staged-file';
import { privateKeyPem, generateSigningKey, signingKeyFromPem, type SigningKey } from './keys';
import { syncFolder, writePrivateTemporary } from './private-file';

export const KEY_FILE_NAME = 'signing-key.pem';
export const KEY_FOLDER_NAME = 'event-ledger';
/** The environment variable that names a key file. */
export const KEY_FILE_VARIABLE = 'LEDGER_KEY_FILE';

/** A PEM Ed25519 key is about 120 bytes; anything much larger is not one. */
const MOST_KEY_FILE_BYTES = 16 * 1024;

export type KeyFileRefusal =
  'missing' | 'link' | 'not-a-file' | 'loose-permissions' | 'wrong-owner' | 'unreadable' | 'cannot-create' | 'wrong-format' | 'not-ed25519';

export type KeyFileLocation = {
  /** The --key-file value, if given. */
  readonly flag?: string | undefined;
  /** The environment ($LEDGER_KEY_FILE, $XDG_CONFIG_HOME, %APPDATA%). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  /** The user's home folder. */
  readonly home: string;
};

/** The key file's path: the flag, else $LEDGER_KEY_FILE, else the default in the config folder. */
export function resolveKeyFilePath({ flag, env, platform, home }: KeyFileLocation): string {
  if (flag) return flag;
  const fromEnv = env[KEY_FILE_VARIABLE];
  if (fromEnv) return fromEnv;
  if (platform === 'win32') return win32.join(env.APPDATA || win32.join(home, 'AppData', 'Roaming'), KEY_FOLDER_NAME, KEY_FILE_NAME);
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', KEY_FOLDER_NAME, KEY_FILE_NAME);
  const xdg = env.XDG_CONFIG_HOME;
  const config = xdg && posix.isAbsolute(xdg) ? xdg : posix.join(home, '.config');
  return posix.join(config, KEY_FOLDER_NAME, KEY_FILE_NAME);
}

function refuse(code: ErrorCode, reason: KeyFileRefusal, path: string, message: string): Failure {
  return fail(code, message, { reason, path });
}

const IS_POSIX = process.platform !== 'win32';

/**
 * The signing key in the file at `path`. When the file does not exist, creates it if
 * `createIfMissing` (answering created: true), else refuses NOT_FOUND.
 */
export function loadKeyFile(path: string, options: { createIfMissing: boolean }): Result<{ key: SigningKey; created: boolean }> {
  const existing = readKeyFile(path);
  if (existing.ok || existing.error.details?.reason !== 'missing' || !options.createIfMissing) {
    return existing.ok ? succeed({ key: existing.value, created: false }) : existing;
  }
  return createKeyFile(path);
}

/** Reads and checks the key file at `path` (see the invariants above). */
export function readKeyFile(path: string): Result<SigningKey> {
  const stats = lstatSync(path, { throwIfNoEntry: false });
  if (stats === undefined) {
    return refuse(
      'NOT_FOUND',
      'missing',
      path,
      `There is no signing key at ${path}: create one, or name yours with --key-file or LEDGER_KEY_FILE.`,
    );
  }
  if (stats.isSymbolicLink()) {
    return refuse(
      'STORAGE',
      'link',
      path,
      `The signing key path ${path} is a symbolic link; a key is read only from a regular file, never through a link.`,
    );
  }
  if (!stats.isFile()) return refuse('STORAGE', 'not-a-file', path, `The signing key path ${path} is not a regular file.`);
  let descriptor: number;
  try {
    descriptor = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP')
      return refuse('STORAGE', 'link', path, `The signing key path ${path} is a symbolic link; a key is read only from a regular file.`);
    return refuse('STORAGE', 'unreadable', path, `The signing key file ${path} cannot be read (${code ?? 'error'}).`);
  }
  let text: string;
  try {
    const opened = fstatSync(descriptor);
    if (!opened.isFile()) return refuse('STORAGE', 'not-a-file', path, `The signing key path ${path} is not a regular file.`);
    if (IS_POSIX && (opened.mode & 0o077) !== 0) {
      const mode = (opened.mode & 0o777).toString(8).padStart(4, '0');
      return refuse(
        'STORAGE',
        'loose-permissions',
        path,
        `The signing key file ${path} can be read or changed by other users (mode ${mode}); allow only its owner (chmod 600) and try again.`,
      );
    }
    if (IS_POSIX && typeof process.getuid === 'function' && opened.uid !== process.getuid()) {
      return refuse(
        'STORAGE',
        'wrong-owner',
        path,
        `The signing key file ${path} belongs to another user; a key is read only from a file of your own.`,
      );
    }
    if (opened.size > MOST_KEY_FILE_BYTES) {
      return refuse('VALIDATION', 'wrong-format', path, `${path} is not a signing key file: it is far larger than a key.`);
    }
    text = readFileSync(descriptor, 'utf8');
  } catch (error) {
    return refuse(
      'STORAGE',
      'unreadable',
      path,
      `The signing key file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
    );
  } finally {
    closeSync(descriptor);
  }
  const key = signingKeyFromPem(text, `The file ${path}`);
  return key.ok ? key : refuse(key.error.code, key.error.details!.reason as KeyFileRefusal, path, key.error.message);
}

/** Prefix of a key being written: `.signing-key.pem.<pid>-<random>.tmp`. */
function temporaryPrefix(path: string): string {
  return `.${basename(path)}.`;
}

/** Writes a new key to `path`, never replacing a file there (then that file is read instead). */
function createKeyFile(path: string): Result<{ key: SigningKey; created: boolean }> {
  const folder = dirname(path);
  const cannot = (error: unknown) =>
    refuse(
      'STORAGE',
      'cannot-create',
      path,
      `A signing key could not be written to ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}); nothing was created.`,
    );
  const key = generateSigningKey();
  let temporary: string | undefined;
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    removeLeftovers(folder, temporaryPrefix(path));
    temporary = writePrivateTemporary(folder, temporaryPrefix(path), privateKeyPem(key));
    if (!publishWithoutReplacing(temporary, path)) {
      const theirs = readKeyFile(path);
      return theirs.ok ? succeed({ key: theirs.value, created: false }) : theirs;
    }
  } catch (error) {
    return cannot(error);
  } finally {
    if (temporary !== undefined) rmSync(temporary, { force: true });
  }
  syncFolder(folder);
  return succeed({ key, created: true });
}

/** Removes temporaries of processes that are gone (killed while writing a key). */
function removeLeftovers(folder: string, prefix: string): void {
  for (const name of readdirSync(folder)) {
    const match = name.startsWith(prefix) ? /^(\d+)-[0-9a-f]{8}\.tmp$/.exec(name.slice(prefix.length)) : null;
    if (match && !isRunning(Number(match[1]))) rmSync(join(folder, name), { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
