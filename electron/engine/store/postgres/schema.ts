/**
 * The ledger's schema on PostgreSQL and its migrations. Everything lives in one PostgreSQL
 * schema named `ledger`; `ledger.schema_version` holds one row per migration applied, and
 * `ledger.ledger_info` marks the database as an event ledger's. A database holding a newer
 * schema, or tables of another program, is refused before anything is written to it.
 *
 * The events table has the SQLite store's columns with the same meaning, and data and
 * metadata are `text`, so the stored bytes are the hashed bytes on both engines.
 *
 * Protection in the server: triggers (enabled ALWAYS, so session_replication_role cannot turn
 * them off) refuse UPDATE, DELETE and TRUNCATE on events and command records even to their
 * owner; the head only moves forward. Two group roles: a writer (SELECT and INSERT, and the
 * head's update) and an auditor (SELECT only). Desks log in as roles that are members of one.
 */
import type pg from 'pg';
import { LedgerFailure } from '#shared/errors';
import { GENESIS_HASH } from '../hash-chain';
import { IMMUTABLE_SQLSTATE, type ErrorContext } from './postgres-errors';

/** Marks a database's `ledger` schema as this program's (ledger_info key "application"). */
export const LEDGER_APPLICATION = 'event-ledger';

export type LedgerRoles = { readonly writer: string; readonly auditor: string };
export const DEFAULT_ROLES: LedgerRoles = { writer: 'ledger_writer', auditor: 'ledger_auditor' };

/** Any one number: the key of the advisory lock that lets one desk migrate at a time. */
const MIGRATION_LOCK_KEY = 0x4c444752;

