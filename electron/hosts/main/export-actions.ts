/**
 * Export and restore from the File menu: File → Export Event Log…, the export dialog the audit
 * screen's Export button shares, and File → Restore from Export…. The renderer never names a
 * file: the main process asks the person where.
 */
import { basename } from 'node:path';
import type { SealingHostServices } from '#engine/sealing/seal-channels';
import type { ExportFormat } from '#shared/audit';
import type { AppDialogs } from './app-dialogs';
import type { AppWindow } from './app-window';
import {
  exportSaveDialogOptions,
  exportSucceededMessage,
  exportTargetFor,
  restoreDefaultPath,
  restoreOpenDialogOptions,
  restoreSaveDialogOptions,
  restoreSucceededMessage,
  withLedgerExtension,
} from './file-dialogs';
import type { LedgerHost } from './ledger-host';
import { isSealRefusal, trustSealBox } from './seal-dialogs';

export type ExportActionsOptions = {
  readonly host: LedgerHost;
  readonly window: AppWindow;
  readonly dialogs: AppDialogs;
  readonly documentsFolder: () => string;
  readonly exists: (path: string) => boolean;
  /** The app's signing key for the export's seals (seal-actions.ts). */
  readonly sealing: () => SealingHostServices;
  /** Makes a restored ledger THE ledger on screen (ledger-file-actions.ts). */
  readonly showOpenedLedger: (path: string) => void;
};

export function createExportActions({ host, window, dialogs, documentsFolder, exists, sealing, showOpenedLedger }: ExportActionsOptions) {
  /**
   * The export save dialog, shared by File → Export Event Log… (`requested` undefined: both
   * formats, the extension decides) and the audit screen's Export button (the exportEventLog
   * channel's chooseExportPath: the format it asked for). A name the export cannot use is
   * explained and the dialog shown again; undefined when the person cancels.
   */
  const chooseExportTarget = async (requested: ExportFormat | undefined): Promise<{ path: string; format: ExportFormat } | undefined> => {
    let options = exportSaveDialogOptions(documentsFolder(), requested, new Date());
    for (;;) {
      const choice = await dialogs.showSaveDialog(options);
      if (choice.canceled || !choice.filePath) return undefined;
      const target = exportTargetFor(choice.filePath, requested);
      if (!target.ok) {
        await dialogs.showError('Choose another file name', target.message);
      } else if (target.extensionAdded && exists(target.path)) {
        // The dialog asked about replacing the name as typed, not this one with the extension added.
        await dialogs.showError(
          'A file with this name already exists',
          `${target.path} already exists. Choose another name, or choose that file itself to replace it.`,
        );
      } else {
        return target;
      }
      options = { ...options, defaultPath: choice.filePath };
    }
  };

  /** File → Export Event Log…: the whole log, no filter; a message box says what was written, or why not. */
  const exportFromMenu = async (): Promise<void> => {
    if (host.path === undefined) {
      await dialogs.showError('There is nothing to export', 'No ledger is open. Open or create one from the File menu first.');
      return;
    }
    const target = await chooseExportTarget(undefined);
    if (!target) return;
    const exported = await host.exportEventLog(target.path, target.format, sealing());
    if (!exported.ok) {
      await dialogs.showError('The event log could not be exported', exported.error.message);
      return;
    }
    await dialogs.showInfo(exportSucceededMessage(exported.value));
  };

  /**
   * File → Restore from Export…: the export (open dialog), the NEW ledger file (save dialog),
   * then Ledger.restore — which verifies the export's whole chain first and refuses an existing
   * file. Success switches the app to the restored ledger; a refusal shows the engine's message
   * and the current ledger stays open.
   */
  const restoreFromExport = async (): Promise<void> => {
    const documents = documentsFolder();
    const source = await dialogs.showOpenDialog(restoreOpenDialogOptions(documents));
    const exportPath = source.filePaths[0];
    if (source.canceled || exportPath === undefined) return;
    const defaultPath = restoreDefaultPath(host.path, documents, new Date(), exists);
    const destination = await dialogs.showSaveDialog(restoreSaveDialogOptions(defaultPath));
    if (destination.canceled || !destination.filePath) return;
    const path = withLedgerExtension(destination.filePath);
    window.setTitle(`Restoring ${basename(path)} from ${basename(exportPath)}…`);
    window.setProgress('busy');
    let restored = await host.restoreFrom(exportPath, path);
    // A seal that does not hold: the person decides whether they trust the file anyway (Cancel: nothing restored).
    const trusted =
      !restored.ok && isSealRefusal(restored.error)
        ? (await dialogs.showMessageBox(trustSealBox(restored.error))).response === 1
        : undefined;
    if (trusted) restored = await host.restoreFrom(exportPath, path, { ignoreSeal: true });
    window.setProgress('none');
    if (!restored.ok) {
      // The loading/error page (no ledger open yet) keeps showing what it showed before.
      if (host.path === undefined) window.setTitle('No ledger open');
      else window.showLedgerTitle();
      const stays = host.path === undefined ? 'No ledger was opened.' : `The ledger ${host.path} stays open.`;
      if (trusted !== false) await dialogs.showError('The export cannot be restored', `${restored.error.message}\n\n${stays}`);
      return;
    }
    showOpenedLedger(restored.value.info.path);
    await dialogs.showInfo(restoreSucceededMessage(restored.value));
  };

  return { chooseExportTarget, exportFromMenu, restoreFromExport };
}
