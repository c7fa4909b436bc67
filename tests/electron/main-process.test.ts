/**
 * The BUNDLED main process (dist-electron/main.cjs, built into a temp folder) run in plain
 * Node against a stand-in `electron` module (fake-electron.ts): the wiring that main.ts does
 * and nothing else tests without the Electron binary —
 * - before ready: sandbox for all renderers, the app:// scheme, single-instance lock, userData;
 * - the window: shown at once on the loading page, secure webPreferences, every WebContents
 *   guarded, the session guarded; then the renderer once the ledger is open;
 * - IPC: one handler per channel, sender check, a deposit, the change notification to the page;
 * - the menu: Open (a file that fails keeps the current ledger), New, View → navigate, About;
 * - a ledger that cannot be opened at startup: the error page and its "Open Ledger…" button.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CHANGE_NOTIFICATION_CHANNEL, CHANNEL_NAMES, NAVIGATE_CHANNEL } from '#shared/ipc-contract';
import { LATEST_SCHEMA_VERSION } from '#engine/store/schema';
import { tempFolder } from '../ipc/fixtures';
import { createFakeElectron, loadWithFakeElectron } from './fake-electron';
import { APP_FRAME, useMainBundle, menuItem, quit, startApp as startWith, WAIT } from './main-bundle';

const build = useMainBundle();

const start = (ledgerPath: string, work: string) => startWith(build.bundle, ledgerPath, work);

describe('the main process, wired to a stand-in Electron', () => {
  it('prepares Electron before ready: sandbox, app:// scheme, single-instance lock, userData', async () => {
    const work = tempFolder();
    const fake = await start(join(work.folder, 'ledger.db'), work.folder);
    try {
      expect(fake.log.slice(0, 3)).toEqual([
        'enableSandbox(ready=false)',
        'registerSchemesAsPrivileged(ready=false)',
        'requestSingleInstanceLock',
      ]);
      expect(fake.privilegedSchemes).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
      expect(fake.paths.get('userData')).toBe(join(work.folder, 'user-data'));
    } finally {
      quit(fake);
      work.cleanup();
    }
  });

  it('shows the loading page at once, then the renderer once the ledger is open', async () => {
    const work = tempFolder();
    const fake = await start(join(work.folder, 'ledger.db'), work.folder);
    try {
      const [window] = fake.windows;
      expect(window!.loaded[0]).toBe('app://startup/loading.html');
      expect(window!.options.show).toBe(true);
      await vi.waitFor(() => expect(window!.webContents.getURL() === 'app://app/index.html', 'the renderer').toBe(true), WAIT);
      expect(window!.titles.at(-1)).toBe('ledger.db — Event Ledger');
      const status = await fake.protocolHandlers.get('app')!(new Request('app://startup/status'));
      expect(await status.json()).toEqual({ phase: 'ready', path: join(work.folder, 'ledger.db') });
      const page = await fake.protocolHandlers.get('app')!(new Request('app://app/index.html'));
      expect(await page.text()).toContain('renderer');
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    } finally {
      quit(fake);
      work.cleanup();
    }
  });

  it('hardens the window, its WebContents and the session', async () => {
    const work = tempFolder();
    const fake = await start(join(work.folder, 'ledger.db'), work.folder);
    try {
      const [window] = fake.windows;
      expect(window!.options.webPreferences).toMatchObject({
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        preload: expect.stringMatching(/preload\.cjs$/),
      });
      expect(window!.webContents.windowOpenHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
      let prevented = false;
      window!.webContents.emit(
        'will-navigate',
        { url: 'https://example.com', preventDefault: () => (prevented = true) },
        'https://example.com',
      );
      expect(prevented).toBe(true);
      let granted: boolean | undefined;
      fake.sessionState.permissionRequest?.({}, 'media', (answer: boolean) => (granted = answer), {});
      expect(granted).toBe(false);
      expect(fake.sessionState.permissionCheck?.({}, 'media', 'app://app', {})).toBe(false);
    } finally {
      quit(fake);
      work.cleanup();
    }
  });

  it('answers IPC per channel, checks the sender, and notifies the page after an append', async () => {
    const work = tempFolder();
    const fake = await start(join(work.folder, 'ledger.db'), work.folder);
    try {
      const [window] = fake.windows;
      await vi.waitFor(() => expect(window!.webContents.getURL() === 'app://app/index.html', 'the renderer').toBe(true), WAIT);
      expect([...fake.ipcHandlers.keys()].sort()).toEqual(CHANNEL_NAMES.map((channel) => `ledger:${channel}`).sort());
      const invoke = (channel: string, frame: unknown, request: unknown) =>
        fake.ipcHandlers.get(`ledger:${channel}`)!({ senderFrame: frame }, request);
      expect(await invoke('openAccount', APP_FRAME, { account: 'alice', owner: 'Alice', currency: 'EUR' })).toMatchObject({ ok: true });
      expect(await invoke('deposit', { url: 'https://evil.example/', parent: null }, { account: 'alice', amount: '9.00' })).toEqual({
        ok: false,
        error: { code: 'VALIDATION', message: 'Request refused: unknown sender' },
      });
      expect(await invoke('deposit', APP_FRAME, { account: 'alice', amount: '9.00' })).toMatchObject({
        ok: true,
        value: { balance: '9.00' },
      });
      await vi.waitFor(
        () =>
          expect(
            window!.webContents.sent.some(
              (message) => message.channel === CHANGE_NOTIFICATION_CHANNEL && (message.payload as any).lastPosition === 2,
            ),
            'the change notification',
          ).toBe(true),
        WAIT,
      );
    } finally {
      quit(fake);
      work.cleanup();
    }
  });

  it('menu: Open keeps the current ledger when the file fails, New switches, View navigates, About tells', async () => {
    const work = tempFolder();
    const fake = await start(join(work.folder, 'ledger.db'), work.folder);
    try {
      const [window] = fake.windows;
      await vi.waitFor(() => expect(window!.webContents.getURL() === 'app://app/index.html', 'the renderer').toBe(true), WAIT);
      expect(menuItem(fake, 'file.export-event-log').enabled).not.toBe(false);
      expect(menuItem(fake, 'file.restore-from-export').enabled).not.toBe(false);

      writeFileSync(join(work.folder, 'notes.txt'), 'not a ledger '.repeat(500));
      fake.dialogAnswers.open.push({ canceled: false, filePaths: [join(work.folder, 'notes.txt')] });
      menuItem(fake, 'file.open-ledger').click();
      await vi.waitFor(() => expect(fake.messageBoxes.length === 1, 'the error dialog').toBe(true), WAIT);
      expect(fake.messageBoxes[0]).toMatchObject({ type: 'error', message: 'The ledger cannot be opened' });
      expect(fake.messageBoxes[0]!.detail).toContain('notes.txt');
      expect(fake.messageBoxes[0]!.detail).toContain(`The ledger ${join(work.folder, 'ledger.db')} stays open.`);

      window!.webContents.sent.length = 0;
      fake.dialogAnswers.save.push({ canceled: false, filePath: join(work.folder, 'second') });
      menuItem(fake, 'file.new-ledger').click();
      await vi.waitFor(
        () =>
          expect(
            window!.webContents.sent.some((message) => message.channel === CHANGE_NOTIFICATION_CHANNEL),
            'the switch notification',
          ).toBe(true),
        WAIT,
      );
      expect(window!.webContents.sent.at(-1)).toEqual({
        channel: CHANGE_NOTIFICATION_CHANNEL,
        payload: expect.objectContaining({ lastPosition: 0, readOnly: false }),
      });
      expect(window!.titles.at(-1)).toBe('second.db — Event Ledger');

      fake.dialogAnswers.save.push({ canceled: false, filePath: join(work.folder, 'notes.txt') });
      menuItem(fake, 'file.new-ledger').click();
      await vi.waitFor(() => expect(fake.messageBoxes.length === 2, 'the refusal to overwrite').toBe(true), WAIT);
      expect(fake.messageBoxes[1]!.message).toBe('A file with this name already exists');

      menuItem(fake, 'view.audit').click();
      expect(window!.webContents.sent.at(-1)).toEqual({ channel: NAVIGATE_CHANNEL, payload: 'audit' });

      menuItem(fake, 'help.about').click();
      await vi.waitFor(() => expect(fake.messageBoxes.length === 3, 'the About dialog').toBe(true), WAIT);
      expect(fake.messageBoxes[2]!.detail).toContain('Version 0.1.0');
      expect(fake.messageBoxes[2]!.detail).toContain(`Ledger schema version ${LATEST_SCHEMA_VERSION}`);
      expect(fake.messageBoxes[2]!.detail).toContain(`Ledger file: ${join(work.folder, 'second.db')}`);
    } finally {
      quit(fake);
      work.cleanup();
    }
  });

  it('a ledger that cannot be opened at startup: the error page, and its button opens another', async () => {
    const work = tempFolder();
    const broken = join(work.folder, 'broken.db');
    writeFileSync(broken, 'SQLite format 2? no: just text '.repeat(400));
    const fake = await start(broken, work.folder);
    try {
      const [window] = fake.windows;
      const handler = fake.protocolHandlers.get('app')!;
      // Poll the status like the loading page does.
      const status = await vi.waitFor(async () => {
        const answer = await (await handler(new Request('app://startup/status'))).json();
        expect(answer.phase).toBe('failed');
        return answer;
      }, WAIT);
      expect(status).toMatchObject({ phase: 'failed', path: broken });
      expect(status.message).toContain('broken.db');
      expect(window!.webContents.getURL()).toBe('app://startup/loading.html');
      expect(window!.titles.at(-1)).toBe('No ledger open — Event Ledger');
      // IPC answers, but there is no ledger behind it.
      expect(await fake.ipcHandlers.get('ledger:listAccounts')!({ senderFrame: APP_FRAME }, undefined)).toMatchObject({
        ok: false,
        error: { code: 'STORAGE' },
      });

      fake.dialogAnswers.open.push({ canceled: false, filePaths: [join(work.folder, 'good.db')] });
      const pressed = await handler(new Request('app://startup/action/open-ledger', { method: 'POST' }));
      expect(pressed.status).toBe(204);
      await vi.waitFor(
        () => expect(window!.webContents.getURL() === 'app://app/index.html', 'the renderer after opening another file').toBe(true),
        WAIT,
      );
      expect(fake.log).toContain('showOpenDialog');
    } finally {
      quit(fake);
      work.cleanup();
    }
  });

  it('exports the event log where the save dialog says, and nowhere when it is cancelled', async () => {
    const work = tempFolder();
    const fake = await start(join(work.folder, 'ledger.db'), work.folder);
    try {
      const [window] = fake.windows;
      await vi.waitFor(() => expect(window!.webContents.getURL() === 'app://app/index.html', 'the renderer').toBe(true), WAIT);
      const invoke = (channel: string, request: unknown) => fake.ipcHandlers.get(`ledger:${channel}`)!({ senderFrame: APP_FRAME }, request);
      await invoke('openAccount', { account: 'alice', owner: 'Alice', currency: 'EUR', initial: '5.00' });
      expect(await invoke('exportEventLog', { format: 'jsonl' })).toEqual({ ok: true, value: null });
      const target = join(work.folder, 'export.jsonl');
      fake.dialogAnswers.save.push({ canceled: false, filePath: target });
      expect(await invoke('exportEventLog', { format: 'jsonl' })).toMatchObject({ ok: true, value: { path: target, format: 'jsonl' } });
      expect(readFileSync(target, 'utf8')).toContain('alice');
    } finally {
      quit(fake);
      work.cleanup();
    }
  });

  it('a second instance quits at once', async () => {
    const work = tempFolder();
    process.env.LEDGER_DB = join(work.folder, 'ledger.db');
    process.env.LEDGER_USER_DATA_DIR = join(work.folder, 'user-data');
    const fake = createFakeElectron({ userDataFallback: work.folder, gotLock: false });
    try {
      loadWithFakeElectron(build.bundle, fake);
      fake.becomeReady();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(fake.log).toContain('quit');
      expect(fake.windows).toHaveLength(0);
    } finally {
      work.cleanup();
    }
  });
});
