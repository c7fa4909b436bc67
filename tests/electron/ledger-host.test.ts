/**
 * The main process's ownership of the ledger (electron/hosts/main/ledger-host.ts) with REAL files:
 * sliced opening with progress, switching files (the old one kept when the new one cannot
 * be opened), change notifications after our appends, after appends by ANOTHER process on
 * the same file (a second connection here; tests/ipc/changes-from-other-processes.test.ts uses a
 * second process), and after a switch; restoring an export into a new file (and the
 * refusals that keep the current ledger); the whole-log export; the background integrity
 * check reported once when a tampered ledger fails it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Ledger } from '#engine/ledger';
import { LedgerHost, type LedgerOpener } from '../../electron/hosts/main/ledger-host';
import type { LedgerChange } from '#shared/ipc-contract';
import { verifyExportFile } from '#engine/export/export-verify';
import { tempFolder } from '../ipc/fixtures';
import { exportLedger, seedLedger, tamperExport, tamperPayload } from '../ipc/ledger-files';

let folder: { folder: string; cleanup(): void };
let host: LedgerHost;
let changes: LedgerChange[];
const others: Ledger[] = [];

const openInSlices: LedgerOpener = (path, onReplayProgress) => Ledger.openInSlices({ path, actor: 'app', onReplayProgress });

beforeEach(() => {
  folder = tempFolder();
  changes = [];
  host = new LedgerHost({ open: openInSlices, onChange: (change) => changes.push(change) });
});

afterEach(() => {
  host.close();
  for (const ledger of others.splice(0)) ledger.close();
  folder.cleanup();
});

const file = (name: string) => join(folder.folder, name);
const tick = () => new Promise((resolve) => setImmediate(resolve));
/** vi.waitFor's options: the host reacts within milliseconds, a loaded machine within seconds. */
const WAIT = { timeout: 5_000, interval: 10 } as const;

/** A second writer on the same file, like `ledger apply` from the CLI. */
function otherProcess(path: string): Ledger {
  const opened = Ledger.open({ path, actor: 'cli:test' });
  if (!opened.ok) throw new Error(opened.error.message);
  others.push(opened.value);
  return opened.value;
}

describe('opening', () => {
  it('has no handlers until a ledger is open', async () => {
    expect(host.handlers()).toBeUndefined();
    expect(host.info()).toBeUndefined();
    const opened = await host.switchTo(file('a.db'));
    expect(opened).toMatchObject({ ok: true, value: { path: file('a.db'), lastPosition: 0 } });
    expect(host.handlers()).toBeDefined();
    expect(host.path).toBe(file('a.db'));
  });

  it('reports replay progress while it rebuilds the projection', async () => {
    const seed = otherProcess(file('big.db'));
    seed.execute({ name: 'open', input: { account: 'a', owner: 'A', currency: 'EUR' } });
    const batch = Array.from({ length: 3_000 }, () => ({ name: 'deposit' as const, input: { account: 'a', amount: '1.00' } }));
    seed.executeBatch(batch);
    const progress: Array<[number, number]> = [];
    const opened = await host.switchTo(file('big.db'), (applied, total) => progress.push([applied, total]));
    expect(opened).toMatchObject({ ok: true, value: { lastPosition: 3_001 } });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toEqual([3_001, 3_001]);
    for (let index = 1; index < progress.length; index++) expect(progress[index]![0]).toBeGreaterThanOrEqual(progress[index - 1]![0]);
  });

  it('a file that cannot be opened is a failure envelope, not an exception', async () => {
    writeFileSync(file('notes.txt'), 'these are not the events you are looking for '.repeat(200));
    const result = await host.switchTo(file('notes.txt'));
    expect(result).toMatchObject({ ok: false, error: { code: 'STORAGE' } });
    expect(result.ok || result.error.message).toContain('notes.txt');
    expect(host.handlers()).toBeUndefined();
  });

  it('an opener that throws (e.g. a native module for the wrong ABI) is reported as a failure', async () => {
    const broken = new LedgerHost({
      open: () => Promise.reject(new Error('was compiled against a different Node.js version using NODE_MODULE_VERSION 139')),
      onChange: () => {},
      log: () => {},
    });
    const result = await broken.switchTo(file('a.db'));
    expect(result).toMatchObject({ ok: false, error: { code: 'STORAGE' } });
    expect(result.ok || result.error.message).toContain('NODE_MODULE_VERSION');
    broken.close();
  });
});

