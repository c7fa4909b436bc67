/**
 * Restoring a backup into a NEW ledger file, never over an existing one. The copy is made
 * under a temporary name beside the target (the store's staged files: staged-file.ts),
 * verified (it opens as a ledger and its whole chain verifies), flushed, and only then given
 * the chosen name — by a hard link, which cannot replace a file that appeared meanwhile. A
 * failure or a kill leaves at most the temporary, which the next restore into that name
 * removes. The backup itself is only read.
 */
import type Database from 'better-sqlite3';
import { existsSync, lstatSync } from 'node:fs';
import { dirname } from 'node:path';
import { fail, LedgerFailure, succeed, type Result } from '#shared/errors';
import { openDatabase } from '../store/open-database';
import { checkSideFiles } from '../store/side-files';
import { publishWithoutReplacing, removeLeftoverSiblings, removeWithSideFiles, temporarySibling } from '../store/staged-file';
import { checkBackupFile } from './backup-check';
import { createExclusive, syncFile, syncFolder } from './backup-folder';
import { copyDatabase } from './copy-database';
import { describeFailure, plainFileError } from './plain-words';

export type RestoredBackup = { readonly path: string; readonly position: number; readonly head: string };

export async function restoreBackup(
  backupPath: string,
  targetPath: string,
  options: { nativeBinding?: string } = {},
): Promise<Result<RestoredBackup>> {
  if (!lstatSync(backupPath, { throwIfNoEntry: false })?.isFile()) {
    return fail('NOT_FOUND', `The backup ${backupPath} is not a file`);
  }
  if (lstatSync(targetPath, { throwIfNoEntry: false })) {
    return fail('ALREADY_EXISTS', `The file ${targetPath} already exists; restore into a new file`);
  }
  const folder = dirname(targetPath);
  if (!existsSync(folder)) return fail('STORAGE', `The folder ${folder} does not exist; nothing was restored`);
  const binding = options.nativeBinding ? { nativeBinding: options.nativeBinding } : {};
  let source: Database.Database;
  try {
    // What sits under the new ledger's side-file names must be ours to replace (no links, no folders).
    checkSideFiles(targetPath);
    source = openDatabase(backupPath, { readOnly: true, ...binding });
  } catch (error) {
    if (error instanceof LedgerFailure) return { ok: false, error: error.error };
    throw error;
  }
  removeLeftoverSiblings(targetPath, ['restoring']);
  const temporary = temporarySibling(targetPath, 'restoring');
  let published = false;
  try {
    createExclusive(temporary);
    await copyDatabase(source, temporary, binding);
    syncFile(temporary);
    const checked = await checkBackupFile(temporary, { verify: true, describedAs: `The copy of ${backupPath}`, ...binding });
    if (!checked.ok) return fail(checked.error.code, `Nothing was restored: ${checked.error.message}`);
    if (!publishWithoutReplacing(temporary, targetPath)) {
      return fail('ALREADY_EXISTS', `The file ${targetPath} appeared while the backup was restored; nothing was replaced`);
    }
    published = true;
    syncFile(targetPath);
    syncFolder(folder);
    return succeed({ path: targetPath, position: checked.value.position, head: checked.value.head });
  } catch (error) {
    if (published) return fail('STORAGE', `${targetPath} was restored but could not be flushed to disk (${plainFileError(error)})`);
    return fail('STORAGE', `Nothing was restored into ${targetPath}: ${describeFailure(error)}`);
  } finally {
    source.close();
    removeWithSideFiles(temporary);
  }
}
