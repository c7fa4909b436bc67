/**
 * The rule order: when several rules are broken at once, the FIRST is reported.
 *   (1) input needing no state  (2) NOT_FOUND / ALREADY_EXISTS  (3) amount for the currency
 *   (4) ACCOUNT_CLOSED  (5) CONCURRENCY_CONFLICT  (6) CURRENCY_MISMATCH / INSUFFICIENT_FUNDS /
 *   ACCOUNT_NOT_EMPTY / overflow
 * Every combination of broken rules is tried for transfer, withdraw, deposit, close and open.
 * Reverse follows the same steps: (1) input  (2) NOT_FOUND, then VALIDATION for an event that
 * cannot be reversed, then ALREADY_REVERSED  (4) ACCOUNT_CLOSED  (6) INSUFFICIENT_FUNDS, then
 * overflow; its cases each break several rules at once.
 */
import { describe, expect, it } from 'vitest';
import type { HandlerTable } from '#engine/handlers';
import type { Ledger } from '#engine/ledger';
import { failure, newLedger, ok } from './helpers';

const BAD_MEMO = 'm'.repeat(501);
const BAD_AMOUNT = '1.234'; // three decimals for EUR
const GOOD_AMOUNT = '5.00';

type Setup = { ledger: Ledger; api: HandlerTable };

/** rich/same/poor/closedA/closedB in EUR, other in JPY, and no ghostA/ghostB. */
function setup(): Setup {
  const { ledger, api } = newLedger();
  ok(api.openAccount({ account: 'rich', owner: 'Rich', currency: 'EUR', initial: '100000.00' }));
  ok(api.openAccount({ account: 'same', owner: 'Same', currency: 'EUR' }));
  ok(api.openAccount({ account: 'poor', owner: 'Poor', currency: 'EUR', initial: '0.10' }));
  ok(api.openAccount({ account: 'other', owner: 'Other', currency: 'JPY' }));
  for (const account of ['closedA', 'closedB']) {
    ok(api.openAccount({ account, owner: 'Closed', currency: 'EUR' }));
    ok(api.closeAccount({ account }));
  }
  return { ledger, api };
}

function versionOf(ledger: Ledger, account: string): number {
  const found = ledger.getAccount(account);
  return found.ok ? found.value.version : 0;
}

/** The rules a case breaks, by the steps of the order above; `last` is step (6)'s code when it is broken. */
type BrokenRules = { input?: boolean; missing?: boolean; amount?: boolean; closed?: boolean; version?: boolean; last?: string | undefined };

/** The code of the first broken rule in the order above, or 'ok' when every rule holds. */
function firstBroken(broken: BrokenRules): string {
  if (broken.input) return 'VALIDATION';
  if (broken.missing) return 'NOT_FOUND';
  if (broken.amount) return 'VALIDATION';
  if (broken.closed) return 'ACCOUNT_CLOSED';
  if (broken.version) return 'CONCURRENCY_CONFLICT';
  return broken.last ?? 'ok';
}

/** Checks `result` against the expected first broken rule; 'ok' means every rule holds. */
function expectOutcome(result: ReturnType<HandlerTable['deposit']>, expected: string, label: string) {
  if (expected === 'ok') {
    expect(result.ok, `${label}: ${result.ok ? '' : result.error.message}`).toBe(true);
  } else {
    expect(result.ok ? 'ok' : result.error.code, `${label}: ${result.ok ? '' : result.error.message}`).toBe(expected);
  }
}

