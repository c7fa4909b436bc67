/**
 * Writing a private file (a signing key, plain or encrypted) so that nobody else ever sees it
 * half-written or readable: it is written whole under a fresh temporary name in a 0700 folder,
 * created exclusively with mode 0600 and without following a link, and synced before it is
 * given its name (by the caller, with store/staged-file.ts publishWithoutReplacing or a rename).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const IS_POSIX = process.platform !== 'win32';

/** Writes `content` whole to a new temporary file in `folder` named `<prefix><pid>-<random>.tmp`; returns its path. */
export function writePrivateTemporary(folder: string, prefix: string, content: string | Uint8Array): string {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const temporary = join(folder, `${prefix}${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const descriptor = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
  try {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    for (let offset = 0; offset < bytes.length;) offset += writeSync(descriptor, bytes, offset);
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
  return temporary;
}

/** Makes a new name in `folder` durable where the system allows it (POSIX; not folders on Windows): best effort. */
export function syncFolder(folder: string): void {
  if (!IS_POSIX) return;
  try {
    const descriptor = openSync(folder, constants.O_RDONLY);
    try {
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
  } catch {
    // The file is complete and has its name; only its durability across a power cut is less sure.
  }
}
