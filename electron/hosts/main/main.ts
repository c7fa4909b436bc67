/**
 * The Electron main process: owns the ledger (the only process of the app that touches
 * SQLite), the window, the menu and the IPC handlers. Policy lives in the small modules next
 * to this file (electron-guards.ts, ipc.ts, ledger-host.ts, app-protocol.ts, menu.ts), which tests
 * exercise without Electron, and so do the window (app-window.ts), the dialogs
 * (app-dialogs.ts), the File menu's actions (ledger-file-actions.ts, export-actions.ts,
 * backup-actions.ts, seal-actions.ts) and the app's life (app-lifecycle.ts); this file, the
 * only one that imports Electron at runtime, wires them to Electron's objects.
 *
 * Startup, and why the window never freezes:
 *   1. the window is created at once and shows app://startup/loading.html;
 *   2. the ledger opens with Ledger.openInSlices, which replays the log one page at a time
 *      and yields to the event loop between pages, so the window stays responsive even for
 *      a million events;
 *   3. progress goes to the loading page (it polls app://startup/status, a same-origin fetch
 *      that needs no preload API, so `window.ledger` remains the ONLY object any preload
 *      exposes), to the window title, and to the taskbar/dock progress bar;
 *   4. when the projection is ready the window loads the renderer (app://app/index.html);
 *      if the file cannot be opened the loading page turns into an error page with the
 *      engine's message and "Open ledger… / New ledger…" buttons;
 *   5. every ledger opens with verifyInBackground: the engine walks the whole hash chain in
 *      slices, then each new event; its change notifications carry the progress and status.
 *      A broken chain makes the ledger read-only and the ledger's own notification says so
 *      (read-only, the reason, the failed status): the renderer shows its banner from it, and
 *      the host (ledger-host.ts: checkIntegrity) puts READ-ONLY and the first bad position in
 *      the window title. Nothing is ever repaired.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, safeStorage, session } from 'electron';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { APP_NAME, APP_VERSION } from '#engine/app-version';
import { createHandlers } from '#engine/handlers';
import { Ledger } from '#engine/ledger';
import { LEDGER_FILE_NAME, userDataFolder } from '#engine/paths';
import { LATEST_SCHEMA_VERSION } from '#engine/store/schema';
import { createAppDialogs } from './app-dialogs';
import { runAppLifecycle } from './app-lifecycle';
import { createAppProtocolHandler, type StartupAction } from './app-protocol';
import { APP_SCHEME } from './app-url';
import { AppWindow } from './app-window';
import { createAppBackups } from './backup-actions';
import { createExportActions } from './export-actions';
import { chooseStatementFile } from './file-dialogs';
import { registerIpcHandlers } from './ipc';
import { createLedgerFileActions } from './ledger-file-actions';
import { LedgerHost } from './ledger-host';
import { aboutDetail, buildMenuTemplate } from './menu';
import { resolveNativeBinding } from './native-binding';
import { createAppSealing } from './seal-actions';
import { APP_SCHEME_PRIVILEGES, applySessionGuards, applyWebContentsGuards } from './electron-guards';
import { StartupStatusBoard } from './startup-status';
import { ledgerWindowTitle } from './window-title';

/** Overrides the user-data folder (tests, portable setups). Data location only, never code. */
const USER_DATA_VARIABLE = 'LEDGER_USER_DATA_DIR';
/** Same variable the CLI reads: the ledger file to open at startup. */
const LEDGER_FILE_VARIABLE = 'LEDGER_DB';
const APP_ID = 'com.eventledger.app';

/** Files next to the bundled main.cjs (dist-electron/), inside the asar when packaged. */
const FILES = {
  preload: join(__dirname, 'preload.cjs'),
  startupRoot: join(__dirname, 'startup'),
  rendererRoot: join(__dirname, '..', 'dist-renderer'),
};

const warn = (message: string) => console.warn(`[security] ${message}`);
const logError = (message: string, error?: unknown) => console.error(message, error ?? '');

// ── Before ready ──────────────────────────────────────────────────────────────────────────

// Checklist 4: every renderer sandboxed, whatever a future window forgets to set.
app.enableSandbox();
// Must happen before ready: app:// gets a real, secure origin (electron-guards.ts explains each flag).
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
// The same folder the CLI computes (electron/engine/paths.ts), so both find the same ledger.
app.setPath('userData', process.env[USER_DATA_VARIABLE] || userDataFolder());
if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

const nativeBinding = resolveNativeBinding(app.isPackaged, process.env);
const startupStatus = new StartupStatusBoard();
const documentsFolder = () => app.getPath('documents');

/** How every ledger of the app is opened: as 'app', with the Electron build of better-sqlite3, verified in the background. */
const ledgerOptions = (path: string) => ({ path, actor: 'app', verifyInBackground: true, ...(nativeBinding ? { nativeBinding } : {}) });

const appWindow = new AppWindow({
  BrowserWindow,
  appName: APP_NAME,
  preload: FILES.preload,
  devTools: !app.isPackaged,
  ledgerOpen: () => host.path !== undefined,
  ledgerTitle: () => ledgerWindowTitle(APP_NAME, host.info(), host.integrity()),
  log: logError,
});
const dialogs = createAppDialogs(dialog, () => appWindow.live(), APP_NAME);

