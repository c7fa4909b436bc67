/**
 * Issue 15.3 — statements: one account over a period of whole UTC days, both included, with
 * its opening balance, every line with the running balance, and its closing balance, exact to
 * the minor unit. Real ledger files; the clock is set per command to put events on day edges.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Statement } from '#shared/statement';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { failure, fixturesFolder, newLedger, ok, tamper } from './helpers';

afterEach(() => {
  vi.useRealTimers();
});

/** Runs `work` with the clock at `iso` (events recorded then carry that time). */
function at<T>(iso: string, work: () => T): T {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(iso));
  return work();
}

/** Minor units of the statement's decimal text (exactly the currency's digits, so the dot can go). */
const minor = (text: string) => BigInt(text.replace('.', ''));

function expectConsistent(statement: Statement): void {
  let running = minor(statement.openingBalance);
  for (const line of statement.lines) {
    running += minor(line.amount);
    expect(minor(line.balance), `balance after position ${line.position}`).toBe(running);
  }
  expect(running).toBe(minor(statement.closingBalance));
}

describe('a statement', () => {
  it('adds up exactly: opening + every amount = closing, each line with the running balance', () => {
    const { api } = newLedger();
    at('2026-03-01T09:00:00.000Z', () => ok(api.openAccount({ account: 'a1', owner: '李白', currency: 'EUR', initial: '10.01' })));
    at('2026-03-01T09:00:00.000Z', () => ok(api.openAccount({ account: 'b2', owner: 'Алан', currency: 'EUR' })));
    at('2026-03-02T10:00:00.000Z', () => ok(api.deposit({ account: 'a1', amount: '0.10', memo: 'coffee refund' })));
    at('2026-03-03T10:00:00.000Z', () => ok(api.deposit({ account: 'a1', amount: '0.20' })));
    at('2026-03-04T10:00:00.000Z', () => ok(api.withdraw({ account: 'a1', amount: '0.30', memo: 'fee' })));
    at('2026-03-05T10:00:00.000Z', () => ok(api.transfer({ from: 'a1', to: 'b2', amount: '5.00', memo: 'rent' })));
    at('2026-03-06T10:00:00.000Z', () => ok(api.transfer({ from: 'b2', to: 'a1', amount: '1.99' })));

    const statement = ok(api.statement({ account: 'a1', from: '2026-03-01', to: '2026-03-06' }));
    expect(statement).toMatchObject({ account: 'a1', owner: '李白', currency: 'EUR', from: '2026-03-01', to: '2026-03-06' });
    expect(statement.openingBalance).toBe('0.00');
    expect(statement.closingBalance).toBe('7.00');
    expect(statement.lines.map((line) => [line.type, line.amount, line.balance, line.memo])).toEqual([
      ['AccountOpened', '10.01', '10.01', null],
      ['MoneyDeposited', '0.10', '10.11', 'coffee refund'],
      ['MoneyDeposited', '0.20', '10.31', null],
      ['MoneyWithdrawn', '-0.30', '10.01', 'fee'],
      ['TransferSent', '-5.00', '5.01', 'rent'],
      ['TransferReceived', '1.99', '7.00', null],
    ]);
    // 0.10 + 0.20 - 0.30 is exactly zero here, as integers: never 5.551115123125783e-17.
    expectConsistent(statement);
    expect(statement.closingBalance).toBe(ok(api.getAccount({ account: 'a1' })).balance);
    // The lines are the account's history, position for position.
    const history = ok(api.accountHistory({ account: 'a1' }));
    expect(statement.lines.map((line) => line.position)).toEqual(history.entries.map((entry) => entry.position));
  });

  it('of a period without activity has no lines and opening = closing', () => {
    const { api } = newLedger();
    at('2026-03-01T12:00:00.000Z', () => ok(api.openAccount({ account: 'a1', owner: 'A', currency: 'JPY', initial: '500' })));
    at('2026-03-09T12:00:00.000Z', () => ok(api.deposit({ account: 'a1', amount: '1000' })));
    const quiet = ok(api.statement({ account: 'a1', from: '2026-03-02', to: '2026-03-08' }));
    expect(quiet).toMatchObject({ openingBalance: '500', closingBalance: '500', lines: [] });
    const before = ok(api.statement({ account: 'a1', from: '2026-01-01', to: '2026-02-28' }));
    expect(before).toMatchObject({ openingBalance: '0', closingBalance: '0', lines: [] });
    const after = ok(api.statement({ account: 'a1', from: '2026-04-01', to: '2026-04-30' }));
    expect(after).toMatchObject({ openingBalance: '1500', closingBalance: '1500', lines: [] });
  });

  it('includes both edge days whole, in UTC, and nothing a millisecond outside them', () => {
    const { api } = newLedger();
    at('2026-02-27T08:00:00.000Z', () => ok(api.openAccount({ account: 'a1', owner: 'A', currency: 'EUR' })));
    const deposits: Array<[string, string]> = [
      ['2026-02-28T23:59:59.999Z', '1.00'],
      ['2026-03-01T00:00:00.000Z', '2.00'],
      ['2026-03-01T23:59:59.999Z', '4.00'],
      ['2026-03-02T00:00:00.000Z', '8.00'],
      ['2026-03-02T23:59:59.999Z', '16.00'],
      ['2026-03-03T00:00:00.000Z', '32.00'],
    ];
    for (const [time, amount] of deposits) at(time, () => ok(api.deposit({ account: 'a1', amount })));
    const oneDay = ok(api.statement({ account: 'a1', from: '2026-03-01', to: '2026-03-01' }));
    expect(oneDay.lines.map((line) => line.amount)).toEqual(['2.00', '4.00']);
    expect([oneDay.openingBalance, oneDay.closingBalance]).toEqual(['1.00', '7.00']);
    const twoDays = ok(api.statement({ account: 'a1', from: '2026-03-01', to: '2026-03-02' }));
    expect(twoDays.lines.map((line) => line.recordedAt)).toEqual(deposits.slice(1, 5).map(([time]) => time));
    expect([twoDays.openingBalance, twoDays.closingBalance]).toEqual(['1.00', '31.00']);
    expectConsistent(twoDays);
  });

  it('runs by default from the day the account was opened to the day it is made', () => {
    const { api } = newLedger();
    at('2026-05-10T23:30:00.000Z', () => ok(api.openAccount({ account: 'a1', owner: 'A', currency: 'EUR', initial: '3.00' })));
    at('2026-05-20T10:00:00.000Z', () => ok(api.withdraw({ account: 'a1', amount: '1.00' })));
    const statement = at('2026-06-01T00:00:05.000Z', () => ok(api.statement({ account: 'a1' })));
    expect(statement).toMatchObject({ from: '2026-05-10', to: '2026-06-01', openingBalance: '0.00', closingBalance: '2.00' });
    expect(statement.lines).toHaveLength(2);
    // Only the end given: from the opening day; only the start given: to today.
    expect(at('2026-06-01T12:00:00.000Z', () => ok(api.statement({ account: 'a1', from: '2026-05-15' })))).toMatchObject({
      from: '2026-05-15',
      to: '2026-06-01',
      openingBalance: '3.00',
    });
    expect(ok(api.statement({ account: 'a1', to: '2026-05-19' }))).toMatchObject({ from: '2026-05-10', closingBalance: '3.00' });
  });

  it('shows an account closing as a line of zero, and the closed account still has statements', () => {
    const { api } = newLedger();
    at('2026-07-01T10:00:00.000Z', () => ok(api.openAccount({ account: 'a1', owner: 'A', currency: 'KWD', initial: '1.005' })));
    at('2026-07-02T10:00:00.000Z', () => ok(api.withdraw({ account: 'a1', amount: '1.005' })));
    at('2026-07-03T10:00:00.000Z', () => ok(api.closeAccount({ account: 'a1' })));
    const statement = ok(api.statement({ account: 'a1', from: '2026-07-01', to: '2026-07-31' }));
    expect(statement.lines.map((line) => [line.type, line.amount, line.balance])).toEqual([
      ['AccountOpened', '1.005', '1.005'],
      ['MoneyWithdrawn', '-1.005', '0.000'],
      ['AccountClosed', '0.000', '0.000'],
    ]);
  });

  it('shows a reversal as a line whose memo is its reason, linked both ways to what it reversed', () => {
    const { api } = newLedger();
    at('2026-08-01T10:00:00.000Z', () => ok(api.openAccount({ account: 'a1', owner: 'A', currency: 'EUR', initial: '50.00' })));
    at('2026-08-01T10:00:00.000Z', () => ok(api.openAccount({ account: 'b2', owner: 'B', currency: 'EUR' })));
    const deposit = at('2026-08-02T10:00:00.000Z', () => ok(api.deposit({ account: 'a1', amount: '5.00', memo: 'wrong account' })));
    const transfer = at('2026-08-03T10:00:00.000Z', () => ok(api.transfer({ from: 'a1', to: 'b2', amount: '20.00' })));
    const undoDeposit = at('2026-08-04T10:00:00.000Z', () =>
      ok(api.reverse({ position: deposit.position, reason: 'Booked on the wrong account' })),
    );
    const undoTransfer = at('2026-09-01T10:00:00.000Z', () => ok(api.reverse({ position: transfer.position, reason: 'Sent twice' })));

    const august = ok(api.statement({ account: 'a1', from: '2026-08-01', to: '2026-08-31' }));
    expect(
      august.lines.map(({ type, amount, balance, memo, reverses, reversedBy }) => ({ type, amount, balance, memo, reverses, reversedBy })),
    ).toEqual([
      { type: 'AccountOpened', amount: '50.00', balance: '50.00', memo: null, reverses: undefined, reversedBy: undefined },
      {
        type: 'MoneyDeposited',
        amount: '5.00',
        balance: '55.00',
        memo: 'wrong account',
        reverses: undefined,
        reversedBy: undoDeposit.position,
      },
      // Reversed in September: the August line says so, the reversal itself is September's.
      { type: 'TransferSent', amount: '-20.00', balance: '35.00', memo: null, reverses: undefined, reversedBy: expect.any(Number) },
      {
        type: 'EntryReversed',
        amount: '-5.00',
        balance: '30.00',
        memo: 'Booked on the wrong account',
        reverses: deposit.position,
        reversedBy: undefined,
      },
    ]);
    expectConsistent(august);
    const sent = august.lines[2]!;
    expect(undoTransfer.positions).toContain(sent.reversedBy);
    const a1September = ok(api.statement({ account: 'a1', from: '2026-09-01', to: '2026-09-30' }));
    expect(a1September.lines).toEqual([
      expect.objectContaining({
        position: sent.reversedBy,
        type: 'EntryReversed',
        amount: '20.00',
        memo: 'Sent twice',
        reverses: sent.position,
      }),
    ]);
    // The other leg, on the other account's statement, reversed in the same command.
    const received = ok(api.statement({ account: 'b2', from: '2026-08-01', to: '2026-08-31' })).lines.find(
      (line) => line.type === 'TransferReceived',
    )!;
    const b2September = ok(api.statement({ account: 'b2', from: '2026-09-01', to: '2026-09-30' }));
    expect(b2September).toMatchObject({ openingBalance: '20.00', closingBalance: '0.00' });
    expect(b2September.lines).toEqual([
      expect.objectContaining({
        position: received.reversedBy,
        type: 'EntryReversed',
        amount: '-20.00',
        memo: 'Sent twice',
        reverses: received.position,
      }),
    ]);
    expect(transfer.position).toBe(received.position);
  });

  it('refuses, typed and in plain words, what cannot be a statement', () => {
    const { api } = newLedger();
    at('2026-05-10T10:00:00.000Z', () => ok(api.openAccount({ account: 'a1', owner: 'A', currency: 'EUR' })));
    expect(failure(api.statement({ account: 'nobody' }), 'NOT_FOUND').message).toBe('Account nobody does not exist');
    expect(failure(api.statement({ account: 'a1', from: '2026-05-02', to: '2026-05-01' }), 'VALIDATION').message).toBe(
      'The period must not end before it starts',
    );
    expect(failure(api.statement({ account: 'a1', to: '2026-05-01' }), 'VALIDATION').message).toBe(
      'The period must not end before it starts: it would run from 2026-05-10 (the day account a1 was opened) to 2026-05-01',
    );
    expect(failure(api.statement({ account: 'a1', from: '2026-02-30' }), 'VALIDATION').message).toBe(
      'The field "from" is not a real calendar day',
    );
    expect(failure(api.statement({ account: 'a1', to: '1 May 2026' }), 'VALIDATION').message).toBe(
      'The field "to" must be a date such as 2026-12-01',
    );
    failure(api.statement({ account: 'a1', from: '2026-05-01T00:00:00Z' }), 'VALIDATION');
    failure(api.statement({ account: 'a1', period: 'May' }), 'VALIDATION');
  });

  it('answers INTEGRITY, never a statement that does not add up, when the file was altered after opening', () => {
    const { api, path } = newLedger();
    ok(api.openAccount({ account: 'a1', owner: 'A', currency: 'EUR', initial: '5.00' }));
    const deposit = ok(api.deposit({ account: 'a1', amount: '1.00' }));
    const withdrawal = ok(api.withdraw({ account: 'a1', amount: '2.00' }));
    tamper(path, (db) =>
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run('{"amountMinor":900,"currency":"EUR"}', deposit.position),
    );
    expect(failure(api.statement({ account: 'a1' }), 'INTEGRITY').message).toMatch(
      new RegExp(`^The event at position ${deposit.position} of .* no longer matches what was read when the ledger was opened`),
    );
    tamper(path, (db) => db.prepare('UPDATE events SET data = ? WHERE position = ?').run('{not json', withdrawal.position));
    expect(failure(api.statement({ account: 'a1', from: '2000-01-01', to: '2100-01-01' }), 'INTEGRITY').message).toMatch(
      /cannot be read|no longer matches/,
    );
  });

  it('reads legacy events (schema 1, float amounts, nanosecond times) as their history does', () => {
    const { ledger, api } = newLedger();
    ok(ledger.importLegacy(readFileSync(join(fixturesFolder, 'legacy-seed-log.jsonl'), 'utf8'), 'EUR'));
    for (const account of ['acc-000', 'acc-001', 'acc-002']) {
      const statement = ok(api.statement({ account, from: '2026-11-01', to: '2026-12-31' }));
      const history = ok(api.accountHistory({ account })).entries;
      expect(statement.lines.map((line) => [line.position, line.type, line.amount, line.balance, line.memo ?? undefined])).toEqual(
        history.map((entry) => [entry.position, entry.type, entry.amount, entry.balance, entry.memo]),
      );
      expect(statement.closingBalance).toBe(ok(api.getAccount({ account })).balance);
      expectConsistent(statement);
    }
  });
});
