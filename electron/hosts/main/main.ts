/**
 * The Electron main process: owns the ledger (the only process of the app that touches
 * SQLite), the window, the menu and the IPC handlers. Policy lives in the small modules next
 * to this file (security.ts, ipc.ts, ledger-host.ts, app-protocol.ts, menu.ts), which tests
 * exercise without Electron; this file only wires them to Electron's objects.
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
 *      slices (the renderer polls integrityStatus for the progress), then each new event.
 *      A broken chain makes the ledger read-only; the host notices (ledger-host.ts:
 *      checkIntegrity), puts READ-ONLY and the first bad position in the window title and
 *      pushes a change notification so the renderer re-reads ledgerInfo and shows its banner.
 *      Nothing is ever repaired.
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  safeStorage,
  session,
  type MessageBoxOptions,
  type OpenDialogOptions,
  type SaveDialogOptions,
} from 'electron';
import { existsSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { APP_NAME, APP_VERSION } from '#engine/app-version';
import { createHandlers } from '#engine/handlers';
import { Ledger } from '#engine/ledger';
import { LEDGER_FILE_NAME, userDataFolder } from '#engine/paths';
import { LATEST_SCHEMA_VERSION } from '#engine/store/schema';
import type { ExportFormat } from '#shared/audit';
import { CHANGE_NOTIFICATION_CHANNEL, NAVIGATE_CHANNEL, type LedgerChange, type Screen } from '#shared/ipc-contract';
import { createAppProtocolHandler, type StartupAction } from './app-protocol';
import { APP_SCHEME, isRendererPage, RENDERER_PAGE_URL, STARTUP_PAGE_URL } from './app-url';
import { registerIpcHandlers } from './ipc';
import { LedgerHost } from './ledger-host';
import {
  chooseStatementFile,
  exportSaveDialogOptions,
  exportSucceededMessage,
  exportTargetFor,
  LEDGER_FILE_FILTERS,
  restoreDefaultPath,
  restoreOpenDialogOptions,
  restoreSaveDialogOptions,
  restoreSucceededMessage,
  withLedgerExtension,
} from './file-dialogs';
import { createAppBackups } from './backup-actions';
import { createAppSealing } from './seal-actions';
import { isSealRefusal, trustSealBox } from './seal-dialogs';
import { aboutDetail, buildMenuTemplate } from './menu';
import { resolveNativeBinding } from './native-binding';
import { APP_SCHEME_PRIVILEGES, applySessionGuards, applyWebContentsGuards, secureWebPreferences } from './security';
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
// Must happen before ready: app:// gets a real, secure origin (security.ts explains each flag).
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
// The same folder the CLI computes (electron/engine/paths.ts), so both find the same ledger.
app.setPath('userData', process.env[USER_DATA_VARIABLE] || userDataFolder());
if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

const nativeBinding = resolveNativeBinding(app.isPackaged, process.env);
const startupStatus = new StartupStatusBoard();
let mainWindow: BrowserWindow | undefined;

/** How every ledger of the app is opened: as 'app', with the Electron build of better-sqlite3, verified in the background. */
const ledgerOptions = (path: string) => ({ path, actor: 'app', verifyInBackground: true, ...(nativeBinding ? { nativeBinding } : {}) });

// Signed history: the app's key (encrypted by the system's key store in the user-data folder,
// made by the first seal), the dialogs that pick files to verify and where proofs go, Seal Now.
const sealing = createAppSealing({
  keyStore: safeStorage,
  userDataFolder: app.getPath('userData'),
  platform: process.platform,
  documentsFolder: () => app.getPath('documents'),
  ledger: () => host.current(),
  handlers: () => host.handlers(),
  showOpenDialog: (options) => showOpenDialog(options),
  showSaveDialog: (options) => showSaveDialog(options),
  showError: (message, detail) => showError(message, detail),
  showInfo: (message) => showInfo(message),
  exists: existsSync,
  // The audit screen reads the latest seal again on a change notification.
  onSealed: () => {
    const change = host.currentChange();
    if (change !== undefined) broadcastChange(change);
  },
  log: logError,
});

