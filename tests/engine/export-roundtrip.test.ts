/**
 * Export → restore → export gives the very same bytes, through Ledger.restore and through the
 * CLI's `import --file`, for a log with legacy-imported events (schema version 1, payload text
 * stored byte for byte), transfers, a closed account and unicode memos. Restore refuses a
 * non-empty ledger, an existing file and a filtered export, and a failed restore leaves no
 * file behind.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditFilter } from '#shared/audit';
import { toSnapshotFilter } from '#engine/handlers';
import { Ledger } from '#engine/ledger';
import { restoreExport } from '#engine/export/export-restore';
import { verifyExportFile } from '#engine/export/export-verify';
import { runCli } from './cli-process';
import { failure, handlersFor, listFolder, newLedger, ok, openLedger, sha256File, storeOf, tempFolder } from './helpers';
import { LEGACY_EVENTS, exportFile, exportText, forgeExport, linesOf, parseLine, seedRichLedger, writeLines } from './export-helpers';
import { legacyLine } from './legacy-lines';

/** A restored ledger, closed after the test by the helpers' cleanup. */
async function restoreInto(exportPath: string, path: string): Promise<Ledger> {
  const restored = ok(await Ledger.restore(exportPath, { path, actor: 'restorer' }));
  // Register it for cleanup and read it back the way any caller would.
  restored.close();
  return openLedger(path);
}

function seeded() {
  const created = newLedger({ actor: 'seed' });
  seedRichLedger(created.ledger, created.api);
  return created;
}

