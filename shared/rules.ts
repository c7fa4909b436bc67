/**
 * The plain rules of the ledger's inputs, with no dependencies: the command schemas
 * (shared/commands.ts, zod) and the renderer's inline form checks both use these, so a
 * form never accepts what the engine refuses — without shipping zod to the page.
 */

export const ACCOUNT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const OWNER_MAX_CHARACTERS = 200;
export const MEMO_MAX_CHARACTERS = 500;
/** Long enough for a UUID or any client's own scheme, short enough to index. */
export const COMMAND_ID_MAX_CHARACTERS = 128;

/**
 * Characters that can hide or reorder what an auditor reads ("Trojan Source"): C0/C1 control
 * characters, every Unicode Bidi_Control character (the LRM, RLM and ALM marks, embeddings,
 * overrides and isolates), and unpaired UTF-16 surrogates (broken text, which SQLite would store
 * as U+FFFD: not what was checked). Owners, memos and command ids refuse them.
 * Memos may hold line breaks (LF, and CR for text pasted from Windows); nothing else from this set.
 */
export const UNSAFE_TEXT = /[\p{Cc}\p{Bidi_Control}\p{Cs}]/u;
export const UNSAFE_MEMO_TEXT = /[\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F\p{Bidi_Control}\p{Cs}]/u;

/**
 * Characters that show nothing on their own: white space, format characters (zero-width
 * spaces and joiners, the byte-order mark, soft hyphens), default-ignorable code points (the
 * Hangul fillers U+115F, U+1160, U+3164, U+FFA0, variation selectors, tags), combining marks
 * without a base, U+2800 BRAILLE PATTERN BLANK, and control characters.
 */
const INVISIBLE = '\\p{White_Space}\\p{Cf}\\p{Default_Ignorable_Code_Point}\\p{M}\\p{Cc}\\u2800';
/** Text made only of invisible characters (or nothing): it displays as empty. */
export const SHOWS_NOTHING = new RegExp(`^[${INVISIBLE}]*$`, 'u');
/** The invisible characters at the start of a text. */
export const LEADING_INVISIBLE = new RegExp(`^[${INVISIBLE}]+`, 'u');

/** Why a text cannot be stored; each boundary words it in its own voice (see describeTextProblem). */
export type TextProblem = 'empty' | 'too-long' | 'unsafe' | 'shows-nothing';

/**
 * The one owner rule, on the owner as stored (trimmed): 1–200 characters, no unsafe
 * characters, and at least one character that shows (an owner of only zero-width or filler
 * characters would look empty on every screen and in every export).
 */
export function ownerProblem(owner: string): TextProblem | undefined {
  if (owner.length === 0) return 'empty';
  if (characterCount(owner) > OWNER_MAX_CHARACTERS) return 'too-long';
  if (UNSAFE_TEXT.test(owner)) return 'unsafe';
  if (SHOWS_NOTHING.test(owner)) return 'shows-nothing';
  return undefined;
}

/** The one memo rule: at most 500 characters, line breaks allowed, no other unsafe character. A memo may be empty. */
export function memoProblem(memo: string): TextProblem | undefined {
  if (characterCount(memo) > MEMO_MAX_CHARACTERS) return 'too-long';
  if (UNSAFE_MEMO_TEXT.test(memo)) return 'unsafe';
  return undefined;
}

/** The engine's wording of a problem, completing a sentence such as 'The field "owner" …'. */
export function describeTextProblem(problem: TextProblem, limit: number, lineBreaksAllowed = false): string {
  switch (problem) {
    case 'empty':
      return 'must not be empty';
    case 'too-long':
      return `must be at most ${limit} characters`;
    case 'unsafe':
      return lineBreaksAllowed
        ? 'must not contain control characters (other than line breaks), text-direction marks or overrides, or unpaired surrogates'
        : 'must not contain control characters, text-direction marks or overrides, or unpaired surrogates';
    case 'shows-nothing':
      return 'must contain at least one visible character (not only spaces, zero-width or filler characters)';
  }
}

/** Characters as a person counts them (code points), not UTF-16 units. */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** Most history rows one request returns; the renderer pages through longer histories. */
export const HISTORY_PAGE_LIMIT = 1_000;
/** Most rows one audit page returns. */
export const AUDIT_PAGE_LIMIT = 500;
/** Most points a balance series returns: plenty for a chart a few hundred pixels wide. */
export const BALANCE_SERIES_MAX_POINTS = 1_000;