const host = new LedgerHost({
  // With the app's key (once it has one), every head checkpoint the ledger writes is a seal.
  open: async (path, onReplayProgress) =>
    Ledger.openInSlices({ ...ledgerOptions(path), ...(await sealing.checkpointKey()), onReplayProgress }),
  restore: async (exportPath, path, options) =>
    Ledger.restore(exportPath, { ...ledgerOptions(path), ...(await sealing.checkpointKey()) }, options),
  onChange: (change) => broadcastChange(change),
  // The host has already queued the change notification (the renderer's banner); the title says it too.
  onIntegrityFailure: () => showLedgerTitle(),
  log: logError,
  // The renderer never names a file: for an export, the main process asks the person where.
  createTable: (getLedger) =>
    createHandlers(getLedger, {
      chooseExportPath: (format) => chooseExportTarget(format).then((target) => target?.path),
      chooseStatementPath: (choice) =>
        chooseStatementFile({ showSaveDialog, showError, exists: existsSync }, app.getPath('documents'), choice),
      ...sealing.hostServices,
    }),
});

// Rolling backups of the open ledger: daily, on quit after changes, and from the File menu.
const backups = createAppBackups({
  userDataFolder: app.getPath('userData'),
  documentsFolder: () => app.getPath('documents'),
  ...(nativeBinding ? { nativeBinding } : {}),
  ledgerInfo: () => host.info(),
  openLedgerFile: (path) => openLedgerFile(path),
  showMessageBox: (options: MessageBoxOptions) => {
    const window = liveWindow();
    return window ? dialog.showMessageBox(window, options) : dialog.showMessageBox(options);
  },
  showOpenDialog: (options) => showOpenDialog(options),
  showSaveDialog: (options) => showSaveDialog(options),
  showError: (message, detail) => showError(message, detail),
  showInfo: (message) => showInfo(message),
  showBusy: (what) => (what ? setTitle(what) : showLedgerTitle()),
  log: logError,
});

// Single-instance lock: one process owns the ledger; a second launch focuses the first window.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const window = liveWindow() ?? createWindow();
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  });
  // Every WebContents ever created (windows, DevTools, anything future) gets the
  // navigation / new-window / webview guards (security.ts, checklist 12–14).
  app.on('web-contents-created', (_event, contents) => applyWebContentsGuards(contents, warn));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  // Quitting, the first time: a head that moved since the latest seal is sealed (bounded,
  // seal-on-quit.ts), then a ledger that changed since its last backup is backed up
  // (backup-schedule.ts), so the backup holds the seal; then quit again, straight through.
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    void sealing.sealBeforeQuit().finally(() => backups.schedule.onBeforeQuit({ preventDefault: () => {} }, () => app.quit()));
  });
  app.on('will-quit', () => {
    backups.schedule.stop();
    host.close();
  });
  process.on('unhandledRejection', (reason) => logError('Unhandled rejection in the main process', reason));
  app.whenReady().then(start, (error: unknown) => logError('The app could not start', error));
}

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
      startupAction: (action: StartupAction) => void (action === 'open-ledger' ? chooseLedgerToOpen() : chooseNewLedger()),
    }),
  );
  // Checklist 17: every handler checks the sender frame before anything else (ipc.ts).
  registerIpcHandlers(ipcMain, () => host.handlers(), { log: warn });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildMenuTemplate(
        {
          newLedger: () => void chooseNewLedger(),
          openLedger: () => void chooseLedgerToOpen(),
          exportEventLog: () => void exportFromMenu(),
          restoreFromExport: () => void restoreFromExport(),
          sealNow: () => void sealing.sealFromMenu(),
          backUpNow: () => void backups.backUpNow(),
          restoreFromBackup: () => void backups.restoreFromBackup(),
          chooseBackupFolder: () => void backups.chooseBackupFolder(),
          navigate,
          about: () => void showAbout(),
        },
        { appName: APP_NAME, platform: process.platform, developmentTools: !app.isPackaged },
      ),
    ),
  );
  createWindow();
  await openLedgerFile(startupLedgerPath());
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

