/**
 * The application menu as a plain template (Electron's MenuItemConstructorOptions), built
 * from the actions main.ts provides, so tests can read it without Electron.
 *   File:  New ledger…, Open ledger…, Export event log…, Restore from export…,
 *          Seal now, Back up now, Restore from backup…, Backup folder…, Quit
 *   Edit:  the standard roles (without them macOS has no copy/paste shortcuts in text fields)
 *   View:  Accounts, Audit (sent to the renderer as NAVIGATE_CHANNEL)
 *   Account: Statement… (the renderer opens it for the account on screen, or asks which)
 *   Help:  About (app version, schema version, ledger file path)
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { LedgerInfo, Screen } from '#shared/ipc-contract';

export type MenuActions = {
  readonly newLedger: () => void;
  readonly openLedger: () => void;
  /** Save dialog, then the whole log as JSON Lines or CSV (the extension decides). */
  readonly exportEventLog: () => void;
  /** Open dialog for an export, save dialog for the NEW ledger file, then switch to it. */
  readonly restoreFromExport: () => void;
  /** Signs the open ledger's head with the app's key now (a stored seal), and says which. */
  readonly sealNow: () => void;
  /** A verified backup of the open ledger into the backup folder, now (backup-actions.ts). */
  readonly backUpNow: () => void;
  /** The backups listed with time, size and head position; the chosen one restored into a NEW file and opened. */
  readonly restoreFromBackup: () => void;
  /** A folder dialog; the choice is remembered in the app's settings file. */
  readonly chooseBackupFolder: () => void;
  readonly navigate: (screen: Screen) => void;
  readonly about: () => void;
};

export type MenuOptions = {
  readonly appName: string;
  readonly platform: NodeJS.Platform;
  /** Reload and DevTools entries are for development builds only. */
  readonly developmentTools: boolean;
};

/** Stable ids, so other code and tests can find items. */
export const MENU_IDS = {
  newLedger: 'file.new-ledger',
  openLedger: 'file.open-ledger',
  exportEventLog: 'file.export-event-log',
  restoreFromExport: 'file.restore-from-export',
  sealNow: 'file.seal-now',
  backUpNow: 'file.back-up-now',
  restoreFromBackup: 'file.restore-from-backup',
  chooseBackupFolder: 'file.backup-folder',
  accounts: 'view.accounts',
  audit: 'view.audit',
  statement: 'account.statement',
  about: 'help.about',
} as const;

export function buildMenuTemplate(actions: MenuActions, options: MenuOptions): MenuItemConstructorOptions[] {
  const isMac = options.platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { id: MENU_IDS.newLedger, label: 'New Ledger…', accelerator: 'CmdOrCtrl+N', click: () => actions.newLedger() },
      { id: MENU_IDS.openLedger, label: 'Open Ledger…', accelerator: 'CmdOrCtrl+O', click: () => actions.openLedger() },
      { type: 'separator' },
      { id: MENU_IDS.exportEventLog, label: 'Export Event Log…', click: () => actions.exportEventLog() },
      { id: MENU_IDS.restoreFromExport, label: 'Restore from Export…', click: () => actions.restoreFromExport() },
      { id: MENU_IDS.sealNow, label: 'Seal Now', click: () => actions.sealNow() },
      { type: 'separator' },
      { id: MENU_IDS.backUpNow, label: 'Back Up Now', click: () => actions.backUpNow() },
      { id: MENU_IDS.restoreFromBackup, label: 'Restore from Backup…', click: () => actions.restoreFromBackup() },
      { id: MENU_IDS.chooseBackupFolder, label: 'Backup Folder…', click: () => actions.chooseBackupFolder() },
      { type: 'separator' },
      isMac ? { role: 'close' } : { role: 'quit', label: 'Quit' },
    ],
  };
  const edit: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  };
  const developmentItems: MenuItemConstructorOptions[] = options.developmentTools
    ? [{ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' }]
    : [];
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      { id: MENU_IDS.accounts, label: 'Accounts', accelerator: 'CmdOrCtrl+1', click: () => actions.navigate('accounts') },
      { id: MENU_IDS.audit, label: 'Audit', accelerator: 'CmdOrCtrl+2', click: () => actions.navigate('audit') },
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...developmentItems,
    ],
  };
  const account: MenuItemConstructorOptions = {
    label: '&Account',
    submenu: [{ id: MENU_IDS.statement, label: 'Statement…', click: () => actions.navigate('statement') }],
  };
  const about: MenuItemConstructorOptions = { id: MENU_IDS.about, label: `About ${options.appName}`, click: () => actions.about() };
  const help: MenuItemConstructorOptions = { role: 'help', label: '&Help', submenu: [about] };
  if (!isMac) return [file, edit, view, account, help];
  // macOS puts About and Quit in the application menu named after the app.
  const appMenu: MenuItemConstructorOptions = {
    label: options.appName,
    submenu: [
      about,
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { role: 'quit' },
    ],
  };
  return [appMenu, file, edit, view, account, help];
}

/** The About dialog's text: app version, ledger schema version, ledger file path. */
export function aboutDetail(
  appVersion: string,
  schemaVersion: number,
  info: LedgerInfo | undefined,
  runtime: Readonly<Record<string, string | undefined>> = {},
): string {
  const lines = [`Version ${appVersion}`, `Ledger schema version ${schemaVersion}`, `Ledger file: ${info ? info.path : 'none open'}`];
  if (info?.readOnly) lines.push(`Read-only: ${info.readOnlyReason ?? 'yes'}`);
  const versions = Object.entries(runtime)
    .filter(([, version]) => version)
    .map(([name, version]) => `${name} ${version}`);
  if (versions.length > 0) lines.push('', versions.join(', '));
  return lines.join('\n');
}