// Signed history: the app's key (encrypted by the system's key store in the user-data folder,
// made by the first seal), the dialogs that pick files to verify and where proofs go, Seal Now.
const sealing = createAppSealing({
  keyStore: safeStorage,
  userDataFolder: app.getPath('userData'),
  platform: process.platform,
  documentsFolder,
  ledger: () => host.current(),
  handlers: () => host.handlers(),
  ...dialogs,
  exists: existsSync,
  // The audit screen reads the latest seal again on a change notification.
  onSealed: () => {
    const change = host.currentChange();
    if (change !== undefined) appWindow.broadcastChange(change);
  },
  log: logError,
});

const host = new LedgerHost({
  // With the app's key (once it has one), every head checkpoint the ledger writes is a seal.
  open: async (path, onReplayProgress) =>
    Ledger.openInSlices({ ...ledgerOptions(path), ...(await sealing.checkpointKey()), onReplayProgress }),
  restore: async (exportPath, path, options) =>
    Ledger.restore(exportPath, { ...ledgerOptions(path), ...(await sealing.checkpointKey()) }, options),
  onChange: (change) => appWindow.broadcastChange(change),
  // The host has already queued the change notification (the renderer's banner); the title says it too.
  onIntegrityFailure: () => appWindow.showLedgerTitle(),
  log: logError,
  // The renderer never names a file: for an export, the main process asks the person where.
  createTable: (getLedger) =>
    createHandlers(getLedger, {
      chooseExportPath: (format) => exportActions.chooseExportTarget(format).then((target) => target?.path),
      chooseStatementPath: (choice) => chooseStatementFile({ ...dialogs, exists: existsSync }, documentsFolder(), choice),
      ...sealing.hostServices,
    }),
});

const ledgerFiles = createLedgerFileActions({ host, window: appWindow, dialogs, startupStatus, documentsFolder, exists: existsSync });
const exportActions = createExportActions({
  host,
  window: appWindow,
  dialogs,
  documentsFolder,
  exists: existsSync,
  sealing: () => sealing.hostServices,
  showOpenedLedger: ledgerFiles.showOpenedLedger,
});

// Rolling backups of the open ledger: daily, on quit after changes, and from the File menu.
const backups = createAppBackups({
  userDataFolder: app.getPath('userData'),
  documentsFolder,
  ...(nativeBinding ? { nativeBinding } : {}),
  ledgerInfo: () => host.info(),
  openLedgerFile: ledgerFiles.openLedgerFile,
  ...dialogs,
  showBusy: (what) => (what ? appWindow.setTitle(what) : appWindow.showLedgerTitle()),
  log: logError,
});

runAppLifecycle({
  app,
  platform: process.platform,
  liveWindow: () => appWindow.live(),
  createWindow: () => appWindow.create(),
  windowCount: () => BrowserWindow.getAllWindows().length,
  guardWebContents: (contents) => applyWebContentsGuards(contents, warn),
  sealBeforeQuit: () => sealing.sealBeforeQuit(),
  backUpBeforeQuit: (quit) => backups.schedule.onBeforeQuit({ preventDefault: () => {} }, quit),
  onWillQuit: () => {
    backups.schedule.stop();
    host.close();
  },
  start,
  log: logError,
});

// ── Ready ─────────────────────────────────────────────────────────────────────────────────

async function start(): Promise<void> {
  // Checklist 5: permissions denied, downloads refused, network and file:// requests cancelled.
  applySessionGuards(session.defaultSession, warn);
  protocol.handle(
    APP_SCHEME,
    createAppProtocolHandler({
      rendererRoot: FILES.rendererRoot,
      startupRoot: FILES.startupRoot,
      startupStatus: () => startupStatus.current,
      startupAction: (action: StartupAction) =>
        void (action === 'open-ledger' ? ledgerFiles.chooseLedgerToOpen() : ledgerFiles.chooseNewLedger()),
    }),
  );
  // Checklist 17: every handler checks the sender frame before anything else (ipc.ts).
  registerIpcHandlers(ipcMain, () => host.handlers(), { log: warn });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildMenuTemplate(
        {
          newLedger: () => void ledgerFiles.chooseNewLedger(),
          openLedger: () => void ledgerFiles.chooseLedgerToOpen(),
          exportEventLog: () => void exportActions.exportFromMenu(),
          restoreFromExport: () => void exportActions.restoreFromExport(),
          sealNow: () => void sealing.sealFromMenu(),
          backUpNow: () => void backups.backUpNow(),
          restoreFromBackup: () => void backups.restoreFromBackup(),
          chooseBackupFolder: () => void backups.chooseBackupFolder(),
          navigate: (screen) => appWindow.navigate(screen),
          about: () => void showAbout(),
        },
        { appName: APP_NAME, platform: process.platform, developmentTools: !app.isPackaged },
      ),
    ),
  );
  appWindow.create();
  await ledgerFiles.openLedgerFile(startupLedgerPath());
  backups.schedule.start();
}

/** $LEDGER_DB, else ledger.db in the user-data folder (created on first run). */
function startupLedgerPath(): string {
  const fromEnvironment = process.env[LEDGER_FILE_VARIABLE];
  if (fromEnvironment) return fromEnvironment;
  const folder = app.getPath('userData');
  mkdirSync(folder, { recursive: true });
  return join(folder, LEDGER_FILE_NAME);
}

async function showAbout(): Promise<void> {
  await dialogs.showMessageBox({
    type: 'info',
    title: `About ${APP_NAME}`,
    message: APP_NAME,
    detail: aboutDetail(APP_VERSION, LATEST_SCHEMA_VERSION, host.info(), {
      Electron: process.versions.electron,
      Chromium: process.versions.chrome,
      'Node.js': process.versions.node,
    }),
    buttons: ['OK'],
  });
}