function createWindow(): BrowserWindow {
  // Electronegativity: CONTEXT_ISOLATION_JS_CHECK (high), SANDBOX_JS_CHECK and AUXCLICK_JS_CHECK
  // (medium) look for literal options at this call and cannot follow secureWebPreferences()
  // into security.ts, which turns contextIsolation and sandbox on, nodeIntegration off and
  // disables the Auxclick blink feature. tests/electron/security-guards.test.ts checks those
  // values and that every BrowserWindow in electron/hosts/main uses them; app.test.ts checks the
  // live windows where the Electron binary exists. The eng-disable comment must stay on the
  // call's own line, so the formatter leaves this statement as written.
  // prettier-ignore
  const window = new BrowserWindow({ // eng-disable CONTEXT_ISOLATION_JS_CHECK SANDBOX_JS_CHECK AUXCLICK_JS_CHECK NODE_INTEGRATION_JS_CHECK
    width: 1200,
    height: 800,
    minWidth: 760,
    minHeight: 520,
    title: APP_NAME,
    // Shown at once (no ready-to-show wait): the loading page paints in a few milliseconds.
    show: true,
    backgroundColor: '#f5f6f8',
    webPreferences: secureWebPreferences(FILES.preload, { devTools: !app.isPackaged }),
  });
  // The title is the main process's (it names the open ledger), not the page's <title>.
  window.on('page-title-updated', (event) => event.preventDefault());
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = undefined;
  });
  mainWindow = window;
  showLedgerTitle();
  load(window, host.path ? RENDERER_PAGE_URL : STARTUP_PAGE_URL);
  return window;
}

function liveWindow(): BrowserWindow | undefined {
  return mainWindow && !mainWindow.isDestroyed() ? mainWindow : undefined;
}

function load(window: BrowserWindow, url: string): void {
  window.loadURL(url).catch((error: unknown) => logError(`Loading ${url} failed`, error));
}

/** A passing state in the title ("Opening …", "No ledger open"). */
function setTitle(detail: string | undefined): void {
  liveWindow()?.setTitle(detail ? `${detail} — ${APP_NAME}` : APP_NAME);
}

/** The open ledger's title: its file name, and READ-ONLY with the first bad position once verification failed. */
function showLedgerTitle(): void {
  liveWindow()?.setTitle(ledgerWindowTitle(APP_NAME, host.info(), host.integrity()));
}

// ── Opening and switching ledgers ─────────────────────────────────────────────────────────

/** How often the title and taskbar progress are repainted during a replay. */
const PROGRESS_REPAINT_MS = 100;

/**
 * Opens `path` and makes it THE ledger. While no ledger is open (startup, or after a failed
 * startup) the loading page shows the progress or the failure; when one is open, a failure
 * is an error dialog and the current ledger stays.
 */
async function openLedgerFile(path: string): Promise<boolean> {
  const onStartupPage = host.path === undefined;
  if (onStartupPage) startupStatus.opening(path);
  setTitle(`Opening ${basename(path)}…`);
  let lastRepaint = 0;
  const result = await host.switchTo(path, (applied, total) => {
    if (onStartupPage) startupStatus.progress(path, applied, total);
    const now = Date.now();
    if (now - lastRepaint < PROGRESS_REPAINT_MS && applied < total) return;
    lastRepaint = now;
    liveWindow()?.setProgressBar(total > 0 ? applied / total : 2 /* >1: indeterminate */);
    setTitle(`Opening ${basename(path)} — ${applied.toLocaleString('en')} of ${total.toLocaleString('en')} events`);
  });
  liveWindow()?.setProgressBar(-1);
  if (!result.ok) {
    const message = explainOpenFailure(result.error.message);
    if (host.path === undefined) {
      startupStatus.failed(path, message);
      setTitle('No ledger open');
    } else {
      showLedgerTitle();
      await showError('The ledger cannot be opened', `${message}\n\nThe ledger ${host.path} stays open.`);
    }
    return false;
  }
  showOpenedLedger(result.value.path);
  return true;
}

/**
 * After File → Open / New / Restore (or startup) made `path` THE ledger: the title, the
 * watching, and the renderer — loaded when the loading/error page was showing; an app
 * already showing got the host's change notification and reloads everything it shows.
 */
