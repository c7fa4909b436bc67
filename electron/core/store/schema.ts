/**
 * The ledger file's schema and its migrations. A ledger file is recognised by SQLite's
 * application_id; its schema version is PRAGMA user_version. Files that are not ledgers,
 * or were written by a newer version, are refused before anything is written to them.
 */
import type Database from 'better-sqlite3';

/** "LDGR" in ASCII: marks a SQLite file as one of ours. */
export const LEDGER_APPLICATION_ID = 0x4c444752;

/** Each entry migrates from schema version (index) to (index + 1). Never edit a shipped entry. */
const MIGRATIONS: readonly string[] = [
  // 0 → 1: the append-only event log, the idempotency table and file facts.
  `
  CREATE TABLE events (
    position        INTEGER PRIMARY KEY,   -- global order: gap-free, assigned inside the write transaction
    event_id        TEXT    NOT NULL UNIQUE,
    stream_id       TEXT    NOT NULL,
    stream_version  INTEGER NOT NULL,      -- 1-based and gap-free per stream
    type            TEXT    NOT NULL,
    schema_version  INTEGER NOT NULL,
    data            TEXT    NOT NULL,      -- the payload exactly as hashed
    metadata        TEXT    NOT NULL,
    recorded_at     TEXT    NOT NULL,
    previous_hash   TEXT    NOT NULL,
    hash            TEXT    NOT NULL,
    UNIQUE (stream_id, stream_version)
  ) STRICT;
  CREATE INDEX events_by_type ON events (type, position);

  -- Immutability: the log only grows. Tampering therefore needs the triggers dropped,
  -- and the hash chain plus the head checkpoint catch what happens then.
  CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'ledger events are immutable'); END;
  CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'ledger events are immutable'); END;

  -- One row per command that succeeded with a commandId: a repeat answers this result.
  CREATE TABLE commands (
    command_id   TEXT    PRIMARY KEY,
    fingerprint  TEXT    NOT NULL,
    position     INTEGER NOT NULL,
    receipt      TEXT    NOT NULL
  ) STRICT;

  CREATE TABLE ledger_info (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
  ) STRICT;
  `,
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

/** Brings an open, writable ledger up to LATEST_SCHEMA_VERSION inside one immediate transaction. */
export function migrate(db: Database.Database, appVersion: string): void {
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    for (let version = current; version < LATEST_SCHEMA_VERSION; version++) {
      db.exec(MIGRATIONS[version]!);
    }
    if (current === 0) {
      db.pragma(`application_id = ${LEDGER_APPLICATION_ID}`);
      db.prepare('INSERT INTO ledger_info (key, value) VALUES (?, ?), (?, ?)').run(
        'created_at',
        new Date().toISOString(),
        'created_by',
        appVersion,
      );
    }
    if (current !== LATEST_SCHEMA_VERSION) db.pragma(`user_version = ${LATEST_SCHEMA_VERSION}`);
  }).immediate();
}