describe('export → restore → export', () => {
  it('is byte-identical through Ledger.restore, and the restored ledger reads the same', async () => {
    const { ledger } = seeded();
    const folder = tempFolder();
    const first = join(folder, 'first.jsonl');
    const summary = await exportFile(ledger, first);
    const total = ledger.lastPosition;
    expect(summary).toEqual({ path: first, format: 'jsonl', events: total, lastPosition: total, seal: null });
    expect(total).toBe(LEGACY_EVENTS + 23);

    // The export holds what it should: legacy rows as stored (schema 1), unicode memos, both transfer legs.
    const lines = linesOf(first);
    expect(lines).toHaveLength(total + 1);
    expect(parseLine(lines[0]!)).toMatchObject({
      position: 1,
      type: 'AccountCreated',
      schemaVersion: 1,
      data: { owner: 'Émilie du Châtelet' },
    });
    expect(lines.some((line) => line.includes('"memo":"稿费 für Алан — ünïcödé 🎉👩‍👩‍👧"'))).toBe(true);
    expect(lines.filter((line) => parseLine(line).type === 'TransferSent')).toHaveLength(4);
    expect(lines.filter((line) => parseLine(line).type === 'TransferReceived')).toHaveLength(4);

    const restored = await restoreInto(first, join(folder, 'restored.db'));
    const second = join(folder, 'second.jsonl');
    await exportFile(restored, second);
    expect(readFileSync(second)).toEqual(readFileSync(first));

    expect(restored.verify()).toEqual({ ok: true, events: total, head: ledger.logHead().hash });
    expect(restored.listAccounts()).toEqual(ledger.listAccounts());
    expect(restored.audit.page({}, undefined, 500)).toEqual(ledger.audit.page({}, undefined, 500));
    expect(restored.info()).toMatchObject({ lastPosition: total, readOnly: false });
    // The restored ledger takes new commands on top of the restored chain.
    ok(handlersFor(restored).deposit({ account: 'eur-1', amount: '1.00' }));
    expect(restored.verify()).toMatchObject({ ok: true, events: total + 1 });
  });

  it('exporting the same log twice gives the same bytes (nothing depends on the moment)', async () => {
    const { ledger } = seeded();
    const once = await exportText(ledger);
    const twice = await exportText(ledger);
    expect(twice.text).toBe(once.text);
    expect(once.manifest).toMatchObject({
      firstPosition: 1,
      lastPosition: ledger.lastPosition,
      count: ledger.lastPosition,
    });
    expect(once.manifest.filter).toBeUndefined();
  });

  it('keeps legacy payload text that is not in canonical JSON form (100.50, \\u0026, spaces): it verifies, restores and re-exports identically', async () => {
    // The legacy import stores each line's payload text byte for byte; the export splices it in
    // verbatim, so the verifier must hash the bytes it reads, not a re-serialisation.
    const { ledger } = newLedger();
    const legacy = [
      '{"id":"evt-legacy-1","aggregate_id":"acc-x","aggregate_type":"BankAccount","event_type":"AccountCreated","version":1,"data":{"initial_deposit":100.50,"owner":"Tom \\u0026 Jerry"},"timestamp":"2026-11-26T20:27:02.252584193Z"}',
      '{"id":"evt-legacy-2","aggregate_id":"acc-x","aggregate_type":"BankAccount","event_type":"MoneyDeposited","version":2,"data":{ "amount": 1.5 },"timestamp":"2026-11-26T20:27:03Z"}',
      '{"id":"evt-legacy-3","aggregate_id":"acc-x","aggregate_type":"BankAccount","event_type":"MoneyWithdrawn","version":3,"data":{"amount":2e0},"timestamp":"2026-11-26T20:27:04Z"}',
    ].join('\n');
    ok(ledger.importLegacy(legacy, 'EUR'));
    ok(handlersFor(ledger).deposit({ account: 'acc-x', amount: '0.25', memo: 'after the legacy events' }));
    const folder = tempFolder();
    const first = join(folder, 'first.jsonl');
    await exportFile(ledger, first);
    expect(readFileSync(first, 'utf8')).toContain('"data":{"initial_deposit":100.50,"owner":"Tom \\u0026 Jerry"}');

    const report = await verifyExportFile(first);
    expect(report).toMatchObject({ ok: true, events: 4, head: ledger.logHead().hash });

    const restored = await restoreInto(first, join(folder, 'restored.db'));
    const second = join(folder, 'second.jsonl');
    await exportFile(restored, second);
    expect(readFileSync(second)).toEqual(readFileSync(first));
    expect(restored.listAccounts()).toEqual(ledger.listAccounts());
    expect(ok(restored.getAccount('acc-x')).balanceMinor).toBe(10050 + 150 - 200 + 25);
  });

  it('works for an empty ledger too: a manifest alone, which verifies and restores to an empty ledger', async () => {
    const { ledger } = newLedger();
    const folder = tempFolder();
    const first = join(folder, 'first.jsonl');
    await exportFile(ledger, first);
    expect(linesOf(first)).toHaveLength(1);
    expect(await verifyExportFile(first)).toMatchObject({
      ok: true,
      events: 0,
      head: '0'.repeat(64),
      manifest: { count: 0, firstPosition: 0, lastPosition: 0 },
    });
    const restored = await restoreInto(first, join(folder, 'restored.db'));
    expect(restored.lastPosition).toBe(0);
    const second = join(folder, 'second.jsonl');
    await exportFile(restored, second);
    expect(readFileSync(second)).toEqual(readFileSync(first));
  });

  it('is byte-identical through the CLI: export --out, import --file into a new file and into an empty ledger', async () => {
    const { ledger, path } = seeded();
    ledger.close();
    const folder = tempFolder();
    const first = join(folder, 'first.jsonl');
    const exported = await runCli(['--db', path, 'export', '--out', first]);
    expect(exported.code).toBe(0);
    const reopened = openLedger(path, { readOnly: true });
    const total = reopened.lastPosition;
    // Signed with the key made on first use in the CLI's config folder (cli-process.ts).
    expect(exported.lines).toEqual([
      {
        ok: true,
        path: first,
        format: 'jsonl',
        events: total,
        lastPosition: total,
        seal: { fingerprint: expect.stringMatching(/^SHA256:/), treeSize: total, signedAt: expect.any(String) },
        ...((exported.lines[0] as { note?: string }).note === undefined ? {} : { note: expect.stringMatching(/new signing key/) }),
      },
    ]);
    const sealed = { fingerprint: (exported.lines[0] as { seal: { fingerprint: string } }).seal.fingerprint, treeSize: total };

    // Into a file that does not exist yet.
    const restoredPath = join(folder, 'restored.db');
    const imported = await runCli(['--db', restoredPath, 'import', '--file', first]);
    const restoredSummary = { ok: true, events: total, head: reopened.logHead().hash, seal: expect.objectContaining(sealed), seals: 1 };
    expect(imported.lines).toEqual([restoredSummary]);
    expect(imported.code).toBe(0);

    // Into an existing, empty ledger file.
    const emptyPath = join(folder, 'empty.db');
    openLedger(emptyPath).close();
    const intoEmpty = await runCli(['--db', emptyPath, 'import', '--file', first]);
    expect(intoEmpty.lines).toEqual([restoredSummary]);
    expect(intoEmpty.code).toBe(0);

    for (const restoredFile of [restoredPath, emptyPath]) {
      const restored = openLedger(restoredFile);
      const again = join(folder, `again-${listFolder(folder).length}.jsonl`);
      await exportFile(restored, again);
      expect(readFileSync(again)).toEqual(readFileSync(first));
      expect(restored.listAccounts()).toEqual(reopened.listAccounts());
      expect(restored.verify()).toMatchObject({ ok: true, events: total });
    }
  });
});

