/**
 * The renderer's inline checks agree with the engine's schemas (both built on shared/rules.ts,
 * the page without zod). Also the exact money display helpers.
 */
import { describe, expect, it } from 'vitest';
import { COMMAND_SCHEMAS } from '../../shared/commands';
import { checkAmountText, formatMinorMoney, formatMoney, minorToDecimal, totalsByCurrency } from '../../shared/money-format';
import { parseAmount } from '../../shared/money';
import * as rules from '../../renderer/src/lib/rules';

describe('renderer form rules mirror the engine', () => {
  it('accepts ids, owners and memos exactly when the engine schemas do', () => {
    const texts = ['a', 'acc-1', '-a', 'a b', 'x'.repeat(64), 'x'.repeat(65), '  Ada  ', '', '\u202Eevil', 'line\nbreak', 'tab\there', '李白', '🙂'.repeat(200), '🙂'.repeat(201), 'x'.repeat(501)];
    for (const text of texts) {
      const idOk = COMMAND_SCHEMAS.close.safeParse({ account: text }).success;
      expect(rules.checkAccountId(text) === undefined, `id ${JSON.stringify(text)}`).toBe(idOk);
      const ownerOk = COMMAND_SCHEMAS.open.safeParse({ account: 'a', owner: text, currency: 'EUR' }).success;
      expect(rules.checkOwner(text) === undefined, `owner ${JSON.stringify(text)}`).toBe(ownerOk);
      const memoOk = COMMAND_SCHEMAS.deposit.safeParse({ account: 'a', amount: '1', memo: text }).success;
      expect(rules.checkMemo(text) === undefined, `memo ${JSON.stringify(text)}`).toBe(memoOk);
    }
  });

  it('accepts amount text exactly when the engine parses it (positive amounts)', () => {
    const samples = ['0', '0.00', '1', '1.5', '1.50', '1.505', '12.30', '-1', '1e3', '1,00', ' 1', '.5', '5.', '', '00.10', '٣'];
    for (const currency of ['EUR', 'JPY', 'KWD']) {
      for (const text of samples) {
        const engine = parseAmount(text, currency);
        const engineAccepts = engine.ok && engine.value > 0;
        // The form trims what it sends, so compare on trimmed text.
        const formAccepts = checkAmountText(text, currency) === undefined;
        const trimmedEngine = parseAmount(text.trim(), currency);
        expect(formAccepts, `${text} ${currency}`).toBe(trimmedEngine.ok && trimmedEngine.value > 0);
        if (text === text.trim()) expect(formAccepts, `${text} ${currency}`).toBe(engineAccepts);
      }
    }
  });
});

describe('money display', () => {
  it('formats exact decimal text for the locale without losing digits', () => {
    expect(formatMoney('1234.50', 'EUR', { locale: 'en-US' })).toBe('€1,234.50');
    expect(formatMoney('90071992547409.91', 'USD', { locale: 'en-US' })).toBe('$90,071,992,547,409.91');
    expect(formatMoney('1000', 'JPY', { locale: 'en-US' })).toBe('¥1,000');
    expect(formatMoney('-40.00', 'EUR', { locale: 'en-US', signed: true })).toBe('-€40.00');
    expect(formatMoney('5.00', 'EUR', { locale: 'en-US', signed: true })).toBe('+€5.00');
    expect(formatMoney('1.234', 'KWD', { locale: 'en-US' })).toContain('1.234');
  });

  it('sums balances per currency in BigInt beyond 2^53', () => {
    const totals = totalsByCurrency([
      { currency: 'EUR', balanceMinor: Number.MAX_SAFE_INTEGER },
      { currency: 'EUR', balanceMinor: Number.MAX_SAFE_INTEGER },
      { currency: 'USD', balanceMinor: 5 },
    ]);
    expect(totals.get('EUR')).toBe(2n * BigInt(Number.MAX_SAFE_INTEGER));
    expect(minorToDecimal(totals.get('EUR')!, 'EUR')).toBe('180143985094819.82');
    expect(formatMinorMoney(totals.get('USD')!, 'USD', { locale: 'en-US' })).toBe('$0.05');
    expect(minorToDecimal(-5n, 'EUR')).toBe('-0.05');
    expect(minorToDecimal(7n, 'JPY')).toBe('7');
  });
});
