/**
 * The main process's IPC layer (electron/hosts/main/ipc.ts) over a REAL ledger: one handler per
 * contract channel, foreign senders refused before anything runs, garbage payloads answered
 * with a VALIDATION envelope that changes nothing, and no exception ever crossing IPC.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandlers } from '#engine/handlers';
import { answerInvoke, NO_LEDGER_OPEN, registerIpcHandlers, UNKNOWN_SENDER_REFUSAL } from '../../electron/hosts/main/ipc';
import type { SenderFrame } from '../../electron/hosts/main/electron-guards';
import { CHANNEL_NAMES, COMMAND_CHANNELS, ipcChannelName, type LedgerChannel } from '#shared/ipc-contract';
import { APP_FRAME, FakeIpcMain, tempLedger, type TempLedger } from './fixtures';

let fixture: TempLedger;
let ipcMain: FakeIpcMain;
let refusals: string[];

beforeEach(() => {
  fixture = tempLedger();
  ipcMain = new FakeIpcMain();
  refusals = [];
  const table = createHandlers(() => fixture.ledger);
  registerIpcHandlers(ipcMain, () => table, { log: (message) => refusals.push(message) });
  const opened = fixture.ledger.execute({ name: 'open', input: { account: 'alice', owner: 'Alice', currency: 'EUR', initial: '100.00' } });
  expect(opened.ok).toBe(true);
});

afterEach(() => fixture.cleanup());

/** Everything a refused request must leave untouched. */
function snapshot() {
  return { lastPosition: fixture.ledger.info().lastPosition, accounts: JSON.stringify(fixture.ledger.listAccounts()) };
}

function call(channel: LedgerChannel, frame: SenderFrame | null, ...args: unknown[]) {
  return ipcMain.invoke(ipcChannelName(channel), frame, ...args) as Promise<{
    ok: boolean;
    value?: any;
    error?: { code: string; message: string };
  }>;
}

