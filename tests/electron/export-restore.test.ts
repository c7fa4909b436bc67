/**
 * Issue 4 in the app, through the BUNDLED main process and the stand-in Electron
 * (main-bundle.ts), with real ledger files:
 * - File → Export Event Log…: the save dialog (Documents, ledger-export-DATE.jsonl, both
 *   filters), JSON Lines that verifies offline, CSV with its header row, the format taken
 *   from the extension, a name the export cannot use asked again, cancel writes nothing;
 * - the audit screen's Export button (exportEventLog channel): the same dialog, its format only;
 * - File → Restore from Export…: the app switches to the NEW ledger, whose accounts equal the
 *   original's; a tampered export or an existing target is refused with the engine's message,
 *   nothing is left behind, and the current ledger stays;
 * - a tampered ledger: the background verification makes it read-only, the title says so with
 *   the first bad position, the page is told to refresh, and commands are refused (INTEGRITY).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyExportFile } from '#engine/export/export-verify';
import { localDate } from '../../electron/hosts/main/file-dialogs';
import { CHANGE_NOTIFICATION_CHANNEL } from '#shared/ipc-contract';
import { tempFolder } from '../ipc/fixtures';
import type { FakeElectron } from './fake-electron';
import { exportLedger, seedLedger, tamperExport, tamperPayload } from '../ipc/ledger-files';
import { useMainBundle, invoke, menuItem, quit, startApp, startAppOnRenderer, WAIT } from './main-bundle';

const build = useMainBundle();
let work: { folder: string; cleanup(): void };
let fake: FakeElectron | undefined;

beforeEach(() => {
  work = tempFolder();
});

afterEach(() => {
  if (fake) quit(fake);
  fake = undefined;
  work.cleanup();
});

const file = (name: string) => join(work.folder, name);
const window = () => fake!.windows[0]!;
const changeNotifications = () => window().webContents.sent.filter((message) => message.channel === CHANGE_NOTIFICATION_CHANNEL);

/** Starts the app on a seeded ledger and waits for the renderer; returns the seeded accounts. */
async function startOnSeededLedger(name = 'ledger.db') {
  const accounts = await seedLedger(file(name));
  fake = await startAppOnRenderer(build.bundle, file(name), work.folder);
  return accounts;
}

function clickMenu(id: string): void {
  menuItem(fake!, id).click();
}

/** Files in the temp folder (to prove nothing was written). */
const filesHere = () => readdirSync(work.folder).sort();

