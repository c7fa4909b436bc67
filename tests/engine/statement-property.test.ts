/**
 * Issue 15.3 — statements agree with the account view on random ledgers. For random commands
 * at random moments (the clock is set for each, and is allowed to step back, as a corrected
 * system clock does) and random periods, every statement's closing balance is the account's
 * balance as of the end of its last day (the engine's balancesAsOf, i.e. time travel), its
 * opening balance the balance as of the end of the day before, and opening + Σ = closing
 * exactly. A period reaching past the last event closes at the account view's balance.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HandlerTable } from '#engine/handlers';
import { newLedger, ok } from './helpers';

afterEach(() => {
  vi.useRealTimers();
});

const DAY_MS = 86_400_000;
const BASE_MS = Date.parse('2026-03-01T00:00:00.000Z');
const ACCOUNTS = ['a0', 'a1', 'a2'] as const;

const day = (offset: number) => new Date(BASE_MS + offset * DAY_MS).toISOString().slice(0, 10);
const minor = (text: string) => BigInt(text.replace('.', ''));

const momentArb = fc.record({ day: fc.integer({ min: 0, max: 9 }), ms: fc.integer({ min: 0, max: DAY_MS - 1 }) });
const accountArb = fc.constantFrom(...ACCOUNTS);
const amountArb = fc.integer({ min: 1, max: 50_000 }).map((cents) => (cents / 100).toFixed(2));
const stepArb = fc.record({
  at: momentArb,
  command: fc.oneof(
    fc.record({ name: fc.constant('deposit' as const), account: accountArb, amount: amountArb }),
    fc.record({ name: fc.constant('withdraw' as const), account: accountArb, amount: amountArb }),
    fc.record({ name: fc.constant('transfer' as const), from: accountArb, to: accountArb, amount: amountArb }),
  ),
});
const periodArb = fc
  .tuple(fc.integer({ min: -2, max: 12 }), fc.integer({ min: 0, max: 6 }), fc.constantFrom(...ACCOUNTS))
  .map(([start, length, account]) => ({ account, from: day(start), to: day(start + length), dayBefore: day(start - 1) }));

function balanceAsOf(api: HandlerTable, account: string, at: string): string | undefined {
  return ok(api.balancesAsOf({ at })).balances.find((each) => each.account === account)?.balance;
}

describe('statements on random ledgers', () => {
  it('close at the balance as of the end of the period, open at the one before it, and add up exactly', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    fc.assert(
      fc.property(
        fc.array(momentArb, { minLength: 3, maxLength: 3 }),
        fc.array(stepArb, { minLength: 1, maxLength: 30 }),
        fc.array(periodArb, { minLength: 1, maxLength: 6 }),
        (openings, steps, periods) => {
          const { ledger, api } = newLedger();
          try {
            ACCOUNTS.forEach((account, index) => {
              vi.setSystemTime(BASE_MS + openings[index]!.day * DAY_MS + openings[index]!.ms);
              ok(api.openAccount({ account, owner: `Owner ${account}`, currency: 'EUR', initial: '100.00' }));
            });
            for (const { at, command } of steps) {
              vi.setSystemTime(BASE_MS + at.day * DAY_MS + at.ms);
              // Refusals (too little money, a transfer to itself) are part of a random ledger.
              if (command.name === 'transfer') api.transfer({ from: command.from, to: command.to, amount: command.amount });
              else api[command.name]({ account: command.account, amount: command.amount });
            }
            for (const period of periods) {
              const statement = ok(api.statement({ account: period.account, from: period.from, to: period.to }));
              expect(statement.closingBalance).toBe(balanceAsOf(api, period.account, period.to) ?? '0.00');
              expect(statement.openingBalance).toBe(balanceAsOf(api, period.account, period.dayBefore) ?? '0.00');
              let running = minor(statement.openingBalance);
              for (const line of statement.lines) {
                running += minor(line.amount);
                expect(minor(line.balance)).toBe(running);
              }
              expect(running).toBe(minor(statement.closingBalance));
              if (statement.lines.length === 0) expect(statement.openingBalance).toBe(statement.closingBalance);
            }
            for (const account of ACCOUNTS) {
              const whole = ok(api.statement({ account, from: day(-1), to: day(20) }));
              const view = ok(api.getAccount({ account }));
              expect(whole.closingBalance).toBe(view.balance);
              expect(whole.lines).toHaveLength(view.version);
            }
          } finally {
            ledger.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
