/**
 * The guards of electron/hosts/main/electron-guards.ts, exercised without Electron: the webPreferences of
 * every window, the CSP, the app:// privileges, the sender check, and the navigation,
 * new-window, webview, permission, download and network guards on stand-in objects.
 * (tests/electron/app.test.ts checks the same on real windows where the binary exists.)
 */
import { EventEmitter } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveServedFile } from '#engine/served-file';
import { tempFolder } from '../ipc/fixtures';
import {
  APP_SCHEME_PRIVILEGES,
  applySessionGuards,
  applyWebContentsGuards,
  BLOCKED_REQUEST_URL_PATTERNS,
  CONTENT_SECURITY_POLICY,
  isAllowedNavigation,
  isTrustedSender,
  secureWebPreferences,
  type GuardedSession,
  type GuardedWebContents,
} from '../../electron/hosts/main/electron-guards';

const MAIN_SOURCES = join(__dirname, '..', '..', 'electron', 'hosts', 'main');

describe('BrowserWindow webPreferences', () => {
  it('turn on isolation, sandbox and web security and turn off Node and its relatives', () => {
    const preferences = secureWebPreferences('/app/dist-electron/preload.cjs');
    expect(preferences).toMatchObject({
      preload: '/app/dist-electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      devTools: false,
    });
    expect(preferences).not.toHaveProperty('enableBlinkFeatures');
  });

  it('every `new BrowserWindow` in electron/hosts/main passes secureWebPreferences', () => {
    const files = readdirSync(MAIN_SOURCES, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
    let windows = 0;
    for (const file of files) {
      const source = readFileSync(join(MAIN_SOURCES, file), 'utf8');
      for (const match of source.matchAll(/new BrowserWindow\(/g)) {
        windows++;
        const call = source.slice(match.index, source.indexOf('});', match.index));
        expect(call, `${file}: a BrowserWindow without secureWebPreferences`).toMatch(/webPreferences:\s*secureWebPreferences\(/);
      }
      if (file !== 'electron-guards.ts') {
        // Only electron-guards.ts decides these; anywhere else they could only weaken a window.
        const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
        expect(code, `${file} sets a webPreference itself`).not.toMatch(
          /\b(nodeIntegration\w*|webSecurity|contextIsolation|sandbox|webviewTag)\s*:/,
        );
      }
    }
    expect(windows).toBeGreaterThan(0);
  });
});

describe('Content-Security-Policy', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name!, values] as const;
    }),
  );

  it('allows only the page’s own origin for scripts, styles, connections', () => {
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('img-src')).toEqual(["'self'", 'data:']);
  });

  it('shuts plugins, <base>, framing and form posts', () => {
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
  });

  it('has no inline or eval script and no remote origin', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|wasm-unsafe-eval|\*|https?:|ws:|file:/);
  });
});

describe('app:// scheme privileges', () => {
  it('is a standard, secure scheme that neither bypasses the CSP nor opens CORS', () => {
    expect(APP_SCHEME_PRIVILEGES.scheme).toBe('app');
    expect(APP_SCHEME_PRIVILEGES.privileges).toMatchObject({ standard: true, secure: true });
    expect(APP_SCHEME_PRIVILEGES.privileges?.bypassCSP).toBeFalsy();
    expect(APP_SCHEME_PRIVILEGES.privileges?.corsEnabled).toBeFalsy();
    expect(APP_SCHEME_PRIVILEGES.privileges?.allowServiceWorkers).toBeFalsy();
  });
});

describe('path traversal check (resolveServedFile, shared by app:// and the preview host)', () => {
  const made = tempFolder();
  const root = join(made.folder, 'dist-renderer');
  mkdirSync(join(root, 'assets', 'x'), { recursive: true });
  writeFileSync(join(root, 'index.html'), 'index');
  writeFileSync(join(root, 'assets', 'index-abc.js'), 'js');
  writeFileSync(join(root, 'assets', 'y.css'), 'css');
  writeFileSync(join(made.folder, 'secret.txt'), 'SECRET');
  mkdirSync(join(made.folder, 'dist-renderer-evil'));
  writeFileSync(join(made.folder, 'dist-renderer-evil', 'index.html'), 'evil');
  symlinkSync(join(made.folder, 'secret.txt'), join(root, 'assets', 'leak.txt'));
  afterAll(() => made.cleanup());

  it('resolves files inside the root to their real path', async () => {
    expect(await resolveServedFile(root, '/index.html')).toBe(join(realpathSync(root), 'index.html'));
    expect(await resolveServedFile(root, '/assets/index-abc.js')).toBe(join(realpathSync(root), 'assets', 'index-abc.js'));
    expect(await resolveServedFile(root, '/assets/./x/../y.css')).toBe(join(realpathSync(root), 'assets', 'y.css'));
  });

  // Decoded paths, as both hosts pass them (they decode %2e%2e%2f first).
  it.each([
    '/../secret.txt',
    '/../../etc/passwd',
    '/assets/../../secret.txt',
    '/../',
    '/\0index.html',
    '/',
    '',
    '/assets',
    '/missing.js',
    '/../dist-renderer-evil/index.html',
    '..\\..\\secret.txt',
    '/assets/leak.txt',
  ])('refuses %j', async (requested) => {
    expect(await resolveServedFile(root, requested)).toBeUndefined();
  });
});

