/**
 * Tamper evidence: verify names the first bad position when a row is edited, deleted,
 * reordered or inserted (with a second connection after DROP TRIGGER), and the head
 * checkpoint catches a cut-off tail and a rewritten chain.
 */
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { Ledger } from '#engine/ledger';
import { hashEvent, hashHeader, type ChainRow, type HashedFields } from '#engine/store/hash-chain';
import { checkpointPathFor, readCheckpoint } from '#engine/store/head-checkpoint';
import { CHECKPOINT_DELAY_MS } from '#engine/store/event-store';
import { verifyChain } from '#engine/store/verify';
import { handlersFor, ok, openLedger, tamper, tempLedgerPath } from './helpers';

const SELECT_ROWS = `SELECT position, event_id AS eventId, stream_id AS streamId, stream_version AS streamVersion, type,
  schema_version AS schemaVersion, data, metadata, recorded_at AS recordedAt, previous_hash AS previousHash, hash
  FROM events ORDER BY position`;

/** A ledger with 8 events: two accounts, deposits, a withdrawal and a transfer. */
function seededLedger() {
  const path = tempLedgerPath();
  const ledger = openLedger(path);
  ok(ledger.execute({ name: 'open', input: { account: 'alice', owner: 'Alice', currency: 'EUR', initial: '100.00' } })); // 1
  ok(ledger.execute({ name: 'open', input: { account: 'bob', owner: 'Bob', currency: 'EUR' } })); // 2
  ok(ledger.execute({ name: 'deposit', input: { account: 'alice', amount: '5.00' } })); // 3
  ok(ledger.execute({ name: 'deposit', input: { account: 'bob', amount: '7.50' } })); // 4
  ok(ledger.execute({ name: 'withdraw', input: { account: 'alice', amount: '1.25' } })); // 5
  ok(ledger.execute({ name: 'transfer', input: { from: 'alice', to: 'bob', amount: '10.00' } })); // 6, 7
  ok(ledger.execute({ name: 'deposit', input: { account: 'alice', amount: '0.01' } })); // 8
  expect(ledger.verify()).toMatchObject({ ok: true, events: 8 });
  return { path, ledger };
}

function rows(db: Database.Database): ChainRow[] {
  return db.prepare(SELECT_ROWS).all() as ChainRow[];
}

const INSERT = `INSERT INTO events (position, event_id, stream_id, stream_version, type, schema_version, data, metadata,
  recorded_at, previous_hash, hash) VALUES (@position, @eventId, @streamId, @streamVersion, @type, @schemaVersion, @data,
  @metadata, @recordedAt, @previousHash, @hash)`;

