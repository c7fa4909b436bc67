/**
 * Shared tools of the reliability tests: scratch folders, byte-for-byte file fingerprints,
 * the `ledger` CLI as a child process, a model of balances from the commands in the log,
 * and the figures file the README quotes (test-results/reliability/latest.json, ignored by git).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { ERROR_CODES } from '#shared/errors';

export const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Ignored by git: a test run never changes a tracked file. */
const RESULTS_FILE = join(REPOSITORY_ROOT, 'test-results/reliability/latest.json');
const RESULTS_LOCK = `${RESULTS_FILE}.lock`;

/** A fresh scratch folder; remove it with `removeFolder` (chmod'ed files included). */
export function scratchFolder(label: string): string {
  return mkdtempSync(join(tmpdir(), `ledger-reliability-${label}-`));
}

export function removeFolder(folder: string): void {
  rmSync(folder, { recursive: true, force: true });
}

/**
 * What a careful forger with file access does: opens the ledger raw, drops the immutability
 * triggers, runs `edit`, and puts the triggers back exactly as they were, all in one
 * transaction. Only a walk of the hash chain can tell.
 */
export function forge(path: string, edit: (db: Database.Database) => void): void {
  const db = new Database(path);
  try {
    const triggers = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'").pluck().all() as string[];
    if (triggers.length === 0) throw new Error(`${path} has no triggers on its events table: not a ledger file`);
    db.transaction(() => {
      db.exec('DROP TRIGGER IF EXISTS events_refuse_update; DROP TRIGGER IF EXISTS events_refuse_delete;');
      edit(db);
      for (const sql of triggers) db.exec(sql);
    })();
  } finally {
    db.close();
  }
}

/** Forges the amount (minor units) of the event at `position`, its hash left as it was. */
export function forgeAmount(path: string, position: number, amountMinor: number): void {
  forge(path, (db) => {
    const data = JSON.parse(db.prepare('SELECT data FROM events WHERE position = ?').pluck().get(position) as string) as Record<
      string,
      unknown
    >;
    db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify({ ...data, amountMinor }), position);
  });
}

/** SHA-256 of a file's bytes, or "absent". */
export function fileHash(path: string): string {
  if (!existsSync(path)) return 'absent';
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Fingerprint of a ledger and everything SQLite or the engine keeps beside it: the file,
 * its -wal, -shm and -journal, and the head checkpoint. Equal fingerprints = nothing written.
 * (-shm is SQLite's shared-memory index, rewritten by readers too, so it is listed but only
 * as present/absent.)
 */
export function ledgerFingerprint(path: string): Record<string, string> {
  return {
    file: fileHash(path),
    wal: fileHash(`${path}-wal`),
    shm: existsSync(`${path}-shm`) ? 'present' : 'absent',
    journal: fileHash(`${path}-journal`),
    head: fileHash(`${path}.head.json`),
  };
}

/** Names of the files in a folder, sorted: "nothing appeared next to it". */
export function folderListing(folder: string): string[] {
  return readdirSync(folder).sort();
}

/** Copies everything of the write-ahead log into the main file so its bytes are final. */
export function checkpointFile(path: string): void {
  const db = new Database(path);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

export const KNOWN_ERROR_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** A failure is "typed" when its code is one of ERROR_CODES and its message is plain text without raw SQLite jargon. */
export function isTypedFailure(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const envelope = value as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
  return (
    envelope.ok === false &&
    typeof envelope.error?.code === 'string' &&
    KNOWN_ERROR_CODES.has(envelope.error.code) &&
    typeof envelope.error.message === 'string' &&
    envelope.error.message.length > 0 &&
    !/SQLITE_|sqlite3?_/.test(envelope.error.message)
  );
}

// ── The CLI as a child process ─────────────────────────────────────────────────────────

export { runCli, spawnCli, type CliRun } from '../engine/cli-process';

/** Splits a stream into complete lines; a trailing partial line (cut off by a kill) is never delivered. */
export function onCompleteLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    rest += chunk;
    let newline: number;
    while ((newline = rest.indexOf('\n')) >= 0) {
      onLine(rest.slice(0, newline));
      rest = rest.slice(newline + 1);
    }
  });
}

// ── A model of balances from commands ──────────────────────────────────────────────────

/** The commands the reliability tests send (all in EUR, amounts as text with two decimals). */
export type ModelCommand =
  | {
      readonly command: 'open';
      readonly account: string;
      readonly owner: string;
      readonly currency: 'EUR';
      readonly initial: string;
      readonly commandId: string;
    }
  | {
      readonly command: 'deposit' | 'withdraw';
      readonly account: string;
      readonly amount: string;
      readonly commandId: string;
      readonly expectedVersion?: number;
    }
  | { readonly command: 'transfer'; readonly from: string; readonly to: string; readonly amount: string; readonly commandId: string };