function showOpenedLedger(path: string): void {
  startupStatus.ready(path);
  showLedgerTitle();
  host.startWatching();
  const window = liveWindow();
  if (window && !isRendererPage(window.webContents.getURL())) load(window, RENDERER_PAGE_URL);
}

/** The engine's message, plus what to do when the native module was built for plain Node. */
function explainOpenFailure(message: string): string {
  if (/NODE_MODULE_VERSION|compiled against a different Node\.js version/.test(message)) {
    return `${message}\n\nbetter-sqlite3 was built for Node.js, not for Electron. Start the app with \`npm start\`, which builds an Electron copy of it.`;
  }
  return message;
}

async function chooseLedgerToOpen(): Promise<void> {
  const options: OpenDialogOptions = { title: 'Open Ledger', buttonLabel: 'Open', properties: ['openFile'], filters: LEDGER_FILE_FILTERS };
  const choice = await showOpenDialog(options);
  const path = choice.filePaths[0];
  if (choice.canceled || path === undefined) return;
  await openLedgerFile(path);
}

async function chooseNewLedger(): Promise<void> {
  const options: SaveDialogOptions = {
    title: 'New Ledger',
    buttonLabel: 'Create',
    defaultPath: join(app.getPath('documents'), LEDGER_FILE_NAME),
    filters: LEDGER_FILE_FILTERS,
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
  const choice = await showSaveDialog(options);
  if (choice.canceled || !choice.filePath) return;
  const path = withLedgerExtension(choice.filePath);
  if (existsSync(path)) {
    // A new ledger never replaces a file, even if the dialog asked "replace?": it could be
    // another ledger, and a ledger's history is not something to lose by a mis-click.
    await showError(
      'A file with this name already exists',
      `${path} already exists. Choose another name, or use File → Open Ledger… to open it.`,
    );
    return;
  }
  await openLedgerFile(path);
}

// ── Export and restore ────────────────────────────────────────────────────────────────────

/**
 * The export save dialog, shared by File → Export Event Log… (`requested` undefined: both
 * formats, the extension decides) and the audit screen's Export button (the exportEventLog
 * channel's chooseExportPath: the format it asked for). A name the export cannot use is
 * explained and the dialog shown again; undefined when the person cancels.
 */
async function chooseExportTarget(requested: ExportFormat | undefined): Promise<{ path: string; format: ExportFormat } | undefined> {
  let options = exportSaveDialogOptions(app.getPath('documents'), requested, new Date());
  for (;;) {
    const choice = await showSaveDialog(options);
    if (choice.canceled || !choice.filePath) return undefined;
    const target = exportTargetFor(choice.filePath, requested);
    if (!target.ok) {
      await showError('Choose another file name', target.message);
    } else if (target.extensionAdded && existsSync(target.path)) {
      // The dialog asked about replacing the name as typed, not this one with the extension added.
      await showError(
        'A file with this name already exists',
        `${target.path} already exists. Choose another name, or choose that file itself to replace it.`,
      );
    } else {
      return target;
    }
    options = { ...options, defaultPath: choice.filePath };
  }
}

/** File → Export Event Log…: the whole log, no filter; a message box says what was written, or why not. */
async function exportFromMenu(): Promise<void> {
  if (host.path === undefined) {
    await showError('There is nothing to export', 'No ledger is open. Open or create one from the File menu first.');
    return;
  }
  const target = await chooseExportTarget(undefined);
  if (!target) return;
  const exported = await host.exportEventLog(target.path, target.format, sealing.hostServices);
  if (!exported.ok) {
    await showError('The event log could not be exported', exported.error.message);
    return;
  }
  await showInfo(exportSucceededMessage(exported.value));
}

/**
 * File → Restore from Export…: the export (open dialog), the NEW ledger file (save dialog),
 * then Ledger.restore — which verifies the export's whole chain first and refuses an existing
 * file. Success switches the app to the restored ledger; a refusal shows the engine's message
 * and the current ledger stays open.
 */
async function restoreFromExport(): Promise<void> {
  const documents = app.getPath('documents');
  const source = await showOpenDialog(restoreOpenDialogOptions(documents));
  const exportPath = source.filePaths[0];
  if (source.canceled || exportPath === undefined) return;
  const defaultPath = restoreDefaultPath(host.path, documents, new Date(), existsSync);
  const destination = await showSaveDialog(restoreSaveDialogOptions(defaultPath));
  if (destination.canceled || !destination.filePath) return;
  const path = withLedgerExtension(destination.filePath);
  setTitle(`Restoring ${basename(path)} from ${basename(exportPath)}…`);
  liveWindow()?.setProgressBar(2 /* >1: indeterminate */);
  let restored = await host.restoreFrom(exportPath, path);
  // A seal that does not hold: the person decides whether they trust the file anyway (Cancel: nothing restored).
  const trusted =
    !restored.ok && isSealRefusal(restored.error) ? (await showMessageBox(trustSealBox(restored.error))).response === 1 : undefined;
  if (trusted) restored = await host.restoreFrom(exportPath, path, { ignoreSeal: true });
  liveWindow()?.setProgressBar(-1);
  if (!restored.ok) {
    // The loading/error page (no ledger open yet) keeps showing what it showed before.
    if (host.path === undefined) setTitle('No ledger open');
    else showLedgerTitle();
    const stays = host.path === undefined ? 'No ledger was opened.' : `The ledger ${host.path} stays open.`;
    if (trusted !== false) await showError('The export cannot be restored', `${restored.error.message}\n\n${stays}`);
    return;
  }
  showOpenedLedger(restored.value.info.path);
  await showInfo(restoreSucceededMessage(restored.value));
}

// ── Renderer notifications ────────────────────────────────────────────────────────────────

/** Sends a change notification to every window showing the renderer (not the loading page). */
function broadcastChange(change: LedgerChange): void {
  for (const window of BrowserWindow.getAllWindows()) {
    if (!window.isDestroyed() && isRendererPage(window.webContents.getURL())) {
      window.webContents.send(CHANGE_NOTIFICATION_CHANNEL, change);
    }
  }
}

/** View menu: asks the renderer to show a screen (preload relays it to onNavigate). */
function navigate(screen: Screen): void {
  const window = liveWindow();
  if (window && isRendererPage(window.webContents.getURL())) window.webContents.send(NAVIGATE_CHANNEL, screen);
}

// ── Dialogs ───────────────────────────────────────────────────────────────────────────────

async function showAbout(): Promise<void> {
  const options = {
    type: 'info' as const,
    title: `About ${APP_NAME}`,
    message: APP_NAME,
    detail: aboutDetail(APP_VERSION, LATEST_SCHEMA_VERSION, host.info(), {
      Electron: process.versions.electron,
      Chromium: process.versions.chrome,
      'Node.js': process.versions.node,
    }),
    buttons: ['OK'],
  };
  const window = liveWindow();
  await (window ? dialog.showMessageBox(window, options) : dialog.showMessageBox(options));
}

async function showError(message: string, detail: string): Promise<void> {
  const options = { type: 'error' as const, title: APP_NAME, message, detail, buttons: ['OK'] };
  const window = liveWindow();
  await (window ? dialog.showMessageBox(window, options) : dialog.showMessageBox(options));
}

async function showInfo({ message, detail }: { message: string; detail: string }): Promise<void> {
  const options = { type: 'info' as const, title: APP_NAME, message, detail, buttons: ['OK'] };
  const window = liveWindow();
  await (window ? dialog.showMessageBox(window, options) : dialog.showMessageBox(options));
}

/** Dialogs are modal to the window when there is one. */
function showMessageBox(options: MessageBoxOptions) {
  const window = liveWindow();
  return window ? dialog.showMessageBox(window, options) : dialog.showMessageBox(options);
}

function showSaveDialog(options: SaveDialogOptions) {
  const window = liveWindow();
  return window ? dialog.showSaveDialog(window, options) : dialog.showSaveDialog(options);
}

function showOpenDialog(options: OpenDialogOptions) {
  const window = liveWindow();
  return window ? dialog.showOpenDialog(window, options) : dialog.showOpenDialog(options);
}
