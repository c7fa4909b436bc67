/**
 * What a ledger target is: the one place that decides whether a `--db` value, `$LEDGER_DB` or
 * a host's `--db` names something a ledger can live in. Every host calls it before opening
 * anything, so a refused target never creates a file or a side file anywhere.
 *
 * Today a target is a path to a file on disk. SQLite itself would also accept ":memory:",
 * "" (a private temporary database) and "file:" URIs; each of those answers writes with
 * positions that vanish when the process exits, so they are refused here, in plain words.
 */
import { statSync } from 'node:fs';
import { sep } from 'node:path';
import { fail, succeed, type Result } from '#shared/errors';

export type LedgerTarget = {
  readonly kind: 'file';
  /** The path as given (relative paths resolve against the working directory when opened). */
  readonly path: string;
};

/**
 * SQLite reads a name starting with "file:" as a URI (":memory:", "?mode=memory", "vfs=…");
 * "scheme://…" is a URI too (issue 13's postgres:// targets will be decided here). A Windows
 * drive ("C:\\") and a plain name with a colon in it are paths.
 */
const URI = /^(file:|[A-Za-z][A-Za-z0-9+.-]*:\/\/)/i;

export function parseLedgerTarget(text: string): Result<LedgerTarget> {
  if (text.trim() === '') {
    return fail('VALIDATION', 'The ledger file is empty: give a path to a file on disk, such as --db ./ledger.db');
  }
  if (text.includes('\0')) return fail('VALIDATION', 'The ledger file name contains a NUL character');
  if (text === ':memory:' || text.startsWith(':memory:')) {
    return fail('VALIDATION', 'An in-memory ledger keeps nothing once the command ends: give a path to a file on disk');
  }
  if (URI.test(text)) {
    return fail('VALIDATION', `The ledger "${shorten(text)}" is a URI; give a plain path to a file on disk`);
  }
  if (text.endsWith('/') || text.endsWith(sep)) {
    return fail('VALIDATION', `The ledger "${shorten(text)}" ends in a path separator; give the name of a file, not a folder`);
  }
  if (isFolder(text)) {
    return fail('VALIDATION', `The ledger "${shorten(text)}" is a folder; give the name of a file in it, such as ${text}${sep}ledger.db`);
  }
  return succeed({ kind: 'file', path: text });
}

/** Whether the path names an existing folder; a path that cannot be examined is left for the open to report. */
function isFolder(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

function shorten(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
