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
 * C0/C1 control characters and Unicode bidirectional overrides/isolates. They can hide or
 * reorder what an auditor reads ("Trojan Source"), so owners and memos refuse them.
 * Memos may hold line breaks (LF, and CR for text pasted from Windows); nothing else from this set.
 */
export const UNSAFE_TEXT = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;
export const UNSAFE_MEMO_TEXT = /[\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;

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