describe('IPC sender check', () => {
  it('trusts only the renderer document in a top-level frame', () => {
    expect(isTrustedSender({ url: 'app://app/index.html', parent: null })).toBe(true);
    expect(isTrustedSender({ url: 'app://app/', parent: null })).toBe(true);
    expect(isTrustedSender({ url: 'app://app/index.html#/audit', parent: null })).toBe(true);
    expect(isTrustedSender(null)).toBe(false);
    expect(isTrustedSender(undefined)).toBe(false);
    expect(isTrustedSender({ url: 'app://app/index.html', parent: {} })).toBe(false);
    expect(isTrustedSender({ url: 'app://startup/loading.html', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'https://app/index.html', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'app://app:99/index.html', parent: null })).toBe(false);
  });
});

/** A WebContents stand-in: an EventEmitter with setWindowOpenHandler. */
class FakeWebContents extends EventEmitter implements GuardedWebContents {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void {
    this.windowOpenHandler = handler;
  }
  /** Emits a navigation event the way Electron 45 does (details object first, url second). */
  navigate(event: string, url: string): boolean {
    let prevented = false;
    const details = { url, isMainFrame: true, isSameDocument: false, preventDefault: () => (prevented = true) };
    this.emit(event, details, url);
    return prevented;
  }
}

describe('navigation, new-window and webview guards', () => {
  const blocked = [
    'https://example.com/',
    'http://localhost:5173/',
    'file:///etc/passwd',
    'app://startup/loading.html',
    'app://evil/index.html',
    'javascript:alert(1)',
    'data:text/html,<h1>x</h1>',
    'about:blank',
    'devtools://devtools/bundled/inspector.html',
    'not a url',
  ];

  it.each(['will-navigate', 'will-frame-navigate', 'will-redirect'])('%s: stays inside app://app', (event) => {
    const contents = new FakeWebContents();
    const log: string[] = [];
    applyWebContentsGuards(contents, (message) => log.push(message));
    for (const url of blocked) expect(contents.navigate(event, url), url).toBe(true);
    expect(contents.navigate(event, 'app://app/index.html')).toBe(false);
    expect(contents.navigate(event, 'app://app/index.html#/audit')).toBe(false);
    expect(log.length).toBe(blocked.length);
  });

  it('the navigation rule itself', () => {
    expect(isAllowedNavigation('app://app/index.html')).toBe(true);
    for (const url of blocked) expect(isAllowedNavigation(url), url).toBe(false);
  });

  it('denies every new window', () => {
    const contents = new FakeWebContents();
    applyWebContentsGuards(contents);
    for (const url of ['https://example.com', 'app://app/index.html', 'about:blank']) {
      expect(contents.windowOpenHandler?.({ url })).toEqual({ action: 'deny' });
    }
  });

  it('refuses to attach a <webview>', () => {
    const contents = new FakeWebContents();
    applyWebContentsGuards(contents);
    let prevented = false;
    contents.emit('will-attach-webview', { preventDefault: () => (prevented = true) }, {}, {});
    expect(prevented).toBe(true);
  });
});

describe('session guards', () => {
  function fakeSession() {
    const emitter = new EventEmitter();
    const state = {
      request: undefined as undefined | ((...args: any[]) => void),
      check: undefined as undefined | ((...args: any[]) => boolean),
      device: undefined as undefined | ((...args: any[]) => boolean),
      beforeRequest: undefined as undefined | { filter: { urls: string[] }; listener: (...args: any[]) => void },
    };
    const session = {
      setPermissionRequestHandler: (handler: any) => (state.request = handler),
      setPermissionCheckHandler: (handler: any) => (state.check = handler),
      setDevicePermissionHandler: (handler: any) => (state.device = handler),
      on: (event: string, listener: (...args: any[]) => void) => emitter.on(event, listener),
      webRequest: { onBeforeRequest: (filter: any, listener: any) => (state.beforeRequest = { filter, listener }) },
    };
    return { session: session as unknown as GuardedSession, state, emitter };
  }

  it('denies every permission request and check', () => {
    const { session, state } = fakeSession();
    applySessionGuards(session);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'unknown']) {
      let granted: boolean | undefined;
      state.request?.({}, permission, (answer: boolean) => (granted = answer), {});
      expect(granted, permission).toBe(false);
      expect(state.check?.({}, permission, 'app://app', {})).toBe(false);
    }
    expect(state.device?.({ deviceType: 'usb', origin: 'app://app' })).toBe(false);
  });

  it('refuses downloads', () => {
    const { session, emitter } = fakeSession();
    applySessionGuards(session);
    let prevented = false;
    emitter.emit('will-download', { preventDefault: () => (prevented = true) }, {}, {});
    expect(prevented).toBe(true);
  });

  it('cancels every http(s), ws(s) and file:// request', () => {
    const { session, state } = fakeSession();
    applySessionGuards(session);
    expect(state.beforeRequest?.filter.urls).toEqual(BLOCKED_REQUEST_URL_PATTERNS);
    let answer: unknown;
    state.beforeRequest?.listener({ url: 'https://example.com/x' }, (response: unknown) => (answer = response));
    expect(answer).toEqual({ cancel: true });
  });
});