describe('switching', () => {
  it('keeps the current ledger when the new file cannot be opened', async () => {
    await host.switchTo(file('a.db'));
    await host.handlers()!.openAccount({ account: 'alice', owner: 'Alice', currency: 'EUR' });
    writeFileSync(file('broken.db'), 'not sqlite at all, just text '.repeat(300));
    const result = await host.switchTo(file('broken.db'));
    expect(result.ok).toBe(false);
    expect(host.path).toBe(file('a.db'));
    expect(await host.handlers()!.listAccounts(undefined)).toMatchObject({ ok: true, value: [{ id: 'alice' }] });
  });

  it('refuses a second switch while one is still opening', async () => {
    const first = host.switchTo(file('a.db'));
    const second = await host.switchTo(file('b.db'));
    expect(second).toMatchObject({ ok: false, error: { code: 'STORAGE' } });
    expect(await first).toMatchObject({ ok: true });
  });

  it('swaps to the new ledger, closes the old one and notifies the renderer', async () => {
    await host.switchTo(file('a.db'));
    await host.handlers()!.openAccount({ account: 'alice', owner: 'Alice', currency: 'EUR' });
    await vi.waitFor(() => expect(changes.length > 0).toBe(true), WAIT);
    changes.length = 0;
    const result = await host.switchTo(file('b.db'));
    expect(result).toMatchObject({ ok: true, value: { path: file('b.db'), lastPosition: 0 } });
    await vi.waitFor(() => expect(changes.length > 0).toBe(true), WAIT);
    expect(changes.map((change) => change.lastPosition)).toEqual([0]);
    expect(await host.handlers()!.listAccounts(undefined)).toEqual({ ok: true, value: [] });
  });

  it('opening the file that is already open changes nothing', async () => {
    await host.switchTo(file('a.db'));
    await tick();
    changes.length = 0;
    expect(await host.switchTo(file('a.db'))).toMatchObject({ ok: true });
    await tick();
    expect(changes).toEqual([]);
  });
});

describe('change notifications', () => {
  it('follow every append through the handler table, coalesced per event-loop turn', async () => {
    await host.switchTo(file('a.db'));
    await tick();
    changes.length = 0;
    const table = host.handlers()!;
    await table.openAccount({ account: 'alice', owner: 'Alice', currency: 'EUR' });
    await table.deposit({ account: 'alice', amount: '1.00' });
    await table.deposit({ account: 'alice', amount: '2.00' });
    await tick();
    expect(changes.map((change) => change.lastPosition)).toEqual([3]);
  });

  it('follow appends made by another process on the same file (the CLI)', async () => {
    await host.switchTo(file('shared.db'));
    host.startWatching();
    await tick();
    changes.length = 0;
    const cli = otherProcess(file('shared.db'));
    cli.execute({ name: 'open', input: { account: 'bob', owner: 'Bob', currency: 'USD', initial: '10.00' } });
    await vi.waitFor(() => expect(changes.length > 0).toBe(true), WAIT);
    expect(changes.at(-1)).toMatchObject({ lastPosition: 1, readOnly: false });
    expect(await host.handlers()!.getAccount({ account: 'bob' })).toMatchObject({ ok: true, value: { balance: '10.00' } });
  });

  it('stop after close, and a closed host opens nothing', async () => {
    await host.switchTo(file('a.db'));
    host.startWatching();
    host.close();
    expect(host.handlers()).toBeUndefined();
    expect(await host.switchTo(file('b.db'))).toMatchObject({ ok: false });
  });
});

