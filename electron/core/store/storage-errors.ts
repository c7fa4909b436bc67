/**
 * Raw SQLite errors never cross the engine's boundary: each becomes a typed failure with a
 * plain message naming the file.
 */
import { fail, type Failure } from '../../../shared/errors';

const PLAIN_WORDS: Readonly<Record<string, string>> = {
  SQLITE_FULL: 'the disk (or the ledger size limit) is full',
  SQLITE_BUSY: 'another program kept the ledger locked for too long',
  SQLITE_LOCKED: 'the ledger is locked',
  SQLITE_READONLY: 'the ledger cannot be written (read-only)',
  SQLITE_IOERR: 'the disk reported an input/output error',
  SQLITE_CORRUPT: 'the ledger file is damaged',
  SQLITE_NOTADB: 'the file is not a ledger',
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

export function toStorageFailure(error: unknown, path: string): Failure {
  const code = sqliteCode(error);
  if (code === undefined || !code.startsWith('SQLITE_')) {
    // Not a storage problem: a bug. Let it surface as one rather than dress it up.
    throw error;
  }
  const primary = Object.keys(PLAIN_WORDS).find((known) => code === known || code.startsWith(`${known}_`));
  const words = primary ? PLAIN_WORDS[primary] : `SQLite reported ${code}`;
  return fail('STORAGE', `Nothing was recorded in ${path}: ${words}`, { sqliteCode: code });
}
