/**
 * Reversal (issue 15): `reverse` takes back the whole command that recorded a position — one
 * event for a deposit or a withdrawal, both legs of a transfer in one append — with events that
 * point at the originals; every refusal writes nothing; a command id makes a retry safe; the
 * links show on history entries, audit rows and event details, and time travel sees the state
 * before and after. Real ledger files through the handler table.
 */
import { describe, expect, it } from 'vitest';
import type { AnyCommand } from '#shared/commands';
import type { Ledger } from '#engine/ledger';
import { failure, newLedger, ok, openLedger, readLedgerFile } from './helpers';

/** Everything that would change if anything were written: the log's length, its last hash and the idempotency records. */
function footprint(ledger: Ledger) {
  const tail = ledger.logHead();
  const records = readLedgerFile(ledger.path, (db) => db.prepare('SELECT count(*) FROM commands').pluck().get());
  return { tail, records, accounts: ledger.listAccounts() };
}

/** a (EUR 100.00) and b (EUR 0.00). */
function twoAccounts() {
  const opened = newLedger();
  ok(opened.api.openAccount({ account: 'a', owner: 'Ada', currency: 'EUR', initial: '100.00' }));
  ok(opened.api.openAccount({ account: 'b', owner: 'Bob', currency: 'EUR' }));
  return opened;
}

