/**
 * Display helpers for exact money: they format the engine's decimal text and integer minor
 * units for a person without ever passing an amount through a float. Pure: no DOM, no Node.
 */
import { AMOUNT_TEXT_PATTERN, CURRENCY_MINOR_DIGITS, formatMinor, minorDigitsOf } from './money';

const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(currency: string, locale: string | undefined, signed: boolean): Intl.NumberFormat {
  const key = `${locale ?? ''}|${currency}|${signed}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    const digits = minorDigitsOf(currency);
    formatter = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      // The ledger's digits (ISO 4217), not CLDR's display digits, so no minor unit is hidden.
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
      signDisplay: signed ? 'exceptZero' : 'auto',
    });
    formatters.set(key, formatter);
  }
  return formatter;
}

/**
 * Formats exact decimal text ("1234.50") as currency for the locale ("€1,234.50").
 * Intl.NumberFormat.format takes a decimal string as an exact decimal (Intl.NumberFormat v3,
 * Chromium ≥ 106, Node ≥ 19), so even 16-digit amounts keep every digit.
 * `signed` shows "+" on credits, for history rows.
 */
export function formatMoney(decimal: string, currency: string, options: { locale?: string; signed?: boolean } = {}): string {
  return formatterFor(currency, options.locale, options.signed ?? false).format(decimal as Intl.StringNumericLiteral);
}

/** Formats integer minor units (a number within 2^53 or a BigInt) as currency for the locale. */
export function formatMinorMoney(minor: number | bigint, currency: string, options: { locale?: string; signed?: boolean } = {}): string {
  return formatMoney(formatMinor(minor, currency), currency, options);
}

/** Sums balances per currency exactly, in BigInt; currencies keep first-seen order. */
export function totalsByCurrency(items: Iterable<{ readonly currency: string; readonly balanceMinor: number }>): Map<string, bigint> {
  const totals = new Map<string, bigint>();
  for (const item of items) totals.set(item.currency, (totals.get(item.currency) ?? 0n) + BigInt(item.balanceMinor));
  return totals;
}

/**
 * Light check of typed amount text for a form, before it is sent: the same syntax and the
 * currency's minor digits as the engine, and a positive value. Answers a plain sentence, or
 * undefined when the text looks valid. The engine's answer stays authoritative.
 */
export function checkAmountText(text: string, currency: string | undefined, { allowZero = false } = {}): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return 'Enter an amount.';
  if (!AMOUNT_TEXT_PATTERN.test(trimmed)) return 'Use digits with an optional decimal point, such as 12.30.';
  if (currency !== undefined) {
    const digits = minorDigitsOf(currency);
    const fraction = trimmed.split('.')[1] ?? '';
    if (fraction.length > digits) {
      return digits === 0 ? `${currency} has no decimals.` : `${currency} allows at most ${digits} decimals.`;
    }
  }
  if (!allowZero && /^[0.]+$/.test(trimmed)) return 'The amount must be more than zero.';
  return undefined;
}

/**
 * The engine writes money in its messages in one canonical form, "1484.56 EUR" (describeMoney
 * in shared/money.ts: the currency's exact minor digits, then the code). This shows each such
 * amount as the screen shows money ("€1,484.56", "1.484,56 €"), so an error reads like the
 * balance next to it. Anything else in the sentence is left as the engine wrote it.
 */
export function localizeMoneyInMessage(message: string, options: { locale?: string } = {}): string {
  return message.replace(/(?<![\w.-])(-?\d+(?:\.\d+)?) ([A-Z]{3})\b/g, (whole, amount: string, currency: string) => {
    const digits = CURRENCY_MINOR_DIGITS.get(currency);
    const fraction = amount.split('.')[1] ?? '';
    return digits !== undefined && fraction.length === digits ? formatMoney(amount, currency, options) : whole;
  });
}
