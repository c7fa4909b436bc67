/**
 * Runs the BUNDLED main process (dist-electron/main.cjs, built into a temp folder) in plain
 * Node against the stand-in `electron` module (fake-electron.ts), and plays the person: menu
 * clicks, dialog answers, IPC from the app's page. Shared by main-process.test.ts and
 * export-restore.test.ts.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest';
import { buildElectron } from '../../scripts/build-electron.mjs';
import { tempFolder } from '../ipc/fixtures';
import { createFakeElectron, loadWithFakeElectron, type FakeElectron, type FakeElectronOptions } from './fake-electron';

/** The renderer's own top-level document, as Electron reports it in event.senderFrame. */
export const APP_FRAME = { url: 'app://app/index.html', parent: null };

/** Builds main.cjs, preload.cjs and the startup page into a temp folder beside a stub renderer. */
export async function buildMainBundle(): Promise<{ bundle: string; cleanup(): void }> {
  const build = tempFolder();
  const outDir = join(build.folder, 'dist-electron');
  await buildElectron({ outDir, log: () => {} });
  mkdirSync(join(build.folder, 'dist-renderer'), { recursive: true });
  writeFileSync(join(build.folder, 'dist-renderer', 'index.html'), '<!doctype html><title>renderer</title>');
  // The bundle leaves better-sqlite3 external: let it find the project's node_modules.
  symlinkSync(join(__dirname, '..', '..', 'node_modules'), join(build.folder, 'node_modules'), 'junction');
  return { bundle: join(outDir, 'main.cjs'), cleanup: build.cleanup };
}

/** vi.waitFor's options for the stand-in app: it answers within milliseconds, a loaded machine within seconds. */
export const WAIT = { timeout: 10_000, interval: 10 } as const;

export function menuItem(fake: FakeElectron, id: string): { click: () => void; enabled?: boolean; label?: string } {
  const walk = (items: any[]): any => {
    for (const item of items) {
      if (item.id === id) return item;
      if (Array.isArray(item.submenu)) {
        const found = walk(item.submenu);
        if (found) return found;
      }
    }
  };
  const found = walk(fake.menus.at(-1)!.template);
  if (!found) throw new Error(`no menu item ${id}`);
  return found;
}

/** Starts the app on `ledgerPath` (LEDGER_DB), user data under `work`; resolves once the window exists. */
export async function startApp(
  bundle: string,
  ledgerPath: string,
  work: string,
  electron: Omit<FakeElectronOptions, 'userDataFallback'> = {},
): Promise<FakeElectron> {
  process.env.LEDGER_DB = ledgerPath;
  process.env.LEDGER_USER_DATA_DIR = join(work, 'user-data');
  delete process.env.LEDGER_NATIVE_BINDING;
  const fake = createFakeElectron({ ...electron, userDataFallback: work });
  const before = new Set(process.listeners('unhandledRejection'));
  loadWithFakeElectron(bundle, fake);
  processListeners.set(
    fake,
    process.listeners('unhandledRejection').filter((listener) => !before.has(listener)),
  );
  fake.becomeReady();
  await vi.waitFor(() => expect(fake.windows.length === 1, 'the window').toBe(true), WAIT);
  return fake;
}

/** startApp, then waits until the window shows the renderer (the ledger is open). */
export async function startAppOnRenderer(
  bundle: string,
  ledgerPath: string,
  work: string,
  electron: Omit<FakeElectronOptions, 'userDataFallback'> = {},
): Promise<FakeElectron> {
  const fake = await startApp(bundle, ledgerPath, work, electron);
  await vi.waitFor(() => expect(fake.windows[0]!.webContents.getURL() === 'app://app/index.html', 'the renderer').toBe(true), WAIT);
  return fake;
}

/** Calls a contract channel as the app's page does (through the registered ipcMain handler). */
export function invoke(fake: FakeElectron, channel: string, request?: unknown, frame: unknown = APP_FRAME): Promise<any> {
  const handler = fake.ipcHandlers.get(`ledger:${channel}`);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return Promise.resolve(handler({ senderFrame: frame }, request));
}

/** Quits the app (closes its ledger) and removes the process listeners its bundle added. */
export function quit(fake: FakeElectron): void {
  fake.electron.app.emit('will-quit');
  for (const listener of processListeners.get(fake) ?? []) process.removeListener('unhandledRejection', listener);
  processListeners.delete(fake);
}

/** The process-level listeners each loaded bundle added (every load adds its own). */
const processListeners = new WeakMap<FakeElectron, NodeJS.UnhandledRejectionListener[]>();

/**
 * The hooks every main-process file needs, registered where this is called: the bundle built
 * once before the file's tests and removed after, and process.env put back after each test
 * (the main process sets variables of its own). `bundle` is there once the beforeAll has run.
 */
export function useMainBundle(): { readonly bundle: string } {
  let build: { bundle: string; cleanup(): void } | undefined;
  const savedEnv = { ...process.env };
  beforeAll(async () => {
    build = await buildMainBundle();
  });
  afterAll(() => build?.cleanup());
  afterEach(() => {
    process.env = { ...savedEnv };
  });
  return {
    get bundle() {
      if (!build) throw new Error('The main bundle is not built: its beforeAll failed or has not run yet.');
      return build.bundle;
    },
  };
}
