/**
 * Issue 14.4 — signed exports, on real ledger files: a full JSON Lines export carries the seal
 * of its lines and the ledger's stored seals; export → restore → export is byte-identical with
 * the seals restored and no new signature; verify recomputes the tree from the file's raw line
 * bytes and, with the expected key, refuses each of the five tamper kinds, a consistently
 * recomputed forgery (with the old seal or a seal by another key), naming the key found and
 * the one expected; without a key it names the signer. Restore refuses a seal that does not
 * hold unless told to ignore it. A version 1 export still verifies and restores.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportToFile } from '#engine/handlers';
import { Ledger } from '#engine/ledger';
import { manifestLine, type ExportManifest } from '#engine/export/export-format';
import { verifyExportFile, type ExportVerifyReport } from '#engine/export/export-verify';
import { restoreExport } from '#engine/export/export-restore';
import { ledgerSeals, sealLedger } from '#engine/history/ledger-history';
import { fingerprintOf, generateSigningKey, type SigningKey } from '#engine/signing/keys';
import { sealTreeHead } from '#engine/signing/seal';
import { failure, fixturesFolder, newLedger, ok, openLedger, storeOf, tempFolder, withConnection } from './helpers';
import { exportFile, forgeExport, linesOf, rootOfLines, seedRichLedger, writeLines } from './export-helpers';
import { referenceRoot } from './tree-helpers';

const owner = generateSigningKey();
const stranger = generateSigningKey();

function seeded() {
  const created = newLedger({ actor: 'seed' });
  seedRichLedger(created.ledger, created.api);
  return created;
}

/** A sealed export of a seeded ledger, its lines (manifest last) and its manifest. */
async function sealedExport(key: SigningKey = owner) {
  const { ledger, api, path } = seeded();
  const file = join(tempFolder(), 'sealed.jsonl');
  const summary = ok(await exportToFile(ledger, file, 'jsonl', {}, {}, key));
  const lines = linesOf(file);
  const { manifest } = JSON.parse(lines[lines.length - 1]!) as { manifest: ExportManifest };
  return { ledger, api, path, file, summary, lines, manifest };
}

/** A copy of `lines` changed by `change`, written to a new file. */
function variant(lines: readonly string[], change: (copy: string[]) => string[] | void): string {
  const copy = [...lines];
  const path = join(tempFolder(), 'variant.jsonl');
  writeLines(path, change(copy) ?? copy);
  return path;
}

function refused(report: ExportVerifyReport): Extract<ExportVerifyReport, { ok: false }> {
  expect(report.ok, JSON.stringify(report)).toBe(false);
  return report as Extract<ExportVerifyReport, { ok: false }>;
}