describe('File → Export Event Log…', () => {
  it('offers a save dialog in Documents named ledger-export-DATE.jsonl, with both formats', async () => {
    await startOnSeededLedger();
    clickMenu('file.export-event-log');
    await vi.waitFor(() => expect(fake!.dialogOptions.save.length === 1, 'the save dialog').toBe(true), WAIT);
    const options = fake!.dialogOptions.save[0]!;
    expect(options.defaultPath).toBe(join(fake!.electron.app.getPath('documents'), `ledger-export-${localDate(new Date())}.jsonl`));
    expect(options.filters).toEqual([
      { name: 'Event log (JSON Lines)', extensions: ['jsonl'] },
      { name: 'Spreadsheet (CSV)', extensions: ['csv'] },
    ]);
    expect(options.properties).toContain('showOverwriteConfirmation');
  });

  it('writes JSON Lines that verifies offline, and says how many events went where', async () => {
    await startOnSeededLedger();
    const target = file('export.jsonl');
    fake!.dialogAnswers.save.push({ canceled: false, filePath: target });
    clickMenu('file.export-event-log');
    await vi.waitFor(() => expect(fake!.messageBoxes.length === 1, 'the result').toBe(true), WAIT);
    expect(fake!.messageBoxes[0]).toMatchObject({ type: 'info', message: 'Event log exported' });
    expect(fake!.messageBoxes[0]!.detail).toContain('8 events');
    expect(fake!.messageBoxes[0]!.detail).toContain(target);
    const verified = await verifyExportFile(target);
    expect(verified).toMatchObject({ ok: true, events: 8 });
  });

  it('writes CSV with its header row when the name ends in .csv', async () => {
    await startOnSeededLedger();
    const target = file('events.csv');
    fake!.dialogAnswers.save.push({ canceled: false, filePath: target });
    clickMenu('file.export-event-log');
    await vi.waitFor(() => expect(fake!.messageBoxes.length === 1, 'the result').toBe(true), WAIT);
    expect(fake!.messageBoxes[0]).toMatchObject({ type: 'info' });
    expect(fake!.messageBoxes[0]!.detail).toContain('spreadsheet (CSV)');
    const [header, ...rows] = readFileSync(target, 'utf8').trim().split(/\r?\n/);
    expect(header).toMatch(/^position,/);
    expect(rows.length).toBeGreaterThanOrEqual(8);
    expect(rows.join('\n')).toContain('alice');
  });

  it('adds .jsonl to a name without extension; asks again for a name it cannot use', async () => {
    await startOnSeededLedger();
    fake!.dialogAnswers.save.push({ canceled: false, filePath: file('notes.txt') }, { canceled: false, filePath: file('plain') });
    clickMenu('file.export-event-log');
    await vi.waitFor(() => expect(fake!.messageBoxes.length === 2, 'the refusal and the result').toBe(true), WAIT);
    expect(fake!.messageBoxes[0]).toMatchObject({ type: 'error', message: 'Choose another file name' });
    expect(fake!.messageBoxes[0]!.detail).toContain('notes.txt');
    expect(fake!.dialogOptions.save[1]!.defaultPath).toBe(file('notes.txt'));
    expect(fake!.messageBoxes[1]).toMatchObject({ type: 'info' });
    expect(existsSync(file('notes.txt'))).toBe(false);
    expect(await verifyExportFile(file('plain.jsonl'))).toMatchObject({ ok: true, events: 8 });
  });

  it('writes nothing when the dialog is cancelled', async () => {
    await startOnSeededLedger();
    const before = filesHere();
    fake!.dialogAnswers.save.push({ canceled: true });
    clickMenu('file.export-event-log');
    await vi.waitFor(() => expect(fake!.dialogOptions.save.length === 1, 'the save dialog').toBe(true), WAIT);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake!.messageBoxes).toEqual([]);
    expect(filesHere()).toEqual(before);
  });

  it('shows the error when the export cannot be written', async () => {
    await startOnSeededLedger();
    fake!.dialogAnswers.save.push({ canceled: false, filePath: join(work.folder, 'no-such-folder', 'export.jsonl') });
    clickMenu('file.export-event-log');
    await vi.waitFor(() => expect(fake!.messageBoxes.length === 1, 'the error').toBe(true), WAIT);
    expect(fake!.messageBoxes[0]).toMatchObject({ type: 'error', message: 'The event log could not be exported' });
    expect(fake!.messageBoxes[0]!.detail).toContain('no-such-folder');
  });
});

describe("the audit screen's Export button (exportEventLog channel)", () => {
  it('shows the same dialog with only the requested format, and writes that format', async () => {
    await startOnSeededLedger();
    const target = file('audit.csv');
    fake!.dialogAnswers.save.push({ canceled: false, filePath: target });
    const answer = await invoke(fake!, 'exportEventLog', { format: 'csv', filter: { accounts: ['bob'] } });
    expect(answer).toMatchObject({ ok: true, value: { path: target, format: 'csv' } });
    expect(fake!.dialogOptions.save[0]).toMatchObject({
      title: 'Export Event Log',
      defaultPath: expect.stringMatching(/ledger-export-\d{4}-\d{2}-\d{2}\.csv$/),
      filters: [{ name: 'Spreadsheet (CSV)', extensions: ['csv'] }],
    });
    // A byte-order mark first, so spreadsheet programs read the file as UTF-8.
    const text = readFileSync(target, 'utf8').replace(/^\uFEFF/, '');
    expect(text).toMatch(/^position,/);
    expect(text).toContain('bob');
  });

  it('a name with the other format is explained and asked again; cancel answers null', async () => {
    await startOnSeededLedger();
    const before = filesHere();
    fake!.dialogAnswers.save.push({ canceled: false, filePath: file('wrong.csv') }, { canceled: true });
    expect(await invoke(fake!, 'exportEventLog', { format: 'jsonl' })).toEqual({ ok: true, value: null });
    expect(fake!.messageBoxes).toHaveLength(1);
    expect(fake!.messageBoxes[0]!.detail).toContain('.jsonl');
    expect(filesHere()).toEqual(before);
  });

  it('a foreign page cannot export (no dialog is shown)', async () => {
    await startOnSeededLedger();
    const answer = await invoke(fake!, 'exportEventLog', { format: 'jsonl' }, { url: 'https://evil.example/', parent: null });
    expect(answer).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(fake!.dialogOptions.save).toEqual([]);
  });
});

