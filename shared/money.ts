/**
 * Exact money: integer minor units (cents, yen, fils) in a JS number, never a float amount.
 * Every amount stays within Number.MAX_SAFE_INTEGER so integer arithmetic on it is exact.
 */
import { fail, succeed, type Result } from './errors';

const ZERO_DIGIT_CURRENCIES = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF';
const THREE_DIGIT_CURRENCIES = 'BHD IQD JOD KWD LYD OMR TND';
const FOUR_DIGIT_CURRENCIES = 'CLF UYW';
const TWO_DIGIT_CURRENCIES =
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD ' +
  'CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS ' +
  'GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL ' +
  'MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK ' +
  'PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS ' +
  'TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG';

/** ISO 4217 active codes → number of minor digits. */
export const CURRENCY_MINOR_DIGITS: ReadonlyMap<string, number> = new Map([
  ...ZERO_DIGIT_CURRENCIES.split(' ').map((code) => [code, 0] as const),
  ...TWO_DIGIT_CURRENCIES.split(' ').map((code) => [code, 2] as const),
  ...THREE_DIGIT_CURRENCIES.split(' ').map((code) => [code, 3] as const),
  ...FOUR_DIGIT_CURRENCIES.split(' ').map((code) => [code, 4] as const),
]);

export function isCurrency(code: string): boolean {
  return CURRENCY_MINOR_DIGITS.has(code);
}

export function minorDigitsOf(currency: string): number {
  const digits = CURRENCY_MINOR_DIGITS.get(currency);
  if (digits === undefined) throw new Error(`Unknown currency ${currency}`);
  return digits;
}

/** The one accepted amount syntax: digits, optionally a dot and digits. No sign, exponent, comma or space. */
export const AMOUNT_TEXT_PATTERN = /^\d+(\.\d+)?$/;
const MAX_MINOR = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Parses amount text ("12.30") into minor units for the currency.
 * Rejects anything but plain decimal text, more decimals than the currency has,
 * and values beyond Number.MAX_SAFE_INTEGER minor units. Zero is accepted; callers
 * that need a positive amount check that themselves.
 */
export function parseAmount(text: unknown, currency: string, field = 'amount'): Result<number> {
  if (typeof text !== 'string') {
    return fail('VALIDATION', `The ${field} must be text such as "12.30", not ${describeType(text)}`);
  }
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  if (!AMOUNT_TEXT_PATTERN.test(text)) {
    return fail('VALIDATION', `The ${field} "${shown}" is not a plain decimal amount (digits with an optional dot, no sign or exponent)`);
  }
  const digits = minorDigitsOf(currency);
  const dot = text.indexOf('.');
  const whole = dot === -1 ? text : text.slice(0, dot);
  const fraction = dot === -1 ? '' : text.slice(dot + 1);
  if (fraction.length > digits) {
    return fail(
      'VALIDATION',
      digits === 0
        ? `The ${field} "${shown}" has decimals, but ${currency} has no minor unit`
        : `The ${field} "${shown}" has more than ${digits} decimals for ${currency}`,
    );
  }
  const minorDigits = whole + fraction.padEnd(digits, '0');
  // Fifteen digits or fewer are below 2^53 whatever they are, so Number reads them exactly;
  // only longer ones need BigInt to be compared with the limit without rounding first.
  if (minorDigits.length <= 15) return succeed(Number(minorDigits));
  const minor = BigInt(minorDigits);
  if (minor > MAX_MINOR) {
    return fail('VALIDATION', `The ${field} "${shown}" is too large for this ledger`);
  }
  return succeed(Number(minor));
}

/**
 * Formats minor units as exact decimal text with exactly the currency's minor digits ("12.30",
 * "-0.05", "1000" for JPY). A BigInt is accepted for sums of many balances beyond 2^53.
 */
export function formatMinor(minor: number | bigint, currency: string): string {
  const digits = minorDigitsOf(currency);
  const negative = minor < 0;
  const text = String(negative ? -minor : minor).padStart(digits + 1, '0');
  const body = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return negative ? `-${body}` : body;
}

/** "12.30 EUR": the form error messages use. */
export function describeMoney(minor: number, currency: string): string {
  return `${formatMinor(minor, currency)} ${currency}`;
}

/** True when a + b stays an exact integer. */
export function isSafeSum(a: number, b: number): boolean {
  return Number.isSafeInteger(a + b);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return `the number ${String(value)}`;
  return `a value of type ${typeof value}`;
}
