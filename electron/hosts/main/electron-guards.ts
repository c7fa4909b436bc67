/**
 * Every security guard of the app, in one place, each commented with the item of Electron's
 * security checklist it implements (https://www.electronjs.org/docs/latest/tutorial/security,
 * numbered as on that page). main.ts only wires these functions to Electron objects.
 *
 * Threat model in one paragraph: the renderer shows data typed by people (owners, memos) and
 * data that arrived in the ledger file from other processes. If any of that ever managed to
 * run as script, it must find no Node.js, no way out of the app:// origin, no new windows,
 * no device permissions, and an IPC surface that only accepts the contract's validated
 * requests from the app's own top-level page.
 *
 * This module is importable without Electron (tests): it only imports Electron's types.
 */
import type { CustomScheme, Session, WebPreferences } from 'electron';
import { CONTENT_SECURITY_POLICY } from '#shared/content-security-policy';
import { APP_SCHEME, isRendererOrigin, isRendererPage, parseUrl } from './app-url';

// ── Content Security Policy ───────────────────────────────────────────────────────────────

/**
 * Checklist 7 "Define a Content Security Policy": the one policy of every page of the app
 * (shared/content-security-policy.ts, also served by the preview host), sent as a response
 * header on EVERY app:// response (app-protocol.ts), so it covers pages without a <meta> tag.
 */
export { CONTENT_SECURITY_POLICY };

/** Headers on every app:// response (the CSP plus no MIME sniffing, no referrer leaks). */
export const SECURITY_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

// ── The app:// scheme ─────────────────────────────────────────────────────────────────────

/**
 * Checklist 18 "Avoid usage of the file:// protocol and prefer usage of custom protocols".
 * `standard` gives app://app a real origin (so 'self', relative URLs and the same-origin
 * policy work), `secure` makes it a secure context like https, `supportFetchAPI` lets the
 * loading page fetch its own status. Deliberately NOT granted: bypassCSP (the CSP must
 * apply), corsEnabled (no other origin may read app:// responses), allowServiceWorkers.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
};

// ── BrowserWindow options ─────────────────────────────────────────────────────────────────

export type SecureWebPreferencesOptions = {
  /** DevTools are for development; a packaged build does not offer them. */
  readonly devTools?: boolean;
};

/**
 * The webPreferences of EVERY BrowserWindow the app creates (tests/electron checks that no
 * `new BrowserWindow` in electron/hosts/main does without them).
 */
export function secureWebPreferences(preloadPath: string, options: SecureWebPreferencesOptions = {}): WebPreferences {
  return {
    preload: preloadPath,
    // Checklist 3 "Enable Context Isolation": the preload's world and the page's world are
    // separate, so the page cannot tamper with the objects window.ledger is built from.
    contextIsolation: true,
    // Checklist 4 "Enable process sandboxing": the renderer process runs in the OS sandbox;
    // the preload only gets contextBridge/ipcRenderer.
    sandbox: true,
    // Checklist 2 "Do not enable Node.js integration for remote content" (nor for ours):
    // no require/process in the page, its workers or its frames.
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    // Checklist 6 "Do not disable webSecurity": the same-origin policy stays on.
    webSecurity: true,
    // Checklist 8 "Do not enable allowRunningInsecureContent".
    allowRunningInsecureContent: false,
    // Checklist 9 "Do not enable experimental features" / 10 "Do not use enableBlinkFeatures".
    experimentalFeatures: false,
    // Checklist 11 "Do not use allowpopups" / 12 "Verify WebView options": no <webview> at all.
    webviewTag: false,
    // Middle-click (auxclick) on a link cannot open anything either (new windows are also
    // denied by applyWebContentsGuards; this closes the path before it starts).
    disableBlinkFeatures: 'Auxclick',
    // Dropping a file on the window must not navigate away from the app.
    navigateOnDragDrop: false,
    // A page stuck in an alert() loop can be stopped.
    safeDialogs: true,
    devTools: options.devTools ?? false,
    spellcheck: false,
  };
}

// ── IPC sender check ──────────────────────────────────────────────────────────────────────

/** The part of Electron's WebFrameMain the sender check reads. */
export type SenderFrame = { readonly url: string; readonly parent: unknown };

/**
 * Checklist 17 "Validate the sender of all IPC messages": only the renderer's own document
 * (app://app/index.html) in a top-level frame may call the ledger. A null frame (navigated
 * away or destroyed mid-call), a sub-frame, the loading page, or any other origin is refused.
 */
