/**
 * Issue 6, item 4 — tampering. Someone with the file edits it behind the app's back: with the
 * immutability triggers dropped they edit a payload, delete an event, swap two, insert a
 * forged one, or cut off the tail. Each must be caught naming the first bad position — by
 * `verify` (engine and CLI) — and the tampered ledger must open read-only with a clear reason
 * (the banner's text), refuse every command with INTEGRITY, and never be written to.
 *
 * The cut-off tail leaves a valid, shorter chain: only the head checkpoint kept OUTSIDE the
 * events table (`<ledger>.head.json`, advanced after each commit) can reveal it.
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, dispatch } from '#engine/handlers';
import { Ledger } from '#engine/ledger';
import { hashEvent, type HashedFields } from '#engine/store/hash-chain';
import { checkpointPathFor } from '#engine/store/head-checkpoint';
import { forge, isTypedFailure, ledgerFingerprint, recordFigures, removeFolder, runCli, scratchFolder } from './helpers';

type Row = HashedFields & { previousHash: string; hash: string };

let folder: string;
let pristine: string;
/** Number of events in the pristine ledger. */
let total = 0;

const SELECT_ROW =
  'SELECT position, event_id AS eventId, stream_id AS streamId, stream_version AS streamVersion, type, schema_version AS schemaVersion, ' +
  'data, metadata, recorded_at AS recordedAt, previous_hash AS previousHash, hash FROM events WHERE position = ?';
const INSERT_ROW =
  'INSERT INTO events (position, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, previous_hash, hash) ' +
  'VALUES (@position, @eventId, @streamId, @streamVersion, @type, @schemaVersion, @data, @metadata, @recordedAt, @previousHash, @hash)';

function rowAt(db: Database.Database, position: number): Row {
  return db.prepare(SELECT_ROW).get(position) as Row;
}

/** Moves rows at `from` and after up by one, freeing `from` (via negative positions: the key is unique). */
function makeRoomAt(db: Database.Database, from: number): void {
  db.prepare('UPDATE events SET position = -position WHERE position >= ?').run(from);
  db.prepare('UPDATE events SET position = -position + 1 WHERE position < 0').run();
}

function forgedDeposit(db: Database.Database, position: number, previousHash: string): Row {
  const template = rowAt(db, 2);
  const row = {
    ...template,
    position,
    eventId: '00000000-0000-4000-8000-00000000f0f0',
    streamVersion: 999,
    type: 'MoneyDeposited',
    schemaVersion: 2,
    data: JSON.stringify({ amountMinor: 100_000_000, currency: 'EUR', memo: 'gift' }),
    previousHash,
    hash: '',
  };
  return row;
}

type Tampering = {
  readonly name: string;
  readonly edit: (db: Database.Database) => void;
  /** The first position verify must name. */
  readonly firstBad: () => number;
  /** Words the reason must contain. */
  readonly reason: RegExp;
};

