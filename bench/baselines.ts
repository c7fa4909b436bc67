/**
 * The bare-SQLite baselines each engine figure is compared with. They run on the same
 * machine, in the same run, on real files with the same pragmas (WAL, synchronous=FULL) and
 * the same schema (the engine's own migration: same columns, indexes and triggers), so the
 * ratio shows what the engine adds on top of SQLite itself — and nothing else.
 */
import Database from 'better-sqlite3';
import { migrate } from '../electron/core/store/schema';

const COLUMNS = 'position, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, previous_hash, hash';
type EventRow = [number, string, string, number, string, number, string, string, string, string, string];

/** A writable connection configured like the engine's (open-database.ts). */
export function openBare(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  return db;
}

/**
 * Bulk baseline: the very rows the engine stored (read from its file page by page), inserted
 * by one prepared INSERT into a fresh file with the same schema, all in ONE transaction.
 * Only the inserts and the commit are timed; reading the source rows is not.
 */
export function bareBulkInsert(sourcePath: string, targetPath: string, onProgress?: (done: number) => void): { rows: number; ms: number } {
  const source = new Database(sourcePath, { readonly: true });
  const target = openBare(targetPath);
  try {
    migrate(target, 'bench');
    const page = source.prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT 10000`).raw();
    const insert = target.prepare(`INSERT INTO events (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const begin = target.prepare('BEGIN IMMEDIATE');
    const commit = target.prepare('COMMIT');
    let rows = 0;
    let ms = 0;
    let started = performance.now();
    begin.run();
    ms += performance.now() - started;
    for (let after = 0; ; ) {
      const batch = page.all(after) as EventRow[];
      if (batch.length === 0) break;
      started = performance.now();
      for (const row of batch) insert.run(row);
      ms += performance.now() - started;
      rows += batch.length;
      after = batch[batch.length - 1]![0];
      onProgress?.(rows);
    }
    started = performance.now();
    commit.run();
    ms += performance.now() - started;
    return { rows, ms };
  } finally {
    source.close();
    target.close();
  }
}

/**
 * Durable single-write baseline on the ledger's own file: a table with the events table's
 * columns and indexes, written one row per transaction (BEGIN IMMEDIATE, INSERT, COMMIT)
 * on the same connection settings — so each sample pays the same fsync the engine pays.
 */
export class BareSingleInsert {
  private readonly insert: Database.Statement;
  private readonly begin: Database.Statement;
  private readonly commit: Database.Statement;
  private position = 0;

  constructor(private readonly db: Database.Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS bench_single (
        position INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, stream_id TEXT NOT NULL,
        stream_version INTEGER NOT NULL, type TEXT NOT NULL, schema_version INTEGER NOT NULL,
        data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL,
        previous_hash TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (stream_id, stream_version)
      ) STRICT;
      CREATE INDEX IF NOT EXISTS bench_single_by_type ON bench_single (type, position);`);
    this.insert = db.prepare(`INSERT INTO bench_single (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
  }

  /** One durable row; returns the milliseconds it took. */
  run(row: { eventId: string; streamId: string; data: string; metadata: string; hash: string }): number {
    const started = performance.now();
    this.position += 1;
    this.begin.run();
    this.insert.run(
      this.position,
      row.eventId,
      row.streamId,
      this.position,
      'MoneyDeposited',
      2,
      row.data,
      row.metadata,
      new Date().toISOString(),
      row.hash,
      row.hash,
    );
    this.commit.run();
    return performance.now() - started;
  }

  drop(): void {
    this.db.exec('DROP TABLE IF EXISTS bench_single');
  }
}

/**
 * Startup baseline: one pass over the events table reading the columns replay reads, with
 * JSON.parse of every payload — the least any replay of the log has to do.
 */
export function bareScan(path: string): { rows: number; ms: number } {
  const started = performance.now();
  const db = new Database(path, { readonly: true });
  let rows = 0;
  let checksum = 0;
  try {
    const scan = db.prepare('SELECT position, stream_id, type, schema_version, data, metadata, recorded_at FROM events ORDER BY position').raw();
    for (const row of scan.iterate() as IterableIterator<[number, string, string, number, string, string, string]>) {
      const data = JSON.parse(row[4]) as { amountMinor?: number };
      checksum += data.amountMinor ?? 0;
      rows += 1;
    }
  } finally {
    db.close();
  }
  if (checksum < 0) console.error('impossible');
  return { rows, ms: performance.now() - started };
}
