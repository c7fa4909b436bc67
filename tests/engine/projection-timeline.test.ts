/**
 * An account's balance timeline: its own positions in a Uint32Array, its balances read from
 * the audit index by position. After a replay of a real ledger file, every account's timeline
 * answers what its events say; a position past 32 bits moves the timeline to a Float64Array
 * without losing what it held.
 */
import { describe, expect, it } from 'vitest';
import { BalanceTimeline } from '#engine/projection/timeline';
import { AccountsProjection } from '#engine/projection/accounts-projection';
import { newLedger, ok, storeOf } from './helpers';

describe('balance timeline', () => {
  it('answers each account its own positions and balances after a rebuild from the file', () => {
    const { ledger, api } = newLedger();
    ok(api.openAccount({ account: 'a', owner: 'Ann', currency: 'EUR', initial: '10' }));
    ok(api.openAccount({ account: 'b', owner: 'Bo', currency: 'EUR' }));
    for (let round = 1; round <= 40; round++) {
      ok(api.deposit({ account: 'a', amount: `${round}` }));
      ok(api.transfer({ from: 'a', to: 'b', amount: '1' }));
    }
    const projection = new AccountsProjection();
    projection.rebuild(storeOf(ledger));
    for (const account of ['a', 'b']) {
      const events = ledger.events({ streamId: account });
      const timeline = projection.timeline(account)!;
      expect(timeline.length).toBe(events.length);
      let balance = 0;
      for (const event of events) {
        balance = projection.audit.balanceAfterAt(event.position);
        expect(timeline.positionOfVersion(event.streamVersion)).toBe(event.position);
        expect(timeline.balanceAfterVersion(event.streamVersion)).toBe(balance);
        expect(timeline.balanceAtPosition(event.position)).toBe(balance);
        expect(timeline.versionAtPosition(event.position)).toBe(event.streamVersion);
      }
      expect(balance).toBe(projection.account(account)!.balanceMinor);
      expect(timeline.positionOfVersion(events.length + 1)).toBeUndefined();
      expect(timeline.balanceAtPosition(events[0]!.position - 1)).toBeUndefined();
    }
    // Worked out by hand: b opened empty and took 1.00 forty times; a opened with 10.00, took 1+2+…+40 and gave 40.
    expect(projection.timeline('b')!.balanceAfterVersion(41)).toBe(4000);
    expect(projection.timeline('a')!.balanceAfterVersion(81)).toBe(1000 + 82_000 - 4000);
  });

  it.each([
    ['when it grows', [1, 7, 0xffff_fffe, 0xffff_ffff, 0x1_0000_0000, 2 ** 40 + 3, 2 ** 52]],
    ['while it has room', [1, 0x1_0000_0000, 2 ** 40 + 3]],
  ])('keeps every position exactly once positions pass 32 bits %s', (_, positions) => {
    const balances = new Map<number, number>();
    const timeline = new BalanceTimeline({ balanceAfterAt: (position) => balances.get(position)! });
    positions.forEach((position, index) => {
      balances.set(position, index * 100);
      timeline.push(position);
    });
    positions.forEach((position, index) => {
      expect(timeline.positionOfVersion(index + 1)).toBe(position);
      expect(timeline.balanceAfterVersion(index + 1)).toBe(index * 100);
      expect(timeline.versionAtPosition(position)).toBe(index + 1);
      expect(timeline.versionAtPosition(position - 1)).toBe(index);
    });
    expect(timeline.balanceAtPosition(2 ** 40 + 4)).toBe(balances.get(2 ** 40 + 3));
  });
});
