/**
 * A host that verifies in the background (the app, the preview host) records nothing on a
 * chain it has not checked: the first command after opening waits for the rest of the walk,
 * so a tampered event far beyond the first verification slice is still caught before it.
 */
import { describe, expect, it } from 'vitest';
import type { AnyCommand } from '#shared/commands';
import { failure, newLedger, ok, openLedger, tamper } from './helpers';

/** More events than one verification slice (5,000), so the background walk is still running at open. */
const EVENTS = 7_000;

function seed(): string {
  const { path, ledger } = newLedger();
  ok(ledger.execute({ name: 'open', input: { account: 'a', owner: 'Ada', currency: 'EUR', initial: '0' } }));
  const deposits: AnyCommand[] = Array.from({ length: EVENTS - 1 }, () => ({ name: 'deposit', input: { account: 'a', amount: '1.00' } }));
  for (const result of ledger.executeBatch(deposits)) ok(result);
  ledger.close();
  return path;
}

describe('commands wait for verification in hosts that verify in the background', () => {
  it('refuses the first command after opening when the chain is broken beyond the first slice', () => {
    const path = seed();
    tamper(path, (db) => db.prepare('UPDATE events SET data = ? WHERE position = 6500').run('{"amountMinor":100000,"currency":"EUR"}'));
    const ledger = openLedger(path, { verifyInBackground: true });
    const refused = ledger.execute({ name: 'deposit', input: { account: 'a', amount: '5.00' } });
    failure(refused, 'INTEGRITY');
    expect(ledger.logHead().position).toBe(EVENTS);
    expect(ledger.integrity.status).toMatchObject({ state: 'failed', firstBadPosition: 6500 });
    expect(ledger.info()).toMatchObject({ readOnly: true });
  });

  it('accepts commands on an intact chain, verified through the head before the first one', () => {
    const path = seed();
    const ledger = openLedger(path, { verifyInBackground: true });
    const receipt = ok(ledger.execute({ name: 'deposit', input: { account: 'a', amount: '5.00' } }));
    expect(receipt.position).toBe(EVENTS + 1);
    // Everything before the command was verified synchronously before it was recorded.
    expect(ledger.integrity.status).toMatchObject({ state: 'verified' });
    expect((ledger.integrity.status as { verifiedThrough: number }).verifiedThrough).toBeGreaterThanOrEqual(EVENTS);
  });

  it('a host that does not verify in the background (the CLI) still refuses to decide on an edited stream', () => {
    const path = seed();
    tamper(path, (db) => db.prepare('UPDATE events SET data = ? WHERE position = 6500').run('{"amountMinor":100000,"currency":"EUR"}'));
    const ledger = openLedger(path);
    // The projection replays the edited (still valid) amount; the account's stream is checked before deciding on it.
    failure(ledger.execute({ name: 'deposit', input: { account: 'a', amount: '5.00' } }), 'INTEGRITY');
    expect(ledger.logHead().position).toBe(EVENTS);
    expect(ledger.info()).toMatchObject({ readOnly: true });
    expect(ledger.verify()).toMatchObject({ ok: false, firstBadPosition: 6500 });
  });
});