describe('registration', () => {
  it('registers exactly one "ledger:<channel>" handler per contract channel', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(CHANNEL_NAMES.map((channel) => `ledger:${channel}`).sort());
  });

  it('a deposit from the app page round-trips to the engine and back as an envelope', async () => {
    const reply = await call('deposit', APP_FRAME, { account: 'alice', amount: '12.50', memo: 'rent share' });
    expect(reply).toMatchObject({ ok: true, value: { account: 'alice', balance: '112.50', balanceMinor: 11250 } });
    expect(fixture.ledger.getAccount('alice')).toMatchObject({ ok: true, value: { balance: '112.50' } });
  });

  it('domain errors come back as envelopes, not exceptions', async () => {
    const reply = await call('withdraw', APP_FRAME, { account: 'alice', amount: '1000.00' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'INSUFFICIENT_FUNDS' } });
    expect(await call('getAccount', APP_FRAME, { account: 'nobody' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('sender check', () => {
  const foreignFrames: Array<[string, SenderFrame | null]> = [
    ['a destroyed frame (null)', null],
    ['a web page', { url: 'https://evil.example/index.html', parent: null }],
    ['a file:// page', { url: 'file:///home/user/index.html', parent: null }],
    ['the loading page', { url: 'app://startup/loading.html', parent: null }],
    ['another host on the app scheme', { url: 'app://app.evil/index.html', parent: null }],
    ['another document of the app origin', { url: 'app://app/assets/injected.html', parent: null }],
    ['the app page with a query string', { url: 'app://app/index.html?x=1', parent: null }],
    ['the app page with credentials in the URL', { url: 'app://user:pw@app/index.html', parent: null }],
    ['a sub-frame of the app page', { url: 'app://app/index.html', parent: { url: 'app://app/index.html' } }],
    ['a data: URL', { url: 'data:text/html,<script>1</script>', parent: null }],
    ['about:blank', { url: 'about:blank', parent: null }],
    ['garbage', { url: 'not a url', parent: null }],
  ];

  it.each(foreignFrames)('refuses %s and executes nothing', async (_name, frame) => {
    const before = snapshot();
    const reply = await call('deposit', frame, { account: 'alice', amount: '5.00' });
    expect(reply).toEqual(UNKNOWN_SENDER_REFUSAL);
    expect(reply).toEqual({ ok: false, error: { code: 'VALIDATION', message: 'Request refused: unknown sender' } });
    expect(snapshot()).toEqual(before);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toContain('ledger:deposit');
  });

  it('refuses queries from a foreign sender too (no data leaves)', async () => {
    const reply = await call('listAccounts', { url: 'https://evil.example/', parent: null });
    expect(reply).toEqual(UNKNOWN_SENDER_REFUSAL);
  });

  it('accepts the app page under both of its URLs and any hash route', async () => {
    for (const url of ['app://app/', 'app://app/index.html', 'app://app/index.html#/audit']) {
      expect(await call('listAccounts', { url, parent: null })).toMatchObject({ ok: true });
    }
  });
});

describe('garbage payloads', () => {
  const megabyte = 'x'.repeat(1_000_000);
  const garbage: Array<[string, unknown]> = [
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['a string', 'deposit 5 into alice'],
    ['an array', [{ account: 'alice', amount: '5.00' }]],
    ['an empty object', {}],
    ['a number amount', { account: 'alice', amount: 5 }],
    ['a boolean account', { account: true, amount: '5.00' }],
    ['an object instead of a string', { account: { toString: 'alice' }, amount: '5.00' }],
    ['an array instead of a string', { account: ['alice'], amount: '5.00' }],
    ['an extra key', { account: 'alice', amount: '5.00', admin: true }],
    ['a __proto__ key', JSON.parse('{"account":"alice","amount":"5.00","__proto__":{"polluted":1}}')],
    ['a huge account id', { account: megabyte, amount: '5.00' }],
    ['a huge amount', { account: 'alice', amount: megabyte }],
    ['a huge memo', { account: 'alice', amount: '5.00', memo: megabyte }],
    ['a negative expected version', { account: 'alice', amount: '5.00', expectedVersion: -1 }],
    ['a NaN expected version', { account: 'alice', amount: '5.00', expectedVersion: Number.NaN }],
    ['a nested object amount', { account: 'alice', amount: { value: '5.00' } }],
  ];

  it.each(garbage)('deposit with %s gets VALIDATION and changes nothing', async (_name, payload) => {
    const before = snapshot();
    const reply = await call('deposit', APP_FRAME, payload);
    expect(reply.ok).toBe(false);
    expect(reply.error?.code).toBe('VALIDATION');
    expect(reply.error?.message.length).toBeLessThan(2_000);
    expect(snapshot()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(Object.keys(COMMAND_CHANNELS) as LedgerChannel[])('%s refuses garbage without changing the ledger', async (channel) => {
    const before = snapshot();
    for (const [, payload] of garbage) {
      const reply = await call(channel, APP_FRAME, payload);
      expect(reply, `${channel} accepted ${JSON.stringify(payload)?.slice(0, 80)}`).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION' },
      });
    }
    expect(snapshot()).toEqual(before);
  });

  it('queries refuse extra keys and wrong types', async () => {
    expect(await call('listAccounts', APP_FRAME, { all: true })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await call('getAccount', APP_FRAME, { account: 7 })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await call('accountHistory', APP_FRAME, { account: 'alice', limit: 10_000_000 })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
  });

  it('more than one argument is refused', async () => {
    const before = snapshot();
    const reply = await call('deposit', APP_FRAME, { account: 'alice', amount: '5.00' }, { account: 'alice', amount: '5.00' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(snapshot()).toEqual(before);
  });
});

describe('never throws', () => {
  it('answers NO_LEDGER_OPEN while no ledger is open', async () => {
    const reply = await answerInvoke('listAccounts', { senderFrame: APP_FRAME }, [undefined], () => undefined);
    expect(reply).toEqual(NO_LEDGER_OPEN);
  });

  it('turns a bug in the table lookup into a STORAGE envelope', async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    const reply = await answerInvoke('listAccounts', { senderFrame: APP_FRAME }, [undefined], () => {
      throw new Error('boom');
    });
    expect(reply).toMatchObject({ ok: false, error: { code: 'STORAGE' } });
    expect(JSON.stringify(reply)).not.toContain('boom');
    expect(consoleError).toHaveBeenCalled();
    consoleError.mockRestore();
  });

  it('a missing event object is a refused sender, not a crash', async () => {
    expect(await answerInvoke('listAccounts', undefined, [undefined], () => undefined)).toEqual(UNKNOWN_SENDER_REFUSAL);
  });
});
