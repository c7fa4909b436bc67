/**
 * The Merkle tree the ledger keeps beside its log (RFC 9162 §2.1.1, leaf i = the i-th line of
 * the JSON Lines export): after appends through every path — commands, the pipelined bulk
 * writer (also when another process appends between its batches), the legacy import and a
 * restore — the stored nodes and the root equal the tree recomputed from the export's lines.
 * A log written before the tree gets it in the migration of its first writable open; a tree
 * that lost nodes is computed on the fly for reads, named by verify and never repaired.
 */
import Database from 'better-sqlite3';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { AnyCommand } from '#shared/commands';
import { PipelinedWriter } from '#engine/bulk/pipelined-writer';
import { leafHashOfLine, nodeHashOf, EMPTY_ROOT } from '#engine/history/binary-hash';
import { TreeFrontier } from '#engine/history/tree-frontier';
import { leafHash, nodeHash, emptyRoot } from '#engine/signing/tree-hash';
import { Ledger } from '#engine/ledger';
import { checkpointPathFor } from '#engine/store/head-checkpoint';
import { exportFile, legacyLogText, seedRichLedger } from './export-helpers';
import { TreeNodes } from '#engine/history/tree-nodes';
import { failure, fixturesFolder, newLedger, ok, openLedger, readLedgerFile, tempLedgerPath } from './helpers';
import { engineRoot, expectTreeMatchesExport, expectedNodes, exportedLeaves, referenceRoot, storedNodes } from './tree-helpers';

const vectors = JSON.parse(readFileSync(join(fixturesFolder, 'rfc6962-tree-heads.json'), 'utf8')) as {
  leaves: string[];
  emptyTreeRoot: string;
  roots: Record<string, string>;
};

const hex = (binary: string) => Buffer.from(binary, 'latin1').toString('hex');

function deposits(count: number, account = 'a'): AnyCommand[] {
  return Array.from({ length: count }, (_, index) => ({
    name: 'deposit',
    input: { account, amount: `${(index % 7) + 1}.00`, memo: index % 3 === 0 ? `note ${index} ✓` : undefined },
  })) as AnyCommand[];
}

const openA: AnyCommand = { name: 'open', input: { account: 'a', owner: 'Ada', currency: 'EUR' } };

/** Drops the tree and the seals and marks the file as schema 1: a ledger written before the tree. */
function makeSchemaOne(path: string): void {
  const db = new Database(path);
  try {
    db.exec('DROP TABLE tree_nodes; DROP TABLE seals; PRAGMA user_version = 1;');
  } finally {
    db.close();
  }
}

/** Deletes the stored nodes from `fromIndex` on at the lowest level (and those above them), triggers put back. */
function cutStoredTree(path: string, keepLeaves: number): void {
  const db = new Database(path);
  try {
    const triggers = db
      .prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'tree_nodes'")
      .pluck()
      .all() as string[];
    db.transaction(() => {
      db.exec('DROP TRIGGER tree_nodes_refuse_update; DROP TRIGGER tree_nodes_refuse_delete;');
      db.prepare('DELETE FROM tree_nodes WHERE (node_index + 1) * (1 << level) > ?').run(keepLeaves);
      for (const sql of triggers) db.exec(sql);
    })();
  } finally {
    db.close();
  }
}

