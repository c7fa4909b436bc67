/**
 * The renderer's inline checks agree with the engine's schemas (both built on shared/rules.ts,
 * the page without zod). Also the exact money display helpers.
 */
import { describe, expect, it } from 'vitest';
import { COMMAND_SCHEMAS } from '#shared/commands';
import { readAmountInput } from '#shared/amount-input';
import { checkAmountText, formatMinorMoney, formatMoney, localizeMoneyInMessage, totalsByCurrency } from '#shared/money-format';
import { formatMinor, parseAmount } from '#shared/money';
import * as rules from '../../renderer/src/lib/rules';

describe('renderer form rules mirror the engine', () => {
  it('accepts ids, owners and memos exactly when the engine schemas do', () => {
    const texts = [
      'a',
      'acc-1',
      '-a',
      'a b',
      'x'.repeat(64),
      'x'.repeat(65),
      '  Ada  ',
      '',
      '\u202Eevil',
      'line\nbreak',
      'tab\there',
      '李白',
      '🙂'.repeat(200),
      '🙂'.repeat(201),
      'x'.repeat(501),
    ];
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
    expect(formatMinor(totals.get('EUR')!, 'EUR')).toBe('180143985094819.82');
    expect(formatMinorMoney(totals.get('USD')!, 'USD', { locale: 'en-US' })).toBe('$0.05');
    expect(formatMinor(-5n, 'EUR')).toBe('-0.05');
    expect(formatMinor(7n, 'JPY')).toBe('7');
  });
});

describe('money typed as people type it', () => {
  const read = (text: string, locale: string, currency = 'EUR') => readAmountInput(text, currency, { locale });

  it('reads the locale decimal mark and its grouping into the engine amount text', () => {
    expect(read('12,50', 'de-DE')).toEqual({ ok: true, decimal: '12.50' });
    expect(read('1.525,00', 'de-DE')).toEqual({ ok: true, decimal: '1525.00' });
    expect(read('1.525.000,5', 'de-DE')).toEqual({ ok: true, decimal: '1525000.5' });
    expect(read(' 1525,5 ', 'de-DE')).toEqual({ ok: true, decimal: '1525.5' });
    expect(read('1 525,50', 'fr-FR')).toEqual({ ok: true, decimal: '1525.50' });
    expect(read('1\u202F525,50', 'fr-FR')).toEqual({ ok: true, decimal: '1525.50' });
    expect(read('1’525.50', 'de-CH')).toEqual({ ok: true, decimal: '1525.50' });
    expect(read('1,525.00', 'en-US')).toEqual({ ok: true, decimal: '1525.00' });
    expect(read('1,525,000', 'en-US', 'JPY')).toEqual({ ok: true, decimal: '1525000' });
  });

  it('always takes the engine form itself, and a lone mark before fewer or more than three digits as a decimal', () => {
    for (const locale of ['de-DE', 'en-US', 'fr-FR']) {
      expect(read('12.50', locale), locale).toEqual({ ok: true, decimal: '12.50' });
      expect(read('1525', locale), locale).toEqual({ ok: true, decimal: '1525' });
    }
    expect(read('12,5', 'en-US')).toEqual({ ok: true, decimal: '12.5' });
    expect(read('0,0001', 'de-DE', 'CLF')).toEqual({ ok: true, decimal: '0.0001' });
  });

  it('refuses text that reads two ways instead of guessing a thousandfold amount', () => {
    const deGuess = read('1.525', 'de-DE', 'KWD');
    expect(deGuess.ok).toBe(false);
    expect(!deGuess.ok && deGuess.problem).toBe(
      '“1.525” can be read two ways. Type 1525 for the whole number, or use the decimal comma: 1,525.',
    );
    const enGuess = read('1,525', 'en-US', 'KWD');
    expect(!enGuess.ok && enGuess.problem).toBe(
      '“1,525” can be read two ways. Type 1525 for the whole number, or use the decimal point: 1.525.',
    );
  });

  it('refuses what is not an amount, in the locale’s own words, and keeps the currency rules', () => {
    for (const text of ['12,50,1', '1.52.5', '1,5.5', '12,', ',5', '-5', '1e3', '12 €', '1 52,00', '1.5255,00', '٣', 'abc']) {
      const reading = read(text, 'de-DE');
      expect(reading.ok, text).toBe(false);
    }
    expect(read('abc', 'de-DE')).toEqual({ ok: false, problem: 'Use digits with an optional decimal comma, such as 12,30.' });
    expect(read('abc', 'en-US')).toEqual({ ok: false, problem: 'Use digits with an optional decimal point, such as 12.30.' });
    expect(read('12,345', 'de-DE')).toEqual({ ok: false, problem: 'EUR allows at most 2 decimals.' });
    expect(read('0,00', 'de-DE')).toEqual({ ok: false, problem: 'The amount must be more than zero.' });
    expect(readAmountInput('0,00', 'EUR', { locale: 'de-DE', allowZero: true })).toEqual({ ok: true, decimal: '0.00' });
    expect(read('', 'de-DE')).toEqual({ ok: false, problem: 'Enter an amount.' });
  });

  it('never goes through a float: every digit survives, and the engine accepts what it is given', () => {
    const huge = read('90.071.992.547.409,91', 'de-DE', 'USD');
    expect(huge).toEqual({ ok: true, decimal: '90071992547409.91' });
    const samples = ['12,50', '1.525,00', '0,01', '1 000 000,99', '7'];
    for (const text of samples) {
      const reading = read(text, 'de-DE');
      expect(reading.ok, text).toBe(true);
      if (reading.ok) expect(parseAmount(reading.decimal, 'EUR').ok, text).toBe(true);
    }
  });

  it('writes the engine’s "1484.56 EUR" in messages as the screen writes money', () => {
    const message = 'Insufficient funds: balance 1484.56 EUR, withdrawal 2000.00 EUR';
    expect(localizeMoneyInMessage(message, { locale: 'en-US' })).toBe('Insufficient funds: balance €1,484.56, withdrawal €2,000.00');
    expect(localizeMoneyInMessage(message, { locale: 'de-DE' })).toBe(
      'Insufficient funds: balance 1.484,56\u00A0€, withdrawal 2.000,00\u00A0€',
    );
    expect(localizeMoneyInMessage('Account acc-1 still holds 1000 JPY; only an empty account can be closed', { locale: 'en-US' })).toBe(
      'Account acc-1 still holds ¥1,000; only an empty account can be closed',
    );
    // Only the canonical form with the currency's own digits is money; anything else stays as written.
    for (const untouched of ['Cannot transfer EUR from a to b, which holds USD', 'Position 12 EUR-ish', 'version 3 ABC', 'acc-12.5 EUR']) {
      expect(localizeMoneyInMessage(untouched, { locale: 'en-US' })).toBe(untouched);
    }
  });
});