describe('restore from an export (File → Restore from Export…)', () => {
  const restoring = () =>
    new LedgerHost({
      open: (path, onReplayProgress) => Ledger.openInSlices({ path, actor: 'app', onReplayProgress, verifyInBackground: true }),
      restore: (exportPath, path) => Ledger.restore(exportPath, { path, actor: 'app', verifyInBackground: true }),
      onChange: (change) => changes.push(change),
    });

  it('switches to the NEW ledger, whose accounts equal the original, and notifies the renderer', async () => {
    const accounts = await seedLedger(file('original.db'));
    await exportLedger(file('original.db'), file('backup.jsonl'));
    const restorer = restoring();
    try {
      await restorer.switchTo(file('current.db'));
      await vi.waitFor(() => expect(changes.length > 0).toBe(true), WAIT);
      changes.length = 0;
      const restored = await restorer.restoreFrom(file('backup.jsonl'), file('restored.db'));
      expect(restored).toMatchObject({
        ok: true,
        value: { events: 8, exportPath: file('backup.jsonl'), info: { path: file('restored.db'), lastPosition: 8 } },
      });
      expect(restored.ok && restored.value.head).toMatch(/^[0-9a-f]{64}$/);
      expect(restorer.path).toBe(file('restored.db'));
      expect(await restorer.handlers()!.listAccounts(undefined)).toEqual({ ok: true, value: accounts });
      await vi.waitFor(() => expect(changes.length > 0).toBe(true), WAIT);
      expect(changes.map((change) => change.lastPosition)).toEqual([8]);
      await vi.waitFor(() => expect(restorer.integrity()?.state === 'verified').toBe(true), WAIT);
    } finally {
      restorer.close();
    }
  });

  it('a refused restore (tampered export, existing file) keeps the current ledger and leaves no file', async () => {
    await seedLedger(file('original.db'));
    await exportLedger(file('original.db'), file('backup.jsonl'));
    tamperExport(file('backup.jsonl'), '"owner":"Bob"', '"owner":"Mallory"');
    writeFileSync(file('taken.db'), 'keep me');
    const restorer = restoring();
    try {
      await restorer.switchTo(file('current.db'));
      const tampered = await restorer.restoreFrom(file('backup.jsonl'), file('restored.db'));
      expect(tampered).toMatchObject({
        ok: false,
        error: { code: 'INTEGRITY', message: expect.stringContaining('fails verification at line 2') },
      });
      expect(existsSync(file('restored.db'))).toBe(false);
      const taken = await restorer.restoreFrom(file('backup.jsonl'), file('taken.db'));
      expect(taken).toMatchObject({ ok: false, error: { code: 'ALREADY_EXISTS' } });
      expect(readFileSync(file('taken.db'), 'utf8')).toBe('keep me');
      expect(restorer.path).toBe(file('current.db'));
    } finally {
      restorer.close();
    }
  });

  it('is refused without a restorer, and while another file is opening', async () => {
    expect(await host.restoreFrom(file('x.jsonl'), file('y.db'))).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const restorer = restoring();
    try {
      const opening = restorer.switchTo(file('a.db'));
      expect(await restorer.restoreFrom(file('x.jsonl'), file('y.db'))).toMatchObject({
        ok: false,
        error: { code: 'STORAGE', message: expect.stringContaining('Still opening') },
      });
      await opening;
    } finally {
      restorer.close();
    }
  });
});