const TAMPERINGS: readonly Tampering[] = [
  {
    name: 'an edited payload (amount raised, still valid JSON)',
    edit: (db) => {
      const row = rowAt(db, 7);
      const data = JSON.parse(row.data) as { amountMinor: number };
      db.prepare('UPDATE events SET data = ? WHERE position = 7').run(JSON.stringify({ ...data, amountMinor: data.amountMinor * 1000 }));
    },
    firstBad: () => 7,
    reason: /hash/,
  },
  {
    name: 'an edited payload that is no longer JSON',
    edit: (db) => db.prepare('UPDATE events SET data = \'{"amountMinor": 12\' WHERE position = 8').run(),
    firstBad: () => 8,
    reason: /hash/,
  },
  {
    name: 'an edited event type nobody knows',
    edit: (db) => db.prepare("UPDATE events SET type = 'MoneyPrinted' WHERE position = 9").run(),
    firstBad: () => 9,
    reason: /hash/,
  },
  {
    name: 'a deleted event',
    edit: (db) => db.prepare('DELETE FROM events WHERE position = 10').run(),
    firstBad: () => 10,
    reason: /missing/,
  },
  {
    name: 'two events swapped (contents exchanged, positions kept)',
    edit: (db) => {
      const first = rowAt(db, 12);
      const second = rowAt(db, 15);
      db.prepare('DELETE FROM events WHERE position IN (12, 15)').run();
      db.prepare(INSERT_ROW).run({ ...second, position: 12 });
      db.prepare(INSERT_ROW).run({ ...first, position: 15 });
    },
    firstBad: () => 12,
    reason: /hash/,
  },
  {
    name: 'a forged event inserted in the middle with a made-up hash',
    edit: (db) => {
      const previous = rowAt(db, 5);
      makeRoomAt(db, 6);
      db.prepare(INSERT_ROW).run({ ...forgedDeposit(db, 6, previous.hash), hash: 'f'.repeat(64) });
    },
    firstBad: () => 6,
    reason: /hash/,
  },
  {
    // The forger knows the hash rule: the forged row itself is a perfect link, so the first
    // link that CAN be seen broken is the one after it (whose previous hash no longer fits).
    name: 'a forged event inserted in the middle with a correctly computed hash',
    edit: (db) => {
      const previous = rowAt(db, 5);
      makeRoomAt(db, 6);
      const forged = forgedDeposit(db, 6, previous.hash);
      db.prepare(INSERT_ROW).run({ ...forged, hash: hashEvent(previous.hash, forged) });
    },
    firstBad: () => 7,
    reason: /previous hash|hash/,
  },
  {
    name: 'a forged event appended at the end with a made-up hash',
    edit: (db) => {
      const last = rowAt(db, total);
      db.prepare(INSERT_ROW).run({ ...forgedDeposit(db, total + 1, last.hash), hash: '0'.repeat(64) });
    },
    firstBad: () => total + 1,
    reason: /hash/,
  },
  {
    // A row before the first position is forged whatever its hashes; it is named by its own position.
    name: 'a forged event at position 0 with a correctly computed hash',
    edit: (db) => {
      const forged = forgedDeposit(db, 0, '0'.repeat(64));
      db.prepare(INSERT_ROW).run({ ...forged, hash: hashEvent(forged.previousHash, forged) });
    },
    firstBad: () => 0,
    reason: /position 0/,
  },
  {
    name: 'a truncated tail (the last three events cut off)',
    edit: (db) => db.prepare('DELETE FROM events WHERE position > ?').run(total - 3),
    firstBad: () => total - 2,
    reason: /checkpoint/,
  },
  {
    // Every hash after the edit recomputed: the chain is valid again, but it no longer ends in
    // the event the head checkpoint remembers. The earliest position anyone can prove bad is
    // the checkpoint's.
    name: 'a chain rewritten from an edited event on, every hash recomputed',
    edit: (db) => {
      db.prepare('UPDATE events SET data = replace(data, \'"amountMinor":\', \'"amountMinor":9\') WHERE position = 7').run();
      let previousHash = rowAt(db, 6).hash;
      for (let position = 7; position <= total; position++) {
        const row = rowAt(db, position);
        const hash = hashEvent(previousHash, row);
        db.prepare('UPDATE events SET previous_hash = ?, hash = ? WHERE position = ?').run(previousHash, hash, position);
        previousHash = hash;
      }
    },
    firstBad: () => total,
    reason: /checkpoint/,
  },
];

beforeAll(() => {
  folder = scratchFolder('tamper');
  pristine = join(folder, 'pristine.db');
  const opened = Ledger.open({ path: pristine, actor: 'reliability-setup' });
  if (!opened.ok) throw new Error(JSON.stringify(opened.error));
  const ledger = opened.value;
  const table = createHandlers(() => ledger);
  const run = (channel: string, request: object) => {
    const answer = dispatch(table, channel, request);
    if (answer instanceof Promise || !answer.ok) throw new Error(`setup ${channel}: ${JSON.stringify(answer)}`);
  };
  run('openAccount', { account: 'alice', owner: 'Alice', currency: 'EUR', initial: '100.00' });
  run('openAccount', { account: 'bob', owner: 'Bob', currency: 'EUR', initial: '50.00' });
  run('openAccount', { account: 'carol', owner: 'Carol', currency: 'EUR' });
  for (let index = 1; index <= 8; index++) {
    run('deposit', { account: index % 2 ? 'alice' : 'bob', amount: `${index}.25`, memo: `salary ${index}` });
    run('transfer', { from: 'alice', to: 'carol', amount: `${index}.00` });
    if (index % 3 === 0) run('withdraw', { account: 'bob', amount: '2.50' });
  }
  total = ledger.info().lastPosition;
  // The head checkpoint follows the commits (within CHECKPOINT_DELAY_MS; at once when flushed) and names the last event.
  ledger.flushCheckpoint();
  const checkpoint = JSON.parse(readFileSync(checkpointPathFor(pristine), 'utf8')) as { position: number; hash: string };
  expect(checkpoint.position).toBe(total);
  expect(ledger.verify()).toMatchObject({ ok: true, events: total });
  ledger.close();
  expect(total).toBeGreaterThan(20);
});

