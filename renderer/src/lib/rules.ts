/**
 * Inline form checks on the very rules the engine's schemas use (shared/rules.ts has no zod,
 * so the page stays small). The engine's answer stays authoritative either way.
 */
import { ACCOUNT_ID_PATTERN, MEMO_MAX_CHARACTERS, OWNER_MAX_CHARACTERS, memoProblem, ownerProblem, type TextProblem } from '#shared/rules';

export function checkAccountId(text: string): string | undefined {
  if (text === '') return 'Enter an account ID.';
  if (!ACCOUNT_ID_PATTERN.test(text)) {
    return 'Use 1–64 letters, digits, dots, dashes or underscores, starting with a letter or digit.';
  }
  return undefined;
}

/** The form's wording of the shared text rules (shared/rules.ts). */
const TEXT_HINTS: Record<TextProblem, (limit: number) => string> = {
  empty: () => 'Enter the owner’s name.',
  'too-long': (limit) => `Use at most ${limit} characters.`,
  unsafe: () => 'Remove control characters and text-direction marks or overrides.',
  'shows-nothing': () => 'Use at least one visible character, not only spaces, zero-width or filler characters.',
};

export function checkOwner(text: string): string | undefined {
  const problem = ownerProblem(text.trim());
  return problem === undefined ? undefined : TEXT_HINTS[problem](OWNER_MAX_CHARACTERS);
}

export function checkMemo(text: string): string | undefined {
  const problem = memoProblem(text);
  return problem === undefined ? undefined : TEXT_HINTS[problem](MEMO_MAX_CHARACTERS);
}

/** Currencies offered first in the picker; every ISO 4217 code follows. */
export const COMMON_CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'JPY', 'SEK', 'NOK', 'DKK', 'CAD', 'AUD'] as const;
