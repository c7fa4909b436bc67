/**
 * Seals and proofs on real ledger files (issue 14): a seal signs the root of the export's
 * lines and is stored beside the log (never growing it); sealing a sealed head again answers
 * the stored seal; inclusion proofs of random positions and consistency proofs between seals
 * verify offline under the sealing key; and each way of tampering with the file — an edited,
 * deleted, swapped or inserted event, a cut-off tail, a rewritten log with its tree recomputed,
 * the same signed by another key, an edited tree node or seal — is caught by verify, by prove
 * and by seal where it concerns them, with its reason.
 */
import Database from 'better-sqlite3';
import { copyFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AnyCommand } from '#shared/commands';
import { latestLedgerSeal, ledgerConsistencyProof, ledgerInclusionProof, ledgerSeals, sealLedger } from '#engine/history/ledger-history';
import { buildStoredTree } from '#engine/history/tree-upkeep';
import { fingerprintOf, generateSigningKey } from '#engine/signing/keys';
import { MAX_PROOF_BYTES, parseProofFile, proofFileText } from '#engine/signing/proof-file';
import { verifyProofFile } from '#engine/signing/proof-file-verify';
import { sealTreeHead, verifySeal, type Seal } from '#engine/signing/seal';
import { emptyRoot } from '#engine/signing/tree-hash';
import type { Ledger } from '#engine/ledger';
import { checkpointPathFor } from '#engine/store/head-checkpoint';
import { hashEvent, type ChainRow } from '#engine/store/hash-chain';
import { failure, newLedger, ok, openLedger, tempLedgerPath } from './helpers';
import { exportedLeaves, referenceRoot, storedNodes } from './tree-helpers';

const ownerKey = generateSigningKey();
const otherKey = generateSigningKey();

function fill(ledger: Ledger, events: number): void {
  const commands: AnyCommand[] = [];
  if (ledger.logHead().position === 0) commands.push({ name: 'open', input: { account: 'a', owner: 'Ada', currency: 'EUR' } });
  while (ledger.logHead().position + commands.length < events) {
    const index = commands.length;
    commands.push({ name: 'deposit', input: { account: 'a', amount: `${(index % 9) + 1}.00`, memo: `n° ${index}` } });
  }
  for (const result of ledger.executeBatch(commands)) ok(result);
}

/** What a forger with file access does: every protective trigger dropped, `edit` run, the triggers put back. */
function forge(path: string, edit: (db: Database.Database) => void): void {
  const db = new Database(path);
  try {
    const triggers = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[];
    const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[];
    db.transaction(() => {
      for (const name of names) db.exec(`DROP TRIGGER ${name}`);
      edit(db);
      for (const sql of triggers) db.exec(sql);
    })();
  } finally {
    db.close();
  }
}

const rowAt = (db: Database.Database, position: number) =>
  db
    .prepare(
      `SELECT position, event_id AS eventId, stream_id AS streamId, stream_version AS streamVersion, type, schema_version AS schemaVersion,
         data, metadata, recorded_at AS recordedAt, previous_hash AS previousHash, hash FROM events WHERE position = ?`,
    )
    .get(position) as ChainRow;

/** Recomputes every hash from `position` on, so the chain holds again (a careful forger). */
function rechain(db: Database.Database, position: number): void {
  let previousHash = rowAt(db, position - 1).hash;
  const last = db.prepare('SELECT max(position) FROM events').pluck().get() as number;
  for (let at = position; at <= last; at++) {
    const hash = hashEvent(previousHash, rowAt(db, at));
    db.prepare('UPDATE events SET previous_hash = ?, hash = ? WHERE position = ?').run(previousHash, hash, at);
    previousHash = hash;
  }
}

/** The stored tree thrown away and built again over the events as they are now. */
function rebuildTree(db: Database.Database): void {
  db.exec('DELETE FROM tree_nodes');
  buildStoredTree(db);
}

const raiseAmount = (db: Database.Database, position: number) =>
  db.prepare(`UPDATE events SET data = replace(data, '"amountMinor":', '"amountMinor":9') WHERE position = ?`).run(position);

