/**
 * The totals a statement shows under its lines: credits and debits over the period, summed
 * exactly from the engine's signed decimal text (BigInt minor units, never a float), and
 * whether opening balance + credits + debits is the closing balance the engine answered.
 */
import { minorDigitsOf } from '#shared/money';
import type { Statement } from '#shared/statement';

/** Signed decimal text ("-12.30") in `currency` as integer minor units. */
export function decimalToMinor(text: string, currency: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new Error(`not an amount: ${text}`);
  const digits = minorDigitsOf(currency);
  const fraction = (match[3] ?? '').padEnd(digits, '0');
  if (fraction.length > digits) throw new Error(`more digits than ${currency} has: ${text}`);
  const minor = BigInt(`${match[2]}${fraction}`);
  return match[1] === '-' ? -minor : minor;
}

export type StatementTotals = {
  readonly credits: bigint;
  readonly debits: bigint;
  readonly creditCount: number;
  readonly debitCount: number;
  /** Opening balance + credits + debits equals the closing balance. */
  readonly balances: boolean;
};

export function statementTotals(statement: Statement): StatementTotals {
  let credits = 0n;
  let debits = 0n;
  let creditCount = 0;
  let debitCount = 0;
  for (const line of statement.lines) {
    const amount = decimalToMinor(line.amount, statement.currency);
    if (amount > 0n) {
      credits += amount;
      creditCount++;
    } else if (amount < 0n) {
      debits += amount;
      debitCount++;
    }
  }
  const opening = decimalToMinor(statement.openingBalance, statement.currency);
  const closing = decimalToMinor(statement.closingBalance, statement.currency);
  return { credits, debits, creditCount, debitCount, balances: opening + credits + debits === closing };
}
