/**
 * Connecting to a ledger server: the node-postgres settings a target stands for (TLS as libpq's
 * sslmode defines it, the password from the string, PGPASSWORD or the password file), a pool
 * for one desk, and the checks every connection passes before it is used.
 *
 * sslmode as libpq defines it (node-postgres alone treats "prefer" and "require" as
 * "verify-full" and never falls back):
 * - disable: plain; allow: plain, then TLS if the server refuses plain;
 * - prefer (the default): TLS without verification, then plain if the server has no TLS;
 * - require: TLS without verification (verify-ca when a root certificate is given);
 * - verify-ca: TLS, the chain checked against the root certificate, not the host name;
 * - verify-full: TLS, the chain and the host name checked.
 * The root certificate is sslrootcert, else ~/.postgresql/root.crt; "system" takes the
 * operating system's trusted authorities.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { fail, succeed, type Result } from '#shared/errors';
import type { Environment, PostgresTarget } from './connection-string';
import { passwordFromFile } from './password-file';
import { NoPasswordGiven, translatePostgresError, type ErrorContext } from './postgres-errors';

export type ConnectOptions = {
  /** Connections this desk keeps open at most (default 4). */
  readonly maxConnections?: number;
  /** How long an append waits for another desk's head lock before its try fails (default 5 s). */
  readonly lockTimeoutMs?: number;
  /** Used when the target names no connect_timeout (default 10 s; libpq waits forever). */
  readonly connectTimeoutMs?: number;
  readonly applicationName?: string;
  readonly env?: Environment;
};

const DEFAULT_LOCK_TIMEOUT_MS = 5_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const INT8_OID = 20;

/**
 * bigint columns (positions, stream versions, counts) as JavaScript numbers, for this store's
 * connections only (pg's global parsers are left alone). A value past 2^53 cannot be a
 * position this ledger wrote: it reads as NaN, which every check downstream refuses.
 */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID) {
      return (text: string) => {
        const value = Number(text);
        return Number.isSafeInteger(value) ? value : Number.NaN;
      };
    }
    return format === undefined ? pg.types.getTypeParser(oid) : pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** A pool's settings once its TLS choice is made, and the context every error is told in. */
export type Connection = {
  readonly config: pg.ClientConfig;
  readonly context: Omit<ErrorContext, 'step'>;
};

/**
 * Connects once with each TLS choice sslmode allows, in libpq's order, and answers the
 * settings of the first that works, after checking the server (see checkServer).
 */
