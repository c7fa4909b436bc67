/**
 * Form rules mirrored from shared/commands.ts for inline checks. They are copied, not imported,
 * because importing that module pulls its zod schemas (≈450 kB) into the page; a test
 * (tests/e2e/renderer-rules.test.ts) fails the build the moment the two drift apart.
 * The engine's answer stays authoritative either way.
 */
export const ACCOUNT_ID_TEXT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const OWNER_MAX_CHARACTERS = 200;
export const MEMO_MAX_CHARACTERS = 500;

export function checkAccountId(text: string): string | undefined {
  if (text === '') return 'Enter an account ID.';
  if (!ACCOUNT_ID_TEXT_PATTERN.test(text)) {
    return 'Use 1–64 letters, digits, dots, dashes or underscores, starting with a letter or digit.';
  }
  return undefined;
}

export function checkOwner(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return 'Enter the owner’s name.';
  if ([...trimmed].length > OWNER_MAX_CHARACTERS) return `Use at most ${OWNER_MAX_CHARACTERS} characters.`;
  return undefined;
}

export function checkMemo(text: string): string | undefined {
  if ([...text].length > MEMO_MAX_CHARACTERS) return `Use at most ${MEMO_MAX_CHARACTERS} characters.`;
  return undefined;
}

/** Currencies offered first in the picker; every ISO 4217 code follows. */
export const COMMON_CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'JPY', 'SEK', 'NOK', 'DKK', 'CAD', 'AUD'] as const;
