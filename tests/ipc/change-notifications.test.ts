/**
 * What a change notification and an audit page now carry, with real ledger files: the
 * accounts a command touched (so a screen refetches only what it shows), merged when the
 * host coalesces a burst; an audit page with its count, as of the same moment; and a tampered
 * chain turning the renderer read-only from the notification alone, through the same check
 * the preload and the preview bridge apply (readLedgerChange) and the renderer's own logic
 * (renderer/src/lib/ledger-change.ts), without asking ledgerInfo.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Ledger } from '#engine/ledger';
import { createHandlers } from '#engine/handlers';
import { readLedgerChange, type LedgerChange } from '#shared/ipc-channels';
import type { LedgerInfo } from '#shared/ipc-contract';
import { LedgerHost, mergedChange } from '../../electron/hosts/main/ledger-host';
import { infoAfter, touches, touchesOthersOnly } from '../../renderer/src/lib/ledger-change';
import { tempFolder } from './fixtures';
import { seedLedger, tamperPayload } from './ledger-files';

let folder: { folder: string; cleanup(): void };
const opened: Ledger[] = [];
const file = (name: string) => join(folder.folder, name);

beforeEach(() => {
  folder = tempFolder();
});

afterEach(() => {
  for (const ledger of opened.splice(0)) ledger.close();
  folder.cleanup();
});

function open(path: string, options: { verifyInBackground?: boolean } = {}): Ledger {
  const result = Ledger.open({ path, actor: 'test', ...options });
  if (!result.ok) throw new Error(result.error.message);
  opened.push(result.value);
  return result.value;
}

describe('a notification lists the accounts touched', () => {
  it('names both accounts of a transfer and only the one of a deposit', () => {
    const ledger = open(file('a.db'));
    const table = createHandlers(() => ledger);
    const changes: LedgerChange[] = [];
    ledger.onChange((change) => changes.push(change));
    expect(table.openAccount({ account: 'alice', owner: 'Alice', currency: 'EUR', initial: '10.00' }).ok).toBe(true);
    expect(table.openAccount({ account: 'bob', owner: 'Bob', currency: 'EUR' }).ok).toBe(true);
    expect(table.transfer({ from: 'alice', to: 'bob', amount: '4.00' }).ok).toBe(true);
    expect([...(changes.at(-1)?.accounts ?? [])].sort()).toEqual(['alice', 'bob']);
    expect(table.deposit({ account: 'bob', amount: '1.00' }).ok).toBe(true);
    expect(changes.at(-1)).toMatchObject({ accounts: ['bob'], readOnly: false, lastPosition: ledger.info().lastPosition });
    // What the account screens conclude from it.
    expect(touches(changes.at(-1)!, 'bob')).toBe(true);
    expect(touches(changes.at(-1)!, 'alice')).toBe(false);
    expect(touchesOthersOnly(changes.at(-1)!, 'alice')).toBe(true);
    expect(touches({ lastPosition: 9, readOnly: false }, 'alice')).toBe(true);
  });

  it('keeps every account when the host coalesces a burst, and none when one of it is not known', async () => {
    const changes: LedgerChange[] = [];
    const host = new LedgerHost({ open: async (path) => Ledger.open({ path, actor: 'app' }), onChange: (change) => changes.push(change) });
    try {
      await host.switchTo(file('b.db'));
      await new Promise((resolve) => setImmediate(resolve));
      changes.length = 0;
      const table = host.handlers()!;
      expect(table.openAccount({ account: 'carol', owner: 'Carol', currency: 'EUR' }).ok).toBe(true);
      expect(table.openAccount({ account: 'dave', owner: 'Dave', currency: 'EUR' }).ok).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      expect(changes).toHaveLength(1);
      expect([...(changes[0]!.accounts ?? [])].sort()).toEqual(['carol', 'dave']);
    } finally {
      host.close();
    }
    const known = { lastPosition: 1, accounts: ['a'], readOnly: false };
    expect(mergedChange(known, { lastPosition: 2, readOnly: false })).toEqual({ lastPosition: 2, readOnly: false });
    expect(mergedChange({ lastPosition: 1, readOnly: false }, known)).toEqual({ lastPosition: 1, readOnly: false });
  });
});

describe('an audit page carries its count', () => {
  it('answers the page, the matches, the total and the file in one call, as of the same moment', async () => {
    await seedLedger(file('c.db'));
    const ledger = open(file('c.db'));
    const table = createHandlers(() => ledger);
    const all = table.auditEvents({ limit: 3, withCount: true });
    expect(all).toMatchObject({ ok: true, value: { count: { matches: 8, total: 8, ledgerPath: ledger.path }, nextBefore: 6 } });
    expect(all.ok && all.value.rows.map((row) => row.position)).toEqual([8, 7, 6]);
    const filtered = table.auditEvents({ filter: { accounts: ['alice'] }, withCount: true });
    expect(filtered.ok && filtered.value.count?.matches).toBe(filtered.ok ? filtered.value.rows.length : -1);
    expect(filtered.ok && filtered.value.count?.total).toBe(8);
    // A later page does not count again unless asked.
    const next = table.auditEvents({ before: 6, limit: 3 });
    expect(next.ok && 'count' in next.value).toBe(false);
    // The channel that answered only the count is gone from the contract.
    expect(Object.prototype.hasOwnProperty.call(table, 'auditCount')).toBe(false);
  });
});

describe('a tampered chain turns the renderer read-only from the notification alone', () => {
  it('carries read-only, the reason and the failed status; the shell shows the banner without asking', async () => {
    await seedLedger(file('d.db'));
    tamperPayload(file('d.db'), 4, (data) => data.replace('225', '1'));
    const changes: LedgerChange[] = [];
    const host = new LedgerHost({
      open: (path, onReplayProgress) => Ledger.openInSlices({ path, actor: 'app', onReplayProgress, verifyInBackground: true }),
      onChange: (change) => changes.push(change),
    });
    try {
      await host.switchTo(file('d.db'));
      await vi.waitFor(() => expect(changes.some((change) => change.readOnly)).toBe(true), { timeout: 5_000, interval: 10 });
      // As it crosses the process boundary: JSON, then the preload's (or the bridge's) check.
      const arrived = readLedgerChange(JSON.parse(JSON.stringify(changes.find((change) => change.readOnly))));
      expect(arrived).toMatchObject({
        readOnly: true,
        readOnlyReason: expect.stringContaining('position 4'),
        integrity: { state: 'failed', firstBadPosition: 4 },
      });
      // What the page showed before: the same file, writable.
      const shown: LedgerInfo = { path: file('d.db'), appVersion: '1', schemaVersion: 1, lastPosition: 8, readOnly: false };
      expect(infoAfter(shown, arrived!).info).toMatchObject({
        path: file('d.db'),
        readOnly: true,
        readOnlyReason: expect.stringContaining('position 4'),
      });
    } finally {
      host.close();
    }
  });

  it('takes the position and read-only state from a notification of the same file, asking nothing', () => {
    const info: LedgerInfo = { path: '/x/ledger.db', appVersion: '1', schemaVersion: 1, lastPosition: 3, readOnly: false };
    expect(infoAfter(info, { lastPosition: 4, accounts: ['a'], readOnly: false })).toEqual({
      info: { ...info, lastPosition: 4 },
      refetch: false,
    });
    // Without the accounts it may be another file: shown at once, and asked again for the path.
    expect(infoAfter(info, { lastPosition: 0, readOnly: true, readOnlyReason: 'opened read-only' })).toEqual({
      info: { ...info, lastPosition: 0, readOnly: true, readOnlyReason: 'opened read-only' },
      refetch: true,
    });
    expect(infoAfter(undefined, { lastPosition: 1, readOnly: false })).toEqual({ info: undefined, refetch: true });
  });
});
