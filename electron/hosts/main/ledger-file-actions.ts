/**
 * Opening and switching ledgers: at startup, from File → Open Ledger… / New Ledger…, and from
 * the loading page's error buttons. While no ledger is open (startup, or after a failed
 * startup) the loading page shows the progress or the failure; when one is open, a failure is
 * an error dialog and the current ledger stays.
 */
import type { OpenDialogOptions, SaveDialogOptions } from 'electron';
import { basename, join } from 'node:path';
import { LEDGER_FILE_NAME } from '#engine/paths';
import type { AppDialogs } from './app-dialogs';
import type { AppWindow } from './app-window';
import { LEDGER_FILE_FILTERS, withLedgerExtension } from './file-dialogs';
import type { LedgerHost } from './ledger-host';
import type { StartupStatusBoard } from './startup-status';

/** How often the title and taskbar progress are repainted during a replay. */
const PROGRESS_REPAINT_MS = 100;

export type LedgerFileActionsOptions = {
  readonly host: LedgerHost;
  readonly window: AppWindow;
  readonly dialogs: AppDialogs;
  readonly startupStatus: StartupStatusBoard;
  /** Where File → New Ledger… proposes to create the file. */
  readonly documentsFolder: () => string;
  readonly exists: (path: string) => boolean;
};

export type LedgerFileActions = ReturnType<typeof createLedgerFileActions>;

export function createLedgerFileActions({ host, window, dialogs, startupStatus, documentsFolder, exists }: LedgerFileActionsOptions) {
  /**
   * After File → Open / New / Restore (or startup) made `path` THE ledger: the title, the
   * watching, and the renderer — loaded when the loading/error page was showing; an app
   * already showing got the host's change notification and reloads everything it shows.
   */
  const showOpenedLedger = (path: string): void => {
    startupStatus.ready(path);
    window.showLedgerTitle();
    host.startWatching();
    window.showRenderer();
  };

  /** Opens `path` and makes it THE ledger; false (and the failure shown) if it cannot be opened. */
  const openLedgerFile = async (path: string): Promise<boolean> => {
    const onStartupPage = host.path === undefined;
    if (onStartupPage) startupStatus.opening(path);
    window.setTitle(`Opening ${basename(path)}…`);
    let lastRepaint = 0;
    const result = await host.switchTo(path, (applied, total) => {
      if (onStartupPage) startupStatus.progress(path, applied, total);
      const now = Date.now();
      if (now - lastRepaint < PROGRESS_REPAINT_MS && applied < total) return;
      lastRepaint = now;
      window.setProgress(total > 0 ? applied / total : 'busy');
      window.setTitle(`Opening ${basename(path)} — ${applied.toLocaleString('en')} of ${total.toLocaleString('en')} events`);
    });
    window.setProgress('none');
    if (!result.ok) {
      const message = explainOpenFailure(result.error.message);
      if (host.path === undefined) {
        startupStatus.failed(path, message);
        window.setTitle('No ledger open');
      } else {
        window.showLedgerTitle();
        await dialogs.showError('The ledger cannot be opened', `${message}\n\nThe ledger ${host.path} stays open.`);
      }
      return false;
    }
    showOpenedLedger(result.value.path);
    return true;
  };

  const chooseLedgerToOpen = async (): Promise<void> => {
    const options: OpenDialogOptions = {
      title: 'Open Ledger',
      buttonLabel: 'Open',
      properties: ['openFile'],
      filters: LEDGER_FILE_FILTERS,
    };
    const choice = await dialogs.showOpenDialog(options);
    const path = choice.filePaths[0];
    if (choice.canceled || path === undefined) return;
    await openLedgerFile(path);
  };

  const chooseNewLedger = async (): Promise<void> => {
    const options: SaveDialogOptions = {
      title: 'New Ledger',
      buttonLabel: 'Create',
      defaultPath: join(documentsFolder(), LEDGER_FILE_NAME),
      filters: LEDGER_FILE_FILTERS,
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    };
    const choice = await dialogs.showSaveDialog(options);
    if (choice.canceled || !choice.filePath) return;
    const path = withLedgerExtension(choice.filePath);
    if (exists(path)) {
      // A new ledger never replaces a file, even if the dialog asked "replace?": it could be
      // another ledger, and a ledger's history is not something to lose by a mis-click.
      await dialogs.showError(
        'A file with this name already exists',
        `${path} already exists. Choose another name, or use File → Open Ledger… to open it.`,
      );
      return;
    }
    await openLedgerFile(path);
  };

  return { openLedgerFile, showOpenedLedger, chooseLedgerToOpen, chooseNewLedger };
}

/** The engine's message, plus what to do when the native module was built for plain Node. */
export function explainOpenFailure(message: string): string {
  if (/NODE_MODULE_VERSION|compiled against a different Node\.js version/.test(message)) {
    return `${message}\n\nbetter-sqlite3 was built for Node.js, not for Electron. Start the app with \`npm start\`, which builds an Electron copy of it.`;
  }
  return message;
}
