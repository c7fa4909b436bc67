/**
 * The app's backups, wired: the schedule (backup-schedule.ts) over the open ledger and the
 * chosen folder, and the flows behind File → Back Up Now, Restore from Backup… and Backup
 * Folder…. main.ts passes its dialogs and its way of opening a ledger; nothing here imports
 * Electron, so tests drive it with stand-ins.
 */
import { existsSync } from 'node:fs';
import type { MessageBoxOptions, OpenDialogOptions, SaveDialogOptions } from 'electron';
import { backupFolderSetting, saveBackupFolderSetting } from '#engine/backup/backup-settings';
import { listBackups, newestBackupOf } from '#engine/backup/list-backups';
import { restoreBackup } from '#engine/backup/restore-backup';
import { backUpAndPrune } from '#engine/backup/rolling-backup';
import type { LedgerInfo } from '#shared/ipc-contract';
import {
  backupFolderChangedMessage,
  backupFolderDialogOptions,
  backupRestoredMessage,
  backupSucceededMessage,
  otherBackupDialogOptions,
  restoreChoiceBox,
} from './backup-dialogs';
import { BackupSchedule } from './backup-schedule';
import { restoreDefaultPath, restoreSaveDialogOptions, withLedgerExtension } from './file-dialogs';

type Message = { message: string; detail: string };

export type AppBackupsOptions = {
  readonly userDataFolder: string;
  readonly documentsFolder: () => string;
  readonly nativeBinding?: string;
  /** The open ledger's info, or undefined. */
  readonly ledgerInfo: () => LedgerInfo | undefined;
  /** Opens a ledger file and makes it THE ledger (File → Open's path); false when it could not. */
  readonly openLedgerFile: (path: string) => Promise<boolean>;
  readonly showMessageBox: (options: MessageBoxOptions) => Promise<{ response: number }>;
  readonly showOpenDialog: (options: OpenDialogOptions) => Promise<{ canceled: boolean; filePaths: string[] }>;
  readonly showSaveDialog: (options: SaveDialogOptions) => Promise<{ canceled: boolean; filePath?: string }>;
  readonly showError: (message: string, detail: string) => Promise<void>;
  readonly showInfo: (message: Message) => Promise<void>;
  /** A passing state while a backup or restore runs (undefined: done). */
  readonly showBusy: (what: string | undefined) => void;
  readonly log?: (message: string, error?: unknown) => void;
};

export function createAppBackups(options: AppBackupsOptions) {
  const binding = options.nativeBinding ? { nativeBinding: options.nativeBinding } : {};
  const folder = () => backupFolderSetting(options.userDataFolder);
  const schedule = new BackupSchedule({
    target: () => {
      const info = options.ledgerInfo();
      return info && { path: info.path, lastPosition: info.lastPosition, readOnly: info.readOnly };
    },
    backUp: (ledgerPath, signal) => backUpAndPrune(ledgerPath, folder(), { ...binding, ...(signal ? { signal } : {}) }),
    newestBackup: (ledgerPath) => newestBackupOf(folder(), ledgerPath, options.nativeBinding),
    ...(options.log ? { log: options.log } : {}),
  });

  async function backUpNow(): Promise<void> {
    if (!options.ledgerInfo()) {
      await options.showError('There is nothing to back up', 'No ledger is open. Open or create one from the File menu first.');
      return;
    }
    options.showBusy('Backing up…');
    const made = await schedule.backUpNow();
    options.showBusy(undefined);
    if (!made.ok) await options.showError('No backup was made', made.error.message);
    else await options.showInfo(backupSucceededMessage(made.value));
  }

  async function chooseBackupFolder(): Promise<void> {
    const choice = await options.showOpenDialog(backupFolderDialogOptions(folder()));
    const chosen = choice.filePaths[0];
    if (choice.canceled || chosen === undefined) return;
    const saved = saveBackupFolderSetting(options.userDataFolder, chosen);
    if (!saved.ok) {
      await options.showError('The backup folder was not changed', saved.error.message);
      return;
    }
    schedule.folderChanged();
    await options.showInfo(backupFolderChangedMessage(chosen));
  }

  async function restoreFromBackup(): Promise<void> {
    const backupFolder = folder();
    const listed = await listBackups(backupFolder, { verify: false, ...binding });
    if (!listed.ok) {
      await options.showError('The backups cannot be listed', listed.error.message);
      return;
    }
    const box = restoreChoiceBox(listed.value, backupFolder);
    const picked = box.choices[(await options.showMessageBox(box.options)).response] ?? { kind: 'cancel' };
    let backupFile: string | undefined;
    if (picked.kind === 'backup') backupFile = picked.file;
    if (picked.kind === 'other') {
      const other = await options.showOpenDialog(otherBackupDialogOptions(backupFolder));
      if (!other.canceled) backupFile = other.filePaths[0];
    }
    if (backupFile === undefined) return;
    const current = options.ledgerInfo()?.path;
    const destination = await options.showSaveDialog(
      restoreSaveDialogOptions(restoreDefaultPath(current, options.documentsFolder(), new Date(), existsSync)),
    );
    if (destination.canceled || !destination.filePath) return;
    const path = withLedgerExtension(destination.filePath);
    options.showBusy('Restoring…');
    const restored = await restoreBackup(backupFile, path, binding);
    options.showBusy(undefined);
    if (!restored.ok) {
      const stays = current === undefined ? 'No ledger was opened.' : `The ledger ${current} stays open.`;
      await options.showError('The backup cannot be restored', `${restored.error.message}\n\n${stays}`);
      return;
    }
    // openLedgerFile explains a failure itself.
    if (await options.openLedgerFile(path)) await options.showInfo(backupRestoredMessage(backupFile, path, restored.value.position));
  }

  return { schedule, backUpNow, chooseBackupFolder, restoreFromBackup };
}
