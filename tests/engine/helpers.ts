/**
 * Test helpers for the engine: real ledger files in fresh temp folders (no mocked store),
 * removed after each test, plus a raw second connection for tampering.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect } from 'vitest';
import type { Result } from '#shared/errors';
import { createHandlers, type HandlerTable } from '#engine/handlers';
import { Ledger, type LedgerOptions } from '#engine/ledger';
import type { AccountsProjection } from '#engine/projection/accounts-projection';
import type { EventStore } from '#engine/store/event-store';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Fixtures copied into the repository: tests never read outside it. */
export const fixturesFolder = resolve(repoRoot, 'tests/fixtures');

const folders: string[] = [];
const ledgers: Ledger[] = [];

afterEach(() => {
  for (const ledger of ledgers.splice(0)) {
    try {
      ledger.close();
    } catch {
      // already closed by the test
    }
  }
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A fresh temp folder, deleted after the test. */
export function tempFolder(prefix = 'ledger-test-'): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  folders.push(folder);
  return folder;
}

/** A path for a new ledger file in a fresh temp folder. */
export function tempLedgerPath(name = 'ledger.db'): string {
  return join(tempFolder(), name);
}

/** Opens a ledger (closed after the test); fails the test if it cannot be opened. */
export function openLedger(path: string, options: Partial<LedgerOptions> = {}): Ledger {
  const opened = Ledger.open({ path, actor: 'test', ...options });
  if (!opened.ok) throw new Error(`Could not open ${path}: ${opened.error.code} ${opened.error.message}`);
  ledgers.push(opened.value);
  return opened.value;
}

/** A new ledger in a fresh temp folder, its handler table (the validated entry point) and a reopen helper. */
export function newLedger(options: Partial<LedgerOptions> = {}) {
  const path = tempLedgerPath();
  const ledger = openLedger(path, options);
  return { path, ledger, api: createHandlers(() => ledger) };
}

export function handlersFor(ledger: Ledger): HandlerTable {
  return createHandlers(() => ledger);
}

/** Unwraps a success, failing with the error otherwise. */
export function ok<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`Expected success, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** Asserts a failure with the given code and returns its error. */
export function failure<T>(result: Result<T>, code: string) {
  expect(result.ok, result.ok ? `expected ${code}, got success ${JSON.stringify(result.value)}` : '').toBe(false);
  if (result.ok) throw new Error('unreachable');
  expect(result.error.code, result.error.message).toBe(code);
  return result.error;
}

/**
 * A raw second connection to a ledger file with the immutability triggers dropped: what an
 * attacker with file access could do. The caller's changes are committed on return.
 */
export function tamper(path: string, work: (db: Database.Database) => void): void {
  const db = new Database(path);
  try {
    db.exec('DROP TRIGGER IF EXISTS events_refuse_update; DROP TRIGGER IF EXISTS events_refuse_delete;');
    db.transaction(() => work(db))();
  } finally {
    db.close();
  }
}

/**
 * The ledger's own event store and projection, for the tests of those parts that check them
 * against the ledger's (the replay thread, rebuilds, restores). Reaches past `private` on purpose.
 */
export function storeOf(ledger: Ledger): EventStore {
  // Bracket access reaches a private member: only tests do.
  return ledger['store'];
}

export function projectionOf(ledger: Ledger): AccountsProjection {
  // Bracket access reaches a private member: only tests do.
  return ledger['projection'];
}

/**
 * The ledger's own connection, for the few tests that must act on it and not on the file: its
 * settings, its write lock, its transaction state. Reaches past `private` on purpose.
 */
export function connectionOf(ledger: Ledger): Database.Database {
  return storeOf(ledger).db;
}

/** Reads a ledger file on a read-only connection of its own (the ledger's connection is private to it). */
export function readLedgerFile<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** A raw second connection to a ledger file (triggers left in place); changes committed on return. */
export function withConnection(path: string, work: (db: Database.Database) => void): void {
  const db = new Database(path);
  try {
    db.transaction(() => work(db))();
  } finally {
    db.close();
  }
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function sideFiles(path: string): string[] {
  return ['-wal', '-shm', '-journal'].filter((suffix) => existsSync(`${path}${suffix}`));
}

export function listFolder(folder: string): string[] {
  return readdirSync(folder).sort();
}

/** Total of an account's balance in minor units as the projection sees it. */
export function balanceOf(ledger: Ledger, account: string): number {
  return ok(ledger.getAccount(account)).balanceMinor;
}
