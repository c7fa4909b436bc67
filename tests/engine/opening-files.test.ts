/**
 * Opening ledger files: durable settings on every open, and refusals (not a ledger, another
 * program's database, a newer schema, a missing folder) that name the file and leave it
 * byte-for-byte untouched, without creating -wal/-shm side files.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ledger } from '#engine/ledger';
import { LATEST_SCHEMA_VERSION, LEDGER_APPLICATION_ID } from '#engine/store/schema';
import { connectionOf, listFolder, ok, openLedger, readLedgerFile, sha256File, sideFiles, tempFolder, tempLedgerPath } from './helpers';

/** Opens `path` expecting a STORAGE refusal that names the file and changes nothing on disk. */
function expectUntouchedRefusal(path: string, messagePattern: RegExp) {
  const folder = join(path, '..');
  const hashBefore = sha256File(path);
  const filesBefore = listFolder(folder);
  const opened = Ledger.open({ path, actor: 'test' });
  if (opened.ok) opened.value.close();
  expect(opened.ok).toBe(false);
  if (opened.ok) return;
  expect(opened.error.code).toBe('STORAGE');
  expect(opened.error.message).toContain(path);
  expect(opened.error.message).toMatch(messagePattern);
  expect(sha256File(path)).toBe(hashBefore);
  expect(sideFiles(path)).toEqual([]);
  expect(listFolder(folder)).toEqual(filesBefore);
}

describe('settings on every open', () => {
  it('a reopened file is in WAL mode with synchronous=FULL, a busy timeout and the ledger schema', () => {
    const path = tempLedgerPath();
    const first = openLedger(path);
    ok(first.execute({ name: 'open', input: { account: 'a', owner: 'A', currency: 'EUR' } }));
    first.close();

    // A raw connection shows the defaults a fresh connection would otherwise get.
    const raw = new Database(path);
    expect(raw.pragma('synchronous', { simple: true })).not.toBe(2);
    raw.close();

    const reopened = openLedger(path);
    const db = connectionOf(reopened);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(db.pragma('application_id', { simple: true })).toBe(LEDGER_APPLICATION_ID);
    expect(reopened.listAccounts().map((account) => account.id)).toEqual(['a']);
  });

  it('honours a custom busy timeout', () => {
    const ledger = openLedger(tempLedgerPath(), { busyTimeoutMs: 1234 });
    expect(connectionOf(ledger).pragma('busy_timeout', { simple: true })).toBe(1234);
  });
});

describe('read-only opening', () => {
  it('reads the views, refuses every command with INTEGRITY and leaves the file unchanged', () => {
    const path = tempLedgerPath();
    const writer = openLedger(path);
    ok(writer.execute({ name: 'open', input: { account: 'a', owner: 'A', currency: 'EUR', initial: '3' } }));
    writer.close();
    const hashBefore = sha256File(path);
    const reader = openLedger(path, { readOnly: true });
    expect(reader.listAccounts().map((view) => [view.id, view.balanceMinor])).toEqual([['a', 300]]);
    expect(reader.info()).toMatchObject({ readOnly: true });
    expect(reader.execute({ name: 'deposit', input: { account: 'a', amount: '1' } })).toMatchObject({
      ok: false,
      error: { code: 'INTEGRITY' },
    });
    reader.close();
    expect(sha256File(path)).toBe(hashBefore);
  });

  it('a missing file is refused rather than created', () => {
    const folder = tempFolder();
    const opened = Ledger.open({ path: join(folder, 'absent.db'), readOnly: true });
    expect(opened).toMatchObject({ ok: false, error: { code: 'STORAGE', message: expect.stringMatching(/absent\.db does not exist/) } });
    expect(listFolder(folder)).toEqual([]);
  });
});

describe('refusals leave the file untouched', () => {
  it('random bytes are not a ledger', () => {
    const path = join(tempFolder(), 'noise.db');
    writeFileSync(path, randomBytes(8192));
    expectUntouchedRefusal(path, /not a ledger/);
  });

  it('a text file is not a ledger', () => {
    const path = join(tempFolder(), 'notes.db');
    writeFileSync(path, 'Dear diary,\n'.repeat(500));
    expectUntouchedRefusal(path, /not a ledger/);
  });

  it("another program's SQLite database is refused", () => {
    const path = join(tempFolder(), 'other.sqlite');
    const other = new Database(path);
    other.exec("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ada');");
    other.close();
    expectUntouchedRefusal(path, /another program/);
  });

  it("another program's SQLite database in WAL mode is refused without creating side files", () => {
    const path = join(tempFolder(), 'other-wal.sqlite');
    const other = new Database(path);
    other.pragma('journal_mode = WAL');
    other.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hello');");
    other.close();
    expect(sideFiles(path)).toEqual([]);
    expectUntouchedRefusal(path, /another program/);
  });

  it('a ledger written by a newer version (higher user_version) is refused without creating side files', () => {
    const path = tempLedgerPath();
    const ledger = openLedger(path);
    ok(ledger.execute({ name: 'open', input: { account: 'a', owner: 'A', currency: 'EUR', initial: '1.00' } }));
    ledger.close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    raw.close();
    expect(sideFiles(path)).toEqual([]);
    expectUntouchedRefusal(path, /newer version/);
  });

  it('a missing folder gives a clear STORAGE error and creates nothing', () => {
    const folder = tempFolder();
    const path = join(folder, 'no-such-folder', 'ledger.db');
    const opened = Ledger.open({ path, actor: 'test' });
    expect(opened.ok).toBe(false);
    if (opened.ok) return;
    expect(opened.error.code).toBe('STORAGE');
    expect(opened.error.message).toContain(path);
    expect(opened.error.message).toMatch(/folder .*no-such-folder.* does not exist/);
    expect(listFolder(folder)).toEqual([]);
  });

  it('an empty (0-byte) file is refused, not adopted: a new ledger is never empty under its own name', () => {
    const folder = tempFolder();
    const path = join(folder, 'empty.db');
    writeFileSync(path, '');
    const opened = Ledger.open({ path, actor: 'test' });
    expect(opened).toMatchObject({ ok: false, error: { code: 'STORAGE', message: `The file ${path} is empty, not a ledger` } });
    expect(listFolder(folder)).toEqual(['empty.db']);
    expect(readFileSync(path).length).toBe(0);
  });

  it('a ledger that does not exist yet is created stamped, with nothing left beside it but its own files', () => {
    const folder = tempFolder();
    const path = join(folder, 'new.db');
    const ledger = openLedger(path);
    expect(readLedgerFile(path, (db) => db.pragma('application_id', { simple: true }))).toBe(LEDGER_APPLICATION_ID);
    expect(ledger.listAccounts()).toEqual([]);
    expect(listFolder(folder).filter((name) => name.startsWith('.'))).toEqual([]);
  });
});