export function toMinor(amount: string): number {
  const [whole, fraction = ''] = amount.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

export function eventCountOf(command: ModelCommand): number {
  return command.command === 'transfer' ? 2 : 1;
}

/**
 * Applies one command that the ledger ACCEPTED to the model. Throws when the model says it
 * should have been refused: a ledger that accepts it has let something slip in.
 */
export function applyToModel(balances: Map<string, number>, command: ModelCommand): void {
  const balanceOf = (account: string) => {
    const balance = balances.get(account);
    if (balance === undefined) throw new Error(`model: ${command.commandId} touches unknown account ${account}`);
    return balance;
  };
  switch (command.command) {
    case 'open':
      if (balances.has(command.account)) throw new Error(`model: ${command.account} opened twice`);
      balances.set(command.account, toMinor(command.initial));
      return;
    case 'deposit':
      balances.set(command.account, balanceOf(command.account) + toMinor(command.amount));
      return;
    case 'withdraw': {
      const after = balanceOf(command.account) - toMinor(command.amount);
      if (after < 0) throw new Error(`model: ${command.commandId} overdrew ${command.account} to ${after}`);
      balances.set(command.account, after);
      return;
    }
    case 'transfer': {
      const after = balanceOf(command.from) - toMinor(command.amount);
      if (after < 0) throw new Error(`model: ${command.commandId} overdrew ${command.from} to ${after}`);
      balances.set(command.from, after);
      balances.set(command.to, balanceOf(command.to) + toMinor(command.amount));
      return;
    }
  }
}

/** The account a receipt's `balanceMinor` is about. */
export function primaryAccountOf(command: ModelCommand): string {
  return command.command === 'transfer' ? command.from : command.account;
}

/** Random whole-cent amount text between min and max cents. */
export function randomAmount(random: () => number, minCents: number, maxCents: number): string {
  const cents = minCents + Math.floor(random() * (maxCents - minCents + 1));
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** The bench's seeded generator (mulberry32), so a failing run can be replayed from its seed. */
export { seededRandom } from '../../bench/workload';

// ── Reading the log straight from the file ─────────────────────────────────────────────

export type LogRow = {
  readonly position: number;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
};

/** Every event, in position order, through a separate read-only connection. */
export function readLog(path: string): LogRow[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        'SELECT position, stream_id AS streamId, stream_version AS streamVersion, type, data, metadata FROM events ORDER BY position',
      )
      .all() as Array<{ position: number; streamId: string; streamVersion: number; type: string; data: string; metadata: string }>;
    return rows.map((row) => ({
      ...row,
      data: JSON.parse(row.data) as Record<string, unknown>,
      metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    }));
  } finally {
    db.close();
  }
}

/** Positions 1..N without a gap, and every stream's versions 1..n without a gap; returns the problems found. */
export function sequenceProblems(log: readonly LogRow[]): string[] {
  const problems: string[] = [];
  log.forEach((row, index) => {
    if (row.position !== index + 1) problems.push(`position ${index + 1} holds ${row.position}`);
  });
  const versions = new Map<string, number>();
  for (const row of log) {
    const expected = (versions.get(row.streamId) ?? 0) + 1;
    if (row.streamVersion !== expected) problems.push(`${row.streamId} version ${row.streamVersion} where ${expected} was due`);
    versions.set(row.streamId, row.streamVersion);
  }
  return problems;
}

// ── Figures for the README ─────────────────────────────────────────────────────────────

/**
 * Records one test's figures under its name in results/latest.json. Test files run in
 * parallel workers, so the read-modify-write holds a lock (an exclusive mkdir) and the new
 * file replaces the old one by rename.
 */
export async function recordFigures(name: string, figures: Record<string, number | string | boolean>): Promise<void> {
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(RESULTS_LOCK);
      break;
    } catch {
      if (attempt > 200) rmSync(RESULTS_LOCK, { recursive: true, force: true }); // a stale lock of a killed run
      await new Promise((resolveDelay) => setTimeout(resolveDelay, 25));
    }
  }
  try {
    let all: Record<string, unknown> = {};
    try {
      all = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Record<string, unknown>;
    } catch {
      // First run, or a damaged file: start over.
    }
    all[name] = { ...figures, recordedAt: new Date().toISOString() };
    const sorted = Object.fromEntries(Object.entries(all).sort(([a], [b]) => a.localeCompare(b)));
    const temporary = `${RESULTS_FILE}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(sorted, null, 2)}\n`);
    renameSync(temporary, RESULTS_FILE);
  } finally {
    rmSync(RESULTS_LOCK, { recursive: true, force: true });
  }
}

/** 1930 → "1,930". */
export function count(value: number): string {
  return value.toLocaleString('en-US');
}
