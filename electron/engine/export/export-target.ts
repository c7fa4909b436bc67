/**
 * Where an export may be written. An export never replaces the ledger it comes from or a
 * file SQLite or the engine keeps beside it (that would destroy the ledger), never writes
 * through a symbolic link, never writes into anything but a regular file, and replaces an
 * existing file only when the caller says so (`--force`; the app's save dialog has asked).
 *
 * The export is written to `<out>.<pid>.partial` and renamed over `<out>` once complete; a
 * rename replaces the name, never what a link there pointed to. Partials of processes that
 * no longer run (a killed export) are removed by the next export to the same name.
 */
import {
  closeSync,
  fsyncSync,
  lstatSync,
  openSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fail, succeed, type Result } from '#shared/errors';
import { kindOf, sideFilesOf } from '../store/side-files';
import { isRunning } from '../store/staged-file';

export type ExportTargetOptions = {
  /** Replace an existing regular file (never the ledger, its side files, a link or a special file). */
  readonly force?: boolean;
};

/** The temporary an export is written to before it takes its name. */
export function partialPathFor(out: string, pid = process.pid): string {
  return `${out}.${pid}.partial`;
}

/** Refuses, in plain words, an export target that is not a file this export may (re)place. */
export function checkExportTarget(ledgerPath: string, out: string, options: ExportTargetOptions = {}): Result<string> {
  if (out.trim() === '') return fail('VALIDATION', 'The export file name is empty');
  if (out.endsWith('/') || out.endsWith(sep))
    return fail('VALIDATION', `The export target ${out} ends in a path separator; give the name of a file`);
  const folder = dirname(resolve(out));
  const folderStats = statSafe(folder);
  if (folderStats === undefined) return fail('NOT_FOUND', `The folder ${dirname(out)} does not exist; nothing was exported`);
  if (!folderStats.isDirectory()) return fail('VALIDATION', `${dirname(out)} is not a folder; nothing was exported`);
  const existing = lstatSafe(out);
  if (existing?.isDirectory()) return fail('VALIDATION', `The export target ${out} is a folder; give the name of a file in it`);
  if (isLedgerOrSideFile(ledgerPath, out, existing)) {
    return fail('VALIDATION', `The export target ${out} is the ledger itself or a file kept beside it; choose another file`);
  }
  if (existing === undefined) return succeed(out);
  if (!existing.isFile()) {
    return fail('VALIDATION', `The export target ${out} is ${kindOf(existing)}; an export writes only to a regular file`);
  }
  if (!options.force) return fail('ALREADY_EXISTS', `The file ${out} already exists; pass --force to replace it`);
  return succeed(out);
}

/**
 * Whether `out` is the ledger or one of its side files: by identity (device and inode) for
 * names that exist, so another spelling, a hard link or a link to a folder cannot hide it;
 * and by the real path of the folder plus the name for side files that do not exist yet.
 */
function isLedgerOrSideFile(ledgerPath: string, out: string, outStats: Stats | undefined): boolean {
  const ledgerFiles = [ledgerPath, ...sideFilesOf(ledgerPath)];
  if (outStats !== undefined) {
    for (const file of ledgerFiles) {
      const stats = lstatSafe(file);
      if (stats !== undefined && stats.dev === outStats.dev && stats.ino === outStats.ino) return true;
    }
  }
  const outName = realName(out);
  return ledgerFiles.some((file) => sameName(realName(file), outName));
}

/** The real path of the containing folder joined with the file's own name (the name itself is not followed). */
function realName(path: string): string {
  const absolute = resolve(path);
  try {
    return join(realpathSync(dirname(absolute)), basename(absolute));
  } catch {
    return absolute;
  }
}

/** File names compare case-insensitively where the usual file systems do (macOS, Windows). */
function sameName(a: string, b: string): boolean {
  return process.platform === 'darwin' || process.platform === 'win32' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** Removes `<out>.<pid>.partial` files whose process no longer runs (left by a killed export). */
export function removeStalePartials(out: string): void {
  const folder = dirname(resolve(out));
  const prefix = `${basename(resolve(out))}.`;
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const match = /^(\d+)\.partial$/.exec(name.slice(prefix.length));
    if (!match || isRunning(Number(match[1]))) continue;
    const path = join(folder, name);
    // Only a regular file of ours is removed; a link or folder under that name is left alone.
    if (lstatSafe(path)?.isFile()) rmSync(path, { force: true });
  }
}

function lstatSafe(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

function statSafe(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/**
 * Writes `bytes` to `out` by these rules: the target is checked first, the file is written whole
 * under a temporary name created here ('wx': never opened through a link planted under that
 * name), synced, and renamed; a failed write leaves nothing behind. `what` names the file in
 * the refusal ("The proof could not be written to …").
 */
export function writeWholeFile(
  ledgerPath: string,
  out: string,
  bytes: Uint8Array,
  what: string,
  options: ExportTargetOptions = {},
): Result<string> {
  const allowed = checkExportTarget(ledgerPath, out, options);
  if (!allowed.ok) return allowed;
  removeStalePartials(out);
  const temporary = partialPathFor(out);
  rmSync(temporary, { force: true });
  try {
    const descriptor = openSync(temporary, 'wx', 0o644);
    try {
      for (let offset = 0; offset < bytes.length;) offset += writeSync(descriptor, bytes, offset);
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, out);
  } catch (error) {
    rmSync(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    return fail('STORAGE', `The ${what} could not be written to ${out} (${code}); nothing was written`);
  }
  return succeed(out);
}
