/**
 * The backup folder on disk: which entries are ours, leftover temporaries, and making a
 * finished file durable. Entries are judged with lstat, so a link is never followed, and a
 * file whose name is not ours is never opened, renamed or removed.
 */
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, rmSync, statSync, constants } from 'node:fs';
import { join } from 'node:path';
import { fail, succeed, type Result } from '#shared/errors';
import { isRunning } from '../store/staged-file';
import { plainFileError } from './plain-words';
import { parseBackupFileName, parseTemporaryFileName, type BackupName } from './backup-names';

export type BackupEntry = BackupName & { readonly name: string; readonly path: string; readonly bytes: number };

/**
 * Makes sure `folder` exists and is a folder (creating it and its parents if missing), so a
 * first backup to a new place just works; anything else at that path is refused.
 */
export function ensureBackupFolder(folder: string): Result<string> {
  let existing;
  try {
    existing = statSync(folder, { throwIfNoEntry: false });
  } catch (error) {
    return fail('STORAGE', `The backup folder ${folder} cannot be used (${plainFileError(error)})`);
  }
  if (existing && !existing.isDirectory()) return fail('STORAGE', `The backup folder ${folder} is not a folder`);
  if (existing) return succeed(folder);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    return fail('STORAGE', `The backup folder ${folder} cannot be created (${plainFileError(error)})`);
  }
  return succeed(folder);
}

/** The final-named backups in `folder` that are regular files (links and folders are skipped), oldest first. */
export function backupEntries(folder: string): BackupEntry[] {
  const entries: BackupEntry[] = [];
  for (const name of readdirSync(folder)) {
    const parsed = parseBackupFileName(name);
    if (!parsed) continue;
    const path = join(folder, name);
    const stats = lstatSync(path, { throwIfNoEntry: false });
    if (!stats?.isFile()) continue;
    entries.push({ ...parsed, name, path, bytes: stats.size });
  }
  return entries.sort((a, b) => a.time.getTime() - b.time.getTime() || a.name.localeCompare(b.name));
}

/**
 * Removes temporaries left by a backup that did not finish: only names of ours, only regular
 * files, and only when the process named in them is no longer running here (a backup another
 * process is writing right now is left alone).
 */
export function removeLeftoverTemporaries(folder: string): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(folder)) {
    const temporary = parseTemporaryFileName(name);
    if (!temporary || isRunning(temporary.pid)) continue;
    const path = join(folder, name);
    if (!lstatSync(path, { throwIfNoEntry: false })?.isFile()) continue;
    rmSync(path, { force: true });
    removed.push(name);
  }
  return removed;
}

/** A temporary and its SQLite side files, removed (only regular files). */
export function removeTemporary(path: string): void {
  for (const file of [path, `${path}-journal`, `${path}-wal`, `${path}-shm`]) {
    if (lstatSync(file, { throwIfNoEntry: false })?.isFile()) rmSync(file, { force: true });
  }
}

/**
 * Creates `path` empty, failing if anything (a file, a link) is already there: the backup
 * then writes into a file we made, never through a planted link.
 */
export function createExclusive(path: string): void {
  closeSync(openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0), 0o600));
}

/** Flushes a file's contents to the disk. */
export function syncFile(path: string): void {
  const descriptor = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

/** Flushes a folder's entries (a rename into it) to the disk. Windows cannot open folders for this; NTFS journals renames itself. */
export function syncFolder(folder: string): void {
  if (process.platform === 'win32') return;
  const descriptor = openSync(folder, constants.O_RDONLY);
  try {
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}
