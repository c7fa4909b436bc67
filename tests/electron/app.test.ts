/**
 * The real app in a real Electron window, driven by Playwright's `_electron`:
 * the window opens on the renderer; every BrowserWindow is hardened (contextIsolation,
 * sandbox, no nodeIntegration, webSecurity); every response carries the CSP and inline script
 * does not run; the page has no Node.js and exactly one preload object; a deposit round-trips
 * through real IPC; appends by another process reach the page as change notifications;
 * navigation away, new windows and permission requests are refused; File → Export Event Log…
 * and File → Restore from Export… work end to end (the native dialogs stubbed in the main
 * process, the menu items clicked there).
 *
 * Needs the Electron binary. Where it is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD=1, as in
 * this project's CI container) the whole suite is skipped and says so in one line.
 * First run on a machine: builds the renderer and bundles and better-sqlite3 for Electron
 * (scripts/lib/electron-env.mjs), which needs the network once.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { verifyExportFile } from '#engine/export/export-verify';
import { join } from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Ledger } from '#engine/ledger';
import { buildElectron } from '../../scripts/build-electron.mjs';
import { electronBinaryPath, ensureElectronNativeBinding } from '../../scripts/lib/electron-env.mjs';
import { CHANNEL_NAMES, type LedgerApi } from '#shared/ipc-contract';
import { tempFolder } from '../ipc/fixtures';

const ROOT = join(__dirname, '..', '..');
const executablePath = electronBinaryPath();
/** vi.waitFor's options for the real app: a menu action that writes or switches a file may take seconds. */
const WAIT_APP = { timeout: 20_000, interval: 50 } as const;
const SKIP_MESSAGE =
  'Electron binary not installed here (ELECTRON_SKIP_BINARY_DOWNLOAD=1): skipping the real-window tests (tests/electron/app.test.ts)';
if (!executablePath) console.warn(SKIP_MESSAGE);

const title = executablePath ? 'the app in a real Electron window' : `the app in a real Electron window — SKIPPED: ${SKIP_MESSAGE}`;

/** How the page reaches the preload's object (typed here without touching the renderer's globals). */
type PageWindow = Window & { ledger: LedgerApi; require?: unknown; process?: unknown; module?: unknown; changes?: number[] };