describe('reverse', () => {
  it('takes back a deposit with one EntryReversed naming it; the links show everywhere', () => {
    const { ledger, api } = twoAccounts();
    const deposit = ok(api.deposit({ account: 'a', amount: '12.30', memo: 'booked twice' }));
    const receipt = ok(api.reverse({ position: deposit.position, reason: 'Booked twice by mistake' }));
    expect(receipt).toEqual({
      position: 4,
      version: 3,
      account: 'a',
      balance: '100.00',
      balanceMinor: 10_000,
      currency: 'EUR',
      reverses: 3,
      positions: [4],
    });
    const [original, reversal] = ledger.events({ fromPosition: 3 });
    expect(reversal).toMatchObject({
      type: 'EntryReversed',
      streamId: 'a',
      streamVersion: 3,
      storedSchemaVersion: 1,
      data: {
        reversesPosition: 3,
        reversesEventId: original!.eventId,
        effectMinor: -1_230,
        currency: 'EUR',
        reason: 'Booked twice by mistake',
      },
      metadata: { actor: 'test' },
    });
    // Stored exactly as the event format says, field for field and in that order.
    expect(readLedgerFile(ledger.path, (db) => db.prepare('SELECT data FROM events WHERE position = 4').pluck().get())).toBe(
      `{"reversesPosition":3,"reversesEventId":"${original!.eventId}","effectMinor":-1230,"currency":"EUR","reason":"Booked twice by mistake"}`,
    );

    const history = ok(api.accountHistory({ account: 'a' })).entries;
    expect(history.map((entry) => [entry.position, entry.type, entry.amountMinor, entry.reverses, entry.reversedBy])).toEqual([
      [1, 'AccountOpened', 10_000, undefined, undefined],
      [3, 'MoneyDeposited', 1_230, undefined, 4],
      [4, 'EntryReversed', -1_230, 3, undefined],
    ]);
    expect(history[2]).toMatchObject({ memo: 'Booked twice by mistake', balanceMinor: 10_000 });

    const rows = ok(api.auditEvents({})).rows;
    expect(rows.find((row) => row.position === 3)).toMatchObject({ reversedBy: 4 });
    expect(rows.find((row) => row.position === 4)).toMatchObject({ reverses: 3, type: 'EntryReversed', amountMinor: -1_230 });
    expect(ok(api.eventDetail({ position: 3 })).row).toMatchObject({ reversedBy: 4 });
    expect(ok(api.eventDetail({ position: 4 })).row).toMatchObject({ reverses: 3 });
    expect(ok(api.auditEvents({ filter: { types: ['EntryReversed'] } })).rows.map((row) => row.position)).toEqual([4]);
    // The reason is searched like a memo.
    expect(ok(api.auditEvents({ filter: { text: 'by mistake' } })).rows.map((row) => row.position)).toEqual([4]);

    // A reversal counts as a transaction.
    const account = ok(api.getAccount({ account: 'a' }));
    expect(account).toMatchObject({ transactionCount: 3, version: 3, balanceMinor: 10_000, lastTransactionAt: reversal!.recordedAt });
  });

  it('gives a withdrawal back', () => {
    const { api } = twoAccounts();
    const withdrawal = ok(api.withdraw({ account: 'a', amount: '40.00' }));
    expect(ok(api.reverse({ position: withdrawal.position, reason: 'Wrong account' }))).toMatchObject({
      balanceMinor: 10_000,
      reverses: 3,
    });
  });

  it('reverses both legs of a transfer in one append, whichever leg is named', () => {
    const { ledger, api } = twoAccounts();
    const transfer = ok(api.transfer({ from: 'a', to: 'b', amount: '25.00', memo: 'rent' }));
    const received = transfer.position;
    const receipt = ok(api.reverse({ position: received, reason: 'Paid the wrong tenant' }));
    // The receipt speaks for the account of the leg named; the sender's reversal comes first.
    expect(receipt).toMatchObject({ account: 'b', balanceMinor: 0, version: 3, reverses: received, positions: [5, 6], position: 6 });
    const [sentBack, receivedBack] = ledger.events({ fromPosition: 5 });
    expect(sentBack).toMatchObject({ streamId: 'a', data: { reversesPosition: 3, effectMinor: 2_500, counterparty: 'b' } });
    expect(receivedBack).toMatchObject({ streamId: 'b', data: { reversesPosition: 4, effectMinor: -2_500, counterparty: 'a' } });
    expect(sentBack!.recordedAt).toBe(receivedBack!.recordedAt);
    expect(sentBack!.metadata.correlationId).toBe(receivedBack!.metadata.correlationId);
    expect(ok(api.getAccount({ account: 'a' })).balanceMinor).toBe(10_000);
    expect(ledger.reversedBy(3)).toBe(5);
    expect(ledger.reversedBy(4)).toBe(6);
    // The audit drawer shows the other leg of the reversal as the same command.
    expect(ok(api.eventDetail({ position: 5 })).related.map((row) => row.position)).toEqual([6]);
    // Either leg is now "already reversed".
    for (const position of [3, 4]) {
      const refused = failure(api.reverse({ position, reason: 'again' }), 'ALREADY_REVERSED');
      expect(refused.details).toEqual({ position, reversedBy: position + 2 });
    }
  });

  it('a transfer reversal that would overdraw the receiver writes neither leg', () => {
    const { ledger, api } = twoAccounts();
    const transfer = ok(api.transfer({ from: 'a', to: 'b', amount: '25.00' }));
    ok(api.withdraw({ account: 'b', amount: '20.00' }));
    const before = footprint(ledger);
    const refused = failure(api.reverse({ position: transfer.position - 1, reason: 'undo' }), 'INSUFFICIENT_FUNDS');
    expect(refused.details).toEqual({ account: 'b', balanceMinor: 500, amountMinor: 2_500 });
    expect(refused.message).toContain('b holds 5.00 EUR');
    expect(footprint(ledger)).toEqual(before);
  });

  it('every refusal writes nothing', () => {
    const { ledger, api } = twoAccounts();
    const deposit = ok(api.deposit({ account: 'a', amount: '5.00' })).position;
    const reversal = ok(api.reverse({ position: deposit, reason: 'first' })).position;
    const spent = ok(api.deposit({ account: 'b', amount: '5.00' })).position;
    ok(api.withdraw({ account: 'b', amount: '4.00' }));
    ok(api.openAccount({ account: 'c', owner: 'Cy', currency: 'EUR' }));
    const closedDeposit = ok(api.deposit({ account: 'c', amount: '1.00' })).position;
    ok(api.withdraw({ account: 'c', amount: '1.00' }));
    const closing = ok(api.closeAccount({ account: 'c' })).position;
    const attempts: Array<[Record<string, unknown>, string]> = [
      [{ position: 999, reason: 'x' }, 'NOT_FOUND'],
      [{ position: deposit, reason: 'again', commandId: 'k' }, 'ALREADY_REVERSED'],
      [{ position: spent, reason: 'x' }, 'INSUFFICIENT_FUNDS'],
      [{ position: closedDeposit, reason: 'x' }, 'ACCOUNT_CLOSED'],
      [{ position: 1, reason: 'x' }, 'VALIDATION'],
      [{ position: closing, reason: 'x' }, 'VALIDATION'],
      [{ position: reversal, reason: 'x' }, 'VALIDATION'],
      [{ position: deposit, reason: '' }, 'VALIDATION'],
      [{ position: deposit, reason: ' \n ' }, 'VALIDATION'],
      [{ position: deposit, reason: 'r'.repeat(501) }, 'VALIDATION'],
      [{ position: deposit, reason: 'bell\u0007' }, 'VALIDATION'],
      [{ position: 0, reason: 'x' }, 'VALIDATION'],
      [{ position: 2.5, reason: 'x' }, 'VALIDATION'],
      [{ position: '3', reason: 'x' }, 'VALIDATION'],
      [{ position: deposit }, 'VALIDATION'],
      [{ position: deposit, reason: 'x', expectedVersion: 2 }, 'VALIDATION'],
    ];
    for (const [request, code] of attempts) {
      const before = footprint(ledger);
      failure(api.reverse(request), code);
      expect(footprint(ledger), JSON.stringify(request)).toEqual(before);
    }
    expect(failure(api.reverse({ position: 999, reason: 'x' }), 'NOT_FOUND').message).toBe('There is no event at position 999');
    expect(failure(api.reverse({ position: 1, reason: 'x' }), 'VALIDATION').message).toMatch(/position 1 is an account opening/);
  });

  it('a command id makes a retry answer the first receipt, also after reopening; another intent under it is refused', () => {
    const { path, ledger, api } = twoAccounts();
    const deposit = ok(api.deposit({ account: 'a', amount: '5.00' })).position;
    const first = ok(api.reverse({ position: deposit, reason: 'typo', commandId: 'fix-1' }));
    const again = ok(api.reverse({ position: deposit, reason: 'typo', commandId: 'fix-1' }));
    expect(again).toEqual({ ...first, commandId: 'fix-1', replayed: true });
    expect(first.commandId).toBe('fix-1');
    expect(ledger.logHead().position).toBe(first.position);
    failure(api.reverse({ position: deposit, reason: 'another reason', commandId: 'fix-1' }), 'VALIDATION');
    failure(api.deposit({ account: 'a', amount: '5.00', commandId: 'fix-1' }), 'VALIDATION');
    // Without the id the same intent is a second reversal, which is refused.
    failure(api.reverse({ position: deposit, reason: 'typo' }), 'ALREADY_REVERSED');
    ledger.close();

    const reopened = openLedger(path);
    const replayed = ok(reopened.execute({ name: 'reverse', input: { position: deposit, reason: 'typo', commandId: 'fix-1' } }));
    expect(replayed).toEqual({ ...first, replayed: true });
    expect(reopened.logHead().position).toBe(first.position);
  });

  it('a second ledger on the same file, behind it, catches up before deciding: ALREADY_REVERSED, nothing written', () => {
    const { path, ledger, api } = twoAccounts();
    const deposit = ok(api.deposit({ account: 'a', amount: '5.00' })).position;
    const other = openLedger(path);
    ok(api.reverse({ position: deposit, reason: 'first window' }));
    const refused = failure(other.execute({ name: 'reverse', input: { position: deposit, reason: 'second window' } }), 'ALREADY_REVERSED');
    expect(refused.details).toEqual({ position: deposit, reversedBy: deposit + 1 });
    expect(ledger.logHead().position).toBe(deposit + 1);
    expect(other.reversedBy(deposit)).toBe(deposit + 1);
  });

  it('in one batch: a reversal of an event appended earlier in it, and a second reversal of it, refused', () => {
    const { ledger } = twoAccounts();
    const batch: AnyCommand[] = [
      { name: 'deposit', input: { account: 'a', amount: '1.00' } },
      { name: 'reverse', input: { position: 3, reason: 'one' } },
      { name: 'reverse', input: { position: 3, reason: 'two' } },
      { name: 'transfer', input: { from: 'a', to: 'b', amount: '2.00' } },
      { name: 'reverse', input: { position: 6, reason: 'three' } },
      { name: 'reverse', input: { position: 5, reason: 'four' } },
    ];
    const results = ledger.executeBatch(batch);
    expect(results.map((result) => (result.ok ? (result.value.positions ?? result.value.position) : result.error.code))).toEqual([
      3,
      [4],
      'ALREADY_REVERSED',
      6,
      [7, 8],
      'ALREADY_REVERSED',
    ]);
    expect(ledger.reversedBy(3)).toBe(4);
    expect(ledger.reversedBy(6)).toBe(8);
    expect(ok(ledger.getAccount('a')).balanceMinor).toBe(10_000);
  });

  it('time travel shows the balances before and after a reversal, and never between its legs', () => {
    const { api } = twoAccounts();
    ok(api.transfer({ from: 'a', to: 'b', amount: '30.00' }));
    const reversal = ok(api.reverse({ position: 4, reason: 'undo' }));
    expect(reversal.positions).toEqual([5, 6]);
    const balances = (position: number) =>
      Object.fromEntries(ok(api.balancesAsOf({ position })).balances.map((entry) => [entry.account, entry.balanceMinor]));
    expect(balances(4)).toEqual({ a: 7_000, b: 3_000 });
    // Position 5 is the reversal's first leg: the answer moves to the end of its command.
    expect(ok(api.balancesAsOf({ position: 5 })).position).toBe(6);
    expect(balances(5)).toEqual({ a: 10_000, b: 0 });
    expect(balances(reversal.position)).toEqual({ a: 10_000, b: 0 });
  });

  it('reverses a deposit imported from the legacy log (schema 1, upcast on read)', () => {
    const { ledger, api } = newLedger();
    const legacy = [
      '{"id":"evt-1","aggregate_id":"old","aggregate_type":"BankAccount","event_type":"AccountCreated","version":1,"data":{"initial_deposit":10,"owner":"Old"},"timestamp":"2020-01-01T00:00:00Z"}',
      '{"id":"evt-2","aggregate_id":"old","aggregate_type":"BankAccount","event_type":"MoneyDeposited","version":2,"data":{"amount":1.5},"timestamp":"2020-01-02T00:00:00Z"}',
    ];
    ok(ledger.importLegacy(legacy.join('\n'), 'EUR'));
    expect(ok(api.reverse({ position: 2, reason: 'legacy typo' }))).toMatchObject({ balanceMinor: 1_000, reverses: 2 });
    expect(ledger.events({ fromPosition: 3 })[0]!.data).toEqual({
      reversesPosition: 2,
      reversesEventId: 'evt-2',
      effectMinor: -150,
      currency: 'EUR',
      reason: 'legacy typo',
    });
  });
});
