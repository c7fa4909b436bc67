/**
 * Copies a ledger with SQLite's online backup API into a file we created, as one consistent
 * snapshot while other connections (this process's or another's) keep writing.
 *
 * The copy goes in slices (PAGES_PER_STEP pages, yielding to the event loop between them),
 * each slice under its own read lock. SQLite restarts a backup whose source was written by
 * another connection between two slices; a ledger written more often than a slice takes
 * would restart forever, so after the first restart the rest goes in ONE step: a single read
 * transaction, which a writer in WAL mode does not wait for and cannot disturb.
 *
 * The copy keeps the source's WAL mode in its header; it is switched to a rollback journal
 * before anyone reads it, so the finished file is one self-contained file and opening it
 * read-only creates nothing beside it.
 */
import Database from 'better-sqlite3';

const PAGES_PER_STEP = 256;
const ALL_REMAINING_PAGES = 0x7fffffff;

export type CopyOptions = {
  readonly nativeBinding?: string;
  /** Stops the copy between two slices; the caller removes what was written. */
  readonly signal?: AbortSignal;
};

export async function copyDatabase(source: Database.Database, destination: string, options: CopyOptions = {}): Promise<void> {
  let copiedBefore = 0;
  let restarted = false;
  await source.backup(destination, {
    progress: ({ totalPages, remainingPages }) => {
      options.signal?.throwIfAborted();
      const copied = totalPages - remainingPages;
      // Fewer pages copied than after the last slice: SQLite started over.
      if (copiedBefore > 0 && copied <= copiedBefore) restarted = true;
      copiedBefore = copied;
      return restarted ? ALL_REMAINING_PAGES : PAGES_PER_STEP;
    },
  });
  options.signal?.throwIfAborted();
  const copy = new Database(
    destination,
    options.nativeBinding ? { fileMustExist: true, nativeBinding: options.nativeBinding } : { fileMustExist: true },
  );
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}