describe('seals', () => {
  it("sign the root of the export's lines, beside the log; the same head and key answer the stored seal; another key adds its own", async () => {
    const { ledger } = newLedger();
    fill(ledger, 100);
    const nodesBefore = storedNodes(ledger);
    const first = ok(sealLedger(ledger, ownerKey, new Date('2026-12-02T10:00:00.000Z')));
    expect(first).toMatchObject({ treeSize: 100, signedAt: '2026-12-02T10:00:00.000Z', publicKey: ownerKey.publicKey });
    expect(first.rootHash).toBe(referenceRoot(await exportedLeaves(ledger)).toString('hex'));
    expect(verifySeal(first, ownerKey.publicKey)).toEqual({ ok: true, value: { fingerprint: fingerprintOf(ownerKey.publicKey) } });
    // Sealing never grows the tree it signs.
    expect(ledger.logHead().position).toBe(100);
    expect(storedNodes(ledger)).toEqual(nodesBefore);
    expect(ok(sealLedger(ledger, ownerKey, new Date('2026-12-02T11:00:00.000Z')))).toEqual(first);
    const second = ok(sealLedger(ledger, otherKey));
    expect(second).toMatchObject({ treeSize: 100, rootHash: first.rootHash, publicKey: otherKey.publicKey });
    fill(ledger, 137);
    const third = ok(sealLedger(ledger, ownerKey));
    expect(ok(ledgerSeals(ledger))).toEqual([first, second, third]);
    expect(ok(latestLedgerSeal(ledger))).toEqual(third);
    // The Ledger's own methods are the same calls.
    expect(ok(ledger.seals())).toEqual([first, second, third]);
    expect(ok(ledger.latestSeal())).toEqual(third);
    expect(ok(ledger.seal(ownerKey))).toEqual(third);
    expect(ok(ledger.inclusionProof(7))).toEqual(ok(ledgerInclusionProof(ledger, 7)));
    expect(ok(ledger.consistencyProof(100))).toEqual(ok(ledgerConsistencyProof(ledger, 100)));
    // Another connection reads the very texts back.
    expect(ok(ledgerSeals(openLedger(ledger.path, { readOnly: true })))).toEqual([first, second, third]);
    expect(ledger.verify()).toMatchObject({ ok: true, events: 137 });
  });

  it('an empty ledger seals the empty tree; a ledger opened read-only is never sealed', () => {
    const { ledger, path } = newLedger();
    expect(ok(sealLedger(ledger, ownerKey))).toMatchObject({ treeSize: 0, rootHash: emptyRoot().toString('hex') });
    expect(ok(latestLedgerSeal(newLedger().ledger))).toBeNull();
    ledger.close();
    const refused = failure(sealLedger(openLedger(path, { readOnly: true }), otherKey), 'INTEGRITY');
    expect(refused.message).toMatch(/read-only \(opened read-only\); nothing was sealed/);
  });

  it('a seal first checks the events since the last seal: a broken chain or a rewritten sealed past refuses it', () => {
    const { ledger, path } = newLedger();
    fill(ledger, 100);
    ok(sealLedger(ledger, ownerKey));
    fill(ledger, 140);
    ledger.close();
    const copy = tempLedgerPath('copy.db');
    copyFileSync(path, copy);
    forge(path, (db) => raiseAmount(db, 120));
    rmSync(checkpointPathFor(path));
    expect(failure(sealLedger(openLedger(path), ownerKey), 'INTEGRITY').message).toMatch(/hash chain is broken at position 120/);
    // A forger who rewrites a sealed event, the chain after it and the tree: the last seal no longer matches.
    forge(copy, (db) => {
      raiseAmount(db, 90);
      rechain(db, 90);
      rebuildTree(db);
    });
    expect(failure(sealLedger(openLedger(copy), ownerKey), 'INTEGRITY').message).toMatch(/first 100 events no longer match the seal/);
  });
});

