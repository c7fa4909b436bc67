/**
 * Exact money: ISO 4217 minor digits, the one accepted amount syntax, the safe-integer bound,
 * formatting, and parse(format(n)) === n for every representable amount.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CURRENCY_MINOR_DIGITS, describeMoney, formatMinor, isCurrency, minorDigitsOf, parseAmount } from '#shared/money';
import { failure, newLedger, ok } from './helpers';

describe('currencies', () => {
  it('knows the ISO 4217 minor digits', () => {
    expect(minorDigitsOf('EUR')).toBe(2);
    expect(minorDigitsOf('USD')).toBe(2);
    expect(minorDigitsOf('JPY')).toBe(0);
    expect(minorDigitsOf('KRW')).toBe(0);
    expect(minorDigitsOf('KWD')).toBe(3);
    expect(minorDigitsOf('BHD')).toBe(3);
    expect(minorDigitsOf('CLF')).toBe(4);
  });

  it('refuses what is not an active code', () => {
    for (const code of ['eur', 'EURO', 'XXX', '', 'DEM', 'E U']) expect(isCurrency(code), code).toBe(false);
    expect(() => minorDigitsOf('XXX')).toThrow(/XXX/);
    expect(CURRENCY_MINOR_DIGITS.size).toBeGreaterThan(150);
  });
});

describe('parseAmount', () => {
  it('accepts plain decimals up to the currency digits', () => {
    expect(parseAmount('12.30', 'EUR')).toEqual({ ok: true, value: 1230 });
    expect(parseAmount('12.3', 'EUR')).toEqual({ ok: true, value: 1230 });
    expect(parseAmount('12', 'EUR')).toEqual({ ok: true, value: 1200 });
    expect(parseAmount('0', 'EUR')).toEqual({ ok: true, value: 0 });
    expect(parseAmount('007.05', 'EUR')).toEqual({ ok: true, value: 705 });
    expect(parseAmount('1000', 'JPY')).toEqual({ ok: true, value: 1000 });
    expect(parseAmount('1.5', 'KWD')).toEqual({ ok: true, value: 1500 });
    expect(parseAmount('1.234', 'KWD')).toEqual({ ok: true, value: 1234 });
  });

  it('refuses more decimals than the currency has, naming the amount and currency', () => {
    expect(failure(parseAmount('12.345', 'EUR'), 'VALIDATION').message).toMatch(/12\.345.*2 decimals.*EUR/);
    expect(failure(parseAmount('1.0', 'JPY'), 'VALIDATION').message).toMatch(/JPY has no minor unit/);
    failure(parseAmount('1.2345', 'KWD'), 'VALIDATION');
  });

  it('refuses signs, exponents, commas, spaces, NaN and empty text', () => {
    for (const text of [
      '-1',
      '+1',
      '1e3',
      '1E3',
      '1,00',
      '1 000',
      ' 1',
      '1 ',
      'NaN',
      'Infinity',
      '',
      '.5',
      '5.',
      '1.2.3',
      '0x10',
      '١٢',
      '１２',
      '12.30\n',
    ]) {
      expect(parseAmount(text, 'EUR').ok, JSON.stringify(text)).toBe(false);
      expect(failure(parseAmount(text, 'EUR'), 'VALIDATION').message).toBeTruthy();
    }
  });

  it('refuses non-strings, naming what it got', () => {
    expect(failure(parseAmount(12.3, 'EUR'), 'VALIDATION').message).toMatch(/number 12\.3/);
    for (const value of [null, undefined, 12n, {}, ['1'], true, Number.NaN]) failure(parseAmount(value, 'EUR'), 'VALIDATION');
  });

  it('accepts up to Number.MAX_SAFE_INTEGER minor units and refuses one more', () => {
    expect(parseAmount('90071992547409.91', 'EUR')).toEqual({ ok: true, value: Number.MAX_SAFE_INTEGER });
    expect(failure(parseAmount('90071992547409.92', 'EUR'), 'VALIDATION').message).toMatch(/too large/);
    expect(parseAmount('9007199254740991', 'JPY')).toEqual({ ok: true, value: Number.MAX_SAFE_INTEGER });
    failure(parseAmount('9007199254740992', 'JPY'), 'VALIDATION');
    failure(parseAmount('9'.repeat(40), 'KWD'), 'VALIDATION');
  });
});

describe('formatting', () => {
  it('shows exactly the currency digits', () => {
    expect(formatMinor(1230, 'EUR')).toBe('12.30');
    expect(formatMinor(5, 'EUR')).toBe('0.05');
    expect(formatMinor(0, 'EUR')).toBe('0.00');
    expect(formatMinor(1000, 'JPY')).toBe('1000');
    expect(formatMinor(1500, 'KWD')).toBe('1.500');
    expect(formatMinor(1, 'KWD')).toBe('0.001');
    expect(formatMinor(Number.MAX_SAFE_INTEGER, 'EUR')).toBe('90071992547409.91');
    expect(describeMoney(1200, 'EUR')).toBe('12.00 EUR');
  });

  it('property: parse(format(n)) === n for every safe amount and currency', () => {
    const currencies = ['EUR', 'JPY', 'KWD', 'CLF', 'USD', 'BHD'];
    fc.assert(
      fc.property(fc.constantFrom(...currencies), fc.maxSafeNat(), (currency, minor) => {
        const text = formatMinor(minor, currency);
        expect(text).toMatch(/^\d+(\.\d+)?$/);
        expect(parseAmount(text, currency)).toEqual({ ok: true, value: minor });
      }),
      { numRuns: 2_000 },
    );
  });

  it('property: any digits text within the currency digits round-trips to its canonical form', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('EUR', 'JPY', 'KWD'),
        fc.stringMatching(/^\d{1,12}$/),
        fc.stringMatching(/^\d{0,3}$/),
        (currency, whole, fraction) => {
          const digits = minorDigitsOf(currency);
          const text = fraction === '' ? whole : `${whole}.${fraction}`;
          const parsed = parseAmount(text, currency);
          if (fraction.length > digits) {
            expect(parsed.ok).toBe(false);
            return;
          }
          const expected = BigInt(whole + fraction.padEnd(digits, '0'));
          expect(parsed).toEqual({ ok: true, value: Number(expected) });
          if (parsed.ok) expect(BigInt(formatMinor(parsed.value, currency).replace('.', ''))).toBe(expected);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('property: amounts of 12 to 20 digits (across the 15-digit fast path) read exactly as BigInt reads them, or are refused above the bound', () => {
    fc.assert(
      fc.property(fc.constantFrom('EUR', 'JPY', 'KWD'), fc.stringMatching(/^\d{12,20}$/), (currency, allDigits) => {
        const digits = minorDigitsOf(currency);
        const text = digits === 0 ? allDigits : `${allDigits.slice(0, -digits)}.${allDigits.slice(-digits)}`;
        const exact = BigInt(allDigits);
        const parsed = parseAmount(text, currency);
        if (exact > BigInt(Number.MAX_SAFE_INTEGER)) expect(parsed.ok).toBe(false);
        else expect(parsed).toEqual({ ok: true, value: Number(exact) });
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('money through the ledger', () => {
  it('a deposit that would push the balance past the safe bound is refused and nothing is written', () => {
    const { ledger, api } = newLedger();
    ok(api.openAccount({ account: 'big', owner: 'Big', currency: 'EUR', initial: '90071992547409.90' }));
    const before = ledger.logHead().position;
    const error = failure(api.deposit({ account: 'big', amount: '0.02' }), 'VALIDATION');
    expect(error.message).toMatch(/big/);
    expect(ledger.logHead().position).toBe(before);
    const receipt = ok(api.deposit({ account: 'big', amount: '0.01' }));
    expect(receipt.balanceMinor).toBe(Number.MAX_SAFE_INTEGER);
    expect(receipt.balance).toBe('90071992547409.91');
  });

  it('a transfer that would push the target past the safe bound is refused', () => {
    const { ledger, api } = newLedger();
    ok(api.openAccount({ account: 'full', owner: 'Full', currency: 'JPY', initial: '9007199254740991' }));
    ok(api.openAccount({ account: 'payer', owner: 'Payer', currency: 'JPY', initial: '10' }));
    const before = ledger.logHead().position;
    failure(api.transfer({ from: 'payer', to: 'full', amount: '1' }), 'VALIDATION');
    expect(ledger.logHead().position).toBe(before);
  });

  it('amounts must be text in the account currency digits; JPY and KWD balances format correctly', () => {
    const { api } = newLedger();
    ok(api.openAccount({ account: 'yen', owner: 'Y', currency: 'JPY', initial: '1000' }));
    ok(api.openAccount({ account: 'dinar', owner: 'D', currency: 'KWD', initial: '1.5' }));
    expect(ok(api.getAccount({ account: 'yen' })).balance).toBe('1000');
    expect(ok(api.getAccount({ account: 'dinar' })).balance).toBe('1.500');
    failure(api.deposit({ account: 'yen', amount: '1.5' }), 'VALIDATION');
    failure(api.deposit({ account: 'dinar', amount: '0.0001' }), 'VALIDATION');
    failure(api.deposit({ account: 'dinar', amount: 1 }), 'VALIDATION');
    failure(api.deposit({ account: 'dinar', amount: '0.000' }), 'VALIDATION');
    expect(ok(api.deposit({ account: 'dinar', amount: '0.001' })).balance).toBe('1.501');
  });
});