describe('the tree hashing', () => {
  it('reproduces the published RFC 6962 tree heads, incrementally, and agrees with the signing core', () => {
    const leaves = vectors.leaves.map((leaf) => Buffer.from(leaf, 'hex'));
    expect(hex(EMPTY_ROOT)).toBe(vectors.emptyTreeRoot);
    expect(hex(TreeFrontier.empty().root())).toBe(emptyRoot().toString('hex'));
    const frontier = TreeFrontier.empty();
    for (const [index, leaf] of leaves.entries()) {
      frontier.push(leafHashOfLine(leaf.toString('latin1')) === '' ? '' : leafHash(leaf).toString('latin1'));
      expect(hex(frontier.root()), `root of ${index + 1}`).toBe(vectors.roots[String(index + 1)]);
      expect(referenceRoot(leaves.slice(0, index + 1)).toString('hex')).toBe(vectors.roots[String(index + 1)]);
    }
    // The engine's binary-string hashes are the signing core's, byte for byte (non-ASCII text included).
    for (const line of ['', '{"position":1}', 'Zoë 🦊 Fox', '稿费 für Алан']) {
      expect(hex(leafHashOfLine(line))).toBe(leafHash(Buffer.from(line, 'utf8')).toString('hex'));
    }
    const left = leafHash(Buffer.from('left'));
    const right = leafHash(Buffer.from('right'));
    expect(hex(nodeHashOf(left.toString('latin1'), right.toString('latin1')))).toBe(nodeHash(left, right).toString('hex'));
  });

  it('a frontier copied from stored range roots continues exactly as the original', () => {
    const leaves = Array.from({ length: 100 }, (_, index) => leafHash(Buffer.from(`leaf ${index}`)).toString('latin1'));
    const whole = TreeFrontier.empty();
    const emitted: string[] = [];
    for (const leaf of leaves) whole.push(leaf, (level, index) => emitted.push(`${level}:${index}`));
    // 100 leaves complete six 16-leaf subtrees, three of 32, one of 64.
    expect(emitted.sort()).toEqual(['4:0', '4:1', '4:2', '4:3', '4:4', '4:5', '5:0', '5:1', '5:2', '6:0'].sort());
    const half = TreeFrontier.empty();
    for (const leaf of leaves.slice(0, 37)) half.push(leaf);
    const resumed = half.copy();
    for (const leaf of leaves.slice(37)) resumed.push(leaf);
    expect(resumed.root()).toBe(whole.root());
    expect(resumed.size).toBe(100);
  });
});

describe('the stored tree after appends', () => {
  it('commands through the handler table and the legacy import', async () => {
    const { ledger, api } = newLedger();
    seedRichLedger(ledger, api);
    for (const result of ledger.executeBatch([
      { name: 'open', input: { account: 'z', owner: 'Zed', currency: 'EUR' } },
      ...deposits(70, 'z'),
    ]))
      ok(result);
    expect(ledger.logHead().position).toBeGreaterThan(128);
    await expectTreeMatchesExport(ledger);
    // A second connection appending after ours: our next append finds the tree where it left it.
    const other = openLedger(ledger.path);
    for (const result of other.executeBatch(deposits(21, 'z'))) ok(result);
    for (const result of ledger.executeBatch(deposits(13, 'z'))) ok(result);
    await expectTreeMatchesExport(ledger);
  });

  it('the pipelined bulk writer, also when another connection appends between its batches', async () => {
    const { ledger } = newLedger();
    const writer = new PipelinedWriter(ledger);
    const other = openLedger(ledger.path);
    // Batches take the plain path only to be decided again after the other connection's append.
    const plain = vi.spyOn(ledger, 'executeBatch');
    try {
      const answers = [writer.submit([openA, ...deposits(299)]), writer.submit(deposits(250)), writer.submit(deposits(17))];
      await Promise.all(answers);
      ok(other.execute({ name: 'deposit', input: { account: 'a', amount: '9.99' } }));
      const later = [writer.submit(deposits(100)), writer.submit(deposits(333))];
      for (const results of await Promise.all(later)) for (const result of results) ok(result);
    } finally {
      await writer.close();
    }
    expect(ledger.logHead().position).toBe(1_001);
    expect(plain.mock.calls.length).toBeLessThanOrEqual(1);
    await expectTreeMatchesExport(ledger);
    expect(ledger.verify().ok).toBe(true);
  });

  it('a restore rebuilds the same stored tree as the original', async () => {
    const { ledger, api } = newLedger();
    seedRichLedger(ledger, api);
    for (const result of ledger.executeBatch(deposits(40, 'eur-1'))) ok(result);
    const exported = join(tempLedgerPath('export').replace(/export$/, ''), 'log.jsonl');
    await exportFile(ledger, exported);
    const restored = ok(await Ledger.restore(exported, { path: tempLedgerPath('restored.db'), actor: 'test' }));
    try {
      expect(storedNodes(restored)).toEqual(storedNodes(ledger));
      expect(engineRoot(restored)).toBe(engineRoot(ledger));
      await expectTreeMatchesExport(restored);
    } finally {
      restored.close();
    }
  });

  it('a legacy import into a fresh ledger', async () => {
    const { ledger } = newLedger();
    ok(ledger.importLegacy(legacyLogText, 'EUR'));
    await expectTreeMatchesExport(ledger);
  });

  it('an empty ledger has the empty tree and no nodes', () => {
    const { ledger } = newLedger();
    expect(engineRoot(ledger)).toBe(vectors.emptyTreeRoot);
    expect(storedNodes(ledger)).toEqual([]);
  });
});