afterAll(() => removeFolder(folder));

/** A fresh copy of the pristine ledger (file and head checkpoint; it was closed, so no WAL). */
function copyOfPristine(name: string): string {
  const path = join(folder, `${name}.db`);
  expect(existsSync(`${pristine}-wal`)).toBe(false);
  copyFileSync(pristine, path);
  copyFileSync(checkpointPathFor(pristine), checkpointPathFor(path));
  return path;
}

const caught: Array<{ name: string; firstBadPosition: number }> = [];

describe('tampering is caught, naming the first bad position', () => {
  TAMPERINGS.forEach((tampering, index) => {
    it(`${tampering.name}: verify names position, the ledger opens read-only with the reason, nothing is written`, async () => {
      const path = copyOfPristine(`tampered-${index}`);
      forge(path, tampering.edit);
      const expected = tampering.firstBad();
      const before = ledgerFingerprint(path);

      // The CLI's verify (its own process, the way a person or a script would check).
      const cli = await runCli(['--db', path, 'verify']);
      expect(cli.code, cli.stdout + cli.stderr).toBe(3);
      expect(JSON.parse(cli.stdout)).toMatchObject({ ok: false, firstBadPosition: expected });

      // The app's way (Electron's main process opens in slices), then the integrity walk; the
      // ledger turns read-only with the reason. (Ledger.open is the CLI's and tests' way.)
      const opened =
        index % 2 === 0
          ? await Ledger.openInSlices({ path, actor: 'reliability-check' })
          : Ledger.open({ path, actor: 'reliability-check' });
      expect(opened.ok, JSON.stringify(!opened.ok && opened.error)).toBe(true);
      if (!opened.ok) return;
      const ledger = opened.value;
      try {
        const report = ledger.verify();
        expect(report).toMatchObject({ ok: false, firstBadPosition: expected });
        if (!report.ok) expect(report.reason).toMatch(tampering.reason);
        const status = await ledger.integrity.verify();
        expect(status).toMatchObject({ state: 'failed', firstBadPosition: expected });

        const table = createHandlers(() => ledger);
        const info = await dispatch(table, 'ledgerInfo', undefined);
        expect(info).toMatchObject({ ok: true, value: { readOnly: true } });
        const banner = (info as { value: { readOnlyReason?: string } }).value.readOnlyReason ?? '';
        // A plain sentence that says where: the banner the app shows.
        expect(banner).toMatch(new RegExp(`position ${expected}\\b`));

        for (const [channel, request] of [
          ['deposit', { account: 'alice', amount: '1.00' }],
          ['withdraw', { account: 'bob', amount: '1.00' }],
          ['transfer', { from: 'alice', to: 'bob', amount: '1.00' }],
          ['openAccount', { account: 'mallory', owner: 'Mallory', currency: 'EUR' }],
          ['closeAccount', { account: 'carol' }],
        ] as const) {
          const answer = await dispatch(table, channel, request);
          expect(isTypedFailure(answer), JSON.stringify(answer)).toBe(true);
          expect(answer).toMatchObject({ ok: false, error: { code: 'INTEGRITY' } });
        }
        // Reading still works: the person can look at what is there.
        expect(await dispatch(table, 'listAccounts', undefined)).toMatchObject({ ok: true });
      } finally {
        ledger.close();
      }
      expect(ledgerFingerprint(path), 'the tampered file was written to').toEqual(before);
      caught.push({ name: tampering.name, firstBadPosition: expected });
    });
  });

  // The idempotency table sits outside the chain: a receipt is answered only when the log agrees.
  it('a forged idempotency record cannot swallow a real command (answered INTEGRITY, ledger read-only)', () => {
    const path = copyOfPristine('forged-command');
    const raw = new Database(path);
    try {
      raw.prepare('INSERT INTO commands (command_id, fingerprint, position, receipt) VALUES (?, ?, ?, ?)').run(
        'salary-2026-11',
        JSON.stringify(['deposit', { account: 'alice', amount: '2500.00' }]),
        1,
        JSON.stringify({
          position: 1,
          version: 1,
          account: 'alice',
          balance: '2600.00',
          balanceMinor: 260_000,
          currency: 'EUR',
          commandId: 'salary-2026-11',
        }),
      );
    } finally {
      raw.close();
    }
    const opened = Ledger.open({ path, actor: 'reliability-check' });
    if (!opened.ok) throw new Error(JSON.stringify(opened.error));
    const ledger = opened.value;
    try {
      const before = ledger.getAccount('alice');
      const answer = ledger.execute({ name: 'deposit', input: { account: 'alice', amount: '2500.00', commandId: 'salary-2026-11' } });
      expect(answer).toMatchObject({ ok: false, error: { code: 'INTEGRITY' } });
      expect(ledger.info()).toMatchObject({ readOnly: true });
      expect(ledger.getAccount('alice')).toEqual(before);
    } finally {
      ledger.close();
    }
  });

  // Dropping (or altering) the triggers is where every in-place edit starts. Noticed, not repaired:
  // putting them back would erase the evidence that they were removed.
  for (const [name, change] of [
    ['dropped', 'DROP TRIGGER events_refuse_update'],
    ['altered', 'DROP TRIGGER events_refuse_delete; CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events BEGIN SELECT 1; END'],
  ] as const) {
    it(`an immutability trigger ${name} (no event touched): verify fails naming the triggers, the ledger opens read-only, nothing is written`, async () => {
      const path = copyOfPristine(`trigger-${name}`);
      const raw = new Database(path);
      raw.exec(change);
      raw.close();
      const before = ledgerFingerprint(path);
      const cli = await runCli(['--db', path, 'verify']);
      expect(cli.code, cli.stdout + cli.stderr).toBe(3);
      expect(JSON.parse(cli.stdout)).toMatchObject({
        ok: false,
        firstBadPosition: 0,
        reason: expect.stringMatching(new RegExp(`triggers.*${name}`)),
      });
      const opened = Ledger.open({ path, actor: 'reliability-check' });
      if (!opened.ok) throw new Error(JSON.stringify(opened.error));
      try {
        expect(opened.value.info()).toMatchObject({ readOnly: true, readOnlyReason: expect.stringMatching(/immutability triggers/) });
        expect(opened.value.execute({ name: 'deposit', input: { account: 'alice', amount: '1.00' } })).toMatchObject({
          ok: false,
          error: { code: 'INTEGRITY' },
        });
      } finally {
        opened.value.close();
      }
      expect(ledgerFingerprint(path)).toEqual(before);
    });
  }

  it('an untouched copy verifies and opens writable (the checks above are not always-fail)', async () => {
    const path = copyOfPristine('untouched');
    const cli = await runCli(['--db', path, 'verify']);
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    const opened = Ledger.open({ path, actor: 'reliability-check' });
    if (!opened.ok) throw new Error(JSON.stringify(opened.error));
    try {
      expect(opened.value.verify()).toMatchObject({ ok: true, events: total });
      expect(await opened.value.integrity.verify()).toMatchObject({ state: 'verified' });
      expect(opened.value.info().readOnly).toBe(false);
    } finally {
      opened.value.close();
    }
  });

  afterAll(async () => {
    // A filtered run (-t) would record partial figures over the full run's: record only whole runs.
    if (caught.length !== TAMPERINGS.length) return;
    console.log(
      `tampering: ${caught.length} of ${TAMPERINGS.length} tamperings caught with the first bad position named ` +
        `(${caught.map((entry) => `${entry.name.split(' (')[0]} → ${entry.firstBadPosition}`).join('; ')}), each opened read-only, 0 bytes written`,
    );
    await recordFigures('tampering', {
      tamperings: TAMPERINGS.length,
      caught: caught.length,
      openedReadOnly: caught.length,
      commandsRefusedEach: 5,
      bytesWritten: 0,
      events: total,
    });
  });
});