describe('the hashed header', () => {
  it('property: is character for character the JSON.stringify of the seven columns, whatever their values', () => {
    // Usual values (plain ASCII ids, safe integers) and anything a damaged row could hold.
    const text = fc.oneof(fc.string({ unit: 'grapheme-ascii' }), fc.string({ unit: 'binary' }), fc.string({ unit: 'binary-ascii' }));
    const number = fc.oneof(
      fc.integer(),
      fc.double(),
      fc.constant(-0),
      fc.maxSafeNat().map((value) => value + 1),
    );
    const value = (usual: fc.Arbitrary<unknown>) => fc.oneof({ weight: 4, arbitrary: usual }, { weight: 1, arbitrary: fc.anything() });
    fc.assert(
      fc.property(value(number), value(text), value(text), value(number), value(text), value(number), value(text), (...columns) => {
        const [position, eventId, streamId, streamVersion, type, schemaVersion, recordedAt] = columns;
        const fields = {
          position,
          eventId,
          streamId,
          streamVersion,
          type,
          schemaVersion,
          recordedAt,
          data: '{}',
          metadata: '{}',
        } as HashedFields;
        expect(hashHeader(fields)).toBe(JSON.stringify(columns));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('verify finds the first bad position', () => {
  it('an untouched ledger verifies, with the head hash and the checkpoint in step', () => {
    const { path, ledger } = seededLedger();
    const report = ledger.verify();
    expect(report).toEqual({ ok: true, events: 8, head: ledger.logHead().hash });
    expect(readCheckpoint(path)).toEqual({ position: 8, hash: ledger.logHead().hash });
  });

  it('an edited payload', () => {
    const { path, ledger } = seededLedger();
    tamper(path, (db) => db.prepare(`UPDATE events SET data = replace(data, '750', '75000') WHERE position = 4`).run());
    expect(ledger.verify()).toMatchObject({ ok: false, firstBadPosition: 4, reason: expect.stringMatching(/hash/) });
  });

  it('an edited metadata text, timestamp or type', () => {
    for (const change of [
      `metadata = replace(metadata, '"actor":"test"', '"actor":"mallory"')`,
      `recorded_at = '2001-01-01T00:00:00.000Z'`,
      `type = 'MoneyDeposited'`,
    ]) {
      const { path, ledger } = seededLedger();
      tamper(path, (db) => expect(db.prepare(`UPDATE events SET ${change} WHERE position = 5`).run().changes).toBe(1));
      expect(ledger.verify(), change).toMatchObject({ ok: false, firstBadPosition: 5 });
    }
  });

  it('an edit whose own hash is recomputed breaks the link to the next row', () => {
    const { path, ledger } = seededLedger();
    tamper(path, (db) => {
      const row = rows(db)[2]!;
      const forged = { ...row, data: row.data.replace('500', '50000') };
      expect(forged.data).not.toBe(row.data);
      db.prepare('UPDATE events SET data = ?, hash = ? WHERE position = 3').run(forged.data, hashEvent(row.previousHash, forged));
    });
    expect(ledger.verify()).toMatchObject({ ok: false, firstBadPosition: 4, reason: expect.stringMatching(/previous hash/) });
  });

  it('a deleted row', () => {
    const { path, ledger } = seededLedger();
    tamper(path, (db) => db.prepare('DELETE FROM events WHERE position = 3').run());
    expect(ledger.verify()).toMatchObject({ ok: false, firstBadPosition: 3, reason: expect.stringMatching(/missing/) });
  });

  it('two rows swapped (reordered)', () => {
    const { path, ledger } = seededLedger();
    tamper(path, (db) =>
      db.exec(`UPDATE events SET position = -1 WHERE position = 3;
               UPDATE events SET position = 3 WHERE position = 5;
               UPDATE events SET position = 5 WHERE position = -1;`),
    );
    expect(ledger.verify()).toMatchObject({ ok: false, firstBadPosition: 3 });
  });

  it('two rows swapped with their positions kept (contents exchanged)', () => {
    const { path, ledger } = seededLedger();
    tamper(path, (db) => {
      const all = rows(db);
      const [third, fourth] = [all[2]!, all[3]!];
      // Stream versions clash while swapping, so move one row out of the way first.
      db.exec('UPDATE events SET position = -4 WHERE position = 4');
      db.prepare('UPDATE events SET position = 4 WHERE position = 3').run();
      db.prepare('UPDATE events SET position = 3 WHERE position = -4').run();
      expect(
        rows(db)
          .map((row) => row.eventId)
          .slice(2, 4),
      ).toEqual([fourth.eventId, third.eventId]);
    });
    expect(ledger.verify()).toMatchObject({ ok: false, firstBadPosition: 3 });
  });

  it('a row inserted in the middle (later rows shifted up)', () => {
    const { path, ledger } = seededLedger();
    tamper(path, (db) => {
      const all = rows(db);
      for (const row of [...all].reverse().filter((row) => row.position >= 4)) {
        db.prepare('UPDATE events SET position = ? WHERE position = ?').run(row.position + 1, row.position);
      }
      const template = all[3]!;
      db.prepare(INSERT).run({ ...template, position: 4, eventId: 'forged', streamVersion: 99, hash: template.hash });
    });
    expect(ledger.verify()).toMatchObject({ ok: false, firstBadPosition: 4 });
  });

  it('a row inserted at the end with a made-up hash', () => {
    const { path, ledger } = seededLedger();
    tamper(path, (db) => {
      const last = rows(db)[7]!;
      db.prepare(INSERT).run({ ...last, position: 9, eventId: 'forged', streamVersion: 99, previousHash: last.hash, hash: 'f'.repeat(64) });
    });
    expect(ledger.verify()).toMatchObject({ ok: false, firstBadPosition: 9 });
  });

  it('a forged row before the first position is named by its own position (0), not as position 1', () => {
    const { path, ledger } = seededLedger();
    tamper(path, (db) => {
      const first = rows(db)[0]!;
      db.prepare(INSERT).run({ ...first, position: 0, eventId: 'forged', streamId: 'ghost' });
    });
    const report = ledger.verify();
    expect(report).toMatchObject({ ok: false, firstBadPosition: 0, reason: expect.stringMatching(/position 0/) });
  });
});

describe('the head checkpoint', () => {
  it('catches a truncated tail, which leaves a valid but shorter chain', () => {
    const { path, ledger } = seededLedger();
    tamper(path, (db) => db.prepare('DELETE FROM events WHERE position >= 7').run());
    expect(ledger.verify()).toMatchObject({ ok: false, firstBadPosition: 7, reason: expect.stringMatching(/cut off/) });
  });

  it('catches a chain rewritten from an edited row onwards with every hash recomputed', () => {
    const { path, ledger } = seededLedger();
    tamper(path, (db) => {
      let previousHash: string | undefined;
      for (const row of rows(db)) {
        if (row.position < 3) continue;
        const data = row.position === 3 ? row.data.replace('500', '50000') : row.data;
        const forged = { ...row, data, previousHash: previousHash ?? row.previousHash };
        const hash = hashEvent(forged.previousHash, forged);
        db.prepare('UPDATE events SET data = ?, previous_hash = ?, hash = ? WHERE position = ?').run(
          data,
          forged.previousHash,
          hash,
          row.position,
        );
        previousHash = hash;
      }
    });
    // The chain itself is consistent again: only the checkpoint remembers the real head.
    const report = ledger.verify();
    expect(report).toMatchObject({ ok: false, firstBadPosition: 8, reason: expect.stringMatching(/checkpoint/) });
  });

  it('lives outside the events table and only moves forward', () => {
    const { path, ledger } = seededLedger();
    expect(checkpointPathFor(path)).toBe(`${path}.head.json`);
    const before = readCheckpoint(path)!;
    const other = openLedger(path);
    ok(other.execute({ name: 'deposit', input: { account: 'bob', amount: '1.00' } }));
    other.flushCheckpoint();
    expect(readCheckpoint(path)!.position).toBe(before.position + 1);
    // The first instance never saw position 9 commit through its own store; it cannot move the checkpoint back.
    ok(ledger.execute({ name: 'deposit', input: { account: 'bob', amount: '1.00' } }));
    ledger.flushCheckpoint();
    expect(readCheckpoint(path)!.position).toBe(10);
    expect(ledger.verify()).toMatchObject({ ok: true, events: 10 });
  });

  it('follows the commits within CHECKPOINT_DELAY_MS, after the answer, and at once on close', async () => {
    const { path, ledger } = seededLedger();
    ok(ledger.execute({ name: 'deposit', input: { account: 'bob', amount: '1.00' } }));
    ok(ledger.execute({ name: 'deposit', input: { account: 'bob', amount: '2.00' } }));
    // The answers came first; both commits are attested by one write once the delay has passed.
    expect(readCheckpoint(path)!.position).toBe(8);
    await vi.waitFor(() => expect(readCheckpoint(path)).toEqual({ position: 10, hash: ledger.logHead().hash }), {
      timeout: CHECKPOINT_DELAY_MS * 3,
      interval: 5,
    });
    ok(ledger.execute({ name: 'deposit', input: { account: 'bob', amount: '3.00' } }));
    ledger.close();
    expect(readCheckpoint(path)!.position).toBe(11);
  });

  it('a missing checkpoint still lets the chain verify on its own merits', () => {
    const { path, ledger } = seededLedger();
    rmSync(checkpointPathFor(path));
    expect(ledger.verify()).toMatchObject({ ok: true, events: 8 });
  });
});

describe('long logs', () => {
  it('verifies across many pages and still finds a deletion deep in the log', () => {
    const path = tempLedgerPath();
    const ledger = openLedger(path);
    ok(ledger.execute({ name: 'open', input: { account: 'bulk', owner: 'Bulk', currency: 'JPY' } }));
    const deposits = Array.from({ length: 12_000 }, () => ({ name: 'deposit' as const, input: { account: 'bulk', amount: '1' } }));
    for (let start = 0; start < deposits.length; start += 2_000) {
      for (const result of ledger.executeBatch(deposits.slice(start, start + 2_000))) expect(result.ok).toBe(true);
    }
    expect(ledger.verify()).toMatchObject({ ok: true, events: 12_001 });
    expect(ok(ledger.getAccount('bulk')).balanceMinor).toBe(12_000);

    const verifier = ledger.verifier();
    expect(verifier.step()).toBeUndefined();
    expect(verifier.progress).toEqual({ checked: 5_000, total: 12_001 });

    tamper(path, (db) => db.prepare('DELETE FROM events WHERE position = 7001').run());
    expect(ledger.verify()).toMatchObject({ ok: false, firstBadPosition: 7001 });
    // The same rule from a plain read-only connection.
    const reader = new Database(path, { readonly: true });
    try {
      expect(verifyChain(reader, path)).toMatchObject({ ok: false, firstBadPosition: 7001 });
    } finally {
      reader.close();
    }
  });
});

describe('opening a tampered file', () => {
  // Was an engine bug (evolve() threw out of Ledger.open, so the CLI's verify crashed with
  // exit 1); fixed in 798a329: the replay stops at the first unreadable event and the ledger
  // opens read-only with the reason.
  it('opens read-only when the log cannot be replayed; verify still names the position and commands are refused', () => {
    const { path, ledger } = seededLedger();
    ledger.close();
    tamper(path, (db) =>
      db.exec(`UPDATE events SET position = -1 WHERE position = 1;
               UPDATE events SET position = 1 WHERE position = 3;
               UPDATE events SET position = 3 WHERE position = -1;`),
    );
    let opened: ReturnType<typeof Ledger.open> | undefined;
    expect(() => (opened = Ledger.open({ path, actor: 'test' }))).not.toThrow();
    const reopened = ok(opened!);
    try {
      expect(reopened.verify()).toMatchObject({ ok: false, firstBadPosition: 1 });
      expect(reopened.info()).toMatchObject({ readOnly: true, readOnlyReason: expect.any(String) });
      const refused = handlersFor(reopened).deposit({ account: 'alice', amount: '1' });
      expect(refused).toMatchObject({ ok: false, error: { code: 'INTEGRITY' } });
      expect(reopened.logHead().position).toBe(8);
    } finally {
      reopened.close();
    }
  });

  it('opens read-only when the head checkpoint shows a cut-off tail', () => {
    const { path, ledger } = seededLedger();
    ledger.close();
    tamper(path, (db) => db.prepare('DELETE FROM events WHERE position = 8').run());
    const reopened = openLedger(path);
    expect(reopened.info()).toMatchObject({ readOnly: true, readOnlyReason: expect.stringMatching(/8/) });
    expect(handlersFor(reopened).deposit({ account: 'alice', amount: '1' })).toMatchObject({ ok: false, error: { code: 'INTEGRITY' } });
    expect(reopened.logHead().position).toBe(7);
  });

  it('an intact ledger opens writable', () => {
    const { path, ledger } = seededLedger();
    ledger.close();
    expect(openLedger(path).info()).toMatchObject({ readOnly: false, lastPosition: 8 });
  });
});