/** Each entry migrates from version (index) to (index + 1). Never edit a shipped entry. */
const MIGRATIONS: ReadonlyArray<(roles: LedgerRoles) => string> = [
  (roles) => `
  CREATE TABLE ledger.schema_version (
    version     integer     PRIMARY KEY,
    applied_at  timestamptz NOT NULL DEFAULT now(),
    applied_by  text        NOT NULL
  );
  CREATE TABLE ledger.ledger_info (
    key    text PRIMARY KEY,
    value  text NOT NULL
  );
  CREATE TABLE ledger.events (
    position        bigint  PRIMARY KEY CHECK (position > 0),   -- global order: gap-free, assigned under the head lock
    event_id        text    NOT NULL UNIQUE,
    stream_id       text    NOT NULL,
    stream_version  bigint  NOT NULL CHECK (stream_version > 0), -- 1-based and gap-free per stream
    type            text    NOT NULL,
    schema_version  integer NOT NULL,
    data            text    NOT NULL,                            -- the payload exactly as hashed
    metadata        text    NOT NULL,
    recorded_at     text    NOT NULL,
    previous_hash   text    NOT NULL,
    hash            text    NOT NULL,
    UNIQUE (stream_id, stream_version)
  );
  CREATE INDEX events_by_type ON ledger.events (type, position);

  -- The log's head: the last position and its hash, one row, locked FOR UPDATE by every append.
  CREATE TABLE ledger.head (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    position  bigint  NOT NULL CHECK (position >= 0),
    hash      text    NOT NULL
  );
  INSERT INTO ledger.head (position, hash) VALUES (0, '${GENESIS_HASH}');

  -- One row per command that succeeded with a commandId: a repeat, from any desk, answers it.
  CREATE TABLE ledger.commands (
    command_id   text   PRIMARY KEY,
    fingerprint  text   NOT NULL,
    position     bigint NOT NULL,
    receipt      text   NOT NULL
  );

  CREATE FUNCTION ledger.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION 'ledger % cannot be changed by %: the log only grows', TG_TABLE_NAME, TG_OP USING ERRCODE = '${IMMUTABLE_SQLSTATE}';
  END $$;
  CREATE FUNCTION ledger.head_moves_forward() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NEW.position < OLD.position THEN
      RAISE EXCEPTION 'the ledger head cannot move back from % to %', OLD.position, NEW.position USING ERRCODE = '${IMMUTABLE_SQLSTATE}';
    END IF;
    RETURN NEW;
  END $$;
  ${['events', 'commands']
    .flatMap((table) =>
      ['UPDATE', 'DELETE', 'TRUNCATE'].map(
        (operation) => `
  CREATE TRIGGER ${table}_refuse_${operation.toLowerCase()} BEFORE ${operation} ON ledger.${table}
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_change();
  ALTER TABLE ledger.${table} ENABLE ALWAYS TRIGGER ${table}_refuse_${operation.toLowerCase()};`,
      ),
    )
    .join('')}
  CREATE TRIGGER head_refuse_delete BEFORE DELETE ON ledger.head FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_change();
  CREATE TRIGGER head_refuse_truncate BEFORE TRUNCATE ON ledger.head FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_change();
  CREATE TRIGGER head_moves_forward BEFORE UPDATE ON ledger.head FOR EACH ROW EXECUTE FUNCTION ledger.head_moves_forward();
  ALTER TABLE ledger.head ENABLE ALWAYS TRIGGER head_refuse_delete;
  ALTER TABLE ledger.head ENABLE ALWAYS TRIGGER head_refuse_truncate;
  ALTER TABLE ledger.head ENABLE ALWAYS TRIGGER head_moves_forward;

  DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${literal(roles.writer)}) THEN CREATE ROLE ${identifier(roles.writer)} NOLOGIN; END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${literal(roles.auditor)}) THEN CREATE ROLE ${identifier(roles.auditor)} NOLOGIN; END IF;
  END $$;
  REVOKE ALL ON SCHEMA ledger FROM PUBLIC;
  REVOKE ALL ON ALL TABLES IN SCHEMA ledger FROM PUBLIC;
  REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ledger FROM PUBLIC;
  GRANT USAGE ON SCHEMA ledger TO ${identifier(roles.writer)}, ${identifier(roles.auditor)};
  GRANT SELECT ON ALL TABLES IN SCHEMA ledger TO ${identifier(roles.writer)}, ${identifier(roles.auditor)};
  GRANT INSERT ON ledger.events, ledger.commands TO ${identifier(roles.writer)};
  GRANT UPDATE (position, hash) ON ledger.head TO ${identifier(roles.writer)};
  `,
];

export const LATEST_POSTGRES_SCHEMA = MIGRATIONS.length;

export type SchemaState = { readonly version: number; readonly roles: LedgerRoles };

/**
 * Brings the database's ledger schema up to LATEST_POSTGRES_SCHEMA in one transaction, under
 * an advisory lock so that two desks opening a new ledger at once do not both create it. Run
 * by the ledger's owner (it creates tables, and roles when they are missing). Throws a
 * LedgerFailure for a database of another program or from a newer version.
 */