describe('a log written before the tree', () => {
  it('gets its whole tree in the migration of its first writable open; read-only, an older schema is refused as before', async () => {
    const { ledger, path } = newLedger();
    for (const result of ledger.executeBatch([openA, ...deposits(531)])) ok(result);
    const leaves = await exportedLeaves(ledger);
    ledger.close();
    makeSchemaOne(path);
    failure(Ledger.open({ path, readOnly: true }), 'STORAGE');
    const upgraded = openLedger(path);
    expect(readLedgerFile(path, (db) => db.pragma('user_version', { simple: true }))).toBe(2);
    expect(storedNodes(upgraded)).toEqual(expectedNodes(leaves));
    expect(engineRoot(upgraded)).toBe(referenceRoot(leaves).toString('hex'));
    expect(upgraded.verify().ok).toBe(true);
  });

  it('a ledger file written by the version before the tree (tests/fixtures/ledger-schema-1.sqlite) is upgraded with its tree', async () => {
    const path = tempLedgerPath();
    copyFileSync(join(fixturesFolder, 'ledger-schema-1.sqlite'), path);
    const before = new Database(path, { readonly: true });
    expect(before.pragma('user_version', { simple: true })).toBe(1);
    const events = before.prepare('SELECT * FROM events ORDER BY position').all();
    before.close();
    failure(Ledger.open({ path, readOnly: true }), 'STORAGE');
    const upgraded = openLedger(path);
    expect(readLedgerFile(path, (db) => db.pragma('user_version', { simple: true }))).toBe(2);
    expect(readLedgerFile(path, (db) => db.prepare('SELECT * FROM events ORDER BY position').all())).toEqual(events);
    expect(upgraded.logHead().position).toBe(52);
    await expectTreeMatchesExport(upgraded);
    expect(upgraded.verify()).toMatchObject({ ok: true, events: 52 });
    expect(upgraded.info().readOnly).toBe(false);
    ok(upgraded.execute({ name: 'deposit', input: { account: 'ada', amount: '1.00' } }));
    await expectTreeMatchesExport(upgraded);
  });

  it('a stored tree that lost nodes is computed on the fly, named by verify, and refuses appends; nothing repairs it', async () => {
    const { ledger, path } = newLedger();
    for (const result of ledger.executeBatch([openA, ...deposits(700)])) ok(result);
    const leaves = await exportedLeaves(ledger);
    ledger.close();
    cutStoredTree(path, 100);
    const readOnly = openLedger(path, { readOnly: true });
    expect(readLedgerFile(path, (db) => new TreeNodes(db).storedFrontier(701))).toBeUndefined();
    expect(engineRoot(readOnly)).toBe(referenceRoot(leaves).toString('hex'));
    const left = storedNodes(readOnly);
    expect(left.length).toBeLessThan(expectedNodes(leaves).length);
    expect(readOnly.verify()).toMatchObject({
      ok: false,
      firstBadPosition: 97,
      reason: 'the stored Merkle tree has lost its node over positions 97–112',
    });
    readOnly.close();
    const writable = openLedger(path);
    expect(storedNodes(writable)).toEqual(left);
    const refused = failure(writable.execute({ name: 'deposit', input: { account: 'a', amount: '1.00' } }), 'INTEGRITY');
    expect(refused.message).toMatch(/has lost nodes below position 701/);
    // The bulk writer cannot stage onto it either: its batches take the plain path, which answers the same.
    const writer = new PipelinedWriter(writable);
    try {
      for (const result of await writer.submit(deposits(3))) expect(failure(result, 'INTEGRITY').message).toMatch(/has lost nodes/);
    } finally {
      await writer.close();
    }
    expect(writable.logHead().position).toBe(701);
  });

  it('an append onto a log whose events were cut off under its stored tree is refused as INTEGRITY', () => {
    const { ledger, path } = newLedger();
    for (const result of ledger.executeBatch([openA, ...deposits(63)])) ok(result);
    ledger.close();
    const db = new Database(path);
    db.exec('DROP TRIGGER events_refuse_delete; DELETE FROM events WHERE position > 40;');
    db.exec("CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'ledger events are immutable'); END;");
    db.close();
    rmSync(checkpointPathFor(path));
    const reopened = openLedger(path);
    const refused = failure(reopened.execute({ name: 'deposit', input: { account: 'a', amount: '1.00' } }), 'INTEGRITY');
    expect(refused.message).toMatch(/reaches past the log's last event/);
    expect(reopened.logHead().position).toBe(40);
  });
});
