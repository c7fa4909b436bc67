/**
 * Restoring a backup into a NEW ledger file, never over an existing one. The copy is made
 * under a temporary name beside the target, verified (it opens as a ledger and its whole
 * chain verifies), flushed, and only then renamed to the chosen name. The backup itself is
 * only read.
 */
import { existsSync, lstatSync, readdirSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fail, LedgerFailure, succeed, type Result } from '../../../shared/errors';
import { openDatabase } from '../store/open-database';
import { checkBackupFile } from './backup-check';
import { createExclusive, processIsRunning, removeTemporary, syncFile, syncFolder } from './backup-folder';
import { copyDatabase } from './copy-database';
import { describeFailure, plainFileError } from './plain-words';

export type RestoredBackup = { readonly path: string; readonly position: number; readonly head: string };

export async function restoreBackup(backupPath: string, targetPath: string, options: { nativeBinding?: string } = {}): Promise<Result<RestoredBackup>> {
  if (!lstatSync(backupPath, { throwIfNoEntry: false })?.isFile()) {
    return fail('NOT_FOUND', `The backup ${backupPath} is not a file`);
  }
  if (lstatSync(targetPath, { throwIfNoEntry: false })) {
    return fail('ALREADY_EXISTS', `The file ${targetPath} already exists; restore into a new file`);
  }
  const folder = dirname(targetPath);
  if (!existsSync(folder)) return fail('STORAGE', `The folder ${folder} does not exist; nothing was restored`);
  removeLeftoverRestores(folder, basename(targetPath));
  const temporary = join(folder, restoreTemporaryName(basename(targetPath), process.pid));
  const binding = options.nativeBinding ? { nativeBinding: options.nativeBinding } : {};
  let source;
  try {
    source = openDatabase(backupPath, { readOnly: true, ...binding });
  } catch (error) {
    if (error instanceof LedgerFailure) return { ok: false, error: error.error };
    throw error;
  }
  let kept = false;
  try {
    createExclusive(temporary);
    await copyDatabase(source, temporary, binding);
    syncFile(temporary);
    const checked = await checkBackupFile(temporary, { verify: true, describedAs: `The copy of ${backupPath}`, ...binding });
    if (!checked.ok) return fail(checked.error.code, `Nothing was restored: ${checked.error.message}`);
    if (lstatSync(targetPath, { throwIfNoEntry: false })) {
      return fail('ALREADY_EXISTS', `The file ${targetPath} appeared while the backup was restored; nothing was restored`);
    }
    renameSync(temporary, targetPath);
    kept = true;
    syncFolder(folder);
    return succeed({ path: targetPath, position: checked.value.position, head: checked.value.head });
  } catch (error) {
    if (kept) return fail('STORAGE', `${targetPath} was restored but its folder could not be flushed to disk (${plainFileError(error)})`);
    return fail('STORAGE', `Nothing was restored into ${targetPath}: ${describeFailure(error)}`);
  } finally {
    source.close();
    if (!kept) removeTemporary(temporary);
  }
}

function restoreTemporaryName(targetName: string, pid: number): string {
  return `.${targetName}.${pid}.restore-partial`;
}

/** Temporaries of an earlier restore into the same name by a process that is gone. */
function removeLeftoverRestores(folder: string, targetName: string): void {
  const prefix = `.${targetName}.`;
  for (const name of readdirSync(folder)) {
    if (!name.startsWith(prefix)) continue;
    const match = /^(\d{1,10})\.restore-partial(?:-journal|-wal|-shm)?$/.exec(name.slice(prefix.length));
    if (!match || processIsRunning(Number(match[1]))) continue;
    removeTemporary(join(folder, name.replace(/-(journal|wal|shm)$/, '')));
  }
}
