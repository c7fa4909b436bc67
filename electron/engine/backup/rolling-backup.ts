/**
 * One round of rolling backups, as the app's schedule and `ledger backup` run it: a new
 * verified backup, then the retention policy over that ledger's backups in the folder. Old
 * backups are only ever removed after a new one was made and verified.
 */
import { succeed, type Result } from '#shared/errors';
import { createBackup, type BackupOptions, type BackupSummary } from './create-backup';
import { pruneBackups } from './list-backups';

export type RollingBackupSummary = BackupSummary & {
  /** Names of the older backups the retention policy removed. */
  readonly removed: readonly string[];
  /** Why old backups could not be removed (the new backup was made all the same). */
  readonly pruneProblem?: string;
};

export async function backUpAndPrune(
  ledgerPath: string,
  backupFolder: string,
  options: BackupOptions & { readonly prune?: boolean } = {},
): Promise<Result<RollingBackupSummary>> {
  const made = await createBackup(ledgerPath, backupFolder, options);
  if (!made.ok) return made;
  if (options.prune === false) return succeed({ ...made.value, removed: [] });
  const now = options.now?.() ?? new Date();
  const pruned = await pruneBackups(backupFolder, ledgerPath, made.value.ledgerCreatedAt, now, options.nativeBinding);
  return succeed(pruned.ok ? { ...made.value, removed: pruned.value } : { ...made.value, removed: [], pruneProblem: pruned.error.message });
}
