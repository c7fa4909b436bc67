/**
 * Reversals in exports: export → restore → export stays byte for byte the same, links and all;
 * and a restore holds every EntryReversed to the reverse command's own rules (an earlier,
 * reversible, not yet reversed event of the same account, named by its id, with exactly the
 * opposite effect; both legs of a transfer's reversal, sender first, side by side), so a forged
 * one — re-hashed, so that the export verifies — is refused whole, naming its line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ledger } from '#engine/ledger';
import { restoreExport } from '#engine/export/export-restore';
import { verifyExportFile } from '#engine/export/export-verify';
import type { StoredEvent } from '#engine/store/event-store';
import { runCli } from './cli-process';
import { failure, listFolder, newLedger, ok, openLedger, storeOf, tempFolder } from './helpers';
import { exportFile, forgeExport } from './export-helpers';
import { OLD_TIMER_LOG } from './legacy-lines';

/**
 * The log every forgery starts from (row index: position - 1):
 *   0 legacy AccountCreated old · 1 legacy MoneyDeposited old · 2 AccountOpened a ·
 *   3 MoneyDeposited a · 4 AccountOpened b · 5 TransferSent a→b · 6 TransferReceived b ·
 *   7 EntryReversed old (of 2) · 8 EntryReversed a (of 6) · 9 EntryReversed b (of 7) ·
 *   10 MoneyWithdrawn a · 11 EntryReversed a (of 11) · 12 MoneyDeposited b · 13 MoneyWithdrawn b
 */
async function originalExport(folder: string): Promise<{ path: string; ledger: Ledger }> {
  const { ledger, api } = newLedger({ actor: 'seed' });
  ok(ledger.importLegacy(OLD_TIMER_LOG, 'EUR'));
  ok(api.openAccount({ account: 'a', owner: 'Ada', currency: 'EUR', initial: '10.00' }));
  ok(api.deposit({ account: 'a', amount: '5.00', memo: 'rent' }));
  ok(api.openAccount({ account: 'b', owner: 'Bob', currency: 'EUR' }));
  ok(api.transfer({ from: 'a', to: 'b', amount: '1.00', memo: 'gift' }));
  ok(api.reverse({ position: 2, reason: 'legacy typo', commandId: 'fix-legacy' }));
  ok(api.reverse({ position: 7, reason: 'gift returned\nwith a note' }));
  ok(api.withdraw({ account: 'a', amount: '2.00' }));
  ok(api.reverse({ position: 11, reason: '稿费 für Алан' }));
  ok(api.deposit({ account: 'b', amount: '3.00' }));
  ok(api.withdraw({ account: 'b', amount: '3.00' }));
  const path = join(folder, 'original.jsonl');
  await exportFile(ledger, path);
  return { path, ledger };
}

type Rows = StoredEvent[];

function editData(index: number, change: (data: Record<string, unknown>) => void) {
  return (rows: Rows) => {
    const parsed = JSON.parse(rows[index]!.data) as Record<string, unknown>;
    change(parsed);
    rows[index] = { ...rows[index]!, data: JSON.stringify(parsed) };
  };
}

/** A reversal appended at the end, on `streamId` at its next version, with this payload. */
function appendReversal(streamId: string, streamVersion: number, data: (rows: Rows) => Record<string, unknown>) {
  return (rows: Rows) => {
    rows.push({ ...rows[11]!, eventId: 'forged-reversal', streamId, streamVersion, data: JSON.stringify(data(rows)) });
  };
}

/** What the reverse command would write for the event at `index` (a deposit or withdrawal of a or b). */
function reversalOf(index: number, effectMinor: number, reason = 'forged') {
  return (rows: Rows) => ({ reversesPosition: index + 1, reversesEventId: rows[index]!.eventId, effectMinor, currency: 'EUR', reason });
}

