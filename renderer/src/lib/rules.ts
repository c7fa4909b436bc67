/**
 * Inline form checks on the very rules the engine's schemas use (shared/rules.ts has no zod,
 * so the page stays small). The engine's answer stays authoritative either way.
 */
import { ACCOUNT_ID_PATTERN, MEMO_MAX_CHARACTERS, OWNER_MAX_CHARACTERS, UNSAFE_MEMO_TEXT, UNSAFE_TEXT, characterCount } from '../../../shared/rules';

export function checkAccountId(text: string): string | undefined {
  if (text === '') return 'Enter an account ID.';
  if (!ACCOUNT_ID_PATTERN.test(text)) {
    return 'Use 1–64 letters, digits, dots, dashes or underscores, starting with a letter or digit.';
  }
  return undefined;
}

export function checkOwner(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return 'Enter the owner’s name.';
  if (characterCount(trimmed) > OWNER_MAX_CHARACTERS) return `Use at most ${OWNER_MAX_CHARACTERS} characters.`;
  if (UNSAFE_TEXT.test(trimmed)) return 'Remove control characters and text-direction overrides.';
  return undefined;
}

export function checkMemo(text: string): string | undefined {
  if (characterCount(text) > MEMO_MAX_CHARACTERS) return `Use at most ${MEMO_MAX_CHARACTERS} characters.`;
  if (UNSAFE_MEMO_TEXT.test(text)) return 'Remove control characters and text-direction overrides.';
  return undefined;
}

/** Currencies offered first in the picker; every ISO 4217 code follows. */
export const COMMON_CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'JPY', 'SEK', 'NOK', 'DKK', 'CAD', 'AUD'] as const;
