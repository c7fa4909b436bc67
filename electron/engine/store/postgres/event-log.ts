/**
 * The event log of a shared ledger on a PostgreSQL server: one desk's pool of connections and
 * every operation on the log, each answering a typed Result (no driver error escapes).
 * It implements the store contract (store/event-log.ts) for a ledger several desks share.
 */
import type pg from 'pg';
import { succeed, type LedgerError, type Result } from '#shared/errors';
import type { CommandRecord } from '../../domain/command-records';
import type { AppendRequest, AppendResult, ReadFilter, StoredEvent } from '../event-store';
import { storedRowsOf, type AppendOutcome, type CommandRecordRequest, type EventLog, type LogHead } from '../event-log';
import { appendEvents, appendRowPages, appendRows } from './append';
import { createPool, resolveConnection, type ConnectOptions, type Connection } from './connect';
import { parseConnectionString, type PostgresTarget } from './connection-string';
import { listenForAppends, type AppendListener } from './listen';
import { translatePostgresError } from './postgres-errors';
import { findCommandRecord, readHead, readLog, readLogPages, readStream } from './reads';
import { migrate, requireCurrentSchema, type LedgerRoles, type SchemaState } from './schema';

export type OpenPostgresOptions = ConnectOptions & {
  /** Create the ledger's schema, or bring it up to date: the owner's open. Otherwise the schema must be current. */
  readonly migrate?: boolean;
  readonly appVersion?: string;
  /** The writer and auditor roles a new ledger grants (default ledger_writer and ledger_auditor). */
  readonly roles?: LedgerRoles;
};

export class PostgresEventLog implements EventLog {
  readonly engine = 'postgres';

  private constructor(
    readonly connection: Connection,
    private readonly pool: pg.Pool,
    /** The schema version and the ledger's roles as found (or made) at open. */
    readonly schema: SchemaState,
  ) {}

  /** The server as it may be shown: postgres://user@host:port/database, never a password. */
  get display(): string {
    return this.connection.context.display;
  }

  /**
   * Connects (TLS per sslmode, the server checked), then migrates or checks the schema.
   * Every refusal is typed: a string that does not parse, a server that is down, wrong
   * credentials, a missing database, a role without rights, another program's database,
   * a newer schema, synchronous_commit off.
   */
  static async open(target: string | PostgresTarget, options: OpenPostgresOptions = {}): Promise<Result<PostgresEventLog>> {
    const parsed = typeof target === 'string' ? parseConnectionString(target, options.env) : succeed(target);
    if (!parsed.ok) return parsed;
    const connection = await resolveConnection(parsed.value, options);
    if (!connection.ok) return connection;
    const pool = createPool(connection.value, options);
    const step = options.migrate ? 'migrate' : 'read';
    let client: pg.PoolClient | undefined;
    try {
      client = await pool.connect();
      const schema = options.migrate
        ? await migrate(client, connection.value.context, options.appVersion ?? 'unknown', options.roles)
        : await requireCurrentSchema(client, connection.value.context);
      client.release();
      client = undefined;
      return succeed(new PostgresEventLog(connection.value, pool, schema));
    } catch (error) {
      client?.release(error instanceof Error ? error : undefined);
      await pool.end().catch(() => undefined);
      return { ok: false, error: translatePostgresError(error, { ...connection.value.context, step }) };
    }
  }

  /** Appends atomically under the head lock; with a command record, a command id already recorded writes nothing. */
  async append(requests: readonly AppendRequest[], command?: CommandRecordRequest): Promise<Result<AppendOutcome>> {
    const outcome = await appendEvents(this.pool, this.connection.context, requests, command);
    return outcome.ok && outcome.value.kind === 'appended'
      ? succeed({ kind: 'appended', appended: storedRowsOf(outcome.value.appended) })
      : outcome;
  }

  /** Appends rows built elsewhere, byte for byte, if they continue the log exactly. */
  appendRows(rows: readonly StoredEvent[]): Promise<Result<AppendResult>> {
    return appendRows(this.pool, this.connection.context, rows);
  }

  appendRowPages(pages: () => AsyncIterable<readonly StoredEvent[]>, expectedHead: LogHead): Promise<Result<LogHead>> {
    return appendRowPages(this.pool, this.connection.context, pages, expectedHead);
  }

  readStream(streamId: string, afterVersion = 0, limit?: number): Promise<Result<StoredEvent[]>> {
    return readStream(this.pool, this.connection.context, streamId, afterVersion, limit);
  }

  readLog(filter: ReadFilter = {}): Promise<Result<StoredEvent[]>> {
    return readLog(this.pool, this.connection.context, filter);
  }

  readLogPages(fromPosition = 1, pageSize?: number): AsyncGenerator<Result<StoredEvent[]>> {
    return readLogPages(this.pool, this.connection.context, fromPosition, pageSize);
  }

  head(): Promise<Result<{ position: number; hash: string }>> {
    return readHead(this.pool, this.connection.context);
  }

  findCommandRecord(commandId: string): Promise<Result<CommandRecord | undefined>> {
    return findCommandRecord(this.pool, this.connection.context, commandId);
  }

  /** Wakes `onWake` after every append's commit, from any desk (see listen.ts). */
  listen(onWake: () => void, onLost: (error: LedgerError) => void): Promise<Result<AppendListener>> {
    return listenForAppends(this.connection, onWake, onLost);
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
