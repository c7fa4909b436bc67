/**
 * The original exercise stored money as float64. A legacy float is accepted only when its
 * shortest decimal form (what the Go writer meant) is an exact amount in the currency's
 * minor units; 12.345 EUR, 1e-7 or NaN are refused rather than rounded.
 */
import { minorDigitsOf, parseAmount } from '#shared/money';

/** Minor units for a legacy float, or undefined when it is not exact in the currency. */
export function legacyFloatToMinor(value: unknown, currency: string): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  // String(n) gives the shortest text that round-trips to n: "1396.3" for 1396.3.
  // Exponent forms ("1e-7", "1e+21") fail the plain-decimal syntax and are refused.
  const parsed = parseAmount(String(value), currency);
  return parsed.ok ? parsed.value : undefined;
}

export function describeLegacyFloat(value: unknown, currency: string): string {
  return `${JSON.stringify(value)} is not an exact amount in ${currency} (${minorDigitsOf(currency)} decimals)`;
}
