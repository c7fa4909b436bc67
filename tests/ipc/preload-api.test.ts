/**
 * `window.ledger` as the preload builds it (electron/hosts/preload/ledger-api.ts), wired through a
 * stand-in for Electron's IPC to the real main-process handlers and a REAL ledger: exactly
 * the contract's methods, envelopes in and out, and nothing of ipcRenderer leaking out.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHandlers } from '#engine/handlers';
import { registerIpcHandlers } from '../../electron/hosts/main/ipc';
import { createLedgerApi } from '../../electron/hosts/preload/ledger-api';
import { CHANGE_NOTIFICATION_CHANNEL, CHANNEL_NAMES, NAVIGATE_CHANNEL, type LedgerApi } from '#shared/ipc-contract';
import { FakeIpcMain, FakeIpcRenderer, tempLedger, type TempLedger } from './fixtures';

let fixture: TempLedger;
let ipcRenderer: FakeIpcRenderer;
let ledger: LedgerApi;

beforeEach(() => {
  fixture = tempLedger();
  const ipcMain = new FakeIpcMain();
  const table = createHandlers(() => fixture.ledger);
  registerIpcHandlers(ipcMain, () => table);
  ipcRenderer = new FakeIpcRenderer(ipcMain);
  ledger = createLedgerApi(ipcRenderer);
});

afterEach(() => fixture.cleanup());

describe('shape', () => {
  it('has exactly the contract channels plus onChanged and onNavigate', () => {
    expect(Object.keys(ledger).sort()).toEqual([...CHANNEL_NAMES, 'onChanged', 'onNavigate'].sort());
    for (const value of Object.values(ledger)) expect(typeof value).toBe('function');
  });

  it('is frozen and exposes no ipcRenderer', () => {
    expect(Object.isFrozen(ledger)).toBe(true);
    const text = Object.keys(ledger).join(' ');
    for (const leak of ['invoke', 'send', 'on ', 'ipcRenderer', 'removeListener']) expect(text).not.toContain(leak);
  });
});

describe('commands and queries', () => {
  it('take the `ledger apply` objects without `command` and return envelopes', async () => {
    expect(await ledger.openAccount({ account: 'alice', owner: 'Alice', currency: 'EUR' })).toMatchObject({
      ok: true,
      value: { account: 'alice' },
    });
    expect(await ledger.deposit({ account: 'alice', amount: '20.00' })).toMatchObject({ ok: true, value: { balance: '20.00' } });
    expect(await ledger.withdraw({ account: 'alice', amount: '5.00' })).toMatchObject({ ok: true, value: { balance: '15.00' } });
    expect(await ledger.openAccount({ account: 'bob', owner: 'Bob', currency: 'EUR' })).toMatchObject({ ok: true });
    expect(await ledger.transfer({ from: 'alice', to: 'bob', amount: '15.00' })).toMatchObject({ ok: true, value: { balance: '0.00' } });
    expect(await ledger.closeAccount({ account: 'alice' })).toMatchObject({ ok: true });
    const accounts = await ledger.listAccounts(undefined);
    expect(accounts).toMatchObject({
      ok: true,
      value: [
        { id: 'alice', status: 'closed' },
        { id: 'bob', balance: '15.00' },
      ],
    });
    expect(await ledger.getAccount({ account: 'bob' })).toMatchObject({ ok: true, value: { balance: '15.00' } });
    const history = await ledger.accountHistory({ account: 'bob' });
    expect(history).toMatchObject({ ok: true, value: { total: 2 } });
  });

  it('domain errors are envelopes', async () => {
    expect(await ledger.deposit({ account: 'ghost', amount: '1.00' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('a request that cannot be cloned is a VALIDATION envelope, not a rejection', async () => {
    const reply = await ledger.deposit({ account: 'alice', amount: (() => '1.00') as unknown as string });
    expect(reply).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('a failed invoke is a STORAGE envelope, not a rejection', async () => {
    const broken = createLedgerApi({
      invoke: () => Promise.reject(new Error("Error invoking remote method 'ledger:listAccounts': secret stack")),
      on: () => {},
      removeListener: () => {},
    });
    const reply = await broken.listAccounts(undefined);
    expect(reply).toMatchObject({ ok: false, error: { code: 'STORAGE' } });
    expect(JSON.stringify(reply)).not.toContain('secret');
  });

  it('a reply that is not an envelope is not passed through', async () => {
    const odd = createLedgerApi({ invoke: async () => ({ hello: 'world' }), on: () => {}, removeListener: () => {} });
    expect(await odd.listAccounts(undefined)).toMatchObject({ ok: false, error: { code: 'STORAGE' } });
  });
});

describe('notifications', () => {
  it('onChanged relays only a checked change (its known fields), never the IPC event, and unsubscribes', () => {
    const received: unknown[][] = [];
    const unsubscribe = ledger.onChanged((...args: unknown[]) => received.push(args));
    ipcRenderer.deliver(CHANGE_NOTIFICATION_CHANNEL, { lastPosition: 7, accounts: ['acc-1'], readOnly: false, extra: 'dropped' });
    ipcRenderer.deliver(CHANGE_NOTIFICATION_CHANNEL, { lastPosition: 'seven', readOnly: false });
    ipcRenderer.deliver(CHANGE_NOTIFICATION_CHANNEL, { lastPosition: 9 });
    ipcRenderer.deliver(CHANGE_NOTIFICATION_CHANNEL, { lastPosition: 10, readOnly: false, accounts: [1] });
    ipcRenderer.deliver(CHANGE_NOTIFICATION_CHANNEL, {
      lastPosition: 11,
      readOnly: true,
      readOnlyReason: 'the chain is broken',
      integrity: { state: 'nope' },
    });
    expect(received).toEqual([[{ lastPosition: 7, accounts: ['acc-1'], readOnly: false }]]);
    expect(ipcRenderer.listenerCount(CHANGE_NOTIFICATION_CHANNEL)).toBe(1);
    unsubscribe();
    unsubscribe();
    expect(ipcRenderer.listenerCount(CHANGE_NOTIFICATION_CHANNEL)).toBe(0);
    ipcRenderer.deliver(CHANGE_NOTIFICATION_CHANNEL, { lastPosition: 8, readOnly: false });
    expect(received).toHaveLength(1);
  });

  it('onNavigate relays known screens only', () => {
    const screens: unknown[][] = [];
    const unsubscribe = ledger.onNavigate((...args: unknown[]) => screens.push(args));
    ipcRenderer.deliver(NAVIGATE_CHANNEL, 'audit');
    ipcRenderer.deliver(NAVIGATE_CHANNEL, 'https://evil.example');
    ipcRenderer.deliver(NAVIGATE_CHANNEL, 'accounts');
    ipcRenderer.deliver(NAVIGATE_CHANNEL, 'statement');
    expect(screens).toEqual([['audit'], ['accounts'], ['statement']]);
    unsubscribe();
    expect(ipcRenderer.listenerCount(NAVIGATE_CHANNEL)).toBe(0);
  });

  it('a listener that is not a function subscribes nothing', () => {
    const unsubscribe = ledger.onChanged('nope' as unknown as () => void);
    expect(ipcRenderer.listenerCount(CHANGE_NOTIFICATION_CHANNEL)).toBe(0);
    expect(() => unsubscribe()).not.toThrow();
  });
});