describe('File → Restore from Export…', () => {
  it('restores into a new ledger, switches the app to it and says how many events verified', async () => {
    const accounts = await startOnSeededLedger();
    const exported = file('backup.jsonl');
    expect(await exportLedger(file('ledger.db'), exported)).toBe(8);
    const target = file('restored');
    fake!.dialogAnswers.open.push({ canceled: false, filePaths: [exported] });
    fake!.dialogAnswers.save.push({ canceled: false, filePath: target });
    window().webContents.sent.length = 0;
    clickMenu('file.restore-from-export');
    await vi.waitFor(() => expect(fake!.messageBoxes.length === 1, 'the result').toBe(true), WAIT);

    expect(fake!.dialogOptions.open[0]).toMatchObject({ filters: [{ name: 'Event log (JSON Lines)', extensions: ['jsonl'] }] });
    expect(fake!.dialogOptions.save[0]!.defaultPath).toBe(file(`restored-${localDate(new Date())}.db`));
    expect(fake!.messageBoxes[0]).toMatchObject({ type: 'info', message: 'Ledger restored' });
    expect(fake!.messageBoxes[0]!.detail).toContain('Restored 8 events');
    expect(fake!.messageBoxes[0]!.detail).toContain('hash chain verified');
    expect(fake!.messageBoxes[0]!.detail).toContain(file('restored.db'));

    expect(window().titles.at(-1)).toBe('restored.db — Event Ledger');
    expect(changeNotifications().at(-1)).toEqual({
      channel: CHANGE_NOTIFICATION_CHANNEL,
      payload: expect.objectContaining({ lastPosition: 8, readOnly: false }),
    });
    expect(await invoke(fake!, 'ledgerInfo')).toMatchObject({
      ok: true,
      value: { path: file('restored.db'), lastPosition: 8, readOnly: false },
    });
    expect(await invoke(fake!, 'listAccounts')).toEqual({ ok: true, value: accounts });
    expect(await integrityReaches('verified')).toMatchObject({ verifiedThrough: 8 });
    // The restored ledger takes commands like any other.
    expect(await invoke(fake!, 'deposit', { account: 'bob', amount: '1.00' })).toMatchObject({ ok: true, value: { balance: '41.00' } });
  });

  it('refuses a tampered export with the engine message, leaves nothing behind and keeps the current ledger', async () => {
    await startOnSeededLedger();
    const exported = file('backup.jsonl');
    await exportLedger(file('ledger.db'), exported);
    tamperExport(exported, '"amountMinor":750', '"amountMinor":75000');
    fake!.dialogAnswers.open.push({ canceled: false, filePaths: [exported] });
    fake!.dialogAnswers.save.push({ canceled: false, filePath: file('restored.db') });
    window().webContents.sent.length = 0;
    clickMenu('file.restore-from-export');
    await vi.waitFor(() => expect(fake!.messageBoxes.length === 1, 'the refusal').toBe(true), WAIT);

    expect(fake!.messageBoxes[0]).toMatchObject({ type: 'error', message: 'The export cannot be restored' });
    expect(fake!.messageBoxes[0]!.detail).toMatch(/fails verification at line 3/);
    expect(fake!.messageBoxes[0]!.detail).toContain(`The ledger ${file('ledger.db')} stays open.`);
    expect(existsSync(file('restored.db'))).toBe(false);
    expect(filesHere().filter((name) => name.startsWith('restored'))).toEqual([]);
    expect(window().titles.at(-1)).toBe('ledger.db — Event Ledger');
    expect(changeNotifications()).toEqual([]);
    expect(await invoke(fake!, 'ledgerInfo')).toMatchObject({ ok: true, value: { path: file('ledger.db'), lastPosition: 8 } });
  });

  it('refuses an existing target file and keeps both it and the current ledger', async () => {
    await startOnSeededLedger();
    const exported = file('backup.jsonl');
    await exportLedger(file('ledger.db'), exported);
    writeFileSync(file('taken.db'), 'someone else’s file');
    fake!.dialogAnswers.open.push({ canceled: false, filePaths: [exported] });
    fake!.dialogAnswers.save.push({ canceled: false, filePath: file('taken.db') });
    clickMenu('file.restore-from-export');
    await vi.waitFor(() => expect(fake!.messageBoxes.length === 1, 'the refusal').toBe(true), WAIT);

    expect(fake!.messageBoxes[0]).toMatchObject({ type: 'error', message: 'The export cannot be restored' });
    expect(fake!.messageBoxes[0]!.detail).toContain('already exists');
    expect(readFileSync(file('taken.db'), 'utf8')).toBe('someone else’s file');
    expect(await invoke(fake!, 'ledgerInfo')).toMatchObject({ ok: true, value: { path: file('ledger.db') } });
  });

  it('from the error page (the startup ledger could not be opened): the restored ledger opens in the app', async () => {
    const accounts = await seedLedger(file('original.db'));
    await exportLedger(file('original.db'), file('backup.jsonl'));
    writeFileSync(file('broken.db'), 'not a ledger at all '.repeat(300));
    fake = await startApp(build.bundle, file('broken.db'), work.folder);
    await vi.waitFor(() => expect(window().titles.at(-1) === 'No ledger open — Event Ledger', 'the failed startup').toBe(true), WAIT);
    expect(window().webContents.getURL()).toBe('app://startup/loading.html');

    fake.dialogAnswers.open.push({ canceled: false, filePaths: [file('backup.jsonl')] });
    fake.dialogAnswers.save.push({ canceled: false, filePath: file('restored.db') });
    clickMenu('file.restore-from-export');
    await vi.waitFor(() => expect(window().webContents.getURL() === 'app://app/index.html', 'the renderer').toBe(true), WAIT);
    // With no current ledger the default sits in Documents.
    expect(fake.dialogOptions.save[0]!.defaultPath).toBe(
      join(fake.electron.app.getPath('documents'), `restored-${localDate(new Date())}.db`),
    );
    await vi.waitFor(() => expect(fake!.messageBoxes.length === 1, 'the result').toBe(true), WAIT);
    expect(fake.messageBoxes[0]).toMatchObject({ type: 'info', message: 'Ledger restored' });
    expect(await invoke(fake, 'listAccounts')).toEqual({ ok: true, value: accounts });
    const status = await fake.protocolHandlers.get('app')!(new Request('app://startup/status'));
    expect(await status.json()).toEqual({ phase: 'ready', path: file('restored.db') });
  });

  it('the default name avoids a file that exists; cancelling either dialog restores nothing', async () => {
    await startOnSeededLedger();
    const exported = file('backup.jsonl');
    await exportLedger(file('ledger.db'), exported);
    writeFileSync(file(`restored-${localDate(new Date())}.db`), '');
    const before = filesHere();

    fake!.dialogAnswers.open.push({ canceled: true, filePaths: [] });
    clickMenu('file.restore-from-export');
    await vi.waitFor(() => expect(fake!.dialogOptions.open.length === 1, 'the open dialog').toBe(true), WAIT);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake!.dialogOptions.save).toEqual([]);

    fake!.dialogAnswers.open.push({ canceled: false, filePaths: [exported] });
    fake!.dialogAnswers.save.push({ canceled: true });
    clickMenu('file.restore-from-export');
    await vi.waitFor(() => expect(fake!.dialogOptions.save.length === 1, 'the save dialog').toBe(true), WAIT);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake!.dialogOptions.save[0]!.defaultPath).toBe(file(`restored-${localDate(new Date())}-2.db`));
    expect(fake!.messageBoxes).toEqual([]);
    expect(filesHere()).toEqual(before);
  });
});

