/**
 * Files built under a temporary name in the ledger's own folder and published under their
 * real name only once complete: a new ledger (so no other process ever finds it empty or
 * unstamped) and a restored one (so a killed restore never leaves a ledger behind).
 *
 * A temporary is named `.<ledger file name>.<purpose>-<pid>-<random>`. One whose process is
 * gone (killed mid-way) is a leftover and is removed by the next run that stages the same file.
 */
import { randomBytes } from 'node:crypto';
import { constants, copyFileSync, linkSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export type StagePurpose = 'creating' | 'restoring';

export function temporarySibling(path: string, purpose: StagePurpose): string {
  return join(dirname(path), `${prefixOf(path, purpose)}${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Removes temporaries (and their side files) of `path` left by processes that no longer run. */
export function removeLeftoverSiblings(path: string, purposes: readonly StagePurpose[]): void {
  const prefixes = purposes.map((purpose) => prefixOf(path, purpose));
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    const prefix = prefixes.find((candidate) => name.startsWith(candidate));
    if (prefix === undefined) continue;
    const match = /^(\d+)-[0-9a-f]{8}(?:-wal|-shm|-journal|\.head\.json)?$/.exec(name.slice(prefix.length));
    if (match && !isRunning(Number(match[1]))) rmSync(join(dirname(path), name), { force: true });
  }
}

/**
 * Gives the complete file at `temporary` the name `path`, unless something already has that
 * name (then returns false and leaves both as they are). A hard link cannot replace an
 * existing name, so two processes publishing at once cannot overwrite each other; where the
 * file system has no hard links, an exclusive copy stands in.
 */
export function publishWithoutReplacing(temporary: string, path: string): boolean {
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error;
  }
  try {
    copyFileSync(temporary, path, constants.COPYFILE_EXCL);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Removes a SQLite file and everything SQLite or the engine keeps beside it. */
export function removeWithSideFiles(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`, `${path}.head.json`]) rmSync(file, { force: true });
}

function prefixOf(path: string, purpose: StagePurpose): string {
  return `.${basename(path)}.${purpose}-`;
}

/** Whether a process with this id runs (ours counts); leftovers are judged by it. */
export function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