describe('a signed export', () => {
  it('carries the seal of exactly its lines (the stored tree’s root, RFC 9162) and the ledger’s seals', async () => {
    const { ledger, lines, manifest, summary } = await sealedExport();
    const events = ledger.lastPosition;
    const leaves = lines.slice(0, -1).map((line) => Buffer.from(line, 'utf8'));
    const root = referenceRoot(leaves).toString('hex');
    expect(manifest).toMatchObject({ formatVersion: 2, count: events, rootHash: root });
    expect(manifest.seal).toMatchObject({ treeSize: events, rootHash: root, publicKey: owner.publicKey });
    // The export's seal is stored in the ledger like any other, and is the one the manifest carries.
    expect(ok(ledgerSeals(ledger))).toEqual([manifest.seal]);
    expect(manifest.seals).toEqual([manifest.seal]);
    expect(summary.seal).toEqual({ fingerprint: owner.fingerprint, treeSize: events, signedAt: manifest.seal!.signedAt });
    // The manifest line is the exporter's one form, the seal texts spliced in as stored.
    expect(`${lines[lines.length - 1]}\n`).toBe(manifestLine(manifest));
  });

  it('verifies under its key, and without a key names its signer', async () => {
    const { file, manifest, ledger } = await sealedExport();
    const withKey = await verifyExportFile(file, { expectedPublicKey: owner.publicKey });
    expect(withKey).toMatchObject({
      ok: true,
      events: ledger.lastPosition,
      keyChecked: true,
      seal: { fingerprint: owner.fingerprint, publicKey: owner.publicKey, treeSize: manifest.count },
    });
    expect(await verifyExportFile(file)).toMatchObject({ ok: true, keyChecked: false, seal: { fingerprint: owner.fingerprint } });
  });

  it('export → restore → export is byte-identical: the same seals come back and no new signature is made', async () => {
    const { ledger, api, file: first } = await sealedExport();
    // An older seal too, by another key, at an earlier size: both are carried and restored.
    ok(sealLedger(ledger, stranger));
    ok(api.deposit({ account: 'eur-1', amount: '2.00', memo: 'after the first seal' }));
    const folder = tempFolder();
    const second = join(folder, 'second.jsonl');
    ok(await exportToFile(ledger, second, 'jsonl', {}, {}, owner));
    const seals = ok(ledgerSeals(ledger));
    expect(seals.map((seal) => [seal.treeSize, seal.publicKey])).toEqual([
      [ledger.lastPosition - 1, owner.publicKey],
      [ledger.lastPosition - 1, stranger.publicKey],
      [ledger.lastPosition, owner.publicKey],
    ]);
    expect(readFileSync(first)).not.toEqual(readFileSync(second));

    const restoredPath = join(folder, 'restored.db');
    let summary: unknown;
    const restored = ok(
      await Ledger.restore(second, { path: restoredPath, actor: 'restorer' }, { onRestored: (value) => (summary = value) }),
    );
    expect(summary).toMatchObject({ seals: 3, seal: { fingerprint: owner.fingerprint, treeSize: ledger.lastPosition } });
    expect(ok(ledgerSeals(restored))).toEqual(seals);
    // With the same key (its head is sealed by a stored seal), with another, and with none: the same bytes.
    for (const key of [owner, undefined]) {
      const again = join(folder, `again-${key ? 'key' : 'none'}.jsonl`);
      ok(await exportToFile(restored, again, 'jsonl', {}, {}, key));
      expect(readFileSync(again)).toEqual(readFileSync(second));
    }
    expect(ok(ledgerSeals(restored))).toHaveLength(3);
    restored.close();
  });

  it('a second export of an unchanged ledger makes no new seal and gives the same bytes', async () => {
    const { ledger, file } = await sealedExport();
    const again = join(tempFolder(), 'again.jsonl');
    ok(await exportToFile(ledger, again, 'jsonl', {}, {}, owner));
    expect(readFileSync(again)).toEqual(readFileSync(file));
    expect(ok(ledgerSeals(ledger))).toHaveLength(1);
  });

  it('a filtered export carries no seal, and a key expected of it is refused', async () => {
    const { ledger } = seeded();
    const file = join(tempFolder(), 'filtered.jsonl');
    expect(ok(await exportToFile(ledger, file, 'jsonl', { accounts: ['eur-1'] }, {}, owner))).toMatchObject({ seal: null });
    const lines = linesOf(file);
    expect(JSON.parse(lines[lines.length - 1]!)).toMatchObject({ manifest: { seal: null, seals: [] } });
    expect(ok(ledgerSeals(ledger))).toEqual([]);
    expect(await verifyExportFile(file)).toMatchObject({ ok: true, seal: null });
    expect(refused(await verifyExportFile(file, { expectedPublicKey: owner.publicKey })).reason).toMatch(/carries no seal/);
  });

  it('a stored seal that no longer matches the events refuses the export (INTEGRITY), writing nothing', async () => {
    const { ledger, api } = seeded();
    const seal = ok(sealLedger(ledger, owner));
    ok(api.deposit({ account: 'eur-1', amount: '1.00' }));
    // Someone with the file removes the immutability trigger and swaps a seal's root.
    withConnection(ledger.path, (db) => {
      db.exec('DROP TRIGGER seals_refuse_update');
      db.prepare('UPDATE seals SET seal = ? WHERE tree_size = ?').run(JSON.stringify({ ...seal, rootHash: 'f'.repeat(64) }), seal.treeSize);
    });
    const file = join(tempFolder(), 'never.jsonl');
    expect(failure(await exportToFile(ledger, file, 'jsonl', {}), 'INTEGRITY').message).toMatch(/does not match its events/);
    expect(() => readFileSync(file)).toThrow();
  });
});