export async function resolveConnection(target: PostgresTarget, options: ConnectOptions = {}): Promise<Result<Connection>> {
  const context = { display: target.display, user: target.user, database: target.database };
  const choices = tlsChoices(target);
  if (!choices.ok) return choices;
  let lastError: unknown;
  for (const [index, ssl] of choices.value.entries()) {
    const config = clientConfig(target, ssl, options);
    const client = new pg.Client(config);
    client.on('error', () => undefined); // surfaced through the call that failed
    try {
      await client.connect();
      const checked = await checkServer(client, context);
      if (!checked.ok) return checked;
      return succeed({ config, context });
    } catch (error) {
      lastError = error;
      const last = index === choices.value.length - 1;
      if (last || !fallsBack(target.sslMode, error))
        return { ok: false, error: translatePostgresError(error, { ...context, step: 'connect' }) };
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return { ok: false, error: translatePostgresError(lastError, { ...context, step: 'connect' }) };
}

/**
 * What the ledger needs of every server: UTF8 text (the stored bytes are the hashed bytes) and
 * synchronous_commit not off (a result is reported only once its commit is durable).
 * synchronous_commit is read again inside every append (append.ts), since a role or database
 * setting can change after this check.
 */
export async function checkServer(client: pg.ClientBase, context: Omit<ErrorContext, 'step'>): Promise<Result<void>> {
  const settings = await client.query<{ encoding: string; synchronous_commit: string; version: number }>(
    "SELECT current_setting('server_encoding') AS encoding, current_setting('synchronous_commit') AS synchronous_commit, " +
      "current_setting('server_version_num')::int AS version",
  );
  const row = settings.rows[0]!;
  if (row.encoding !== 'UTF8') {
    return fail(
      'STORAGE',
      `The database ${context.database} on ${context.display} stores text as ${row.encoding}; a ledger needs a UTF8 database`,
      {
        cause: 'encoding',
      },
    );
  }
  if (row.version < 120_000) {
    return fail(
      'STORAGE',
      `${context.display} runs PostgreSQL ${Math.floor(row.version / 10_000)}; a ledger needs PostgreSQL 12 or later`,
      {
        cause: 'server-version',
      },
    );
  }
  return synchronousCommitRefusal(row.synchronous_commit, context) ?? succeed(undefined);
}

/** The refusal of a connection whose commits are not durable when reported, or undefined. */
export function synchronousCommitRefusal(setting: string, context: Omit<ErrorContext, 'step'>): Result<never> | undefined {
  if (setting !== 'off') return undefined;
  return fail(
    'STORAGE',
    `${context.display} runs with synchronous_commit=off, so a command could be reported recorded and then lost; ` +
      `the ledger refuses it: set synchronous_commit=on for the database (ALTER DATABASE ${context.database} SET synchronous_commit = on)`,
    { cause: 'synchronous-commit-off' },
  );
}

/** A pool for one desk. Clients that fail while idle or in use are dropped, never crash the process. */
export function createPool(connection: Connection, options: ConnectOptions = {}): pg.Pool {
  const pool = new pg.Pool({ ...connection.config, max: options.maxConnections ?? 4 });
  pool.on('error', () => undefined); // an idle client's failure: the pool has already dropped it
  pool.on('connect', (client) => client.on('error', () => undefined)); // surfaced through the query that failed
  return pool;
}

export function clientConfig(target: PostgresTarget, ssl: false | ConnectionOptions, options: ConnectOptions): pg.ClientConfig {
  const env = options.env ?? process.env;
  const given = target.password();
  return {
    host: target.host,
    port: target.port,
    database: target.database,
    user: target.user,
    // A function, so the password is asked for only when the server wants one, and so node-postgres
    // never falls back to its own (deprecated) password file reading.
    password: async () => {
      const password = given ?? passwordFromFile(target, env);
      if (password === undefined) throw new NoPasswordGiven();
      return password;
    },
    ssl,
    types: TYPES,
    application_name: target.applicationName ?? options.applicationName ?? 'event-ledger',
    lock_timeout: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
    connectionTimeoutMillis:
      target.connectTimeoutSeconds === undefined
        ? (options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS)
        : target.connectTimeoutSeconds * 1000,
    keepAlive: true,
  };
}

/** The TLS settings to try, in order, for the target's sslmode. */
export function tlsChoices(target: PostgresTarget): Result<Array<false | ConnectionOptions>> {
  const files = certificateFiles(target);
  if (!files.ok) return files;
  const { ca, cert, key } = files.value;
  const client = { ...(cert === undefined ? {} : { cert }), ...(key === undefined ? {} : { key }) };
  const unverified: ConnectionOptions = { ...client, rejectUnauthorized: false };
  const chainOnly: ConnectionOptions = { ...client, ...(ca === 'system' ? {} : { ca }), checkServerIdentity: () => undefined };
  const full: ConnectionOptions = { ...client, ...(ca === 'system' ? {} : { ca }) };
  const needsRoot = (mode: string) =>
    fail(
      'VALIDATION',
      `sslmode=${mode} needs a root certificate: give sslrootcert=FILE (or sslrootcert=system), or put it in ~/.postgresql/root.crt`,
      {
        cause: 'tls',
      },
    );
  switch (target.sslMode) {
    case 'disable':
      return succeed([false]);
    case 'allow':
      return succeed([false, unverified]);
    case 'prefer':
      return succeed([unverified, false]);
    case 'require':
      return succeed([ca === undefined ? unverified : chainOnly]);
    case 'verify-ca':
      return ca === undefined ? needsRoot('verify-ca') : succeed([chainOnly]);
    case 'verify-full':
      return ca === undefined ? needsRoot('verify-full') : succeed([full]);
  }
}

/** Whether libpq would try the next TLS choice after this failure. */
function fallsBack(mode: PostgresTarget['sslMode'], error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  if (mode === 'prefer') return /does not support SSL/i.test(message);
  if (mode === 'allow') return (error as { code?: unknown }).code === '28000';
  return false;
}

type CertificateFiles = { readonly ca: string | 'system' | undefined; readonly cert: string | undefined; readonly key: string | undefined };

function certificateFiles(target: PostgresTarget): Result<CertificateFiles> {
  const home = (() => {
    try {
      return homedir();
    } catch {
      return undefined;
    }
  })();
  const defaultRoot = home === undefined ? undefined : join(home, '.postgresql', 'root.crt');
  const rootPath =
    target.sslRootCert ?? (defaultRoot !== undefined && existsSync(defaultRoot) && target.sslMode !== 'disable' ? defaultRoot : undefined);
  const read = (path: string | undefined, what: string): Result<string | undefined> => {
    if (path === undefined) return succeed(undefined);
    try {
      return succeed(readFileSync(path, 'utf8'));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return fail('VALIDATION', `The ${what} ${path} cannot be read (${typeof code === 'string' ? code : 'unreadable'})`, { cause: 'tls' });
    }
  };
  const ca = rootPath === 'system' ? succeed('system' as const) : read(rootPath, 'root certificate file');
  if (!ca.ok) return ca;
  const cert = read(target.sslCert, 'client certificate file');
  if (!cert.ok) return cert;
  const key = read(target.sslKey, 'client key file');
  if (!key.ok) return key;
  return succeed({ ca: ca.value, cert: cert.value, key: key.value });
}
