/**
 * How backup files are named, and how our own files are told apart from everything else in a
 * backup folder. Pure: no file system.
 *
 *   final:     <ledger stem>-<YYYYMMDDTHHMMSSmmm>Z.ledger-backup.db
 *              e.g. ledger-20250114T093005123Z.ledger-backup.db (UTC, to the millisecond)
 *   temporary: .<final name>.<pid>.partial, plus the SQLite side files of that name
 *              (-journal, -wal, -shm) while a backup is being written or checked
 *
 * Within one ledger the names sort by time. A name alone never makes a file ours to delete:
 * the folder code also checks that it is a regular file (not a link) and, for a final name,
 * that it opens as a ledger.
 */

export const BACKUP_SUFFIX = '.ledger-backup.db';
const TEMPORARY_SUFFIX = '.partial';

/** Ledger stems are kept to letters, digits, '.', '_' and '-' (anything else becomes '_'). */
const STEM_UNSAFE = /[^A-Za-z0-9._-]/g;
const FINAL_NAME = /^([A-Za-z0-9._-]+)-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z\.ledger-backup\.db$/;
const TEMPORARY_NAME = /^\.(.+\.ledger-backup\.db)\.(\d{1,10})\.partial(-journal|-wal|-shm)?$/;

export type BackupName = { readonly ledgerStem: string; readonly time: Date };
export type TemporaryName = { readonly finalName: string; readonly pid: number; readonly sideFile: boolean };

/** The ledger's file name without folder and extension, safe for a file name: `ledger` for /x/ledger.db. */
export function ledgerStem(ledgerPath: string): string {
  const name = ledgerPath.split(/[\\/]/).pop() ?? '';
  const withoutExtension = name.replace(/\.[^.]*$/, '') || name;
  return withoutExtension.replace(STEM_UNSAFE, '_').replace(/^[.-]+/, '') || 'ledger';
}

export function backupFileName(stem: string, time: Date): string {
  const iso = time.toISOString(); // 2025-01-14T09:30:05.123Z
  const stamp = iso.replace(/[-:]/g, '').replace('.', '');
  return `${stem}-${stamp}${BACKUP_SUFFIX}`;
}

/** The stem and time of a final backup name, or undefined for any other name. */
export function parseBackupFileName(name: string): BackupName | undefined {
  const match = FINAL_NAME.exec(name);
  if (!match) return undefined;
  const [, stem, year, month, day, hour, minute, second, millisecond] = match;
  const time = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}.${millisecond}Z`);
  // Rejects dates that do not exist (month 13, 31 February): they were never written by us.
  if (Number.isNaN(time.getTime()) || backupFileName(stem!, time) !== name) return undefined;
  return { ledgerStem: stem!, time };
}

export function temporaryFileName(finalName: string, pid: number): string {
  return `.${finalName}.${pid}${TEMPORARY_SUFFIX}`;
}

/** A temporary of ours (or one of its SQLite side files), or undefined. */
export function parseTemporaryFileName(name: string): TemporaryName | undefined {
  const match = TEMPORARY_NAME.exec(name);
  if (!match || !parseBackupFileName(match[1]!)) return undefined;
  return { finalName: match[1]!, pid: Number(match[2]), sideFile: match[3] !== undefined };
}
