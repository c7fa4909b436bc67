/** Reads of the events table as StoredEvent rows: one stream, a page of the log, chosen positions. */
import type Database from 'better-sqlite3';
import type { ReadFilter, StoredEvent } from './event-types';
import { readingDamaged } from './storage-errors';

/** The events table's columns under StoredEvent's names. */
const SELECT_COLUMNS =
  'position, event_id AS eventId, stream_id AS streamId, stream_version AS streamVersion, type, ' +
  'schema_version AS schemaVersion, data, metadata, recorded_at AS recordedAt, ' +
  'previous_hash AS previousHash, hash';

/** Largest page a single read returns; larger reads page by position. */
export const MAX_READ_LIMIT = 10_000;

/** Every read names the ledger file when it meets a damaged one (storage-errors.ts). */
export class EventReads {
  private readonly readStreamStatement: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly path: string,
  ) {
    this.readStreamStatement = db.prepare(
      `SELECT ${SELECT_COLUMNS} FROM events WHERE stream_id = ? AND stream_version > ? ORDER BY stream_version LIMIT ?`,
    );
  }

  /** Events of one stream in version order, after `afterVersion`, at most `limit` (-1: all). */
  stream(streamId: string, afterVersion: number, limit: number): StoredEvent[] {
    // LIMIT -1 is SQLite's "no limit": one prepared statement serves whole streams and pages.
    return readingDamaged(this.path, () => this.readStreamStatement.all(streamId, afterVersion, limit) as StoredEvent[]);
  }

  /** A page of the global log in position order, from `fromPosition` (inclusive). */
  page(filter: ReadFilter): StoredEvent[] {
    const limit = Math.min(filter.limit ?? MAX_READ_LIMIT, MAX_READ_LIMIT);
    const fromPosition = filter.fromPosition ?? 1;
    const conditions = ['position >= @fromPosition'];
    if (filter.streamId !== undefined) conditions.push('stream_id = @streamId');
    if (filter.types !== undefined) conditions.push('type IN (SELECT value FROM json_each(@types))');
    const sql = `SELECT ${SELECT_COLUMNS} FROM events WHERE ${conditions.join(' AND ')} ORDER BY position LIMIT @limit`;
    const parameters = { fromPosition, limit, streamId: filter.streamId, types: JSON.stringify(filter.types ?? []) };
    return readingDamaged(this.path, () => this.db.prepare(sql).all(filterUsed(parameters, conditions)) as StoredEvent[]);
  }

  /** Events at the given positions (any order in, position order out). */
  positions(positions: readonly number[]): StoredEvent[] {
    if (positions.length === 0) return [];
    const read = this.db.prepare(
      `SELECT ${SELECT_COLUMNS} FROM events WHERE position IN (SELECT value FROM json_each(?)) ORDER BY position`,
    );
    return readingDamaged(this.path, () => read.all(JSON.stringify(positions)) as StoredEvent[]);
  }
}

/** better-sqlite3 refuses named parameters the statement does not use: pass only those. */
function filterUsed(parameters: Record<string, unknown>, conditions: readonly string[]): Record<string, unknown> {
  const sql = `${conditions.join(' ')} @limit`;
  return Object.fromEntries(Object.entries(parameters).filter(([name]) => sql.includes(`@${name}`)));
}