describe.skipIf(!executablePath)(title, () => {
  let app: ElectronApplication;
  let page: Page;
  let folder: { folder: string; cleanup(): void };
  let ledgerPath: string;

  beforeAll(async () => {
    // The renderer and the bundles as `npm start` builds them.
    const vite = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'renderer/vite.config.ts'],
      {
        cwd: ROOT,
        stdio: 'inherit',
      },
    );
    if (vite.status !== 0) throw new Error('The renderer build failed');
    await buildElectron({ log: () => {} });
    const nativeBinding = await ensureElectronNativeBinding({ log: () => {} });
    folder = tempFolder();
    ledgerPath = join(folder.folder, 'ledger.db');
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined && key !== 'ELECTRON_RUN_AS_NODE') env[key] = value;
    app = await electron.launch({
      executablePath: executablePath!,
      args: [ROOT],
      cwd: ROOT,
      env: {
        ...env,
        LEDGER_DB: ledgerPath,
        LEDGER_USER_DATA_DIR: join(folder.folder, 'user-data'),
        LEDGER_NATIVE_BINDING: nativeBinding,
      },
      timeout: 60_000,
    });
    page = await app.firstWindow();
    await page.waitForURL(/^app:\/\/app\//, { timeout: 60_000 });
    await page.waitForFunction(() => typeof (window as unknown as PageWindow).ledger === 'object');
  }, 20 * 60_000);

  afterAll(async () => {
    await app?.close();
    folder?.cleanup();
  });

  it('opens one window on the renderer, served from app://', async () => {
    expect(page.url()).toMatch(/^app:\/\/app\/(index\.html)?/);
    expect(app.windows()).toHaveLength(1);
    expect(existsSync(ledgerPath)).toBe(true);
  });

  it('hardens every BrowserWindow', async () => {
    // getLastWebPreferences() is real but missing from electron.d.ts, hence the cast.
    type WithPreferences = { getLastWebPreferences(): Record<string, unknown> | null };
    const preferences = await app.evaluate(({ BrowserWindow }) =>
      BrowserWindow.getAllWindows().map((window) => (window.webContents as unknown as WithPreferences).getLastWebPreferences()),
    );
    expect(preferences.length).toBeGreaterThan(0);
    for (const preference of preferences) {
      expect(preference).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
      expect(preference?.nodeIntegrationInSubFrames).toBeFalsy();
      expect(preference?.webviewTag).toBeFalsy();
    }
  });

  it('sends the CSP with the page, and inline script does not run', async () => {
    const csp = await page.evaluate(async () => (await fetch(location.href)).headers.get('content-security-policy'));
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'self'");
    const ranInline = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true';
      document.head.append(script);
      return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
    });
    expect(ranInline).toBe(false);
  });

  it('gives the page no Node.js and exactly one preload object', async () => {
    const globals = await page.evaluate(() => {
      const view = window as unknown as PageWindow;
      return {
        require: typeof view.require,
        process: typeof view.process,
        module: typeof view.module,
        keys: Object.keys(view.ledger).sort(),
      };
    });
    expect(globals).toMatchObject({ require: 'undefined', process: 'undefined', module: 'undefined' });
    expect(globals.keys).toEqual([...CHANNEL_NAMES, 'onChanged', 'onNavigate'].sort());
  });

  it('round-trips a deposit through real IPC and notifies the page', async () => {
    const result = await page.evaluate(async () => {
      const { ledger } = window as unknown as PageWindow;
      const notified = new Promise<number>((resolve) => {
        const stop = ledger.onChanged((change) => {
          stop();
          resolve(change.lastPosition);
        });
      });
      const opened = await ledger.openAccount({ account: 'e2e-alice', owner: 'Alice', currency: 'EUR' });
      const deposited = await ledger.deposit({ account: 'e2e-alice', amount: '42.10', memo: 'through IPC' });
      const garbage = await ledger.deposit({ account: 'e2e-alice', amount: 42 } as unknown as { account: string; amount: string });
      return { opened, deposited, garbage, lastPosition: await notified };
    });
    expect(result.opened).toMatchObject({ ok: true });
    expect(result.deposited).toMatchObject({ ok: true, value: { account: 'e2e-alice', balance: '42.10' } });
    expect(result.garbage).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(result.lastPosition).toBeGreaterThanOrEqual(1);
  });

  it('pushes appends made by another process (the CLI) to the page', async () => {
    await page.evaluate(() => {
      const view = window as unknown as PageWindow;
      view.changes = [];
      view.ledger.onChanged((change) => view.changes!.push(change.lastPosition));
    });
    const cli = Ledger.open({ path: ledgerPath, actor: 'cli:e2e' });
    if (!cli.ok) throw new Error(cli.error.message);
    try {
      const receipt = cli.value.execute({ name: 'deposit', input: { account: 'e2e-alice', amount: '1.00' } });
      expect(receipt.ok).toBe(true);
      const position = receipt.ok ? receipt.value.position : 0;
      await page.waitForFunction((expected) => ((window as unknown as PageWindow).changes ?? []).includes(expected), position, {
        timeout: 10_000,
      });
    } finally {
      cli.value.close();
    }
    const account = await page.evaluate(() => (window as unknown as PageWindow).ledger.getAccount({ account: 'e2e-alice' }));
    expect(account).toMatchObject({ ok: true, value: { balance: '43.10' } });
  });

  it('refuses to navigate away from the app', async () => {
    const before = page.url();
    await page.evaluate(() => {
      location.href = 'https://example.com/';
    });
    await page.waitForTimeout(1_000);
    expect(page.url()).toBe(before);
  });

  it('refuses new windows', async () => {
    const opened = await page.evaluate(() => window.open('https://example.com/') === null);
    expect(opened).toBe(true);
    await page.waitForTimeout(500);
    expect(app.windows()).toHaveLength(1);
  });

  it('denies permission requests', async () => {
    expect(await page.evaluate(() => Notification.requestPermission())).toBe('denied');
  });

  /** Replaces the native dialogs in the main process with answers (the bundle calls dialog.* at call time). */
  async function answerDialogs(answers: { open?: string; save?: string }): Promise<void> {
    await app.evaluate(({ dialog }, { open, save }) => {
      const saveAnswer = { canceled: save === undefined, filePath: save ?? '' };
      const openAnswer = { canceled: open === undefined, filePaths: open === undefined ? [] : [open] };
      dialog.showSaveDialog = (async () => saveAnswer) as unknown as typeof dialog.showSaveDialog;
      dialog.showOpenDialog = (async () => openAnswer) as unknown as typeof dialog.showOpenDialog;
      dialog.showMessageBox = (async () => ({ response: 0, checkboxChecked: false })) as unknown as typeof dialog.showMessageBox;
    }, answers);
  }

  async function clickMenuItem(id: string): Promise<void> {
    await app.evaluate(({ Menu }, itemId) => {
      const item = Menu.getApplicationMenu()?.getMenuItemById(itemId);
      if (!item) throw new Error(`no menu item ${itemId}`);
      item.click();
    }, id);
  }

  it('File → Export Event Log… writes a JSON Lines export that verifies', async () => {
    const target = join(folder.folder, 'smoke-export.jsonl');
    await answerDialogs({ save: target });
    await clickMenuItem('file.export-event-log');
    await vi.waitFor(() => expect(existsSync(target), 'the export file').toBe(true), WAIT_APP);
    await vi.waitFor(async () => expect((await verifyExportFile(target)).ok, 'a complete, verifying export').toBe(true), WAIT_APP);
  });

  it('File → Restore from Export… switches the window to the restored ledger with the same accounts', async () => {
    const exported = join(folder.folder, 'smoke-export.jsonl');
    const restored = join(folder.folder, 'smoke-restored.db');
    const before = await page.evaluate(() => (window as unknown as PageWindow).ledger.listAccounts());
    await answerDialogs({ open: exported, save: restored });
    await clickMenuItem('file.restore-from-export');
    await vi.waitFor(async () => {
      const info = await page.evaluate(() => (window as unknown as PageWindow).ledger.ledgerInfo());
      expect(info.ok && info.value.path, 'the switch to the restored ledger').toBe(restored);
    }, WAIT_APP);
    const after = await page.evaluate(() => (window as unknown as PageWindow).ledger.listAccounts());
    expect(after).toEqual(before);
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.getTitle())).toBe(
      'smoke-restored.db — Event Ledger',
    );
  });
});
