/**
 * Opening a ledger file safely. Every refusal names the file and leaves it untouched:
 * the file is inspected through a read-only connection before a writable one is opened,
 * because opening writable would already switch the journal mode and create side files.
 */
import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, sep } from 'node:path';
import { LedgerFailure } from '#shared/errors';
import { LATEST_SCHEMA_VERSION, LEDGER_APPLICATION_ID, migrate } from './schema';
import { checkSideFiles } from './side-files';
import { publishWithoutReplacing, removeLeftoverSiblings, removeWithSideFiles, temporarySibling } from './staged-file';
import { DAMAGED, isDamage } from './storage-errors';

export type OpenOptions = {
  /** Open without writing anything (a tampered ledger, an export under review). */
  readonly readOnly?: boolean;
  /** Recorded as the creating app's version in a new ledger. */
  readonly appVersion?: string;
  /** How long a writer waits for another process's write lock before giving up. */
  readonly busyTimeoutMs?: number;
  /**
   * Path of a better_sqlite3.node built for another runtime's ABI. Electron's main process
   * passes its own build; Node (tests, CLI) uses the one in node_modules.
   */
  readonly nativeBinding?: string;
};

export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

export function openDatabase(path: string, options: OpenOptions = {}): Database.Database {
  const readOnly = options.readOnly ?? false;
  if (path !== ':memory:') {
    if (path.endsWith('/') || path.endsWith(sep))
      throw storageFailure(path, 'ends in a path separator: it names a folder, not a ledger file');
    const folder = dirname(path);
    if (!existsSync(folder)) throw storageFailure(path, `cannot be created: the folder ${folder} does not exist`);
    if (!statSync(folder).isDirectory()) throw storageFailure(path, `cannot be created: ${folder} is a file, not a folder`);
    checkSideFiles(path);
    if (!readOnly) {
      // What a killed process left of a ledger it was creating or restoring here.
      removeLeftoverSiblings(path, ['creating', 'restoring']);
      if (!existsSync(path)) createLedgerFile(path, options);
    }
    inspectExistingFile(path, readOnly, options.nativeBinding);
  }
  let db: Database.Database;
  try {
    db = new Database(path, {
      readonly: readOnly,
      fileMustExist: readOnly,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    });
  } catch (error) {
    throw storageFailure(path, `cannot be opened (${describe(error)})`);
  }
  try {
    configure(db, readOnly, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
    if (readOnly) {
      if (db.pragma('user_version', { simple: true }) !== LATEST_SCHEMA_VERSION) {
        throw storageFailure(path, 'uses an older schema; open it writable once to upgrade it');
      }
    } else {
      migrate(db, options.appVersion ?? 'unknown');
    }
  } catch (error) {
    db.close();
    if (error instanceof LedgerFailure) throw error;
    throw storageFailure(path, `cannot be prepared (${describe(error)})`);
  }
  return db;
}

function configure(db: Database.Database, readOnly: boolean, busyTimeoutMs: number): void {
  for (const pragma of connectionPragmas(readOnly, busyTimeoutMs)) db.pragma(pragma);
}

/**
 * The settings every connection to a ledger file runs with, in order. Exported for the bulk
 * writer's thread, which opens its own connection and must run with exactly these.
 */
export function connectionPragmas(readOnly: boolean, busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS, pageCacheKib = PAGE_CACHE_KIB): string[] {
  return [
    `busy_timeout = ${busyTimeoutMs}`,
    ...(readOnly
      ? []
      : [
          'journal_mode = WAL',
          // better-sqlite3 leaves WAL files at synchronous=NORMAL, which can lose acknowledged
          // commits on power loss. FULL syncs the WAL on every commit: set on EVERY open.
          'synchronous = FULL',
          // Checkpoint every ~40 MB of WAL instead of every ~4 MB. Each 1,000-command batch dirties
          // about a thousand leaf pages of the per-account index (one per account it touches), so
          // at the default every commit also ran a checkpoint that wrote them all into the file
          // again; spaced out, a page written by ten batches is copied once. Durability is the
          // WAL's, synced on every commit either way.
          `wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`,
        ]),
    // Keep the hot index pages (the per-account index alone outgrows the default 2 MB on a
    // large ledger) in memory instead of reading them back for every batch.
    `cache_size = -${pageCacheKib}`,
    'foreign_keys = ON',
  ];
}

/** WAL pages (4 KiB each) between automatic checkpoints. */
const WAL_AUTOCHECKPOINT_PAGES = 10_000;
/** Page cache per connection, in KiB. */
const PAGE_CACHE_KIB = 16_384;
/**
 * Page cache of the bulk writer's connection (bulk/writer-thread.mjs), in KiB. Each batch it
 * commits touches one leaf of the per-account index per account, and on a large ledger that
 * index outgrows PAGE_CACHE_KIB: with this cache its pages stay cached (docs/performance.md).
 * The connection lives only as long as a bulk apply, so the app's own connection keeps the
 * small cache, and its memory stays small.
 */
export const BULK_WRITER_PAGE_CACHE_KIB = 65_536;

/**
 * Creates a new, empty ledger at `path` so that no process ever finds it there empty or
 * unstamped: it is built (schema, stamp) under a temporary name in the same folder and only
 * then linked into place. A process that loses a race to create it finds the winner's ledger
 * there and opens that. Hence a file at a ledger's path that is empty or unstamped is never
 * one of ours being created, and is refused (see inspectExistingFile).
 */
function createLedgerFile(path: string, options: OpenOptions): void {
  const temporary = temporarySibling(path, 'creating');
  try {
    const db = new Database(temporary, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    try {
      configure(db, false, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
      migrate(db, options.appVersion ?? 'unknown');
    } finally {
      db.close();
    }
    publishWithoutReplacing(temporary, path);
  } catch (error) {
    if (error instanceof LedgerFailure) throw error;
    throw storageFailure(path, `cannot be created (${describe(error)})`);
  } finally {
    removeWithSideFiles(temporary);
  }
}

/** Refuses, without writing, anything that is not a ledger this version can open. */
function inspectExistingFile(path: string, readOnly: boolean, nativeBinding: string | undefined): void {
  if (!existsSync(path)) {
    if (readOnly) throw storageFailure(path, 'does not exist');
    return;
  }
  const stats = statSync(path);
  if (!stats.isFile()) throw storageFailure(path, 'is not a file');
  // Checked on the mode bits rather than by trying to write, so that even root (which
  // ignores permissions) respects a file its owner marked read-only.
  if (!readOnly && (stats.mode & 0o222) === 0) {
    throw storageFailure(path, 'is read-only; open it read-only or make it writable');
  }
  if (stats.size === 0) throw storageFailure(path, 'is empty, not a ledger');
  if (!existsSync(`${path}-wal`)) checkHeader(path);
  let probe: Database.Database | undefined;
  try {
    probe = new Database(path, {
      readonly: true,
      fileMustExist: true,
      ...(nativeBinding ? { nativeBinding } : {}),
    });
    // One statement, so one snapshot: read one by one, another process creating the ledger
    // could commit in between, and a stamp read before its commit with tables read after it
    // looked like another program's database (seen with four `ledger apply` starting at once).
    const { applicationId, schemaVersion, tableCount } = probe
      .prepare(
        `SELECT (SELECT application_id FROM pragma_application_id) AS applicationId,
           (SELECT user_version FROM pragma_user_version) AS schemaVersion,
           (SELECT count(*) FROM sqlite_master) AS tableCount`,
      )
      .get() as { applicationId: number; schemaVersion: number; tableCount: number };
    if (applicationId !== LEDGER_APPLICATION_ID) throw foreignDatabase(path, tableCount > 0 || applicationId !== 0);
    if (schemaVersion > LATEST_SCHEMA_VERSION) {
      throw storageFailure(
        path,
        `was written by a newer version of this app (schema ${schemaVersion}; this version reads up to ${LATEST_SCHEMA_VERSION})`,
      );
    }
  } catch (error) {
    if (error instanceof LedgerFailure) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB') throw storageFailure(path, 'is not a ledger (not a SQLite database)');
    // Its header passed (ours, or not yet stamped), but the pages behind it do not hold
    // together: a damaged copy, not a foreign file. Say so, so the person reaches for a backup.
    if (isDamage(error)) throw storageFailure(path, DAMAGED);
    // After a crash the -wal may need recovery, which a read-only connection cannot always
    // run. Judge the file by its header instead and let the writable open recover the WAL.
    if (!readOnly && existsSync(`${path}-wal`) && WAL_RECOVERY_CODES.has(code ?? '')) {
      checkHeader(path);
      return;
    }
    throw storageFailure(path, `cannot be read (${describe(error)})`);
  } finally {
    probe?.close();
  }
}

/** What a read-only probe answers when a crashed writer left a WAL that needs recovering first. */
const WAL_RECOVERY_CODES = new Set(['SQLITE_CANTOPEN', 'SQLITE_READONLY_RECOVERY', 'SQLITE_READONLY_CANTINIT', 'SQLITE_BUSY_RECOVERY']);

/** The file header (100 bytes) plus the header of page 1, the schema table's root page. */
const HEADER_BYTES = 108;
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const LEAF_TABLE_PAGE = 0x0d;
const INTERIOR_TABLE_PAGE = 0x05;

/**
 * Refuses, from the file's first bytes alone, what is not a ledger this version can open.
 * Even a read-only SQLite connection to a WAL-mode file creates -wal and -shm files and
 * leaves them behind, so a refused file would not stay untouched if we asked SQLite first.
 * Without a -wal file the main file holds everything committed, so its header is current
 * (with one, the SQLite probe below reads the committed state instead).
 */
function checkHeader(path: string): void {
  const header = Buffer.alloc(HEADER_BYTES);
  const fd = openSync(path, 'r');
  let length: number;
  try {
    length = readSync(fd, header, 0, HEADER_BYTES, 0);
  } finally {
    closeSync(fd);
  }
  if (length < HEADER_BYTES || !header.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC) || !isPlausibleHeader(header)) {
    throw storageFailure(path, 'is not a ledger (not a SQLite database)');
  }
  const schemaVersion = header.readInt32BE(60);
  const applicationId = header.readInt32BE(68);
  const pageType = header[100];
  const hasTables = pageType === INTERIOR_TABLE_PAGE || (pageType === LEAF_TABLE_PAGE && header.readUInt16BE(103) > 0);
  // A file without our stamp is not ours, even before it has a table (every ledger is stamped
  // before it gets its name): adopting it would overwrite another program's file. And the
  // stamp is checked before the schema version, so a foreign file is never called "newer".
  if (applicationId !== LEDGER_APPLICATION_ID) throw foreignDatabase(path, hasTables || applicationId !== 0);
  if (schemaVersion > LATEST_SCHEMA_VERSION) {
    throw storageFailure(
      path,
      `was written by a newer version of this app (schema ${schemaVersion}; this version reads up to ${LATEST_SCHEMA_VERSION})`,
    );
  }
}

/**
 * The fixed fields of a SQLite header (https://sqlite.org/fileformat.html#the_database_header):
 * a page size that is a power of two from 512 to 65536 (stored as 1 for 65536), and payload
 * fractions 64/32/32. Bytes after the magic string that break these are not a database.
 */
function isPlausibleHeader(header: Buffer): boolean {
  const storedPageSize = header.readUInt16BE(16);
  const pageSize = storedPageSize === 1 ? 65_536 : storedPageSize;
  const powerOfTwo = pageSize >= 512 && pageSize <= 65_536 && (pageSize & (pageSize - 1)) === 0;
  return powerOfTwo && header[21] === 64 && header[22] === 32 && header[23] === 32;
}

/**
 * A SQLite file without our stamp. Every ledger is stamped before it gets its name (see
 * createLedgerFile), so even an empty, unstamped one belongs to someone else.
 */
function foreignDatabase(path: string, inUse: boolean): LedgerFailure {
  return storageFailure(
    path,
    inUse
      ? 'is a SQLite database of another program, not a ledger'
      : 'is an empty SQLite database that is not stamped as a ledger; it was left as it is',
  );
}

export function storageFailure(path: string, problem: string): LedgerFailure {
  return new LedgerFailure({ code: 'STORAGE', message: `The file ${path} ${problem}` });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
