/**
 * The preview host's signing key and its stand-in for "Verify a file…"'s open dialog.
 *
 * - The key is the preview's own, never the app's or the CLI's: a key file (signing/key-file.ts
 *   rules: 0600, never through a link, made on first use) in a folder of the OS temp folder
 *   named for this user (`--key-file` picks another file). The folder must be this user's and
 *   closed to others, or the key is refused rather than kept where others could swap it.
 * - A browser page cannot name a file, so the file checked is the newest export or proof in
 *   the host's export folder: where its exports and saved proofs go. Links and folders there
 *   are passed over.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fail, succeed, type Result } from '#shared/errors';
import type { SigningKeyService } from '#engine/sealing/seal-channels';
import { KEY_FILE_NAME, loadKeyFile } from '#engine/signing/key-file';
import type { SigningKey } from '#engine/signing/keys';

/** `<temp>/event-ledger-preview-<uid>/signing-key.pem`. */
export function defaultPreviewKeyFile(temporary: string = tmpdir()): string {
  const user = typeof process.getuid === 'function' ? String(process.getuid()) : 'user';
  return join(temporary, `event-ledger-preview-${user}`, KEY_FILE_NAME);
}

/** Refuses a folder someone else owns or can write into (a shared temp folder's squatter). */
function folderProblem(folder: string): string | undefined {
  if (process.platform === 'win32') return undefined;
  const stats = lstatSync(folder, { throwIfNoEntry: false });
  if (stats === undefined) return undefined;
  if (!stats.isDirectory()) return `${folder} is not a folder`;
  if (typeof process.getuid === 'function' && stats.uid !== process.getuid()) return `${folder} belongs to another user`;
  if ((stats.mode & 0o022) !== 0) return `others can write into ${folder}`;
  return undefined;
}

/** The preview host's key service over the key file at `path`; the key is read once, then kept in memory. */
export function previewSigningKey(path: string): SigningKeyService {
  let key: SigningKey | undefined;
  return {
    load: async ({ create }) => {
      if (key) return succeed(key);
      const problem = folderProblem(dirname(path));
      if (problem !== undefined) {
        return fail(
          'STORAGE',
          `The preview's signing key cannot be kept in ${dirname(path)}: ${problem}. Name another file with --key-file.`,
          {
            reason: 'unsafe-folder',
          },
        );
      }
      const loaded = loadKeyFile(path, { createIfMissing: create });
      if (!loaded.ok) return loaded;
      key = loaded.value.key;
      return succeed(key);
    },
  };
}

const CHECKABLE = /\.(jsonl|json)$/i;

/** The newest export (.jsonl) or proof (.json) in `folder`; NOT_FOUND, in words, when there is none. */
export function newestCheckableFile(folder: string): Result<string> {
  let newest: { path: string; time: number } | undefined;
  let names: string[] = [];
  try {
    names = readdirSync(folder);
  } catch {
    // A folder not made yet holds nothing to check.
  }
  for (const name of names) {
    if (!CHECKABLE.test(name) || name.startsWith('.')) continue;
    const path = join(folder, name);
    const stats = lstatSync(path, { throwIfNoEntry: false });
    if (!stats?.isFile()) continue;
    if (!newest || stats.mtimeMs > newest.time || (stats.mtimeMs === newest.time && path > newest.path))
      newest = { path, time: stats.mtimeMs };
  }
  if (newest) return succeed(newest.path);
  return fail(
    'NOT_FOUND',
    `The preview checks the newest export (.jsonl) or proof (.json) in ${folder}, and there is none yet. Export the event log or save a proof first.`,
  );
}