describe('proofs', () => {
  it('inclusion proofs of random positions verify offline under the sealing key, and name it without one', () => {
    const { ledger } = newLedger();
    fill(ledger, 300);
    const seal = ok(sealLedger(ledger, ownerKey));
    const positions = [1, 2, 16, 17, 255, 256, 257, 299, 300, ...Array.from({ length: 25 }, () => 1 + Math.floor(Math.random() * 300))];
    for (const position of positions) {
      const proof = ok(ledgerInclusionProof(ledger, position));
      expect(proof).toMatchObject({ kind: 'inclusion', leafIndex: position - 1, treeSize: 300, seal });
      const text = proofFileText(proof);
      expect(Buffer.byteLength(text)).toBeLessThan(MAX_PROOF_BYTES);
      expect(ok(parseProofFile(Buffer.from(text)))).toEqual(proof);
      expect(ok(verifyProofFile(proof, ownerKey.publicKey))).toMatchObject({ position, keyChecked: true });
      expect(ok(verifyProofFile(proof))).toMatchObject({ fingerprint: fingerprintOf(ownerKey.publicKey), keyChecked: false });
      expect(failure(verifyProofFile(proof, otherKey.publicKey), 'INTEGRITY').details).toMatchObject({ reason: 'wrong-key' });
    }
  });

  it('are refused in plain words where there is nothing to prove', () => {
    const { ledger } = newLedger();
    fill(ledger, 40);
    expect(failure(ledgerInclusionProof(ledger, 5), 'NOT_FOUND').message).toMatch(/has no seal yet/);
    ok(sealLedger(ledger, ownerKey));
    fill(ledger, 50);
    expect(failure(ledgerInclusionProof(ledger, 45), 'NOT_FOUND').message).toMatch(
      /No seal covers position 45 yet: the latest seal is of 40/,
    );
    for (const position of [0, -1, 51, 1.5]) failure(ledgerInclusionProof(ledger, position), 'NOT_FOUND');
    expect(failure(ledgerConsistencyProof(ledger, 30), 'NOT_FOUND').message).toMatch(/no seal of 30 events/);
  });

  it('a consistency proof from an earlier seal to the latest verifies, also across keys and from the latest itself', () => {
    const { ledger } = newLedger();
    ok(sealLedger(ledger, ownerKey));
    fill(ledger, 100);
    const early = ok(sealLedger(ledger, ownerKey));
    fill(ledger, 313);
    const late = ok(sealLedger(ledger, ownerKey));
    const proof = ok(ledgerConsistencyProof(ledger, 100));
    expect(proof).toMatchObject({ kind: 'consistency', fromSeal: early, toSeal: late });
    expect(ok(verifyProofFile(proof, ownerKey.publicKey))).toMatchObject({ fromSize: 100, toSize: 313 });
    expect(ok(ledgerConsistencyProof(ledger, 313)).consistencyPath).toEqual([]);
    expect(failure(ledgerConsistencyProof(ledger, 0), 'VALIDATION').message).toMatch(/at least one leaf/);
    // The seal of the same key is taken where several keys sealed that size.
    ok(sealLedger(ledger, otherKey));
    expect(ok(ledgerConsistencyProof(ledger, 100)).fromSeal).toEqual(early);
  });
});

type Tampering = {
  readonly name: string;
  readonly edit: (db: Database.Database) => void;
  /** Positions whose proof must be refused now, and the verify report expected. */
  readonly refusedProof: number;
  readonly verify: RegExp;
  /**
   * Whether a new seal (by another key) is refused. A seal checks the events since the last seal
   * and that the stored tree still gives the last seal's root: damage inside the sealed past
   * that leaves that root standing is for verify and the proofs to find, and the new seal signs
   * the root the genuine events had.
   */
  readonly sealRefused: boolean;
};

const SEALED = 200;

