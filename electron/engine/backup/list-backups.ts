/**
 * What is in a backup folder, and applying the retention policy to one ledger's backups.
 * Only files named as our backups and that are regular files are looked at; only those that
 * also open as a backup of the SAME ledger (same name, same creation time) are ever removed.
 */
import { lstatSync, rmSync } from 'node:fs';
import { fail, succeed, type Result } from '#shared/errors';
import { checkBackupFile } from './backup-check';
import { backupEntries, type BackupEntry } from './backup-folder';
import { ledgerStem } from './backup-names';
import { plainFileError } from './plain-words';
import { decideRetention } from './retention';

export type BackupListing = {
  readonly file: string;
  readonly name: string;
  /** The ledger's file name it was taken of, without extension. */
  readonly ledgerStem: string;
  readonly time: string;
  readonly bytes: number;
  /** Position of its last event; undefined when it cannot be read as a ledger. */
  readonly position?: number;
  readonly ledgerCreatedAt?: string;
  /** true: opened and its chain verified; false: see `problem`; undefined: not checked (verify: false). */
  readonly verified?: boolean;
  readonly problem?: string;
};

export type ListOptions = { readonly verify: boolean; readonly nativeBinding?: string };

/** Every backup in `folder`, newest first. A missing folder has none. */
export async function listBackups(folder: string, options: ListOptions): Promise<Result<BackupListing[]>> {
  let entries: BackupEntry[];
  try {
    entries = lstatSync(folder, { throwIfNoEntry: false }) ? backupEntries(folder) : [];
  } catch (error) {
    return fail('STORAGE', `The backup folder ${folder} cannot be read (${plainFileError(error)})`);
  }
  const listings: BackupListing[] = [];
  for (const entry of entries.reverse()) {
    const base = { file: entry.path, name: entry.name, ledgerStem: entry.ledgerStem, time: entry.time.toISOString(), bytes: entry.bytes };
    const binding = options.nativeBinding ? { nativeBinding: options.nativeBinding } : {};
    const opened = await checkBackupFile(entry.path, { verify: false, ...binding });
    if (!opened.ok) {
      listings.push({ ...base, verified: false, problem: opened.error.message });
      continue;
    }
    const facts = { ...base, position: opened.value.position, ledgerCreatedAt: opened.value.ledgerCreatedAt };
    if (!options.verify) {
      listings.push(facts);
      continue;
    }
    const verified = await checkBackupFile(entry.path, { verify: true, ...binding });
    listings.push(verified.ok ? { ...facts, verified: true } : { ...facts, verified: false, problem: verified.error.message });
  }
  return succeed(listings);
}

/**
 * Applies the retention policy (retention.ts) to the backups of the ledger at `ledgerPath`
 * created at `ledgerCreatedAt`; returns the names removed.
 */
export async function pruneBackups(
  folder: string,
  ledgerPath: string,
  ledgerCreatedAt: string,
  now: Date,
  nativeBinding?: string,
): Promise<Result<string[]>> {
  const listed = await listBackups(folder, { verify: false, ...(nativeBinding ? { nativeBinding } : {}) });
  if (!listed.ok) return listed;
  const stem = ledgerStem(ledgerPath);
  const ours = listed.value
    .filter((backup) => backup.ledgerStem === stem && backup.problem === undefined && backup.ledgerCreatedAt === ledgerCreatedAt)
    .map((backup) => ({ ...backup, time: new Date(backup.time) }));
  const removed: string[] = [];
  try {
    for (const backup of decideRetention(ours, now).remove) {
      if (!lstatSync(backup.file, { throwIfNoEntry: false })?.isFile()) continue;
      rmSync(backup.file);
      removed.push(backup.name);
    }
  } catch (error) {
    return fail('STORAGE', `Old backups in ${folder} could not be removed (${plainFileError(error)})`);
  }
  return succeed(removed);
}

export type NewestBackup = { readonly file: string; readonly time: Date; readonly position: number };

/**
 * The newest backup in `folder` of the ledger at `ledgerPath` (same name, same creation
 * time), read without verifying it; undefined when there is none or the ledger cannot be read.
 */
export async function newestBackupOf(folder: string, ledgerPath: string, nativeBinding?: string): Promise<NewestBackup | undefined> {
  const binding = nativeBinding ? { nativeBinding } : {};
  const ledger = await checkBackupFile(ledgerPath, { verify: false, describedAs: `The ledger ${ledgerPath}`, ...binding });
  if (!ledger.ok) return undefined;
  const listed = await listBackups(folder, { verify: false, ...binding });
  if (!listed.ok) return undefined;
  const stem = ledgerStem(ledgerPath);
  const newest = listed.value.find(
    (backup) => backup.ledgerStem === stem && backup.problem === undefined && backup.ledgerCreatedAt === ledger.value.ledgerCreatedAt,
  );
  return newest && { file: newest.file, time: new Date(newest.time), position: newest.position ?? 0 };
}
