/**
 * The app's life: one instance owns the ledger, every WebContents is guarded, windows come back
 * on activate, and quitting seals and backs up first. Electron's `app` comes from main.ts, the
 * only file of the main process that imports Electron at runtime.
 */
import type { App, BrowserWindow, WebContents } from 'electron';

export type AppLifecycleOptions = {
  readonly app: App;
  readonly platform: NodeJS.Platform;
  readonly liveWindow: () => BrowserWindow | undefined;
  readonly createWindow: () => BrowserWindow;
  readonly windowCount: () => number;
  /** The navigation / new-window / webview guards (electron-guards.ts). */
  readonly guardWebContents: (contents: WebContents) => void;
  /** Seals a head that moved since the latest seal (seal-on-quit.ts); settles either way. */
  readonly sealBeforeQuit: () => Promise<unknown>;
  /** Backs up a ledger that changed since its last backup, then calls `quit` (backup-schedule.ts). */
  readonly backUpBeforeQuit: (quit: () => void) => void;
  /** Last: stop the timers, close the ledger. */
  readonly onWillQuit: () => void;
  readonly start: () => Promise<void>;
  readonly log: (message: string, error?: unknown) => void;
};

/**
 * Takes the single-instance lock and wires the app's events; false when another instance
 * holds the lock (this one then quits, and the other focuses its window).
 */
export function runAppLifecycle(options: AppLifecycleOptions): boolean {
  const { app } = options;
  // Single-instance lock: one process owns the ledger; a second launch focuses the first window.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => {
    const window = options.liveWindow() ?? options.createWindow();
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  });
  // Every WebContents ever created (windows, DevTools, anything future) gets the
  // navigation / new-window / webview guards (electron-guards.ts, checklist 12–14).
  app.on('web-contents-created', (_event, contents) => options.guardWebContents(contents));
  app.on('window-all-closed', () => {
    if (options.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (options.windowCount() === 0) options.createWindow();
  });
  // Quitting, the first time: a head that moved since the latest seal is sealed (bounded,
  // seal-on-quit.ts), then a ledger that changed since its last backup is backed up
  // (backup-schedule.ts), so the backup holds the seal; then quit again, straight through.
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    void options.sealBeforeQuit().finally(() => options.backUpBeforeQuit(() => app.quit()));
  });
  app.on('will-quit', () => options.onWillQuit());
  process.on('unhandledRejection', (reason) => options.log('Unhandled rejection in the main process', reason));
  app.whenReady().then(options.start, (error: unknown) => options.log('The app could not start', error));
  return true;
}
