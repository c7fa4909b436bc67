/**
 * The bare-SQLite baselines each engine figure is compared with. They run on the same
 * machine, in the same run, on real files opened by the engine's own opener (same pragmas:
 * WAL, synchronous=FULL; same schema: columns, indexes and triggers), so the
 * ratio shows what the engine adds on top of SQLite itself — and nothing else.
 */
import Database from 'better-sqlite3';
import { BULK_WRITER_PAGE_CACHE_KIB, openDatabase } from '#engine/store/open-database';

const COLUMNS = 'position, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, previous_hash, hash';
type EventRow = [number, string, string, number, string, number, string, string, string, string, string];

/**
 * Bulk baseline: the very rows the engine stored (read from its file page by page), inserted
 * by one prepared INSERT into a fresh file with the same schema, all in ONE transaction.
 * Only the inserts and the commit are timed; reading the source rows is not.
 *
 * The transaction stays open while the engine builds its ledger: `catchUp` is called between
 * engine batches and copies what the engine has committed so far, so the baseline is
 * measured in slices spread over the same minutes as the engine and the shared machine's
 * noise falls on both alike.
 */
export class BareBulkInsert {
  private readonly source: Database.Database;
  private readonly target: Database.Database;
  private readonly page: Database.Statement;
  private readonly insert: Database.Statement;
  private copiedThrough = 0;
  private elapsed = 0;

  constructor(sourcePath: string, targetPath: string) {
    this.source = new Database(sourcePath, { readonly: true });
    // The engine's own opener: the same pragmas (WAL, synchronous=FULL, …) and the same schema,
    // with the page cache the engine's bulk writer runs with.
    this.target = openDatabase(targetPath, { appVersion: 'bench' });
    this.target.pragma(`cache_size = -${BULK_WRITER_PAGE_CACHE_KIB}`);
    this.page = this.source.prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT 10000`).raw();
    this.insert = this.target.prepare(`INSERT INTO events (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.timed(() => this.target.exec('BEGIN IMMEDIATE'));
  }

  get rows(): number {
    return this.copiedThrough;
  }

  get ms(): number {
    return this.elapsed;
  }

  /** Inserts every row the engine has committed since the last call. */
  catchUp(): void {
    for (;;) {
      const batch = this.page.all(this.copiedThrough) as EventRow[];
      if (batch.length === 0) return;
      this.timed(() => {
        for (const row of batch) this.insert.run(row);
      });
      this.copiedThrough = batch[batch.length - 1]![0];
    }
  }

  /** Copies the rest, commits, closes; returns the rows and the timed milliseconds. */
  finish(): { rows: number; ms: number } {
    try {
      this.catchUp();
      this.timed(() => this.target.exec('COMMIT'));
      return { rows: this.copiedThrough, ms: this.elapsed };
    } finally {
      this.source.close();
      this.target.close();
    }
  }

  private timed(work: () => void): void {
    const started = performance.now();
    work();
    this.elapsed += performance.now() - started;
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
 * Startup baseline: one pass over the events table reading the columns a replay of current
 * events needs (not metadata, which only legacy upcasters read), with JSON.parse of every
 * payload — the least any replay of the log has to do.
 */
export function bareScan(path: string): { rows: number; ms: number } {
  const started = performance.now();
  const db = new Database(path, { readonly: true });
  let rows = 0;
  let checksum = 0;
  try {
    const scan = db.prepare('SELECT position, stream_id, type, schema_version, data, recorded_at FROM events ORDER BY position').raw();
    for (const row of scan.iterate() as IterableIterator<[number, string, string, number, string, string]>) {
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