describe('rule order', () => {
  it('transfer: every combination of broken rules reports the first', () => {
    const { ledger, api } = setup();
    const fromStates = { missing: 'ghostA', closed: 'closedA', rich: 'rich', poor: 'poor' } as const;
    const toStates = { missing: 'ghostB', closed: 'closedB', sameCurrency: 'same', otherCurrency: 'other' } as const;
    let tried = 0;
    for (const memoBad of [false, true])
      for (const [fromState, from] of Object.entries(fromStates))
        for (const [toState, to] of Object.entries(toStates))
          for (const amountBad of [false, true])
            for (const versionWrong of [false, true]) {
              const expected = firstBroken({
                input: memoBad,
                missing: fromState === 'missing' || toState === 'missing',
                amount: amountBad,
                closed: fromState === 'closed' || toState === 'closed',
                version: versionWrong,
                last: toState === 'otherCurrency' ? 'CURRENCY_MISMATCH' : fromState === 'poor' ? 'INSUFFICIENT_FUNDS' : undefined,
              });
              const version = versionOf(ledger, from);
              const label = JSON.stringify({ memoBad, fromState, toState, amountBad, versionWrong });
              const result = api.transfer({
                from,
                to,
                amount: amountBad ? BAD_AMOUNT : GOOD_AMOUNT,
                expectedVersion: versionWrong ? version + 7 : version,
                ...(memoBad ? { memo: BAD_MEMO } : { memo: 'ok' }),
              });
              expectOutcome(result, expected, label);
              if (expected === 'NOT_FOUND' && !result.ok) {
                // The source is looked up first.
                expect(result.error.message).toContain(fromState === 'missing' ? from : to);
              }
              tried++;
            }
    expect(tried).toBe(128);
  });

  it('withdraw: every combination of broken rules reports the first', () => {
    const { ledger, api } = setup();
    const states = { missing: 'ghostA', closed: 'closedA', rich: 'rich', poor: 'poor' } as const;
    for (const memoBad of [false, true])
      for (const [state, account] of Object.entries(states))
        for (const amountBad of [false, true])
          for (const versionWrong of [false, true]) {
            const expected = firstBroken({
              input: memoBad,
              missing: state === 'missing',
              amount: amountBad,
              closed: state === 'closed',
              version: versionWrong,
              last: state === 'poor' ? 'INSUFFICIENT_FUNDS' : undefined,
            });
            const version = versionOf(ledger, account);
            const result = api.withdraw({
              account,
              amount: amountBad ? BAD_AMOUNT : GOOD_AMOUNT,
              expectedVersion: versionWrong ? version + 1 : version,
              ...(memoBad ? { memo: BAD_MEMO } : {}),
            });
            expectOutcome(result, expected, JSON.stringify({ memoBad, state, amountBad, versionWrong }));
          }
  });

  it('deposit: every combination, with overflow last', () => {
    const { ledger, api } = setup();
    ok(api.openAccount({ account: 'full', owner: 'Full', currency: 'EUR', initial: '90071992547409.91' }));
    const states = { missing: 'ghostA', closed: 'closedA', open: 'same', full: 'full' } as const;
    for (const memoBad of [false, true])
      for (const [state, account] of Object.entries(states))
        for (const amount of ['5.00', '1.234', '0', '90071992547409.92'])
          for (const versionWrong of [false, true]) {
            const amountBad = amount !== '5.00';
            const expected = firstBroken({
              input: memoBad,
              missing: state === 'missing',
              amount: amountBad,
              closed: state === 'closed',
              version: versionWrong,
              last: state === 'full' ? 'VALIDATION' : undefined, // overflow
            });
            const version = versionOf(ledger, account);
            const result = api.deposit({
              account,
              amount,
              expectedVersion: versionWrong ? version + 1 : version,
              ...(memoBad ? { memo: BAD_MEMO } : {}),
            });
            expectOutcome(result, expected, JSON.stringify({ memoBad, state, amount, versionWrong }));
          }
  });

  it('close: NOT_FOUND, then ACCOUNT_CLOSED, then CONCURRENCY_CONFLICT, then ACCOUNT_NOT_EMPTY', () => {
    const { ledger, api } = setup();
    ok(api.openAccount({ account: 'empty', owner: 'Empty', currency: 'EUR' }));
    const states = { missing: 'ghostA', closed: 'closedA', nonEmpty: 'poor', empty: 'empty' } as const;
    for (const versionWrong of [true, false])
      for (const [state, account] of Object.entries(states)) {
        const expected = firstBroken({
          missing: state === 'missing',
          closed: state === 'closed',
          version: versionWrong,
          last: state === 'nonEmpty' ? 'ACCOUNT_NOT_EMPTY' : undefined,
        });
        const version = versionOf(ledger, account);
        const result = api.closeAccount({ account, expectedVersion: versionWrong ? version + 2 : version });
        expectOutcome(result, expected, JSON.stringify({ state, versionWrong }));
      }
  });

  it('open: input, then ALREADY_EXISTS, then the initial amount, then the expected version', () => {
    const { api } = setup();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ account: 'rich', owner: '', currency: 'EUR', initial: BAD_AMOUNT, expectedVersion: 3 }, 'VALIDATION'],
      [{ account: 'rich', owner: 'R', currency: 'XXX', initial: BAD_AMOUNT }, 'VALIDATION'],
      [{ account: 'rich', owner: 'R', currency: 'EUR', initial: BAD_AMOUNT, expectedVersion: 3 }, 'ALREADY_EXISTS'],
      [{ account: 'closedA', owner: 'R', currency: 'EUR' }, 'ALREADY_EXISTS'],
      [{ account: 'fresh', owner: 'F', currency: 'EUR', initial: BAD_AMOUNT, expectedVersion: 3 }, 'VALIDATION'],
      [{ account: 'fresh', owner: 'F', currency: 'JPY', initial: '0.5', expectedVersion: 3 }, 'VALIDATION'],
      [{ account: 'fresh', owner: 'F', currency: 'EUR', initial: '1', expectedVersion: 3 }, 'CONCURRENCY_CONFLICT'],
      [{ account: 'fresh', owner: 'F', currency: 'EUR', initial: '1', expectedVersion: 0 }, 'ok'],
    ];
    for (const [input, expected] of cases) expectOutcome(api.openAccount(input), expected, JSON.stringify(input));
  });

  it('reverse: each case breaks every later rule it can, and the first is reported; a refusal writes nothing', () => {
    const { ledger, api } = setup();
    const at = (result: ReturnType<HandlerTable['deposit']>) => ok(result).position;
    // gone: a deposit since spent, then the account closed (reversing it would overdraw too).
    ok(api.openAccount({ account: 'gone', owner: 'Gone', currency: 'EUR' }));
    const goneDeposit = at(api.deposit({ account: 'gone', amount: '5.00' }));
    ok(api.withdraw({ account: 'gone', amount: '5.00' }));
    ok(api.closeAccount({ account: 'gone' }));
    // twice: a deposit already reversed, then the account closed.
    const twiceOpening = at(api.openAccount({ account: 'twice', owner: 'Twice', currency: 'EUR' }));
    const twiceDeposit = at(api.deposit({ account: 'twice', amount: '5.00' }));
    const twiceReversal = at(api.reverse({ position: twiceDeposit, reason: 'first' }));
    ok(api.closeAccount({ account: 'twice' }));
    // spent: a deposit spent since.
    ok(api.openAccount({ account: 'spent', owner: 'Spent', currency: 'EUR' }));
    const spentDeposit = at(api.deposit({ account: 'spent', amount: '5.00' }));
    ok(api.withdraw({ account: 'spent', amount: '1.00' }));
    // full: at the largest balance again after a withdrawal (reversing it would overflow), and
    // after sending money to spender, who spent it (reversing that overflows AND overdraws).
    ok(api.openAccount({ account: 'full', owner: 'Full', currency: 'EUR', initial: '90071992547409.91' }));
    const fullWithdrawal = at(api.withdraw({ account: 'full', amount: '1.00' }));
    ok(api.deposit({ account: 'full', amount: '1.00' }));
    ok(api.openAccount({ account: 'spender', owner: 'Spender', currency: 'EUR' }));
    const fullTransfer = at(api.transfer({ from: 'full', to: 'spender', amount: '1.00' }));
    ok(api.deposit({ account: 'full', amount: '1.00' }));
    ok(api.withdraw({ account: 'spender', amount: '0.50' }));
    // closing: received a transfer, gave it away and closed (reversing overdraws it too).
    ok(api.openAccount({ account: 'closing', owner: 'Closing', currency: 'EUR' }));
    const toClosing = at(api.transfer({ from: 'rich', to: 'closing', amount: '1.00' }));
    ok(api.withdraw({ account: 'closing', amount: '1.00' }));
    ok(api.closeAccount({ account: 'closing' }));
    const fine = at(api.deposit({ account: 'rich', amount: '1.00' }));

    const cases: Array<[string, number, string]> = [
      ['no such position', ledger.lastPosition + 100, 'NOT_FOUND'],
      ['an opening of a closed account', twiceOpening, 'VALIDATION'],
      ['a closing', twiceReversal + 1, 'VALIDATION'],
      ['a reversal on a closed account', twiceReversal, 'VALIDATION'],
      ['reversed already, account closed, would overdraw', twiceDeposit, 'ALREADY_REVERSED'],
      ['account closed, would overdraw', goneDeposit, 'ACCOUNT_CLOSED'],
      ["a transfer whose receiver is closed and would be overdrawn (asked by the sender's leg)", toClosing - 1, 'ACCOUNT_CLOSED'],
      ['would overdraw', spentDeposit, 'INSUFFICIENT_FUNDS'],
      ['a transfer: the receiver would be overdrawn, the sender overflow', fullTransfer, 'INSUFFICIENT_FUNDS'],
      ['would overflow', fullWithdrawal, 'VALIDATION'],
      ['every rule holds', fine, 'ok'],
    ];
    for (const reasonBad of [true, false])
      for (const [label, position, expected] of cases) {
        const before = ledger.logHead().position;
        const result = api.reverse({ position, reason: reasonBad ? ' ' : 'correction' });
        expectOutcome(result, reasonBad ? 'VALIDATION' : expected, `${label} (reason ${reasonBad ? 'empty' : 'given'})`);
        if (!result.ok) expect(ledger.logHead().position, label).toBe(before);
      }
    const overdraw = failure(api.reverse({ position: fullTransfer, reason: 'again' }), 'INSUFFICIENT_FUNDS');
    expect(overdraw.details).toEqual({ account: 'spender', balanceMinor: 50, amountMinor: 100 });
    expect(failure(api.reverse({ position: fullWithdrawal, reason: 'x' }), 'VALIDATION').message).toMatch(/full.*exceed/);
  });

  it('within (6), a currency mismatch is reported before insufficient funds', () => {
    const { api } = setup();
    const error = failure(api.transfer({ from: 'poor', to: 'other', amount: '50' }), 'CURRENCY_MISMATCH');
    expect(error.message).toMatch(/poor.*other/);
  });
});