describe('a filtered export', () => {
  it('holds exactly the events the audit view shows for the same dates and types (instants, not text: legacy times carry offsets)', async () => {
    const { ledger, api } = newLedger();
    ok(
      ledger.importLegacy(
        [
          legacyLine('evt-days-1', 'old', 'AccountCreated', 1, { initial_deposit: 1, owner: 'Old' }, '2024-02-28T23:59:59.999Z'),
          legacyLine('evt-days-2', 'old', 'MoneyDeposited', 2, { amount: 1 }, '2024-02-29T00:00:00Z'),
          legacyLine('evt-days-3', 'old', 'MoneyDeposited', 3, { amount: 1 }, '2024-02-29T23:59:59.999999999Z'),
          legacyLine('evt-days-4', 'old', 'MoneyDeposited', 4, { amount: 1 }, '2024-03-01T00:00:00.000Z'),
          // 23:00 on 29 February UTC, written with the writer's own offset.
          legacyLine('evt-days-5', 'old', 'MoneyDeposited', 5, { amount: 1 }, '2024-03-01T01:00:00+02:00'),
          // 13:00:00.5 on 29 February UTC.
          legacyLine('evt-days-6', 'old', 'MoneyWithdrawn', 6, { amount: 1 }, '2024-02-29T12:00:00.5-01:00'),
        ].join('\n'),
        'EUR',
      ),
    );
    ok(api.openAccount({ account: 'new', owner: 'New', currency: 'EUR', initial: '5.00' }));
    ok(api.transfer({ from: 'old', to: 'new', amount: '1.00' }));
    const filters: AuditFilter[] = [
      { from: '2024-02-29', to: '2024-02-29' },
      { from: '2024-02-29T00:00:00.000Z', to: '2024-02-29T23:59:59.999Z' },
      { to: '2024-02-29T13:00:00Z' },
      { from: '2024-02-29T13:00:00.500Z', to: '2024-02-29T23:00:00Z' },
      { from: '2024-03-01' },
      { types: ['AccountOpened', 'MoneyWithdrawn'] },
      { types: ['MoneyDeposited'], from: '2024-02-29', to: '2024-03-01' },
      { accounts: ['old'], from: '2024-02-29' },
    ];
    for (const filter of filters) {
      const { text, manifest } = await exportText(ledger, toSnapshotFilter(filter));
      const exported = text
        .slice(0, -1)
        .split('\n')
        .slice(0, -1)
        .map((line) => parseLine(line).position);
      // An account filter keeps the account's own stream (a transfer's other leg is another stream).
      const shown = ok(handlersFor(ledger).auditEvents({ filter, limit: 500 }))
        .rows.filter((row) => filter.accounts === undefined || filter.accounts.includes(row.account))
        .map((row) => row.position)
        .reverse();
      expect(exported, JSON.stringify(filter)).toEqual(shown);
      expect(manifest.count).toBe(shown.length);
      expect(manifest.filter).toBeDefined();
    }
  });
});

