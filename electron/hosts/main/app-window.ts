/**
 * The app's one window: how it is created (hardened by electron-guards.ts), its title, its taskbar
 * progress, and the two messages the main process sends the page (change notifications and
 * View-menu navigation). Electron's BrowserWindow class comes from main.ts, the only file of
 * the main process that imports Electron at runtime.
 */
import type { BrowserWindow } from 'electron';
import { CHANGE_NOTIFICATION_CHANNEL, NAVIGATE_CHANNEL, type LedgerChange, type Screen } from '#shared/ipc-contract';
import { isRendererPage, RENDERER_PAGE_URL, STARTUP_PAGE_URL } from './app-url';
import { secureWebPreferences } from './electron-guards';

export type AppWindowOptions = {
  /** Electron's BrowserWindow class. */
  readonly BrowserWindow: typeof BrowserWindow;
  readonly appName: string;
  /** The bundled preload (preload.cjs). */
  readonly preload: string;
  /** DevTools only in development (an unpackaged app). */
  readonly devTools: boolean;
  /** Whether a ledger is open: a new window then shows the renderer, else the loading page. */
  readonly ledgerOpen: () => boolean;
  /** The open ledger's title (window-title.ts). */
  readonly ledgerTitle: () => string;
  readonly log: (message: string, error?: unknown) => void;
};

export class AppWindow {
  private window: BrowserWindow | undefined;

  constructor(private readonly options: AppWindowOptions) {}

  /** Creates the window, shown at once on the loading page (or the renderer when a ledger is open). */
  create(): BrowserWindow {
    const { BrowserWindow, appName, preload, devTools } = this.options;
    // Electronegativity: CONTEXT_ISOLATION_JS_CHECK (high), SANDBOX_JS_CHECK and AUXCLICK_JS_CHECK
    // (medium) look for literal options at this call and cannot follow secureWebPreferences()
    // into electron-guards.ts, which turns contextIsolation and sandbox on, nodeIntegration off and
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
      title: appName,
      // Shown at once (no ready-to-show wait): the loading page paints before the ledger opens.
      show: true,
      backgroundColor: '#f5f6f8',
      webPreferences: secureWebPreferences(preload, { devTools }),
    });
    // The title is the main process's (it names the open ledger), not the page's <title>.
    window.on('page-title-updated', (event) => event.preventDefault());
    window.on('closed', () => {
      if (this.window === window) this.window = undefined;
    });
    this.window = window;
    this.showLedgerTitle();
    this.load(window, this.options.ledgerOpen() ? RENDERER_PAGE_URL : STARTUP_PAGE_URL);
    return window;
  }

  /** The window, unless there is none or it was destroyed. */
  live(): BrowserWindow | undefined {
    return this.window && !this.window.isDestroyed() ? this.window : undefined;
  }

  /** Loads the renderer unless the window already shows it (it then reloads on the change notification). */
  showRenderer(): void {
    const window = this.live();
    if (window && !isRendererPage(window.webContents.getURL())) this.load(window, RENDERER_PAGE_URL);
  }

  /** A passing state in the title ("Opening …", "No ledger open"). */
  setTitle(detail: string | undefined): void {
    this.live()?.setTitle(detail ? `${detail} — ${this.options.appName}` : this.options.appName);
  }

  /** The open ledger's title: its file name, and READ-ONLY with the first bad position once verification failed. */
  showLedgerTitle(): void {
    this.live()?.setTitle(this.options.ledgerTitle());
  }

  /** The taskbar/dock progress: a fraction, 'busy' (indeterminate) or 'none'. */
  setProgress(progress: number | 'busy' | 'none'): void {
    // Electron's encoding: above 1 is indeterminate, below 0 removes the bar.
    this.live()?.setProgressBar(progress === 'busy' ? 2 : progress === 'none' ? -1 : progress);
  }

  /** Sends a change notification to every window showing the renderer (not the loading page). */
  broadcastChange(change: LedgerChange): void {
    for (const window of this.options.BrowserWindow.getAllWindows()) {
      if (!window.isDestroyed() && isRendererPage(window.webContents.getURL())) {
        window.webContents.send(CHANGE_NOTIFICATION_CHANNEL, change);
      }
    }
  }

  /** View menu: asks the renderer to show a screen (preload relays it to onNavigate). */
  navigate(screen: Screen): void {
    const window = this.live();
    if (window && isRendererPage(window.webContents.getURL())) window.webContents.send(NAVIGATE_CHANNEL, screen);
  }

  private load(window: BrowserWindow, url: string): void {
    window.loadURL(url).catch((error: unknown) => this.options.log(`Loading ${url} failed`, error));
  }
}