export async function migrate(
  client: pg.ClientBase,
  context: Omit<ErrorContext, 'step'>,
  appVersion: string,
  roles: LedgerRoles = DEFAULT_ROLES,
): Promise<SchemaState> {
  validateRoleName(roles.writer);
  validateRoleName(roles.auditor);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    const state = await inspectSchema(client, context);
    if (state === undefined) await client.query('CREATE SCHEMA ledger');
    const current = state?.version ?? 0;
    const used = state?.roles ?? roles;
    for (let version = current; version < LATEST_POSTGRES_SCHEMA; version++) {
      await client.query(MIGRATIONS[version]!(used));
      await client.query('INSERT INTO ledger.schema_version (version, applied_by) VALUES ($1, $2)', [version + 1, appVersion]);
    }
    if (current === 0) {
      await client.query(
        "INSERT INTO ledger.ledger_info (key, value) VALUES ('application', $1), ('created_at', $2), ('created_by', $3), ('writer_role', $4), ('auditor_role', $5)",
        [LEDGER_APPLICATION, new Date().toISOString(), appVersion, used.writer, used.auditor],
      );
    }
    await client.query('COMMIT');
    return { version: LATEST_POSTGRES_SCHEMA, roles: used };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * The database's ledger schema as a desk that may not migrate finds it: refuses (LedgerFailure)
 * a database of another program, one without a ledger, and one older or newer than this app's.
 */
export async function requireCurrentSchema(client: pg.ClientBase, context: Omit<ErrorContext, 'step'>): Promise<SchemaState> {
  const state = await inspectSchema(client, context);
  if (state === undefined) {
    throw refusal(context, `holds no ledger yet; its owner creates it by opening it once with the right to migrate`, 'no-ledger');
  }
  if (state.version < LATEST_POSTGRES_SCHEMA) {
    throw refusal(
      context,
      `holds a ledger of schema ${state.version}; this version needs ${LATEST_POSTGRES_SCHEMA}, and only its owner can upgrade it (by opening it with the right to migrate)`,
      'older-schema',
    );
  }
  return state;
}

/**
 * The ledger schema's version and roles, or undefined for a database that has none and holds
 * nothing else. Throws for another program's tables or a newer version.
 */
async function inspectSchema(client: pg.ClientBase, context: Omit<ErrorContext, 'step'>): Promise<SchemaState | undefined> {
  const found = await client.query<{ schema: boolean; versions: boolean; info: boolean }>(
    "SELECT to_regnamespace('ledger') IS NOT NULL AS schema, to_regclass('ledger.schema_version') IS NOT NULL AS versions, " +
      "to_regclass('ledger.ledger_info') IS NOT NULL AS info",
  );
  const { schema, versions, info } = found.rows[0]!;
  if (!schema) {
    const others = await client.query<{ name: string }>(
      "SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
        "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') " +
        "AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1 LIMIT 3",
    );
    if (others.rows.length === 0) return undefined;
    throw refusal(
      context,
      `is a database of another program (it holds ${others.rows.map((row) => row.name).join(', ')}), not a ledger`,
      'foreign-database',
    );
  }
  if (!versions || !info) throw refusal(context, 'has a schema named "ledger" that is not an event ledger\'s', 'foreign-database');
  const rows = await client.query<{ key: string; value: string }>('SELECT key, value FROM ledger.ledger_info');
  const facts = new Map(rows.rows.map((row) => [row.key, row.value]));
  if (facts.get('application') !== LEDGER_APPLICATION) {
    throw refusal(context, 'has a schema named "ledger" that is not an event ledger\'s', 'foreign-database');
  }
  const version = Number(
    (await client.query<{ version: number | null }>('SELECT max(version) AS version FROM ledger.schema_version')).rows[0]!.version ?? 0,
  );
  if (version > LATEST_POSTGRES_SCHEMA) {
    throw refusal(
      context,
      `was written by a newer version of this app (schema ${version}; this version reads up to ${LATEST_POSTGRES_SCHEMA})`,
      'newer-schema',
    );
  }
  return {
    version,
    roles: { writer: facts.get('writer_role') ?? DEFAULT_ROLES.writer, auditor: facts.get('auditor_role') ?? DEFAULT_ROLES.auditor },
  };
}

function refusal(context: Omit<ErrorContext, 'step'>, problem: string, cause: string): LedgerFailure {
  return new LedgerFailure({
    code: 'STORAGE',
    message: `The database ${context.database} on ${context.display} ${problem}`,
    details: { cause },
  });
}

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function validateRoleName(name: string): void {
  if (!ROLE_NAME.test(name)) {
    throw new LedgerFailure({
      code: 'VALIDATION',
      message: `The role name "${name.slice(0, 70)}" is not a plain lower-case SQL name (letters, digits, underscores, at most 63)`,
    });
  }
}

function identifier(name: string): string {
  validateRoleName(name);
  return `"${name}"`;
}

function literal(name: string): string {
  validateRoleName(name);
  return `'${name}'`;
}
