/**
 * The dialogs of File → Back Up Now, Restore from Backup… and Backup Folder…, as plain
 * options and texts, so tests read them without Electron (backup-actions.ts shows them).
 *
 * Restore from Backup… is a native message box, usable by keyboard (Tab / arrow keys, Enter,
 * Escape): its text lists the backups, newest first, with time, size and head position; its
 * buttons are the newest few, "Other Backup File…" (an open dialog in the backup folder) and
 * Cancel.
 */
import type { MessageBoxOptions, OpenDialogOptions } from 'electron';
import { basename } from 'node:path';
import type { BackupListing } from '#engine/backup/list-backups';
import type { RollingBackupSummary } from '#engine/backup/rolling-backup';
import { localDate } from './file-dialogs';

/** Backups offered as buttons; the rest are listed in the text and reachable through "Other Backup File…". */
export const BACKUP_BUTTONS = 6;
const LISTED_IN_TEXT = 20;

export type BackupChoice = { readonly kind: 'backup'; readonly file: string } | { readonly kind: 'other' } | { readonly kind: 'cancel' };

/** "2025-01-14 10:30" in local time. */
export function localTime(moment: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${localDate(moment)} ${pad(moment.getHours())}:${pad(moment.getMinutes())}`;
}

/** 1234567 → "1.2 MB". */
export function sizeText(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1_000 && unit < units.length - 1) {
    value /= 1_000;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

export function backupLine(backup: BackupListing): string {
  const head = backup.position === undefined ? 'cannot be read' : `up to event ${backup.position.toLocaleString('en')}`;
  return `${localTime(new Date(backup.time))} — ${sizeText(backup.bytes)} — ${head} (${backup.ledgerStem})`;
}

/** The message box of Restore from Backup…, and what each of its buttons means. */
export function restoreChoiceBox(
  backups: readonly BackupListing[],
  folder: string,
): { options: MessageBoxOptions; choices: BackupChoice[] } {
  const readable = backups.filter((backup) => backup.problem === undefined);
  const offered = readable.slice(0, BACKUP_BUTTONS);
  const choices: BackupChoice[] = [
    ...offered.map((backup) => ({ kind: 'backup' as const, file: backup.file })),
    { kind: 'other' },
    { kind: 'cancel' },
  ];
  const listed = backups.slice(0, LISTED_IN_TEXT).map(backupLine);
  const more = backups.length > LISTED_IN_TEXT ? [`… and ${backups.length - LISTED_IN_TEXT} older`] : [];
  const detail =
    backups.length === 0
      ? `There are no backups in ${folder} yet. Choose a backup file elsewhere, or set the folder with File → Backup Folder….`
      : [
          `Backups in ${folder}, newest first:`,
          '',
          ...listed,
          ...more,
          '',
          'The backup is restored into a NEW ledger file you choose next; it is verified first.',
        ].join('\n');
  return {
    options: {
      type: 'question',
      title: 'Restore from Backup',
      message: 'Which backup do you want to restore?',
      detail,
      buttons: [...offered.map(backupLine), 'Other Backup File…', 'Cancel'],
      defaultId: 0,
      cancelId: choices.length - 1,
      noLink: true,
    },
    choices,
  };
}

export function otherBackupDialogOptions(folder: string): OpenDialogOptions {
  return {
    title: 'Choose a Backup',
    buttonLabel: 'Choose Backup',
    defaultPath: folder,
    properties: ['openFile'],
    filters: [
      { name: 'Ledger backup', extensions: ['db'] },
      { name: 'All files', extensions: ['*'] },
    ],
  };
}

export function backupFolderDialogOptions(current: string): OpenDialogOptions {
  return {
    title: 'Backup Folder',
    buttonLabel: 'Use This Folder',
    defaultPath: current,
    properties: ['openDirectory', 'createDirectory'],
  };
}

export function backupSucceededMessage(summary: RollingBackupSummary): { message: string; detail: string } {
  const removed =
    summary.removed.length === 0
      ? ''
      : `\n\n${summary.removed.length} older backup${summary.removed.length === 1 ? ' was' : 's were'} removed by the retention policy.`;
  const problem = summary.pruneProblem ? `\n\n${summary.pruneProblem}` : '';
  return {
    message: 'Backup made',
    detail: `${basename(summary.file)} (${sizeText(summary.bytes)}, up to event ${summary.position.toLocaleString('en')}) was written and verified in\n${summary.file.slice(0, -basename(summary.file).length)}${removed}${problem}`,
  };
}

export function backupFolderChangedMessage(folder: string): { message: string; detail: string } {
  return { message: 'Backup folder changed', detail: `Backups now go to\n${folder}\n\nBackups already made stay where they are.` };
}

export function backupRestoredMessage(backupFile: string, path: string, position: number): { message: string; detail: string } {
  return {
    message: 'Backup restored',
    detail: `${basename(backupFile)} was restored into the new ledger ${path}, which is now open.\n\nIts hash chain verified up to event ${position.toLocaleString('en')}.`,
  };
}
