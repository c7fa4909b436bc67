/**
 * Issue 14.3 — the head checkpoint as a signed seal, on real ledger files. A writer with a key
 * seals the tree head at each checkpoint; an open checks a sealed checkpoint's signature and
 * its root against the stored tree. So a cut-off tail with the checkpoint rolled back to match
 * is caught at open unless the key made the rolled-back seal; without a key it is not (the
 * checkpoint is then as before: it catches a cut only when it is left alone). A writer without
 * a key carries the last seal forward.
 */
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Ledger } from '#engine/ledger';
import { sealText } from '#engine/history/seal-store';
import { generateSigningKey, type SigningKey } from '#engine/signing/keys';
import { sealTreeHead, verifySeal, type Seal } from '#engine/signing/seal';
import { checkpointPathFor, readCheckpoint } from '#engine/store/head-checkpoint';
import { runCli } from './cli-process';
import { exportText } from './export-helpers';
import { ok, openLedger, tamper, tempFolder, tempLedgerPath } from './helpers';
import { referenceRoot } from './tree-helpers';

const owner = generateSigningKey();

/** Ten events written by a ledger holding `key` (or none), closed: its checkpoint is at 10. */
function tenEvents(key?: SigningKey): string {
  const path = tempLedgerPath();
  const ledger = openLedger(path, key ? { signingKey: key } : {});
  ok(ledger.execute({ name: 'open', input: { account: 'alice', owner: 'Alice', currency: 'EUR', initial: '100.00' } }));
  ok(ledger.execute({ name: 'open', input: { account: 'bob', owner: 'Bob', currency: 'EUR' } }));
  for (let index = 0; index < 4; index++) ok(ledger.execute({ name: 'transfer', input: { from: 'alice', to: 'bob', amount: '1.00' } }));
  ledger.close();
  return path;
}

/** The leaves (export lines) of the ledger's first `size` events. */
async function rootOfFirst(ledger: Ledger, size: number): Promise<string> {
  const { text } = await exportText(ledger);
  const lines = text.slice(0, -1).split('\n').slice(0, size);
  return referenceRoot(lines.map((line) => Buffer.from(line, 'utf8'))).toString('hex');
}

/** A checkpoint record as the writer makes it (the format of head-checkpoint.ts, written out here). */
function writeRecord(path: string, position: number, hash: string, seal?: Seal): void {
  const check = createHash('sha256').update(`${position}:${hash}`).digest('hex').slice(0, 16);
  const fields = JSON.stringify({ position, hash, writtenAt: new Date().toISOString(), check }).slice(0, -1);
  const sealed = seal
    ? `,"seal":${sealText(seal)},"sealCheck":"${createHash('sha256').update(sealText(seal)).digest('hex').slice(0, 16)}"`
    : '';
  writeFileSync(checkpointPathFor(path), `${`${fields}${sealed}}`.padEnd(1_023)}\n`);
}

/** What an attacker with the file does: drops the events' triggers, changes rows, puts the triggers back as they were. */
function tamperUnseen(path: string, work: (db: Database.Database) => void): void {
  tamper(path, (db) => {
    work(db);
    for (const operation of ['UPDATE', 'DELETE']) {
      db.exec(
        `CREATE TRIGGER events_refuse_${operation.toLowerCase()} BEFORE ${operation} ON events BEGIN SELECT RAISE(ABORT, 'ledger events are immutable'); END`,
      );
    }
  });
}

/** Cuts the log back to `keep` events and rolls the checkpoint back to match, with `seal` in it. */
function cutAndRollBack(path: string, keep: number, seal: Seal | undefined): void {
  let hash = '';
  tamperUnseen(path, (db) => {
    db.prepare('DELETE FROM events WHERE position > ?').run(keep);
    hash = db.prepare('SELECT hash FROM events WHERE position = ?').pluck().get(keep) as string;
  });
  writeRecord(path, keep, hash, seal);
}

describe('a ledger whose user holds a key seals its head checkpoint', () => {
  it('the checkpoint carries the seal of the stored tree at its position, by that key, in a record of fixed size', async () => {
    const path = tenEvents(owner);
    const checkpoint = readCheckpoint(path)!;
    expect(checkpoint).toMatchObject({ position: 10, seal: { treeSize: 10, publicKey: owner.publicKey } });
    expect(verifySeal(checkpoint.seal!, owner.publicKey).ok).toBe(true);
    const ledger = openLedger(path, { signingKey: owner });
    expect(checkpoint.seal!.rootHash).toBe(await rootOfFirst(ledger, 10));
    expect(ledger.info().readOnly).toBe(false);
    expect(statSync(checkpointPathFor(path)).size).toBe(1_024);
  });

  it('a writer without a key carries the last seal forward while the position moves on', () => {
    const path = tenEvents(owner);
    const keyless = openLedger(path);
    ok(keyless.execute({ name: 'deposit', input: { account: 'bob', amount: '1.00' } }));
    keyless.close();
    expect(readCheckpoint(path)).toMatchObject({ position: 11, seal: { treeSize: 10, publicKey: owner.publicKey } });
    expect(openLedger(path).info().readOnly).toBe(false);
  });
});