describe('export (File → Export Event Log…)', () => {
  it('writes the whole log through the engine, and refuses a folder that does not exist', async () => {
    await seedLedger(file('a.db'));
    expect(await host.exportEventLog(file('x.jsonl'), 'jsonl')).toMatchObject({ ok: false, error: { code: 'STORAGE' } });
    await host.switchTo(file('a.db'));
    expect(await host.exportEventLog(file('x.jsonl'), 'jsonl')).toEqual({
      ok: true,
      // No key was lent to this export: it carries no seal of its own.
      value: { path: file('x.jsonl'), format: 'jsonl', events: 8, lastPosition: 8, seal: null },
    });
    expect(await verifyExportFile(file('x.jsonl'))).toMatchObject({ ok: true, events: 8 });
    const missing = await host.exportEventLog(file('nowhere/x.csv'), 'csv');
    expect(missing).toMatchObject({ ok: false, error: { code: 'STORAGE', message: expect.stringContaining('does not exist') } });
  });
});

describe('integrity (verifyInBackground)', () => {
  it('a tampered ledger: reported once, read-only, a change notification, commands refused with INTEGRITY', async () => {
    await seedLedger(file('a.db'));
    tamperPayload(file('a.db'), 4, (data) => data.replace('225', '1'));
    const failures: Array<{ position: number; readOnly: boolean }> = [];
    const watched = new LedgerHost({
      open: (path, onReplayProgress) => Ledger.openInSlices({ path, actor: 'app', onReplayProgress, verifyInBackground: true }),
      onChange: (change) => changes.push(change),
      onIntegrityFailure: (failure, info) => failures.push({ position: failure.firstBadPosition, readOnly: info.readOnly }),
    });
    try {
      await watched.switchTo(file('a.db'));
      watched.startWatching();
      await vi.waitFor(() => expect(failures.length > 0).toBe(true), WAIT);
      expect(failures).toEqual([{ position: 4, readOnly: true }]);
      expect(watched.integrity()).toMatchObject({ state: 'failed', firstBadPosition: 4 });
      expect(watched.info()).toMatchObject({ readOnly: true, readOnlyReason: expect.stringContaining('position 4') });
      // The renderer hears it from the notification itself: read-only, why, and the failed status.
      await vi.waitFor(() => expect(changes.at(-1)?.readOnly).toBe(true), WAIT);
      expect(changes.at(-1)).toMatchObject({
        readOnlyReason: expect.stringContaining('position 4'),
        integrity: { state: 'failed', firstBadPosition: 4 },
      });
      expect(await watched.handlers()!.deposit({ account: 'alice', amount: '1.00' })).toMatchObject({
        ok: false,
        error: { code: 'INTEGRITY' },
      });
      // Reported once per ledger, however often it is asked.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(watched.checkIntegrity()).toBe(false);
      expect(failures).toHaveLength(1);
    } finally {
      watched.close();
    }
  });

  it('an untouched ledger verifies in the background and reports nothing', async () => {
    const seed = otherProcess(file('big.db'));
    seed.execute({ name: 'open', input: { account: 'a', owner: 'A', currency: 'EUR' } });
    seed.executeBatch(Array.from({ length: 5_000 }, () => ({ name: 'deposit' as const, input: { account: 'a', amount: '1.00' } })));
    const failures: unknown[] = [];
    const watched = new LedgerHost({
      open: (path, onReplayProgress) => Ledger.openInSlices({ path, actor: 'app', onReplayProgress, verifyInBackground: true }),
      onChange: () => {},
      onIntegrityFailure: (failure) => failures.push(failure),
    });
    try {
      await watched.switchTo(file('big.db'));
      // Right after opening the walk has just started (the engine tests the slicing itself).
      expect(watched.integrity()).toMatchObject({ state: 'verifying' });
      await vi.waitFor(() => expect(watched.integrity()?.state === 'verified').toBe(true), WAIT);
      expect(watched.integrity()).toMatchObject({ state: 'verified', verifiedThrough: 5_001 });
      expect(watched.checkIntegrity()).toBe(false);
      expect(failures).toEqual([]);
    } finally {
      watched.close();
    }
  });
});