describe('restore refuses', () => {
  it('an existing file, leaving it untouched', async () => {
    const { ledger } = seeded();
    const folder = tempFolder();
    const exportPath = join(folder, 'log.jsonl');
    await exportFile(ledger, exportPath);
    const existing = join(folder, 'existing.db');
    writeFileSync(existing, 'not mine to overwrite');
    const before = sha256File(existing);
    const refused = failure(await Ledger.restore(exportPath, { path: existing }), 'ALREADY_EXISTS');
    expect(refused.message).toContain(existing);
    expect(sha256File(existing)).toBe(before);
    expect(listFolder(folder)).toEqual(['existing.db', 'log.jsonl']);
  });

  it('a ledger that already has events, writing nothing into it', async () => {
    const { ledger } = seeded();
    const folder = tempFolder();
    const exportPath = join(folder, 'log.jsonl');
    await exportFile(ledger, exportPath);
    const other = newLedger();
    ok(other.api.openAccount({ account: 'mine', owner: 'Me', currency: 'EUR', initial: '1.00' }));
    failure(await restoreExport(storeOf(other.ledger), exportPath), 'ALREADY_EXISTS');
    expect(other.ledger.logHead().position).toBe(1);
    expect(other.ledger.verify()).toMatchObject({ ok: true, events: 1 });

    // The CLI says the same (exit 1, a domain error) and leaves the ledger as it was.
    other.ledger.close();
    const before = sha256File(other.path);
    const run = await runCli(['--db', other.path, 'import', '--file', exportPath]);
    expect(run.lines).toEqual([{ ok: false, error: expect.objectContaining({ code: 'ALREADY_EXISTS' }) }]);
    expect(run.code).toBe(1);
    expect(sha256File(other.path)).toBe(before);
  });

  it('a filtered export (it has gaps by design), leaving no file behind', async () => {
    const { ledger } = seeded();
    const folder = tempFolder();
    const exportPath = join(folder, 'filtered.jsonl');
    await exportFile(ledger, exportPath, 'jsonl', { accounts: ['eur-1'] });
    const manifest = JSON.parse(linesOf(exportPath).at(-1)!) as { manifest: { filter?: Record<string, string>; count: number } };
    expect(manifest.manifest.filter).toEqual({ streamIds: 'eur-1' });
    expect(manifest.manifest.count).toBe(4);
    // A filtered export verifies event by event…
    expect(await verifyExportFile(exportPath)).toMatchObject({ ok: true, events: 4 });
    // …but it is not a whole log.
    const target = join(folder, 'restored.db');
    const refused = failure(await Ledger.restore(exportPath, { path: target }), 'VALIDATION');
    expect(refused.message).toMatch(/filter/);
    expect(listFolder(folder)).toEqual(['filtered.jsonl']);

    const run = await runCli(['--db', target, 'import', '--file', exportPath]);
    expect(run.lines).toEqual([{ ok: false, error: expect.objectContaining({ code: 'VALIDATION' }) }]);
    expect(run.code).toBe(1);
    expect(listFolder(folder)).toEqual(['filtered.jsonl']);
  });

  it('an export that fails verification, leaving no file behind (Ledger.restore and the CLI, exit 3)', async () => {
    const { ledger } = seeded();
    const folder = tempFolder();
    const exportPath = join(folder, 'tampered.jsonl');
    await exportFile(ledger, exportPath);
    const lines = linesOf(exportPath);
    lines[40] = lines[40]!.replace(/"amount":(\d)/, '"amount":9$1');
    expect(lines[40]).not.toBe(linesOf(exportPath)[40]);
    writeLines(exportPath, lines);

    const target = join(folder, 'restored.db');
    const refused = failure(await Ledger.restore(exportPath, { path: target }), 'INTEGRITY');
    expect(refused.message).toContain('line 41');
    expect(listFolder(folder)).toEqual(['tampered.jsonl']);

    const run = await runCli(['--db', target, 'import', '--file', exportPath]);
    expect(run.code).toBe(3);
    expect(run.lines).toEqual([
      { ok: false, error: expect.objectContaining({ code: 'INTEGRITY', message: expect.stringContaining('line 41') }) },
    ]);
    expect(listFolder(folder)).toEqual(['tampered.jsonl']);
  });

  it('an export that verifies but cannot be replayed (re-hashed after an edit, or from a newer version), leaving no file behind', async () => {
    const { ledger, api } = newLedger();
    ok(api.openAccount({ account: 'a', owner: 'A', currency: 'EUR', initial: '10.00' })); // 1
    ok(api.withdraw({ account: 'a', amount: '5.00' })); // 2
    ok(api.deposit({ account: 'a', amount: '1.00' })); // 3
    const folder = tempFolder();
    const original = join(folder, 'original.jsonl');
    await exportFile(ledger, original);
    const forgeries = {
      // A withdrawal of 50.00 from 10.00: the account would go below zero.
      overdraft: (rows: Array<{ data: string }>) => void (rows[1]!.data = rows[1]!.data.replace('"amountMinor":500', '"amountMinor":5000')),
      // An event type this version does not know (an export from a newer app).
      unknownType: (rows: Array<{ type: string }>) => void (rows[2]!.type = 'MoneyTeleported'),
      newerSchema: (rows: Array<{ schemaVersion: number }>) => void (rows[2]!.schemaVersion = 3),
    };
    for (const [name, change] of Object.entries(forgeries)) {
      const forged = join(folder, `${name}.jsonl`);
      forgeExport(original, change as (rows: unknown[]) => void, forged);
      expect(await verifyExportFile(forged), name).toMatchObject({ ok: true, events: 3 });
      const target = join(folder, `${name}.db`);
      const refused = failure(await Ledger.restore(forged, { path: target }), 'INTEGRITY');
      expect(refused.message, name).toMatch(/position [23]/);
      expect(
        listFolder(folder).filter((file) => file.startsWith(`${name}.db`)),
        name,
      ).toEqual([]);
    }

    // Through the CLI into an existing, empty ledger: exit 3 and the ledger stays empty.
    const emptyPath = join(folder, 'empty.db');
    openLedger(emptyPath).close();
    const run = await runCli(['--db', emptyPath, 'import', '--file', join(folder, 'overdraft.jsonl')]);
    expect(run.lines).toEqual([
      { ok: false, error: expect.objectContaining({ code: 'INTEGRITY', message: expect.stringMatching(/position 2/) }) },
    ]);
    expect(run.code).toBe(3);
    expect(openLedger(emptyPath).logHead().position).toBe(0);
  });

  it('an export that verifies but holds one event id twice, leaving no file behind', async () => {
    const { ledger, api } = newLedger();
    ok(api.openAccount({ account: 'a', owner: 'A', currency: 'EUR', initial: '10.00' }));
    ok(api.deposit({ account: 'a', amount: '1.00' }));
    const folder = tempFolder();
    const original = join(folder, 'original.jsonl');
    await exportFile(ledger, original);
    const forged = join(folder, 'forged.jsonl');
    forgeExport(original, (rows) => void (rows[1] = { ...rows[1]!, eventId: rows[0]!.eventId }), forged);
    expect(await verifyExportFile(forged)).toMatchObject({ ok: true });
    const refused = failure(await Ledger.restore(forged, { path: join(folder, 'restored.db') }), 'INTEGRITY');
    expect(refused.message).toMatch(/event id/);
    expect(listFolder(folder)).toEqual(['forged.jsonl', 'original.jsonl']);

    const emptyPath = join(folder, 'empty.db');
    openLedger(emptyPath).close();
    const run = await runCli(['--db', emptyPath, 'import', '--file', forged]);
    expect(run.lines).toEqual([{ ok: false, error: expect.objectContaining({ code: 'INTEGRITY' }) }]);
    expect(run.code).toBe(3);
  });

  it('an export with a repeated event id deep in a long log (met while the rows stream in), with the real reason', async () => {
    const { ledger } = newLedger();
    const deposits = Array.from({ length: 1_200 }, () => ({ name: 'deposit' as const, input: { account: 'a', amount: '1.00' } }));
    for (const result of ledger.executeBatch([{ name: 'open', input: { account: 'a', owner: 'A', currency: 'EUR' } }, ...deposits]))
      ok(result);
    const folder = tempFolder();
    const original = join(folder, 'original.jsonl');
    await exportFile(ledger, original);
    const forged = join(folder, 'forged.jsonl');
    forgeExport(original, (rows) => void (rows[600] = { ...rows[600]!, eventId: rows[5]!.eventId }), forged);
    const refused = failure(await Ledger.restore(forged, { path: join(folder, 'restored.db') }), 'INTEGRITY');
    expect(refused.message).toMatch(/event id/);
    expect(listFolder(folder)).toEqual(['forged.jsonl', 'original.jsonl']);
  });

  it('a missing export file, leaving no file behind', async () => {
    const folder = tempFolder();
    const target = join(folder, 'restored.db');
    failure(await Ledger.restore(join(folder, 'nowhere.jsonl'), { path: target }), 'INTEGRITY');
    expect(listFolder(folder)).toEqual([]);
  });

  it('a truncated export mid-way, leaving an empty ledger that can still be restored into', async () => {
    const { ledger } = seeded();
    const folder = tempFolder();
    const exportPath = join(folder, 'log.jsonl');
    await exportFile(ledger, exportPath);
    const cut = join(folder, 'cut.jsonl');
    writeLines(cut, linesOf(exportPath).slice(0, 30));
    const empty = openLedger(join(folder, 'empty.db'));
    failure(await restoreExport(storeOf(empty), cut), 'INTEGRITY');
    expect(empty.logHead().position).toBe(0);
    ok(await restoreExport(storeOf(empty), exportPath));
    expect(empty.logHead().position).toBe(ledger.lastPosition);
  });
});