describe('verify --file with the expected key refuses each tamper kind, naming both keys', () => {
  const expectRefused = async (path: string, reason: RegExp) => {
    const report = refused(await verifyExportFile(path, { expectedPublicKey: owner.publicKey }));
    expect(report.reason).toMatch(reason);
    expect(report.reason).toContain(owner.fingerprint);
    return report;
  };

  it('a changed line, a deleted line, reordered lines', async () => {
    const { lines } = await sealedExport();
    await expectRefused(
      variant(lines, (copy) => void (copy[70] = copy[70]!.replace(/"amountMinor":(\d+)/, '"amountMinor":1$1'))),
      /hash does not match/,
    );
    await expectRefused(
      variant(lines, (copy) => void copy.splice(30, 1)),
      /missing/,
    );
    await expectRefused(
      variant(lines, (copy) => void ([copy[10], copy[11]] = [copy[11]!, copy[10]!])),
      /position/,
    );
  });

  it('an edited manifest: a count, a root, a seal’s time, or only its form', async () => {
    const { lines, manifest } = await sealedExport();
    const withManifest = (edited: ExportManifest) =>
      variant(lines, (copy) => void (copy[copy.length - 1] = manifestLine(edited).slice(0, -1)));
    await expectRefused(withManifest({ ...manifest, count: manifest.count + 1 }), /count/);
    await expectRefused(withManifest({ ...manifest, rootHash: 'a'.repeat(64) }), /rootHash/);
    const retimed = { ...manifest.seal!, signedAt: '2020-01-01T00:00:00.000Z' };
    const report = await expectRefused(withManifest({ ...manifest, seal: retimed, seals: [retimed] }), /does not hold/);
    expect(report.sealFailure).toMatchObject({ reason: 'bad-signature', fingerprint: owner.fingerprint });
    await expectRefused(
      variant(lines, (copy) => void (copy[copy.length - 1] = copy[copy.length - 1]!.replace('"seal":{', '"seal": {'))),
      /form was edited/,
    );
  });

  it('the chain recomputed after an edit, keeping the seal: the seal no longer matches the lines', async () => {
    const { file } = await sealedExport();
    const forged = join(tempFolder(), 'forged.jsonl');
    const edited = (rows: Array<{ data: string }>) => {
      const row = rows.find((candidate) => candidate.data.includes('"memo":"rent, March"'))!;
      row.data = row.data.replace('rent, March', 'rent, April');
    };
    forgeExport(file, edited, forged);
    expect((await verifyExportFile(forged)).ok).toBe(false);
    const report = await expectRefused(forged, /does not match the file's first/);
    expect(report.sealFailure).toMatchObject({ reason: 'root-mismatch', expectedFingerprint: owner.fingerprint });
  });

  it('a consistent forgery sealed by another key: refused with the key, and without a key it names the stranger', async () => {
    const { file, lines } = await sealedExport();
    const forged = join(tempFolder(), 'forged.jsonl');
    forgeExport(file, (rows) => rows.splice(5, 1), forged);
    const forgedLines = linesOf(forged);
    const { manifest } = JSON.parse(forgedLines.pop()!) as { manifest: ExportManifest };
    const root = rootOfLines(forgedLines.map((line) => `${line}\n`).join(''));
    const seal = sealTreeHead(manifest.count, root, stranger);
    writeLines(forged, [...forgedLines, manifestLine({ ...manifest, rootHash: root, seal, seals: [seal] }).slice(0, -1)]);
    expect(linesOf(forged)).toHaveLength(lines.length - 1);

    const report = await expectRefused(forged, /sealed by key .*not by the expected key/);
    expect(report.reason).toContain(stranger.fingerprint);
    expect(report.sealFailure).toMatchObject({
      reason: 'wrong-key',
      fingerprint: stranger.fingerprint,
      expectedFingerprint: owner.fingerprint,
    });
    // It agrees with itself: only the fingerprint tells the auditor it is not the owner's.
    expect(await verifyExportFile(forged)).toMatchObject({ ok: true, keyChecked: false, seal: { fingerprint: stranger.fingerprint } });
  });

  it('a byte that is not UTF-8 in a line, a carriage return, or lines rewritten with CRLF', async () => {
    const { file } = await sealedExport();
    const bytes = readFileSync(file);
    const at = bytes.indexOf(Buffer.from('Émilie'));
    const broken = Buffer.from(bytes);
    broken[at] = 0xff;
    const path = join(tempFolder(), 'not-utf8.jsonl');
    writeFileSync(path, broken);
    expect(refused(await verifyExportFile(path))).toMatchObject({ firstBadLine: 1, reason: expect.stringMatching(/not valid UTF-8/) });

    const crlf = join(tempFolder(), 'crlf.jsonl');
    writeFileSync(crlf, bytes.toString('utf8').replace(/\n/g, '\r\n'));
    expect(refused(await verifyExportFile(crlf)).firstBadLine).toBe(1);
  });

  it('an unsealed export is refused when a key is expected', async () => {
    const { ledger } = seeded();
    const file = join(tempFolder(), 'unsealed.jsonl');
    await exportFile(ledger, file);
    expect(await verifyExportFile(file)).toMatchObject({ ok: true, seal: null });
    await expectRefused(file, /carries no seal/);
  });
});

describe('restore and the seal', () => {
  it('refuses an export whose seal does not hold, writing nothing; restores it when told to ignore the seal', async () => {
    const { file } = await sealedExport();
    const forged = join(tempFolder(), 'forged.jsonl');
    forgeExport(file, (rows) => rows.pop(), forged);
    const folder = tempFolder();
    const target = join(folder, 'restored.db');
    const refusal = failure(await Ledger.restore(forged, { path: target, actor: 'restorer' }), 'INTEGRITY');
    expect(refusal.message).toMatch(/seal of the export .* does not hold.*--ignore-seal/);
    expect(() => readFileSync(target)).toThrow();

    let summary: { note?: string; seals?: number; seal?: unknown } = {};
    const restored = ok(
      await Ledger.restore(forged, { path: target, actor: 'restorer' }, { ignoreSeal: true, onRestored: (value) => (summary = value) }),
    );
    expect(summary).toMatchObject({ seal: null, seals: 0, note: expect.stringMatching(/seal does not hold.*without the 1 seal/) });
    expect(restored.verify()).toMatchObject({ ok: true });
    expect(ok(ledgerSeals(restored))).toEqual([]);
    restored.close();
  });

  it('with an expected key: a seal by another key is refused, the owner’s is restored', async () => {
    const { file } = await sealedExport();
    const { ledger: empty } = newLedger();
    expect(
      failure(await restoreExport(storeOf(empty), file, { expectedPublicKey: stranger.publicKey }), 'INTEGRITY').details,
    ).toMatchObject({
      reason: 'wrong-key',
      fingerprint: owner.fingerprint,
      expectedFingerprint: stranger.fingerprint,
    });
    expect(empty.logHead().position).toBe(0);
    expect(ok(await restoreExport(storeOf(empty), file, { expectedPublicKey: owner.publicKey }))).toMatchObject({
      seals: 1,
      seal: { fingerprint: fingerprintOf(owner.publicKey) },
    });
  });
});

describe('a version 1 export (before seals)', () => {
  const fixture = join(fixturesFolder, 'export-v1.jsonl');

  it('still verifies, is refused when a key is expected, and restores with a note; its events export again unchanged', async () => {
    const report = await verifyExportFile(fixture);
    expect(report).toMatchObject({ ok: true, events: 64, seal: null, manifest: { formatVersion: 1 } });
    expect(refused(await verifyExportFile(fixture, { expectedPublicKey: owner.publicKey })).reason).toMatch(/carries no seal/);

    const folder = tempFolder();
    let summary: { note?: string } = {};
    const restored = ok(
      await Ledger.restore(fixture, { path: join(folder, 'restored.db'), actor: 'restorer' }, { onRestored: (value) => (summary = value) }),
    );
    expect(summary.note).toMatch(/version 1 export/);
    const again = join(folder, 'again.jsonl');
    await exportFile(restored, again);
    expect(linesOf(again).slice(0, -1)).toEqual(linesOf(fixture).slice(0, -1));
    expect(JSON.parse(linesOf(again).pop()!)).toMatchObject({ manifest: { formatVersion: 2, count: 64, seal: null } });
    restored.close();
    // A version 1 manifest that claims seals is not read as one.
    const lines = linesOf(fixture);
    const claimed = variant(lines, (copy) => void (copy[copy.length - 1] = copy[copy.length - 1]!.replace('}}', ',"seals":[]}}')));
    expect(refused(await verifyExportFile(claimed)).reason).toMatch(/version 1 manifest carries no seals/);
  });
});

describe('the engine never signs a ledger that fails its checks', () => {
  it('a ledger found tampered with at open is not sealed by an export', async () => {
    const { ledger, path } = seeded();
    ledger.close();
    const tampered = openLedger(path);
    tampered.markReadOnly('the chain was rewritten');
    const refusal = failure(await exportToFile(tampered, join(tempFolder(), 'x.jsonl'), 'jsonl', {}, {}, owner), 'INTEGRITY');
    expect(refusal.message).toMatch(/fails its checks .* not sealed/);
    expect(ok(ledgerSeals(tampered))).toEqual([]);
  });
});
