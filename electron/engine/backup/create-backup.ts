/**
 * Making one backup of a ledger: a consistent copy written under a temporary name in the
 * backup folder, verified (it opens as a ledger, its chain verifies up to its head, it holds
 * the source's head checkpoint and is a prefix of the source's log), flushed to disk, and only
 * then given its final name — by a hard link, which cannot replace a file (staged-file.ts) —
 * and the folder flushed. So a final name only ever holds a verified backup, and no existing
 * file is ever written over. Any failure removes the temporary; a temporary left by a killed
 * process is removed by the next backup.
 */
import type Database from 'better-sqlite3';
import { lstatSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fail, LedgerFailure, succeed, type Result } from '#shared/errors';
import { readCheckpoint } from '../store/head-checkpoint';
import { openDatabase } from '../store/open-database';
import { publishWithoutReplacing } from '../store/staged-file';
import { checkBackupFile, hashAt } from './backup-check';
import { createExclusive, ensureBackupFolder, removeLeftoverTemporaries, removeTemporary, syncFile, syncFolder } from './backup-folder';
import { backupFileName, ledgerStem, temporaryFileName } from './backup-names';
import { copyDatabase } from './copy-database';
import { describeFailure, plainFileError } from './plain-words';

export type BackupOptions = {
  readonly nativeBinding?: string;
  /** The clock the file name is taken from. */
  readonly now?: () => Date;
  /** Stops the backup (the app quitting); nothing is left behind. */
  readonly signal?: AbortSignal;
};

export type BackupSummary = {
  /** The finished backup file. */
  readonly file: string;
  readonly time: string;
  /** Position and hash of the last event it holds. */
  readonly position: number;
  readonly head: string;
  readonly bytes: number;
  /** When the ledger was created: which ledger this is a backup of (see backup-check.ts). */
  readonly ledgerCreatedAt: string;
};

export async function createBackup(ledgerPath: string, backupFolder: string, options: BackupOptions = {}): Promise<Result<BackupSummary>> {
  const folder = ensureBackupFolder(backupFolder);
  if (!folder.ok) return folder;
  try {
    removeLeftoverTemporaries(backupFolder);
  } catch (error) {
    return fail('STORAGE', `The backup folder ${backupFolder} cannot be read (${plainFileError(error)})`);
  }
  let source: Database.Database;
  try {
    source = openDatabase(ledgerPath, { readOnly: true, ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}) });
  } catch (error) {
    if (error instanceof LedgerFailure) return { ok: false, error: error.error };
    throw error;
  }
  try {
    return await backUpFrom(source, ledgerPath, backupFolder, options);
  } finally {
    source.close();
  }
}

async function backUpFrom(
  source: Database.Database,
  ledgerPath: string,
  backupFolder: string,
  options: BackupOptions,
): Promise<Result<BackupSummary>> {
  // Read before the copy: the checkpoint never leads the log, so the copy must hold it.
  const checkpoint = readCheckpoint(ledgerPath);
  const { finalPath, time } = freeFinalName(backupFolder, ledgerStem(ledgerPath), options.now?.() ?? new Date());
  const temporary = join(backupFolder, temporaryFileName(basename(finalPath), process.pid));
  try {
    createExclusive(temporary);
  } catch (error) {
    return fail('STORAGE', `No backup was made: the backup folder ${backupFolder} cannot be written (${plainFileError(error)})`);
  }
  let kept = false;
  try {
    await copyDatabase(source, temporary, options);
    syncFile(temporary);
    const checked = await checkBackupFile(temporary, {
      verify: true,
      describedAs: `The copy of ${ledgerPath}`,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
      ...(checkpoint ? { checkpoint } : {}),
    });
    if (!checked.ok) return fail(checked.error.code, `No backup was made: ${checked.error.message}`);
    const facts = checked.value;
    if (facts.position > 0 && hashAt(source, facts.position) !== facts.head) {
      return fail(
        'INTEGRITY',
        `No backup was made of ${ledgerPath}: the copy's event at position ${facts.position} differs from the ledger's`,
      );
    }
    const bytes = lstatSync(temporary).size;
    // A hard link (or, without them, an exclusive copy) never replaces a file that appeared meanwhile.
    if (!publishWithoutReplacing(temporary, finalPath)) {
      return fail('ALREADY_EXISTS', `No backup was made: ${finalPath} appeared while the backup was written`);
    }
    kept = true;
    syncFile(finalPath);
    syncFolder(backupFolder);
    return succeed({
      file: finalPath,
      time: time.toISOString(),
      position: facts.position,
      head: facts.head,
      bytes,
      ledgerCreatedAt: facts.ledgerCreatedAt,
    });
  } catch (error) {
    if (kept)
      return fail('STORAGE', `The backup ${finalPath} was written but the folder could not be flushed to disk (${plainFileError(error)})`);
    if (options.signal?.aborted) return fail('STORAGE', `The backup of ${ledgerPath} was stopped; nothing was left behind`);
    return fail('STORAGE', `No backup was made of ${ledgerPath} in ${backupFolder}: ${describeFailure(error)}; nothing was left behind`);
  } finally {
    removeTemporary(temporary);
  }
}

/** The final name for a backup taken at `time`, moved on by a millisecond while that name is taken. */
function freeFinalName(folder: string, stem: string, time: Date): { finalPath: string; time: Date } {
  for (let at = time.getTime(); ; at++) {
    const finalPath = join(folder, backupFileName(stem, new Date(at)));
    if (!lstatSync(finalPath, { throwIfNoEntry: false })) return { finalPath, time: new Date(at) };
  }
}
