/**
 * Reading the log on PostgreSQL: one stream by version, the whole log by position in keyset
 * pages (never an open cursor, which would hold a connection and a snapshot for the whole
 * walk), the head, and command records. Rows come back exactly as stored, in the SQLite
 * store's shape (StoredEvent).
 */
import type pg from 'pg';
import { succeed, type Result } from '#shared/errors';
import type { CommandRecord } from '../../domain/command-records';
import { MAX_READ_LIMIT, type ReadFilter, type StoredEvent } from '../event-store';
import { isConnectionLost, translatePostgresError, type ErrorContext } from './postgres-errors';
import { logPages } from '../event-log';

const SELECT_COLUMNS =
  'position, event_id AS "eventId", stream_id AS "streamId", stream_version AS "streamVersion", type, ' +
  'schema_version AS "schemaVersion", data, metadata, recorded_at AS "recordedAt", previous_hash AS "previousHash", hash';

/** Events of one stream in version order, after `afterVersion`, at most `limit` (all when undefined). */
export function readStream(
  pool: pg.Pool,
  context: Omit<ErrorContext, 'step'>,
  streamId: string,
  afterVersion = 0,
  limit?: number,
): Promise<Result<StoredEvent[]>> {
  return reading(context, async () => {
    const found = await pool.query<StoredEvent>(
      `SELECT ${SELECT_COLUMNS} FROM ledger.events WHERE stream_id = $1 AND stream_version > $2 ORDER BY stream_version LIMIT $3`,
      [streamId, afterVersion, limit ?? null],
    );
    return found.rows;
  });
}

/** A page of the log in position order from `fromPosition` (inclusive), at most MAX_READ_LIMIT rows. */
export function readLog(pool: pg.Pool, context: Omit<ErrorContext, 'step'>, filter: ReadFilter = {}): Promise<Result<StoredEvent[]>> {
  const limit = Math.min(filter.limit ?? MAX_READ_LIMIT, MAX_READ_LIMIT);
  const parameters: unknown[] = [filter.fromPosition ?? 1, limit];
  const conditions = ['position >= $1'];
  if (filter.streamId !== undefined) {
    parameters.push(filter.streamId);
    conditions.push(`stream_id = $${parameters.length}`);
  }
  if (filter.types !== undefined) {
    parameters.push([...filter.types]);
    conditions.push(`type = ANY($${parameters.length}::text[])`);
  }
  const sql = `SELECT ${SELECT_COLUMNS} FROM ledger.events WHERE ${conditions.join(' AND ')} ORDER BY position LIMIT $2`;
  return reading(context, async () => (await pool.query<StoredEvent>(sql, parameters)).rows);
}

/**
 * The whole log from `fromPosition`, a page at a time: each page is one query that starts
 * after the last position of the page before (keyset), so a long walk holds no cursor.
 */
export async function* readLogPages(
  pool: pg.Pool,
  context: Omit<ErrorContext, 'step'>,
  fromPosition = 1,
  pageSize = MAX_READ_LIMIT,
): AsyncGenerator<Result<StoredEvent[]>> {
  yield* logPages((filter) => readLog(pool, context, filter), fromPosition, pageSize);
}

/** The log's head: last position and its hash (0 and the genesis hash when empty). */
export function readHead(pool: pg.Pool, context: Omit<ErrorContext, 'step'>): Promise<Result<{ position: number; hash: string }>> {
  return reading(context, async () => {
    const found = await pool.query<{ position: number; hash: string }>('SELECT position, hash FROM ledger.head WHERE only_row');
    return found.rows[0]!;
  });
}

/** The record of a command id, from whichever desk wrote it, or undefined. */
export function findCommandRecord(
  pool: pg.Pool,
  context: Omit<ErrorContext, 'step'>,
  commandId: string,
): Promise<Result<CommandRecord | undefined>> {
  return reading(context, async () => {
    const found = await pool.query<CommandRecord>('SELECT fingerprint, receipt, position FROM ledger.commands WHERE command_id = $1', [
      commandId,
    ]);
    return found.rows[0];
  });
}

/**
 * Runs a read, answering failures as typed errors. A read writes nothing, so one that meets a
 * dead pooled connection (the server restarted, or dropped it while idle) is tried once more on
 * a fresh one.
 */
async function reading<T>(context: Omit<ErrorContext, 'step'>, read: () => Promise<T>): Promise<Result<T>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return succeed(await read());
    } catch (error) {
      if (attempt < 2 && isConnectionLost(error)) continue;
      return { ok: false, error: translatePostgresError(error, { ...context, step: 'read' }) };
    }
  }
}
