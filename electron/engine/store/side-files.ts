/**
 * The files kept beside a ledger: SQLite's -wal, -shm and -journal, and the engine's head
 * checkpoint. Each is opened by a name derived from the ledger's, so a planted link or folder
 * under that name would turn a commit into a write somewhere else, or silence a check. A
 * ledger is opened only when each of them is absent or a regular file (never a link), and the
 * head checkpoint also holds a record of ours (see head-checkpoint.ts).
 */
import { lstatSync, type Stats } from 'node:fs';
import { LedgerFailure } from '#shared/errors';
import { checkpointPathFor, inspectCheckpointFile } from './head-checkpoint';

/** Every file SQLite or the engine keeps beside the ledger at `path`. */
export function sideFilesOf(path: string): string[] {
  return [`${path}-wal`, `${path}-shm`, `${path}-journal`, checkpointPathFor(path)];
}

/** Throws a STORAGE failure naming the first side file that is not a regular file of ours. */
export function checkSideFiles(path: string): void {
  for (const side of sideFilesOf(path)) {
    const stats = lstatSync(side, { throwIfNoEntry: false });
    if (stats === undefined) continue;
    if (!stats.isFile()) throw sideFileFailure(side, path, `is ${kindOf(stats)}, not a file of the ledger`);
  }
  const problem = inspectCheckpointFile(path);
  if (problem !== undefined) throw sideFileFailure(checkpointPathFor(path), path, problem);
}

export function sideFileFailure(side: string, ledgerPath: string, problem: string): LedgerFailure {
  return new LedgerFailure({
    code: 'STORAGE',
    message: `The file ${side} beside the ledger ${ledgerPath} ${problem}; the ledger was not opened and the file was left as it is (remove it if it is not yours)`,
  });
}

export function kindOf(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFile()) return 'a file';
  return 'a special file (a device, pipe or socket)';
}