/** [what, the forgery, the line it must name, what the refusal must say]. */
const FORGERIES: Array<[string, (rows: Rows) => void, number, RegExp]> = [
  [
    'an effect that is not the opposite',
    editData(11, (data) => void (data.effectMinor = 100)),
    12,
    /is not what the reverse command records/,
  ],
  ['another event id', editData(11, (data) => void (data.reversesEventId = 'evt-old-2')), 12, /is not what the reverse command records/],
  ['a reversal of an opening', editData(7, (data) => void (data.reversesPosition = 1)), 8, /position 1 is an account opening/],
  ['a reversal of a later event', editData(7, (data) => void (data.reversesPosition = 9)), 8, /names position 9, which is not an earlier/],
  ['a reversal naming no position', editData(7, (data) => void delete data.reversesPosition), 8, /names position missing/],
  ['a reversal on another account', editData(7, (data) => void (data.reversesPosition = 4)), 8, /position 4 belongs to a, not old/],
  ['an empty reason', editData(7, (data) => void (data.reason = '  ')), 8, /The field "reason" must not be empty/],
  ['a bidi override in a reason', editData(7, (data) => void (data.reason = 'x\u202E')), 8, /"reason" must not contain control/],
  ['an extra field', editData(7, (data) => void (data.note = 'x')), 8, /EntryReversed data has a field the event format does not have/],
  ['a reversal of a reversal', appendReversal('a', 7, reversalOf(11, 200)), 15, /position 12 is itself a reversal/],
  ['a second reversal', appendReversal('a', 7, reversalOf(10, 200)), 15, /position 11 was already reversed, by position 12/],
  [
    'a reversal that overdraws',
    appendReversal('b', 6, reversalOf(12, -300)),
    15,
    /Insufficient funds to reverse position 13: b holds 0\.00/,
  ],
  [
    "a transfer's reversal without its second leg",
    (rows) => void rows.splice(9, 1),
    10,
    /must be followed by its second EntryReversed event, on b, not MoneyWithdrawn on a/,
  ],
  ["a transfer's reversal, legs swapped", (rows) => rows.splice(8, 2, rows[9]!, rows[8]!), 9, /position 7 belongs to a, not b/],
  [
    "a transfer's reversal ending the log without its second leg",
    (rows) => void rows.splice(9),
    9,
    /the reversal of a transfer has no second EntryReversed event \(on b\) after it/,
  ],
];

describe('reversals in exports', () => {
  it('export → restore → export is byte-identical, and the restored ledger has the same links', async () => {
    const folder = tempFolder();
    const { path, ledger } = await originalExport(folder);
    const restored = ok(await Ledger.restore(path, { path: join(folder, 'restored.db'), actor: 'test' }));
    const again = join(folder, 'again.jsonl');
    await exportFile(restored, again);
    expect(readFileSync(again)).toEqual(readFileSync(path));
    const links = (of: Ledger) => Array.from({ length: 14 }, (_, index) => of.reversedBy(index + 1));
    expect(links(restored)).toEqual(links(ledger));
    expect(links(restored).filter((link) => link !== undefined)).toEqual([8, 9, 10, 12]);
    expect(restored.listAccounts()).toEqual(ledger.listAccounts());
    // The idempotency record is not part of an export: a retry after a restore is a new reversal, refused as one.
    failure(
      restored.execute({ name: 'reverse', input: { position: 2, reason: 'legacy typo', commandId: 'fix-legacy' } }),
      'ALREADY_REVERSED',
    );
  });

  it('the untouched log, re-hashed the same way, restores', async () => {
    const folder = tempFolder();
    const { path } = await originalExport(folder);
    const rehashed = join(folder, 'rehashed.jsonl');
    forgeExport(path, () => undefined, rehashed);
    ok(await Ledger.restore(rehashed, { path: join(folder, 'restored.db'), actor: 'test' })).close();
  });

  it.each(FORGERIES)('refuses %s, naming the line, writing nothing', async (_what, change, line, message) => {
    const folder = tempFolder();
    const { path } = await originalExport(folder);
    const forged = join(folder, 'forged.jsonl');
    forgeExport(path, change, forged);
    expect(await verifyExportFile(forged)).toMatchObject({ ok: true });
    const refused = failure(await Ledger.restore(forged, { path: join(folder, 'restored.db'), actor: 'test' }), 'INTEGRITY');
    expect(refused.message).toMatch(new RegExp(`cannot be restored: line ${line} \\(position ${line}\\) `));
    expect(refused.message).toMatch(message);
    expect(listFolder(folder)).toEqual(['forged.jsonl', 'original.jsonl']);
    const empty = openLedger(join(folder, 'empty.db'));
    expect(failure(await restoreExport(storeOf(empty), forged), 'INTEGRITY').message).toBe(refused.message);
    expect(empty.logHead().position).toBe(0);
  });

  it('the CLI (import --file) refuses a forged reversal with exit 3 and creates no ledger', async () => {
    const folder = tempFolder();
    const { path } = await originalExport(folder);
    const forged = join(folder, 'forged.jsonl');
    forgeExport(path, FORGERIES[0]![1], forged);
    const run = await runCli(['--db', join(folder, 'restored.db'), 'import', '--file', forged]);
    expect(run.code).toBe(3);
    expect(run.lines).toEqual([{ ok: false, error: { code: 'INTEGRITY', message: expect.stringMatching(/line 12 \(position 12\)/) } }]);
    expect(listFolder(folder)).toEqual(['forged.jsonl', 'original.jsonl']);
  });
});
