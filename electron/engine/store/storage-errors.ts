/**
 * Raw SQLite errors never cross the engine's boundary: each becomes a typed failure with a
 * plain message naming the file.
 */
import { LedgerFailure, fail, type Failure, type LedgerError } from '#shared/errors';

const PLAIN_WORDS: Readonly<Record<string, string>> = {
  SQLITE_FULL: 'the disk (or the ledger size limit) is full',
  SQLITE_BUSY: 'another program kept the ledger locked for too long',
  SQLITE_LOCKED: 'the ledger is locked',
  SQLITE_READONLY: 'the ledger cannot be written (read-only)',
  SQLITE_IOERR: 'the disk reported an input/output error',
  SQLITE_CANTOPEN: 'the file cannot be opened',
};

function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** SQLITE_BUSY and its extended codes: the write lock was held past the busy timeout. */
export function isBusy(error: unknown): boolean {
  return sqliteCode(error)?.startsWith('SQLITE_BUSY') ?? false;
}

/**
 * The words for a file whose pages do not hold together, wherever it is found: opening,
 * replaying, reading, verifying or writing. Completes "The file <path> …".
 */
export const DAMAGED = 'is damaged (its pages do not form a whole SQLite database); restore it from a backup or an export';

/** SQLITE_CORRUPT (and its extended codes) and SQLITE_NOTADB: the file's bytes are damaged. */
export function isDamage(error: unknown): boolean {
  const code = sqliteCode(error);
  return code !== undefined && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'));
}

/** The STORAGE failure for a damaged ledger file (see DAMAGED). */
export function damagedFile(path: string): LedgerFailure {
  return new LedgerFailure({ code: 'STORAGE', message: `The file ${path} ${DAMAGED}` });
}

/**
 * Runs a read, turning damage met on the way into damagedFile's failure: the one place a
 * SQLite error of the CORRUPT/NOTADB family becomes an answer. Anything else is rethrown.
 */
export function readingDamaged<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (isDamage(error)) throw damagedFile(path);
    throw error;
  }
}

/**
 * The typed answer an error thrown past a boundary stands for: a LedgerFailure's own error, or
 * damage met in the ledger at `path` (damagedFile's). Undefined for anything else: a bug.
 */
export function typedErrorOf(error: unknown, path: () => string): LedgerError | undefined {
  if (error instanceof LedgerFailure) return error.error;
  if (isDamage(error)) return damagedFile(path()).error;
  return undefined;
}

export function toStorageFailure(error: unknown, path: string): Failure {
  if (error instanceof LedgerFailure) return { ok: false, error: error.error };
  if (isDamage(error)) return fail('STORAGE', `The file ${path} ${DAMAGED}; nothing was recorded`, { sqliteCode: sqliteCode(error)! });
  const code = sqliteCode(error);
  if (code === undefined || !code.startsWith('SQLITE_')) {
    // Not a storage problem: a bug. Let it surface as one rather than dress it up.
    throw error;
  }
  const primary = Object.keys(PLAIN_WORDS).find((known) => code === known || code.startsWith(`${known}_`));
  const words = primary ? PLAIN_WORDS[primary] : `SQLite reported ${code}`;
  return fail('STORAGE', `Nothing was recorded in ${path}: ${words}`, { sqliteCode: code });
}