/** Asks integrityStatus the way the renderer does until it reaches `state`; answers that status. */
function integrityReaches(state: string, timeoutMs = 10_000): Promise<any> {
  return vi.waitFor(
    async () => {
      const answer = await invoke(fake!, 'integrityStatus');
      expect(answer.ok && answer.value.state, JSON.stringify(answer)).toBe(state);
      return answer.value;
    },
    { ...WAIT, timeout: timeoutMs },
  );
}

describe('integrity in the app', () => {
  it('a tampered ledger ends read-only: title with the first bad position, a change notification, commands refused', async () => {
    await seedLedger(file('ledger.db'));
    // Position 3 is alice's deposit of 7.50 (750 minor units); the stored hash stays as it was.
    tamperPayload(file('ledger.db'), 3, (data) => data.replace('750', '75000'));
    fake = await startApp(build.bundle, file('ledger.db'), work.folder);
    await vi.waitFor(() => expect((window().titles.at(-1) ?? '').includes('READ-ONLY'), 'the read-only title').toBe(true), WAIT);

    expect(window().titles.at(-1)).toBe('ledger.db — Event Ledger — READ-ONLY: integrity failure at position 3');
    await vi.waitFor(() => expect(window().webContents.getURL() === 'app://app/index.html', 'the renderer').toBe(true), WAIT);
    await vi.waitFor(() => expect(changeNotifications().length > 0, 'the change notification').toBe(true), WAIT);
    expect(await invoke(fake!, 'integrityStatus')).toMatchObject({ ok: true, value: { state: 'failed', firstBadPosition: 3 } });
    const info = await invoke(fake!, 'ledgerInfo');
    expect(info).toMatchObject({ ok: true, value: { readOnly: true } });
    expect(info.value.readOnlyReason).toMatch(/position 3/);
    const refused = await invoke(fake!, 'deposit', { account: 'bob', amount: '1.00' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'INTEGRITY' } });
    // Never repaired: the edited payload is still there, and still refused after a while.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await invoke(fake!, 'openAccount', { account: 'dave', owner: 'Dave', currency: 'EUR' })).toMatchObject({
      ok: false,
      error: { code: 'INTEGRITY' },
    });
    expect(window().titles.at(-1)).toContain('READ-ONLY: integrity failure at position 3');
  });

  it('an untouched ledger verifies in the background and keeps its plain title', async () => {
    await startOnSeededLedger();
    expect(await integrityReaches('verified')).toMatchObject({ verifiedThrough: 8 });
    expect(window().titles.at(-1)).toBe('ledger.db — Event Ledger');
  });

  it('File → Open of a tampered ledger while another is open: that one read-only, the title says so', async () => {
    await startOnSeededLedger();
    await seedLedger(file('other.db'));
    tamperPayload(file('other.db'), 2, (data) => data.replace('"Bob"', '"Mallory"'));
    fake!.dialogAnswers.open.push({ canceled: false, filePaths: [file('other.db')] });
    clickMenu('file.open-ledger');
    await vi.waitFor(() => expect((window().titles.at(-1) ?? '').includes('READ-ONLY'), 'the read-only title').toBe(true), WAIT);
    expect(window().titles.at(-1)).toBe('other.db — Event Ledger — READ-ONLY: integrity failure at position 2');
    expect(await invoke(fake!, 'withdraw', { account: 'alice', amount: '1.00' })).toMatchObject({
      ok: false,
      error: { code: 'INTEGRITY' },
    });
  });
});
