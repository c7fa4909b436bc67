/**
 * A stored row that can no longer be read (issue 16 follow-up, found by the flip sweep): the
 * replay reads every payload but not the metadata of current events, so a ledger whose stored
 * metadata no longer parses opens, and the audit queries, the history and the event list met
 * the text only when they showed the row — answering an internal error. They answer INTEGRITY
 * naming the position instead.
 */
import { describe, expect, it } from 'vitest';
import { LedgerFailure } from '#shared/errors';
import { dispatch } from '#engine/handlers';
import type { Ledger } from '#engine/ledger';
import { handlersFor, newLedger, ok, openLedger, tamper } from './helpers';

/** A ledger of four events whose third (a deposit on a) has stored metadata `metadata`. */
function ledgerWithMetadata(metadata: string): Ledger {
  const { path, ledger, api } = newLedger();
  ok(api.openAccount({ account: 'a', owner: 'Ada', currency: 'EUR', initial: '10.00' }));
  ok(api.openAccount({ account: 'b', owner: 'Bob', currency: 'EUR' }));
  ok(api.deposit({ account: 'a', amount: '1.00', commandId: 'deposit-a' }));
  ok(api.withdraw({ account: 'a', amount: '2.00' }));
  ledger.close();
  tamper(path, (db) => db.prepare('UPDATE events SET metadata = ? WHERE position = 3').run(metadata));
  return openLedger(path);
}

/** What `read` threw: a LedgerFailure's error (the test fails on anything else). */
function thrown(read: () => unknown) {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(LedgerFailure);
    return (error as LedgerFailure).error;
  }
  throw new Error('expected the read to be refused');
}

describe('audit queries on a row whose stored JSON no longer parses', () => {
  for (const [what, metadata, why] of [
    ['metadata cut short', '{"commandId":"deposit-a","actor":', /its stored metadata is not valid JSON/],
    ['metadata that is not an object', '[1,2]', /its stored metadata is not a JSON object/],
  ] as const) {
    it(`${what}: the ledger opens, and every read of the row answers INTEGRITY naming position 3`, () => {
      const ledger = ledgerWithMetadata(metadata);
      expect(ledger.lastPosition).toBe(4);
      const reads: Array<[string, () => unknown]> = [
        ['audit page', () => ledger.audit.page({}, undefined, 100)],
        ['audit page of the account', () => ledger.audit.page({ accounts: ['a'] }, undefined, 100)],
        ['event detail', () => ledger.audit.detail(3)],
        ["a neighbour's detail (its related events)", () => ledger.audit.detail(2)],
        ['balances as of the position', () => ledger.audit.balancesAsOf({ position: 3 })],
        ['the exact-id search', () => ledger.audit.page({ text: 'deposit-a' }, undefined, 100)],
        ['history', () => ledger.history('a', 0, 100)],
        ['the event list', () => ledger.events({})],
      ];
      for (const [name, read] of reads) {
        const error = thrown(read);
        expect(error.code, name).toBe('INTEGRITY');
        expect(error.message, name).toMatch(/^The event at position 3 cannot be read: /);
        expect(error.message, name).toMatch(why);
      }
      // The handler table answers it as it is (dispatch passes a typed failure through).
      for (const [channel, request] of [
        ['auditEvents', {}],
        ['eventDetail', { position: 3 }],
        ['accountHistory', { account: 'a' }],
      ] as const) {
        expect(dispatch(handlersFor(ledger), channel, request), channel).toEqual({
          ok: false,
          error: { code: 'INTEGRITY', message: expect.stringMatching(/^The event at position 3 cannot be read: /) },
        });
      }
      // Rows that do not touch it still read.
      expect(ledger.audit.page({ accounts: ['b'] }, undefined, 100).rows.map((row) => row.position)).toEqual([2]);
      expect(ledger.audit.count({})).toEqual({ matches: 4, total: 4 });
    });
  }

  it('a stored payload that does not parse, read past the replay (the event list), answers the same', () => {
    const { path, ledger, api } = newLedger();
    ok(api.openAccount({ account: 'a', owner: 'Ada', currency: 'EUR', initial: '10.00' }));
    ok(api.deposit({ account: 'a', amount: '1.00' }));
    ledger.close();
    tamper(path, (db) => db.prepare('UPDATE events SET data = ? WHERE position = 2').run('{"amountMinor":1'));
    const reopened = openLedger(path);
    const error = thrown(() => reopened.events({}));
    expect(error).toEqual({
      code: 'INTEGRITY',
      message: expect.stringMatching(/^The event at position 2 cannot be read: its stored payload is not valid JSON/),
    });
  });

  it('a stored type this ledger cannot read answers INTEGRITY naming it, without its control characters', () => {
    const { path, ledger, api } = newLedger();
    ok(api.openAccount({ account: 'a', owner: 'Ada', currency: 'EUR', initial: '10.00' }));
    ledger.close();
    tamper(path, (db) => db.prepare('UPDATE events SET type = ? WHERE position = 1').run('Money\u202ETeleported'));
    const reopened = openLedger(path);
    const error = thrown(() => reopened.events({}));
    expect(error.code).toBe('INTEGRITY');
    expect(error.message).toMatch(
      /^The event at position 1 cannot be read: its type "Money\\u202eTeleported" at version 2 is not an event this ledger can read/,
    );
  });
});
