/**
 * The IPC surface of issue 4 over REAL ledgers held by the main process's LedgerHost, as the
 * page sees it: the integrity status the renderer polls (verifying → verified, or failed with
 * the first bad position), a tampered ledger refusing every command with INTEGRITY while the
 * read-only queries still answer, and the Export button's channel, which asks the HOST for the
 * path (the page never names one) and writes nothing when that is cancelled or the sender is
 * foreign.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyExportFile } from '#engine/export/export-verify';
import { createHandlers } from '#engine/handlers';
import { Ledger } from '#engine/ledger';
import { registerIpcHandlers } from '../../electron/hosts/main/ipc';
import { LedgerHost } from '../../electron/hosts/main/ledger-host';
import type { ExportFormat } from '#shared/audit';
import { ipcChannelName, type COMMAND_CHANNELS, type LedgerChannel } from '#shared/ipc-contract';
import { seedLedger, tamperPayload } from './ledger-files';
import { APP_FRAME, FakeIpcMain, tempFolder } from './fixtures';

let work: { folder: string; cleanup(): void };
let host: LedgerHost;
let ipcMain: FakeIpcMain;
/** What the stand-in save dialog answers next (undefined: cancelled), and what it was asked. */
let nextExportPath: string | undefined;
let asked: ExportFormat[];

beforeEach(() => {
  work = tempFolder();
  nextExportPath = undefined;
  asked = [];
  host = new LedgerHost({
    open: (path, onReplayProgress) => Ledger.openInSlices({ path, actor: 'app', onReplayProgress, verifyInBackground: true }),
    onChange: () => {},
    createTable: (getLedger) =>
      createHandlers(getLedger, {
        chooseExportPath: async (format) => {
          asked.push(format);
          return nextExportPath;
        },
      }),
  });
  ipcMain = new FakeIpcMain();
  registerIpcHandlers(ipcMain, () => host.handlers(), { log: () => {} });
});

afterEach(() => {
  host.close();
  work.cleanup();
});

const file = (name: string) => join(work.folder, name);

function call(channel: LedgerChannel, request?: unknown, frame = APP_FRAME) {
  return ipcMain.invoke(ipcChannelName(channel), frame, request) as Promise<{
    ok: boolean;
    value?: any;
    error?: { code: string; message: string };
  }>;
}

/** Asks integrityStatus until it reaches `state`; answers that status. */
function pollIntegrity(state: string): Promise<any> {
  return vi.waitFor(
    async () => {
      const answer = await call('integrityStatus');
      expect(answer.ok).toBe(true);
      expect(answer.value.state, JSON.stringify(answer.value)).toBe(state);
      return answer.value;
    },
    { timeout: 10_000, interval: 5 },
  );
}

describe('integrityStatus over IPC', () => {
  it('an untouched ledger: verifying, then verified through the last position with the head hash', async () => {
    await seedLedger(file('ledger.db'));
    await host.switchTo(file('ledger.db'));
    const verified = await pollIntegrity('verified');
    expect(verified).toMatchObject({ verifiedThrough: 8, head: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // A new event is verified after the change, too.
    expect(await call('deposit', { account: 'bob', amount: '1.00' })).toMatchObject({ ok: true });
    await vi.waitFor(async () => expect((await call('integrityStatus')).value).toMatchObject({ state: 'verified', verifiedThrough: 9 }), {
      timeout: 5_000,
      interval: 5,
    });
  });

  it('a tampered ledger: failed at the first bad position, read-only, every command refused with INTEGRITY, queries answer', async () => {
    await seedLedger(file('ledger.db'));
    tamperPayload(file('ledger.db'), 5, (data) => data.replace('4000', '400'));
    await host.switchTo(file('ledger.db'));
    expect(await pollIntegrity('failed')).toMatchObject({ firstBadPosition: 5, reason: expect.any(String) });
    const info = await call('ledgerInfo');
    expect(info).toMatchObject({ ok: true, value: { readOnly: true, lastPosition: 8 } });
    expect(info.value.readOnlyReason).toContain('position 5');

    const attempts: Record<keyof typeof COMMAND_CHANNELS, unknown> = {
      openAccount: { account: 'dave', owner: 'Dave', currency: 'EUR' },
      deposit: { account: 'alice', amount: '1.00' },
      withdraw: { account: 'alice', amount: '1.00' },
      transfer: { from: 'alice', to: 'bob', amount: '1.00' },
      closeAccount: { account: 'bob' },
      reverse: { position: 2, reason: 'Booked twice' },
    };
    for (const [channel, request] of Object.entries(attempts)) {
      expect(await call(channel as LedgerChannel, request), channel).toMatchObject({ ok: false, error: { code: 'INTEGRITY' } });
    }
    expect((await call('ledgerInfo')).value.lastPosition).toBe(8);
    expect(await call('listAccounts')).toMatchObject({
      ok: true,
      value: expect.arrayContaining([expect.objectContaining({ id: 'alice' })]),
    });
    expect(await call('auditEvents', { withCount: true })).toMatchObject({ ok: true, value: { count: { total: 8 } } });
  });
});

describe('exportEventLog over IPC (the audit screen)', () => {
  beforeEach(async () => {
    await seedLedger(file('ledger.db'));
    await host.switchTo(file('ledger.db'));
  });

  it('asks the host where, with the requested format, and writes a verifiable export there', async () => {
    nextExportPath = file('chosen.jsonl');
    const answer = await call('exportEventLog', { format: 'jsonl' });
    // The host lends no signing key here: the export carries no seal of its own.
    expect(answer).toEqual({ ok: true, value: { path: file('chosen.jsonl'), format: 'jsonl', events: 8, lastPosition: 8, seal: null } });
    expect(asked).toEqual(['jsonl']);
    expect(await verifyExportFile(file('chosen.jsonl'))).toMatchObject({ ok: true, events: 8 });
  });

  it('cancelled: null, and nothing written', async () => {
    const before = readdirSync(work.folder).sort();
    expect(await call('exportEventLog', { format: 'csv' })).toEqual({ ok: true, value: null });
    expect(asked).toEqual(['csv']);
    expect(readdirSync(work.folder).sort()).toEqual(before);
  });

  it('the page cannot name a path, and a foreign sender never reaches the dialog', async () => {
    nextExportPath = file('x.jsonl');
    expect(await call('exportEventLog', { format: 'jsonl', path: '/etc/passwd' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    expect(await call('exportEventLog', { format: 'jsonl' }, { url: 'https://evil.example/', parent: null })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    expect(asked).toEqual([]);
    expect(existsSync(file('x.jsonl'))).toBe(false);
  });
});
