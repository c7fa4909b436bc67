/**
 * Helpers for the PostgreSQL store tests: a fresh database per test on the file's cluster,
 * logs opened on it (closed after the test), and event requests to append.
 */
import pg from 'pg';
import { afterEach, expect } from 'vitest';
import type { Result } from '#shared/errors';
import type { AppendRequest, NewEvent } from '#engine/store/event-store';
import { PostgresEventLog, type OpenPostgresOptions } from '#engine/store/postgres/event-log';
import { failure as engineFailure, ok } from '../engine/helpers';
import type { PostgresCluster } from '../support/postgres-cluster';

const opened: Array<{ close(): Promise<unknown> }> = [];

afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close().catch(() => undefined);
});

let databaseCount = 0;

/** A new, empty database on the cluster. */
export async function freshDatabase(cluster: PostgresCluster, prefix = 'ledger'): Promise<string> {
  databaseCount += 1;
  return cluster.createDatabase(`${prefix}_${process.pid}_${databaseCount}`);
}

/** Opens a log (closed after the test); fails the test if it cannot be opened. No PG* variable of this machine leaks in. */
export async function openLog(url: string, options: OpenPostgresOptions = {}): Promise<PostgresEventLog> {
  const log = ok(await PostgresEventLog.open(url, { env: {}, ...options }));
  opened.push(log);
  return log;
}

/** Opens a log and answers the Result as it is (a log that opens is closed after the test). */
export async function tryOpenLog(url: string, options: OpenPostgresOptions = {}): Promise<Result<PostgresEventLog>> {
  const result = await PostgresEventLog.open(url, { env: {}, ...options });
  if (result.ok) opened.push(result.value);
  return result;
}

/** A new database with a migrated ledger, opened by its owner (the superuser). */
export async function newLedgerDatabase(cluster: PostgresCluster): Promise<{ database: string; url: string; log: PostgresEventLog }> {
  const database = await freshDatabase(cluster);
  const url = cluster.url(database);
  const log = await openLog(url, { migrate: true, appVersion: 'test' });
  return { database, url, log };
}

/** A raw client (closed after the test). */
export async function rawClient(connectionString: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString });
  client.on('error', () => undefined);
  await client.connect();
  opened.push({ close: () => client.end() });
  return client;
}

export { ok };

/** Asserts a failure with the given code (and `details.cause`, when given) and returns its error. */
export function failure<T>(result: Result<T>, code: string, cause?: string) {
  const error = engineFailure(result, code);
  if (cause !== undefined) expect(error.details?.cause, error.message).toBe(cause);
  return error;
}

/** An event the way the engine appends one (a payload object and metadata). */
export function event(type: string, data: object, extra: Partial<NewEvent> = {}): NewEvent {
  return { type, schemaVersion: 1, data, metadata: { actor: 'test', appVersion: 'test' }, ...extra };
}

export function request(streamId: string, expected: AppendRequest['expected'], ...events: NewEvent[]): AppendRequest {
  return { streamId, expected, events };
}

/** The SQLSTATE a raw query fails with (or 'none' when it succeeds). */
export async function sqlStateOf(client: pg.Client, sql: string, values: unknown[] = []): Promise<string> {
  try {
    await client.query(sql, values);
    return 'none';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}
