/**
 * The ledger file's schema and its migrations. A ledger file is recognised by SQLite's
 * application_id; its schema version is PRAGMA user_version. Files that are not ledgers,
 * or were written by a newer version, are refused before anything is written to them.
 */
import type Database from 'better-sqlite3';
import { buildStoredTree } from '../history/tree-upkeep';

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
  // 1 → 2: the Merkle tree over the log (RFC 9162) and the seals that sign its heads, both
  // BESIDE the events table: neither is an event, so storing them never grows the tree.
  // The tree of the events already there is built right after, in the same transaction (see AFTER).
  `
  -- The roots of the tree's perfect subtrees of at least 16 leaves: node (level, node_index)
  -- covers leaves [node_index·2^level, (node_index+1)·2^level), leaf i being the line of the
  -- event at position i + 1. Written in the transaction that appends the subtree's last leaf.
  CREATE TABLE tree_nodes (
    level       INTEGER NOT NULL CHECK (level BETWEEN 4 AND 62),
    node_index  INTEGER NOT NULL CHECK (node_index >= 0),
    hash        BLOB    NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, node_index)
  ) STRICT, WITHOUT ROWID;
  CREATE TRIGGER tree_nodes_refuse_update BEFORE UPDATE ON tree_nodes
    BEGIN SELECT RAISE(ABORT, 'ledger tree nodes are immutable'); END;
  CREATE TRIGGER tree_nodes_refuse_delete BEFORE DELETE ON tree_nodes
    BEGIN SELECT RAISE(ABORT, 'ledger tree nodes are immutable'); END;

  -- Signed tree heads, each the exact JSON text that was signed and stored (an export carries
  -- it byte for byte). One seal per tree size and key: sealing a sealed head again answers it.
  CREATE TABLE seals (
    seal_number  INTEGER PRIMARY KEY,
    tree_size    INTEGER NOT NULL CHECK (tree_size >= 0),
    public_key   TEXT    NOT NULL,
    seal         TEXT    NOT NULL,
    UNIQUE (tree_size, public_key)
  ) STRICT;
  CREATE TRIGGER seals_refuse_update BEFORE UPDATE ON seals
    BEGIN SELECT RAISE(ABORT, 'ledger seals are immutable'); END;
  CREATE TRIGGER seals_refuse_delete BEFORE DELETE ON seals
    BEGIN SELECT RAISE(ABORT, 'ledger seals are immutable'); END;
  `,
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

/** What a migration computes from the data once its SQL has run, by the schema version it leads to. */
const AFTER: Readonly<Record<number, (db: Database.Database) => void>> = {
  // A log written before the tree gets its tree, streamed from its events (one pass, bounded memory).
  2: buildStoredTree,
};

/** Brings an open, writable ledger up to LATEST_SCHEMA_VERSION inside one immediate transaction. */
export function migrate(db: Database.Database, appVersion: string): void {
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    for (let version = current; version < LATEST_SCHEMA_VERSION; version++) {
      db.exec(MIGRATIONS[version]!);
      AFTER[version + 1]?.(db);
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
