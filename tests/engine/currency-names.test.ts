/**
 * Every currency code the ledger accepts has a name a person can read: the locale's own where
 * its Intl data has one, else the English name ISO 4217 gives (Chromium's ICU data lacks
 * several codes, so the app's currency picker showed bare codes for them).
 */
import { describe, expect, it } from 'vitest';
import { ISO_CURRENCY_NAMES, currencyName, type LocalizedNames } from '#shared/currency-names';
import { CURRENCY_MINOR_DIGITS } from '#shared/money';

const ACCEPTED = [...CURRENCY_MINOR_DIGITS.keys()];
/** A runtime whose Intl data names no currency at all (the worst Chromium could ship). */
const NO_INTL_DATA: LocalizedNames = { of: () => undefined };
/** One that answers the bare code, as Intl.DisplayNames does without `fallback: 'none'`. */
const CODE_ONLY: LocalizedNames = { of: (code) => code };

describe('currency names', () => {
  it('every accepted code has an ISO 4217 English name, and the table names no other code', () => {
    expect(ACCEPTED.length).toBeGreaterThan(150);
    for (const code of ACCEPTED) {
      const name = ISO_CURRENCY_NAMES.get(code);
      expect(name, code).toBeDefined();
      expect(name!.length, code).toBeGreaterThan(2);
      expect(name, code).not.toBe(code);
    }
    expect([...ISO_CURRENCY_NAMES.keys()].sort()).toEqual([...ACCEPTED].sort());
  });

  it('names the codes Chromium left bare with their ISO 4217 names', () => {
    expect(
      Object.fromEntries(['BOV', 'CHE', 'CHW', 'CLF', 'COU', 'KMF', 'XCG', 'ZWG'].map((code) => [code, currencyName(code, NO_INTL_DATA)])),
    ).toEqual({
      BOV: 'Mvdol',
      CHE: 'WIR Euro',
      CHW: 'WIR Franc',
      CLF: 'Unidad de Fomento',
      COU: 'Unidad de Valor Real',
      KMF: 'Comorian Franc',
      XCG: 'Caribbean guilder',
      ZWG: 'Zimbabwe Gold',
    });
  });

  it('every accepted code has a display name whatever the runtime knows, in the locale where it can', () => {
    for (const names of [NO_INTL_DATA, CODE_ONLY, undefined]) {
      for (const code of ACCEPTED) {
        const name = currencyName(code, names);
        expect(name, code).toBeTruthy();
        expect(name, code).not.toBe(code);
      }
    }
    expect(currencyName('EUR', { of: () => 'Euro (de)' })).toBe('Euro (de)');
    expect(currencyName('XCG', NO_INTL_DATA)).toBe('Caribbean guilder');
    expect(currencyName('BTC', NO_INTL_DATA)).toBeUndefined();
    expect(currencyName('not a code')).toBeUndefined();
  });
});
