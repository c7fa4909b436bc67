/**
 * File system and SQLite errors in plain words for the backup messages. An error without a
 * code is a bug, not a storage problem: it is thrown on, never dressed up.
 */

/** A file system error in plain words (its code kept for the reader who knows them). */
export function plainFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const words: Record<string, string> = {
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is used up',
    EACCES: 'permission denied',
    EPERM: 'the operation is not permitted',
    EROFS: 'the disk is read-only',
    ENOTDIR: 'a part of the path is not a folder',
    EEXIST: 'a file of that name already exists',
    EIO: 'the disk reported an input/output error',
  };
  if (code && words[code]) return `${words[code]}, ${code}`;
  return code ?? (error instanceof Error ? error.message : String(error));
}

/** A SQLite error in plain words: a damaged copy says so. */
export function sqliteWords(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT')) return 'it is damaged';
  if (code === 'SQLITE_NOTADB') return 'it is not a ledger';
  if (code === 'SQLITE_FULL') return 'the disk is full';
  if (typeof code === 'string' && code.startsWith('SQLITE_IOERR')) return 'the disk reported an input/output error';
  if (typeof code === 'string') return `SQLite reported ${code}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** A storage error (file system or SQLite) in plain words; anything else is rethrown. */
export function describeFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('SQLITE_')) return sqliteWords(error);
  if (typeof code === 'string') return plainFileError(error);
  throw error;
}
