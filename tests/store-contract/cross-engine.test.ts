/**
 * The cross-engine round trip: a ledger's JSON Lines export restored into the other engine
 * and exported again is the same file, byte for byte, both ways. The ledger is the richest
 * the engine tests build (legacy-imported events stored byte for byte at schema version 1,
 * transfers, a reversal, a closed account, unicode owners and memos). Restores that must not
 * happen (a ledger that is not empty, a tampered file, an export carrying seals) write nothing.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { EventLog } from '#engine/store/event-log';
import type { StoredEvent } from '#engine/store/event-store';
import { exportEventLog } from '#engine/export/event-log-export';
import { restoreIntoEventLog } from '#engine/export/event-log-restore';
import { Ledger } from '#engine/ledger';
import { generateSigningKey } from '#engine/signing/keys';
import { failure, newLedger, ok, openLedger, tempFolder } from '../engine/helpers';
import { exportFile, linesOf, seedRichLedger, writeLines } from '../engine/export-helpers';
import { event, request } from '../postgres/helpers';
import { describeOnEachEngine } from './engines';

/** A full export of a desk's SQLite ledger, made by the app's own export (jsonl-export.ts). */
async function richExport(): Promise<{ path: string; events: number; balances: Array<[string, number]> }> {
  const { ledger, api } = newLedger({ actor: 'seed' });
  seedRichLedger(ledger, api);
  const reversed = ok(api.deposit({ account: 'eur-1', amount: '12.34', memo: 'to be taken back' }));
  ok(api.reverse({ position: reversed.position, reason: 'booked on the wrong account' }));
  const path = join(tempFolder(), 'desk.jsonl');
  const summary = await exportFile(ledger, path);
  return { path, events: summary.events, balances: balancesOf(ledger) };
}

function balancesOf(ledger: Ledger): Array<[string, number]> {
  return ledger.listAccounts().map((account) => [account.id, account.balanceMinor]);
}

/** Exports a log of any engine through the store contract into a file; answers its path. */
async function exportThroughContract(log: EventLog, name: string): Promise<string> {
  const path = join(tempFolder(), name);
  const out = createWriteStream(path);
  ok(await exportEventLog(log, out));
  out.end();
  await finished(out);
  return path;
}

describeOnEachEngine('The cross-engine round trip', ({ engine, newLedger: newLog }) => {
  it("restores a desk's export and exports it again to the same bytes, and that file restores into a ledger file that exports the same bytes", async () => {
    const original = await richExport();
    const { log } = await newLog();
    const summary = ok(await restoreIntoEventLog(log, original.path));
    expect(summary).toMatchObject({ events: original.events, seals: 0 });
    expect(ok(await log.head()).position).toBe(original.events);

    const fromEngine = await exportThroughContract(log, `from-${engine}.jsonl`);
    expect(readFileSync(fromEngine)).toEqual(readFileSync(original.path));

    // And back: the engine's export restored into a new ledger file by the app's restore.
    const path = join(tempFolder(), 'back.db');
    ok(await Ledger.restore(fromEngine, { path, actor: 'restorer' })).close();
    const back = openLedger(path);
    const again = join(tempFolder(), 'again.jsonl');
    await exportFile(back, again);
    expect(readFileSync(again)).toEqual(readFileSync(original.path));
    expect(balancesOf(back)).toEqual(original.balances);
  });

  it('refuses a ledger that is not empty, a tampered export and an export carrying seals, writing nothing', async () => {
    const original = await richExport();

    const { log: used } = await newLog();
    ok(await used.append([request('someone', 'no_stream', event('Tick', {}))]));
    const head = ok(await used.head());
    failure(await restoreIntoEventLog(used, original.path), 'ALREADY_EXISTS');
    expect(ok(await used.head())).toEqual(head);

    // One memo changed in the middle: the chain no longer holds.
    const lines = linesOf(original.path);
    const middle = Math.floor(lines.length / 2);
    const tampered = join(tempFolder(), 'tampered.jsonl');
    writeLines(tampered, [
      ...lines.slice(0, middle),
      lines[middle]!.replace('"actor":"seed"', '"actor":"mallory"'),
      ...lines.slice(middle + 1),
    ]);
    const { log: fresh } = await newLog();
    failure(await restoreIntoEventLog(fresh, tampered), 'INTEGRITY');
    expect(ok(await fresh.head()).position).toBe(0);

    const { ledger, api } = newLedger({ actor: 'sealer' });
    ok(api.openAccount({ account: 'a-1', owner: 'Ada', currency: 'EUR', initial: '5.00' }));
    // An export made with a key seals the head first and carries that seal.
    const sealed = join(tempFolder(), 'sealed.jsonl');
    const out = createWriteStream(sealed);
    await ledger.exportJsonLines(out, undefined, generateSigningKey());
    out.end();
    await finished(out);
    const refused = failure(await restoreIntoEventLog(fresh, sealed), 'VALIDATION');
    expect(refused.message).toContain('carries 1 seal');
    expect(ok(await fresh.head()).position).toBe(0);
  });

  it('rows that do not end at the head they were to end at write nothing, however many pages went in', async () => {
    const original = await richExport();
    const rows = linesOf(original.path)
      .slice(0, -1)
      .map((line) => {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        return { ...parsed, data: JSON.stringify(parsed.data), metadata: JSON.stringify(parsed.metadata) } as unknown as StoredEvent;
      });
    const last = rows.at(-1)!;
    const { log } = await newLog();
    const pages = async function* () {
      for (let start = 0; start < rows.length - 1; start += 7) yield rows.slice(start, Math.min(start + 7, rows.length - 1));
    };
    const refused = failure(await log.appendRowPages(pages, { position: last.position, hash: last.hash }), 'INTEGRITY');
    expect(refused.message).toContain(`not at position ${last.position}`);
    expect(ok(await log.head()).position).toBe(0);
    // The same pages with the last row end where they should: all of it is written.
    const whole = async function* () {
      for (let start = 0; start < rows.length; start += 7) yield rows.slice(start, start + 7);
    };
    expect(ok(await log.appendRowPages(whole, { position: last.position, hash: last.hash }))).toEqual({
      position: last.position,
      hash: last.hash,
    });
    expect(ok(await log.readLog({ fromPosition: 1, limit: rows.length }))).toEqual(rows);
  });
});