const TAMPERINGS: readonly Tampering[] = [
  {
    name: 'an edited event (hash left)',
    edit: (db) => raiseAmount(db, 77),
    refusedProof: 77,
    verify: /stored hash does not match/,
    sealRefused: false,
  },
  {
    name: 'an edited event in the last sealed chunk',
    edit: (db) => raiseAmount(db, 195),
    refusedProof: 195,
    verify: /stored hash does not match/,
    sealRefused: true,
  },
  {
    name: 'a deleted event',
    edit: (db) => db.prepare('DELETE FROM events WHERE position = 90').run(),
    refusedProof: 90,
    verify: /event at position 90 is missing/,
    // Refused because the replay stops at the gap, which leaves the ledger read-only.
    sealRefused: true,
  },
  {
    name: 'two events swapped',
    edit: (db) => {
      const [first, second] = [rowAt(db, 120), rowAt(db, 121)];
      db.prepare('DELETE FROM events WHERE position IN (120, 121)').run();
      const insert = db.prepare(
        `INSERT INTO events (position, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, previous_hash, hash)
         VALUES (@position, @eventId, @streamId, @streamVersion, @type, @schemaVersion, @data, @metadata, @recordedAt, @previousHash, @hash)`,
      );
      insert.run({ ...second, position: 120 });
      insert.run({ ...first, position: 121 });
    },
    refusedProof: 120,
    verify: /hash/,
    sealRefused: false,
  },
  {
    name: 'a forged event inserted (the later ones moved up, the chain recomputed, the tree rebuilt)',
    edit: (db) => {
      db.prepare('UPDATE events SET position = -position WHERE position >= 150').run();
      db.prepare('UPDATE events SET position = 1 - position WHERE position < 0').run();
      const copy = rowAt(db, 149);
      db.prepare(
        `INSERT INTO events (position, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, previous_hash, hash)
         VALUES (150, 'forged', @streamId, 100000, @type, @schemaVersion, @data, @metadata, @recordedAt, '', '')`,
      ).run(copy);
      rechain(db, 150);
      rebuildTree(db);
    },
    refusedProof: 150,
    verify: /do not match the seal/,
    sealRefused: true,
  },
  {
    name: 'a cut-off tail with the head checkpoint gone',
    edit: (db) => db.prepare('DELETE FROM events WHERE position > 180').run(),
    refusedProof: 20,
    verify: /cut off/,
    sealRefused: true,
  },
  {
    name: 'a rewritten log: event, chain and tree recomputed',
    edit: (db) => {
      raiseAmount(db, 50);
      rechain(db, 50);
      rebuildTree(db);
    },
    refusedProof: 50,
    verify: /first 200 events do not match the seal .* the log was rewritten/,
    sealRefused: true,
  },
  {
    name: 'an edited tree node',
    edit: (db) => db.prepare('UPDATE tree_nodes SET hash = randomblob(32) WHERE level = 5 AND node_index = 2').run(),
    // Leaf 99's path reads the edited node (leaves 64–95) as its sibling; leaf 69's would not read it.
    refusedProof: 100,
    verify: /node over positions 65–96 does not match those events: the tree was edited/,
    sealRefused: false,
  },
  {
    name: 'an edited seal (its time changed)',
    edit: (db) => db.prepare('UPDATE seals SET seal = replace(seal, \'"signedAt":"20\', \'"signedAt":"19\')').run(),
    refusedProof: 5,
    verify: /a stored seal does not hold/,
    sealRefused: true,
  },
];

describe('tampering with a sealed ledger', () => {
  it.each(TAMPERINGS)(
    '$name: verify names it, prove refuses, and seal where it concerns it',
    ({ edit, refusedProof, verify, sealRefused }) => {
      const { ledger, path } = newLedger();
      fill(ledger, SEALED);
      ok(sealLedger(ledger, ownerKey));
      ledger.close();
      forge(path, edit);
      rmSync(checkpointPathFor(path));
      const opened = openLedger(path, { readOnly: true });
      expect(opened.verify()).toMatchObject({ ok: false, reason: expect.stringMatching(verify) });
      expect(failure(ledgerInclusionProof(opened, refusedProof), 'INTEGRITY').message).toMatch(/Run ledger verify; no proof was made/);
      opened.close();
      const resealed = sealLedger(openLedger(path), otherKey);
      if (sealRefused) expect(failure(resealed, 'INTEGRITY').message).toMatch(/nothing was sealed/);
      else expect(resealed).toMatchObject({ ok: true, value: { rootHash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    },
  );

  it('a rewritten log re-sealed by another key: verify alone cannot tell, the owner key refuses every proof', () => {
    const { ledger, path } = newLedger();
    fill(ledger, SEALED);
    const genuine = ok(sealLedger(ledger, ownerKey));
    ledger.close();
    forge(path, (db) => {
      raiseAmount(db, 50);
      rechain(db, 50);
      rebuildTree(db);
      db.exec('DELETE FROM seals');
    });
    rmSync(checkpointPathFor(path));
    const forged = openLedger(path);
    const forgedSeal: Seal = ok(sealLedger(forged, otherKey));
    expect(forgedSeal.rootHash).not.toBe(genuine.rootHash);
    // Without a key to compare with, the file agrees with itself: that is all verify can say.
    expect(forged.verify()).toMatchObject({ ok: true });
    const proof = ok(ledgerInclusionProof(forged, 50));
    expect(ok(verifyProofFile(proof))).toMatchObject({ fingerprint: fingerprintOf(otherKey.publicKey) });
    const refused = failure(verifyProofFile(proof, ownerKey.publicKey), 'INTEGRITY');
    expect(refused.details).toMatchObject({ reason: 'wrong-key', expectedFingerprint: fingerprintOf(ownerKey.publicKey) });
    // Nor does any genuine seal extend to the forged one: a proof against the genuine root fails.
    expect(verifySeal(sealTreeHead(SEALED, forgedSeal.rootHash, otherKey), ownerKey.publicKey).ok).toBe(false);
  });
});