export function isTrustedSender(frame: SenderFrame | null | undefined): boolean {
  if (frame === null || frame === undefined) return false;
  if (frame.parent !== null) return false;
  return typeof frame.url === 'string' && isRendererPage(frame.url);
}

// ── Navigation, new windows, webviews ─────────────────────────────────────────────────────

/**
 * Checklist 13 "Disable or limit navigation": a page may only navigate within the
 * renderer's origin (app://app/…). Hash routes (#/accounts) are same-document and never
 * reach this check. The main process itself moves the window between the loading page and
 * the app with loadURL, which Electron does not route through will-navigate.
 */
export function isAllowedNavigation(url: string): boolean {
  return isRendererOrigin(url);
}

type NavigationEvent = { preventDefault(): void; readonly url?: string };

/** The parts of Electron's WebContents the guards use (tests pass a plain object). */
export type GuardedWebContents = {
  on(event: string, listener: (event: NavigationEvent, url?: string) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
};

/** Where refused attempts are reported (main passes console.warn). */
export type SecurityLog = (message: string) => void;

/**
 * Installs the navigation, new-window and webview guards on one WebContents. main.ts calls it
 * from app.on('web-contents-created'), so it covers every WebContents, not only our window.
 */
export function applyWebContentsGuards(contents: GuardedWebContents, log: SecurityLog = () => {}): void {
  const refuseNavigation = (kind: string) => (event: NavigationEvent, deprecatedUrl?: string) => {
    const url = event.url ?? deprecatedUrl ?? '';
    if (isAllowedNavigation(url)) return;
    event.preventDefault();
    log(`Blocked ${kind} to ${describeUrl(url)}`);
  };
  // Checklist 13 "Disable or limit navigation": the top frame (will-navigate), every frame
  // (will-frame-navigate), and server redirects (will-redirect) stay inside app://app.
  contents.on('will-navigate', refuseNavigation('navigation'));
  contents.on('will-frame-navigate', refuseNavigation('frame navigation'));
  contents.on('will-redirect', refuseNavigation('redirect'));

  // Checklist 14 "Disable or limit creation of new windows": window.open, target=_blank and
  // shift-click all get 'deny'. The app has one window; links to the web are not offered
  // (so checklist 15, "Do not use shell.openExternal with untrusted content", is moot).
  contents.setWindowOpenHandler((details) => {
    log(`Blocked a new window for ${describeUrl(details.url)}`);
    return { action: 'deny' };
  });

  // Checklist 12 "Verify WebView options": webviewTag is off, and in case anything ever
  // turns it on, attaching one is refused anyway.
  contents.on('will-attach-webview', (event: NavigationEvent) => {
    event.preventDefault();
    log('Blocked a <webview>');
  });
}

// ── Session: permissions, downloads, network ──────────────────────────────────────────────

/** The parts of Electron's Session the guards use. */
export type GuardedSession = Pick<
  Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler' | 'on'
> & {
  readonly webRequest: Pick<Session['webRequest'], 'onBeforeRequest'>;
};

/** Requests the session refuses outright: every network and file scheme. */
export const BLOCKED_REQUEST_URL_PATTERNS = ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*', 'file:///*'];

/** Installs the permission, download and network guards on a session (the default one). */
export function applySessionGuards(session: GuardedSession, log: SecurityLog = () => {}): void {
  // Checklist 5 "Handle session permission requests from remote content": a ledger needs no
  // camera, microphone, geolocation, notifications, MIDI, HID, serial, USB, clipboard reads
  // or fullscreen; every request is answered "no" (and every check "not granted").
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log(`Denied the permission "${permission}"`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);

  // Not a checklist item, same spirit: a page cannot make the app save files behind the
  // user's back; exports are written by the main process after a save dialog.
  session.on('will-download', (event) => {
    event.preventDefault();
    log('Blocked a download');
  });

  // Defence in depth behind the CSP (checklist 1 "Only load secure content"): the app never
  // talks to the network or reads file:// URLs, so the session refuses such requests even
  // if a CSP were ever loosened by mistake.
  session.webRequest.onBeforeRequest({ urls: BLOCKED_REQUEST_URL_PATTERNS }, (details, callback) => {
    log(`Blocked a request to ${describeUrl(details.url)}`);
    callback({ cancel: true });
  });
}

/** A URL shortened for a log line (no query strings with secrets, no megabyte data: URLs). */
function describeUrl(url: string): string {
  const parsed = parseUrl(url);
  if (!parsed) return JSON.stringify(url.slice(0, 80));
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`.slice(0, 120);
}
