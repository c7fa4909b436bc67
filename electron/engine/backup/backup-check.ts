/**
 * Reading a backup file without changing it: it must open as a ledger (read-only, so no side
 * file is created), and — when asked — its hash chain must verify from the first event up to
 * its head. The walk yields to the event loop between slices, so the app stays responsive.
 */
import type Database from 'better-sqlite3';
import { fail, LedgerFailure, succeed, type Result } from '#shared/errors';
import { GENESIS_HASH } from '../store/hash-chain';
import type { HeadCheckpoint } from '../store/head-checkpoint';
import { openDatabase } from '../store/open-database';
import { ChainVerifier } from '../store/verify';
import { sqliteWords } from './plain-words';

export type BackupFacts = {
  /** Position of the last event in the backup (0: an empty ledger). */
  readonly position: number;
  /** Hash of that event (the genesis hash when empty). */
  readonly head: string;
  /** When the ledger the backup was taken of was created (ledger_info.created_at): tells two ledgers of one name apart. */
  readonly ledgerCreatedAt: string;
};

export type CheckOptions = {
  /** Walk the whole chain (else only open it and read its head). */
  readonly verify: boolean;
  readonly nativeBinding?: string;
  /**
   * The source ledger's head checkpoint, read before the copy began: the backup must hold
   * that event with that hash (a copy of a ledger whose tail was cut off is refused).
   */
  readonly checkpoint?: HeadCheckpoint;
  /** How messages name the file (default: "The backup <path>"). */
  readonly describedAs?: string;
};

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Opens `path` read-only as a ledger, reads its head, and verifies its chain when asked. */
export async function checkBackupFile(path: string, options: CheckOptions): Promise<Result<BackupFacts>> {
  const subject = options.describedAs ?? `The backup ${path}`;
  let db: Database.Database | undefined;
  try {
    db = openDatabase(path, { readOnly: true, ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}) });
    const facts = readFacts(db);
    if (!options.verify) return succeed(facts);
    const verifier = new ChainVerifier(db, path);
    for (;;) {
      const report = verifier.step();
      if (report?.ok === false) {
        return fail('INTEGRITY', `${subject} does not verify: at position ${report.firstBadPosition} ${report.reason}`);
      }
      if (report?.ok) break;
      await yieldToEventLoop();
    }
    const checkpoint = options.checkpoint;
    if (checkpoint && checkpoint.position > 0 && hashAt(db, checkpoint.position) !== checkpoint.hash) {
      return fail(
        'INTEGRITY',
        `${subject} ends at position ${facts.position} but the ledger's head checkpoint recorded position ${checkpoint.position} with another hash: the ledger was cut off or rewritten`,
      );
    }
    // Read again after the walk: a file that changed under us would no longer match.
    const after = readFacts(db);
    if (after.position !== facts.position || after.head !== facts.head) {
      return fail('INTEGRITY', `${subject} changed while it was verified`);
    }
    return succeed(facts);
  } catch (error) {
    if (error instanceof LedgerFailure) return { ok: false, error: error.error };
    if (typeof (error as { code?: unknown } | null)?.code !== 'string') throw error;
    return fail('STORAGE', `${subject} cannot be read (${sqliteWords(error)})`);
  } finally {
    db?.close();
  }
}

function readFacts(db: Database.Database): BackupFacts {
  const row = db
    .prepare(
      `SELECT (SELECT position FROM events ORDER BY position DESC LIMIT 1) AS position,
         (SELECT hash FROM events ORDER BY position DESC LIMIT 1) AS head,
         (SELECT value FROM ledger_info WHERE key = 'created_at') AS createdAt`,
    )
    .get() as { position: number | null; head: string | null; createdAt: string | null };
  return { position: row.position ?? 0, head: row.head ?? GENESIS_HASH, ledgerCreatedAt: row.createdAt ?? '' };
}

/** The hash of the event at `position`, or undefined when there is none. */
export function hashAt(db: Database.Database, position: number): string | undefined {
  return db.prepare('SELECT hash FROM events WHERE position = ?').pluck().get(position) as string | undefined;
}
