/**
 * The ledger's listeners hear every change without polling: the background verification's
 * transitions (and its progress, throttled) and the ledger turning read-only, each as a
 * LedgerChange that names no account grew (`accounts: []`).
 */
import { describe, expect, it } from 'vitest';
import type { AnyCommand } from '#shared/commands';
import type { LedgerChange } from '#shared/ipc-contract';
import { PROGRESS_INTERVAL_MS } from '#engine/audit/integrity-monitor';
import { newLedger, ok, openLedger, tamper } from './helpers';

/** More events than one verification slice, so the background walk reports progress before it ends. */
const EVENTS = 12_000;

function seed(): string {
  const { path, ledger } = newLedger();
  ok(ledger.execute({ name: 'open', input: { account: 'a', owner: 'Ada', currency: 'EUR', initial: '0' } }));
  const deposits: AnyCommand[] = Array.from({ length: EVENTS - 1 }, () => ({ name: 'deposit', input: { account: 'a', amount: '1.00' } }));
  for (const result of ledger.executeBatch(deposits)) ok(result);
  ledger.close();
  return path;
}

describe('change notifications', () => {
  it('the background walk is heard verifying (at most every PROGRESS_INTERVAL_MS), then verified; a walk with nothing new is not heard', async () => {
    const path = seed();
    const started = Date.now();
    const ledger = openLedger(path, { verifyInBackground: true });
    const changes: LedgerChange[] = [];
    ledger.onChange((change) => changes.push(change));
    const status = await ledger.integrity.verify();
    const elapsed = Date.now() - started;
    expect(status).toMatchObject({ state: 'verified', verifiedThrough: EVENTS });
    const verifying = changes.filter((change) => change.integrity?.state === 'verifying');
    expect(verifying.length).toBeLessThanOrEqual(1 + Math.ceil(elapsed / PROGRESS_INTERVAL_MS));
    expect(changes.at(-1)).toMatchObject({
      lastPosition: EVENTS,
      accounts: [],
      readOnly: false,
      integrity: { state: 'verified', verifiedThrough: EVENTS, head: ledger.logHead().hash },
    });

    const heard = changes.length;
    await ledger.integrity.verify();
    expect(changes).toHaveLength(heard);

    // A command is heard with its account, then the walk of its event moves the verified point.
    ok(ledger.execute({ name: 'deposit', input: { account: 'a', amount: '1.00' } }));
    await ledger.integrity.verify();
    expect(changes.slice(heard).map((change) => [change.accounts, change.integrity?.state])).toEqual([
      [['a'], 'verified'],
      [[], 'verified'],
    ]);
    expect(changes.at(-1)?.integrity).toMatchObject({ verifiedThrough: EVENTS + 1 });
  }, 60_000);

  it('a broken chain found by the background walk is heard once: read-only, why, and the failed status together', async () => {
    const path = seed();
    tamper(path, (db) => db.prepare('UPDATE events SET data = ? WHERE position = 9000').run('{"amountMinor":100000,"currency":"EUR"}'));
    const ledger = openLedger(path, { verifyInBackground: true });
    const changes: LedgerChange[] = [];
    ledger.onChange((change) => changes.push(change));
    expect(await ledger.integrity.verify()).toMatchObject({ state: 'failed', firstBadPosition: 9000 });
    const readOnly = changes.filter((change) => change.readOnly);
    expect(readOnly).toHaveLength(1);
    expect(readOnly[0]).toMatchObject({
      accounts: [],
      readOnlyReason: expect.stringContaining('position 9000'),
      integrity: { state: 'failed', firstBadPosition: 9000 },
    });
    expect(changes.at(-1)).toBe(readOnly[0]);
  }, 60_000);

  it('markReadOnly is heard when the reason is new, and only then', () => {
    const { ledger } = newLedger();
    const changes: LedgerChange[] = [];
    ledger.onChange((change) => changes.push(change));
    ledger.markReadOnly('the disk said so');
    ledger.markReadOnly('the disk said so');
    expect(changes).toEqual([{ lastPosition: 0, accounts: [], readOnly: true, readOnlyReason: 'the disk said so' }]);
    expect(ledger.execute({ name: 'open', input: { account: 'a', owner: 'A', currency: 'EUR' } })).toMatchObject({
      ok: false,
      error: { code: 'INTEGRITY' },
    });
  });

  it('a ledger opened without background verification carries no integrity status', () => {
    const path = seed();
    const ledger = openLedger(path);
    const changes: LedgerChange[] = [];
    ledger.onChange((change) => changes.push(change));
    ok(ledger.execute({ name: 'deposit', input: { account: 'a', amount: '1.00' } }));
    expect(changes).toEqual([{ lastPosition: EVENTS + 1, accounts: ['a'], readOnly: false }]);
  });
});