describe('a cut-off tail with the checkpoint rolled back to match', () => {
  it('is caught at open when the checkpoint was sealed: the old seal signs more events than the log has', () => {
    const path = tenEvents(owner);
    const seal = readCheckpoint(path)!.seal!;
    cutAndRollBack(path, 7, seal);
    for (const key of [owner, undefined]) {
      const info = openLedger(path, key ? { signingKey: key } : {}).info();
      expect(info).toMatchObject({
        readOnly: true,
        readOnlyReason: expect.stringMatching(/position 7 .* signs 10 events: the checkpoint was rolled back/),
      });
    }
  });

  it('is caught when the seal is edited to match, or re-signed over other events', async () => {
    const path = tenEvents(owner);
    const seal = readCheckpoint(path)!.seal!;
    const reference = openLedger(path);
    const rootAtSeven = await rootOfFirst(reference, 7);
    reference.close();
    cutAndRollBack(path, 7, { ...seal, treeSize: 7, rootHash: rootAtSeven });
    expect(openLedger(path).info().readOnlyReason).toMatch(/seal does not hold.*was edited/);

    // A seal over some other root, even by the right key, does not match the stored tree.
    writeRecord(path, 7, readCheckpoint(path)!.hash, sealTreeHead(7, 'ab'.repeat(32), owner));
    expect(openLedger(path).info().readOnlyReason).toMatch(/first 7 events are not those/);
  });

  it('passes only with a seal the key makes for the shorter log: the key is what it takes', async () => {
    const path = tenEvents(owner);
    const reference = openLedger(path);
    const rootAtSeven = await rootOfFirst(reference, 7);
    reference.close();
    cutAndRollBack(path, 7, sealTreeHead(7, rootAtSeven, owner));
    expect(openLedger(path).info().readOnly).toBe(false);
  });

  it('is not caught where no key sealed the checkpoint (the checkpoint as it was before keys)', () => {
    const path = tenEvents();
    expect(readCheckpoint(path)).toEqual({ position: 10, hash: expect.any(String) });
    cutAndRollBack(path, 7, undefined);
    expect(openLedger(path).info().readOnly).toBe(false);
  });

  it('a checkpoint sealed by a key that carried forward still catches a cut below its seal', () => {
    const path = tenEvents(owner);
    const keyless = openLedger(path);
    ok(keyless.execute({ name: 'deposit', input: { account: 'bob', amount: '1.00' } }));
    keyless.close();
    cutAndRollBack(path, 8, readCheckpoint(path)!.seal);
    expect(openLedger(path).info().readOnlyReason).toMatch(/rolled back/);
  });
});

describe('a rewritten chain under a sealed checkpoint', () => {
  it('events re-hashed to match the checkpoint’s hash are caught by its seal’s root', () => {
    const path = tenEvents(owner);
    const before = readCheckpoint(path)!;
    // An edit that keeps the hash at the checkpoint: the stored hash of event 10 is left as is and
    // only an earlier payload changes, which the chain walk (verify) would catch; the open sees
    // only the checkpoint, so the seal's root is what tells.
    tamperUnseen(path, (db) => {
      db.prepare("UPDATE events SET data = replace(data, 'Alice', 'Alicia') WHERE position = 1").run();
    });
    expect(readCheckpoint(path)).toEqual(before);
    expect(openLedger(path).info().readOnlyReason).toMatch(/first 10 events are not those .* signed: the chain was rewritten/);
  });

  it('a sealed record read half-written (its seal check fails) counts as no checkpoint, never as a contradiction', () => {
    const path = tenEvents(owner);
    const text = readFileSync(checkpointPathFor(path), 'utf8');
    writeFileSync(checkpointPathFor(path), text.replace(/"sealCheck":"[0-9a-f]{16}"/, '"sealCheck":"0000000000000000"'));
    expect(readCheckpoint(path)).toBeUndefined();
    expect(openLedger(path).info().readOnly).toBe(false);
  });

  it('a record of the earlier 256-byte format is still read', () => {
    const path = tenEvents();
    const { position, hash } = readCheckpoint(path)!;
    const check = createHash('sha256').update(`${position}:${hash}`).digest('hex').slice(0, 16);
    writeFileSync(checkpointPathFor(path), `${JSON.stringify({ position, hash, writtenAt: 'x', check }).padEnd(255)}\n`);
    expect(readCheckpoint(path)).toEqual({ position, hash });
    const ledger = openLedger(path, { signingKey: owner });
    ok(ledger.execute({ name: 'deposit', input: { account: 'bob', amount: '1.00' } }));
    ledger.close();
    expect(readCheckpoint(path)).toMatchObject({ position: 11, seal: { treeSize: 11 } });
    expect(statSync(checkpointPathFor(path)).size).toBe(1_024);
  });
});

describe('the CLI seals checkpoints with the key file it finds', () => {
  it('with LEDGER_KEY_FILE: sealed; without a key file: unsigned; a key file it cannot use: the command is refused, nothing recorded', async () => {
    const folder = tempFolder();
    const db = `${folder}/ledger.db`;
    const keyFile = `${folder}/key.pem`;
    expect((await runCli(['key'], '', { env: { LEDGER_KEY_FILE: keyFile } })).code).toBe(0);
    const opened = await runCli(['--db', db, 'open', '--account', 'a', '--owner', 'Ada', '--currency', 'EUR'], '', {
      env: { LEDGER_KEY_FILE: keyFile },
    });
    expect(opened.code, opened.stdout).toBe(0);
    expect(readCheckpoint(db)).toMatchObject({ position: 1, seal: { treeSize: 1 } });

    const unsigned = `${folder}/unsigned.db`;
    expect((await runCli(['--db', unsigned, 'open', '--account', 'a', '--owner', 'Ada', '--currency', 'EUR'])).code).toBe(0);
    expect(readCheckpoint(unsigned)).toEqual({ position: 1, hash: expect.any(String) });

    chmodSync(keyFile, 0o644);
    const refused = await runCli(['--db', db, 'deposit', '--account', 'a', '--amount', '1.00'], '', { env: { LEDGER_KEY_FILE: keyFile } });
    expect(refused.code).toBe(1);
    expect(refused.lines[0]).toMatchObject({ ok: false, error: { code: 'STORAGE', details: { reason: 'loose-permissions' } } });
    expect(readCheckpoint(db)).toMatchObject({ position: 1 });
  });
});
