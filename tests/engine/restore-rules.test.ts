/**
 * Restore holds every event to the rules of the command that would have recorded it (issue 16
 * follow-up, the class of 16.6). An export is not signed: anyone can edit one, recompute every
 * hash and the manifest, and hand it to restore. Each forgery below verifies as an export, so
 * only the rules can catch it; each must refuse the whole file naming the line, and write
 * nothing — through Ledger.restore, into an existing empty ledger, and through the CLI.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_VERSIONS, EVENT_TYPES } from '#shared/events';
import { Ledger } from '#engine/ledger';
import { restoreExport } from '#engine/export/export-restore';
import { verifyExportFile } from '#engine/export/export-verify';
import { EVENT_FORMATS } from '#engine/import/event-rules';
import { UPCASTED_SCHEMAS } from '#engine/events/upcasters';
import type { StoredEvent } from '#engine/store/event-store';
import { runCli } from './cli-process';
import { failure, listFolder, newLedger, ok, openLedger, storeOf, tempFolder } from './helpers';
import { exportFile, forgeExport } from './export-helpers';
import { OLD_TIMER_LOG } from './legacy-lines';

/**
 * The log every forgery starts from (row index: position - 1):
 *   0 legacy AccountCreated old · 1 legacy MoneyDeposited old · 2 AccountOpened a ·
 *   3 MoneyDeposited a (memo) · 4 AccountOpened b · 5 TransferSent a→b · 6 TransferReceived b ·
 *   7 MoneyWithdrawn b · 8 AccountOpened c · 9 AccountClosed c
 */
async function originalExport(folder: string): Promise<string> {
  const { ledger, api } = newLedger({ actor: 'seed' });
  ok(ledger.importLegacy(OLD_TIMER_LOG, 'EUR'));
  ok(api.openAccount({ account: 'a', owner: 'Ada', currency: 'EUR', initial: '10.00' }));
  ok(api.deposit({ account: 'a', amount: '5.00', memo: 'rent', commandId: 'deposit-a' }));
  ok(api.openAccount({ account: 'b', owner: 'Bob', currency: 'EUR' }));
  ok(api.transfer({ from: 'a', to: 'b', amount: '1.00', memo: 'gift' }));
  ok(api.withdraw({ account: 'b', amount: '0.50' }));
  ok(api.openAccount({ account: 'c', owner: 'Cy', currency: 'EUR' }));
  ok(api.closeAccount({ account: 'c' }));
  const path = join(folder, 'original.jsonl');
  await exportFile(ledger, path);
  return path;
}

type Rows = StoredEvent[];

/** Changes one row's payload (or metadata) as parsed JSON; the export helper re-hashes afterwards. */
function editData(index: number, change: (data: Record<string, unknown>) => void, field: 'data' | 'metadata' = 'data') {
  return (rows: Rows) => {
    const parsed = JSON.parse(rows[index]![field]) as Record<string, unknown>;
    change(parsed);
    rows[index] = { ...rows[index]!, [field]: JSON.stringify(parsed) };
  };
}

function editRow(index: number, change: Partial<StoredEvent>) {
  return (rows: Rows) => void (rows[index] = { ...rows[index]!, ...change });
}

/** [what, the forgery, the line it must name, what the refusal must say]. */
const FORGERIES: Array<[string, (rows: Rows) => void, number, RegExp]> = [
  [
    'a month-13 time',
    editRow(3, { recordedAt: '2024-13-01T00:00:00Z' }),
    4,
    /the timestamp "2024-13-01T00:00:00Z" names a date that does not exist/,
  ],
  ['an offset of +99:99', editRow(3, { recordedAt: '2024-01-01T00:00:00+99:99' }), 4, /has an offset beyond ±14:00/],
  ['a time that is not RFC 3339', editRow(7, { recordedAt: 'yesterday' }), 8, /is not an RFC 3339 time/],
  [
    'a bidi override in an owner',
    editData(2, (data) => void (data.owner = 'Eve\u202Egnp.exe')),
    3,
    /The field "owner" must not contain control characters/,
  ],
  ['NUL in an owner', editData(4, (data) => void (data.owner = 'B\u0000ob')), 5, /The field "owner" must not contain control characters/],
  [
    'ESC in an owner',
    editData(8, (data) => void (data.owner = '\u001B[31mCy')),
    9,
    /The field "owner" must not contain control characters/,
  ],
  [
    'a 100,000-character owner',
    editData(2, (data) => void (data.owner = 'x'.repeat(100_000))),
    3,
    /The field "owner" must be at most 200 characters/,
  ],
  [
    'an owner that shows nothing',
    editData(2, (data) => void (data.owner = '\u3164\u200B')),
    3,
    /must contain at least one visible character/,
  ],
  ['an owner with spaces around it', editData(2, (data) => void (data.owner = ' Ada ')), 3, /spaces around it/],
  [
    'a bidi override in a legacy owner',
    editData(0, (data) => void (data.owner = 'Old\u202ETimer')),
    1,
    /The field "owner" must not contain control characters/,
  ],
  [
    'a bidi override in a memo',
    editData(3, (data) => void (data.memo = 'rent\u202E')),
    4,
    /The field "memo" must not contain control characters \(other than line breaks\)/,
  ],
  ['BEL in a memo', editData(5, (data) => void (data.memo = 'gift\u0007')), 6, /The field "memo" must not contain control characters/],
  ['a 501-character memo', editData(3, (data) => void (data.memo = 'm'.repeat(501))), 4, /The field "memo" must be at most 500 characters/],
  [
    'a negative amount',
    editData(3, (data) => void (data.amountMinor = -500)),
    4,
    /"amountMinor" -500 is not a whole, non-negative number of minor units/,
  ],
  [
    'a non-integer amount',
    editData(7, (data) => void (data.amountMinor = 50.5)),
    8,
    /"amountMinor" 50.5 is not a whole, non-negative number/,
  ],
  ['an amount as text', editData(3, (data) => void (data.amountMinor = '500')), 4, /is not a whole, non-negative number/],
  ['an amount beyond 2^53', editData(3, (data) => void (data.amountMinor = 2 ** 60)), 4, /is not a whole, non-negative number/],
  ['a deposit of zero', editData(3, (data) => void (data.amountMinor = 0)), 4, /The amount must be greater than zero/],
  [
    'a negative opening amount',
    editData(2, (data) => void (data.initialMinor = -1)),
    3,
    /"initialMinor" -1 is not a whole, non-negative number/,
  ],
  [
    'an overdraft',
    editData(7, (data) => void (data.amountMinor = 5_000)),
    8,
    /Insufficient funds: balance 1\.00 EUR, withdrawal 50\.00 EUR/,
  ],
  [
    'a deposit in another currency',
    editData(3, (data) => void (data.currency = 'USD')),
    4,
    /MoneyDeposited data .* is not what the deposit command records: \{"amountMinor":500,"currency":"EUR","memo":"rent"\}/,
  ],
  [
    'an opening in no currency',
    editData(2, (data) => void (data.currency = 'XYZ')),
    3,
    /The field "currency" is not an ISO 4217 currency code/,
  ],
  [
    'an extra payload field',
    editData(3, (data) => void (data.note = '\u0007\u001b[2J')),
    4,
    /MoneyDeposited data has a field the event format does not have: "note"/,
  ],
  [
    'an extra payload field on a close',
    editData(9, (data) => void (data.reason = 'x')),
    10,
    /AccountClosed data has a field the event format does not have: "reason"/,
  ],
  [
    'an extra payload field on a legacy event',
    editData(1, (data) => void (data.memo = 'x')),
    2,
    /MoneyDeposited data has a field the legacy format does not have: "memo"/,
  ],
  [
    'a repeated payload field',
    editRow(3, { data: '{"amountMinor":500,"currency":"EUR","memo":"\\u202e","memo":"rent"}' }),
    4,
    /MoneyDeposited data repeats the field "memo"/,
  ],
  [
    'payload text not as the command writes it',
    editRow(3, { data: '{"currency":"EUR","amountMinor":500,"memo":"rent"}' }),
    4,
    /is not what the deposit command records/,
  ],
  ['an unknown event type', editRow(3, { type: 'MoneyTeleported' }), 4, /"MoneyTeleported" version 2 is not an event this ledger records/],
  ['a newer schema version', editRow(7, { schemaVersion: 3 }), 8, /MoneyWithdrawn" version 3 is not an event this ledger records/],
  ['a stream version that skips', editRow(3, { streamVersion: 3 }), 4, /a version 3 does not follow version 1/],
  ['a stream version that repeats', editRow(3, { streamVersion: 1 }), 4, /a version 1 does not follow version 1/],
  ['a stream that starts at version 2', editRow(4, { streamVersion: 2 }), 5, /b version 2 does not follow version 0/],
  ['a deposit into an account never opened', editRow(3, { streamId: 'ghost', streamVersion: 1 }), 4, /Account ghost does not exist/],
  ['an account id the ledger refuses', editRow(8, { streamId: '../c' }), 9, /the account id "..\/c" is not one the ledger accepts/],
  ['an event id with a space', editRow(3, { eventId: 'evt 4' }), 4, /the event id "evt 4" is not 1-200 printable ASCII characters/],
  [
    'a received leg of another amount',
    editData(6, (data) => void (data.amountMinor = 200)),
    7,
    /TransferReceived data .* is not what the transfer command records/,
  ],
  [
    'a received leg without its sent leg',
    (rows) => void rows.splice(5, 1),
    6,
    /a TransferReceived event must follow the TransferSent event of its transfer/,
  ],
  [
    'a sent leg without its received leg',
    (rows) => void rows.splice(6, 1),
    7,
    /the transfer to b must be followed by its TransferReceived event, not MoneyWithdrawn/,
  ],
  [
    'a transfer that ends the log without its received leg',
    (rows) => void rows.splice(6),
    6,
    /the transfer to b has no TransferReceived event after it/,
  ],
  ['a transfer to the same account', editData(5, (data) => void (data.to = 'a')), 6, /A transfer needs two different accounts/],
  [
    'a transfer id that is not text',
    editData(5, (data) => void (data.transferId = 7)),
    6,
    /the transfer id 7 is not 1-200 printable ASCII/,
  ],
  ['a close of an account holding money', editRow(9, { streamId: 'b', streamVersion: 4 }), 10, /Account b still holds 0\.50 EUR/],
  ['a deposit after a close', (rows) => void rows.push({ ...rows[3]!, streamId: 'c', streamVersion: 3 }), 11, /Account c is closed/],
  ['an account opened twice', (rows) => void rows.push({ ...rows[2]!, streamVersion: 4 }), 11, /Account a already exists/],
  [
    'a bidi override in the metadata',
    editData(3, (metadata) => void (metadata.actor = 'seed\u202E'), 'metadata'),
    4,
    /the metadata field "actor" must not contain control characters/,
  ],
  [
    'an extra metadata field',
    editData(3, (metadata) => void (metadata.forged = 'x'), 'metadata'),
    4,
    /the metadata has a field the ledger does not write: "forged"/,
  ],
  [
    'a metadata value that is not text',
    editData(3, (metadata) => void (metadata.commandId = 7), 'metadata'),
    4,
    /the metadata field "commandId" must be text/,
  ],
  [
    'a legacy event without its currency',
    editData(1, (metadata) => void delete metadata.legacyCurrency, 'metadata'),
    2,
    /needs the currency of its amounts in the metadata field "legacyCurrency"/,
  ],
  [
    'a legacy event in a currency its float does not fit',
    editData(1, (metadata) => void (metadata.legacyCurrency = 'JPY'), 'metadata'),
    2,
    /amount 1.5 is not an exact amount in JPY/,
  ],
  [
    'a legacy event in another currency than its account',
    editData(1, (metadata) => void (metadata.legacyCurrency = 'USD'), 'metadata'),
    2,
    /MoneyDeposited does not read back as the deposit command would record it/,
  ],
];

describe('restore holds every event to the rules of its command (re-hashed forgeries)', () => {
  it('every event type the ledger records, and every legacy one it upcasts, has its rules', () => {
    for (const type of EVENT_TYPES) expect(EVENT_FORMATS[`${type}@${CURRENT_SCHEMA_VERSIONS[type]}`], type).toBeDefined();
    for (const { type, schemaVersion } of UPCASTED_SCHEMAS) expect(EVENT_FORMATS[`${type}@${schemaVersion}`], type).toBeDefined();
  });

  it('the untouched log, re-hashed the same way, restores (each forgery below fails for its change alone)', async () => {
    const folder = tempFolder();
    const original = await originalExport(folder);
    const rehashed = join(folder, 'rehashed.jsonl');
    forgeExport(original, () => undefined, rehashed);
    const restored = ok(await Ledger.restore(rehashed, { path: join(folder, 'restored.db'), actor: 'test' }));
    expect(restored.listAccounts().map((account) => [account.id, account.balanceMinor, account.status])).toEqual([
      ['a', 1_400, 'open'],
      ['b', 50, 'open'],
      ['c', 0, 'closed'],
      ['old', 1_150, 'open'],
    ]);
    restored.close();
  });

  it.each(FORGERIES)(
    'refuses %s, naming the line, writing nothing (Ledger.restore and an empty ledger)',
    async (_what, change, line, message) => {
      const folder = tempFolder();
      const original = await originalExport(folder);
      const forged = join(folder, 'forged.jsonl');
      forgeExport(original, change, forged);
      // The export verifies: only the rules can catch it.
      expect(await verifyExportFile(forged)).toMatchObject({ ok: true });

      const target = join(folder, 'restored.db');
      const refused = failure(await Ledger.restore(forged, { path: target, actor: 'test' }), 'INTEGRITY');
      expect(refused.message).toMatch(new RegExp(`cannot be restored: line ${line} \\(position ${line}\\) `));
      expect(refused.message).toMatch(message);
      expect(refused.message).toMatch(/; nothing was restored$/);
      expect(refused.message.length).toBeLessThan(600);
      expect(refused.message).not.toMatch(/[\u0000-\u001F\u202A-\u202E\u2066-\u2069]/);
      expect(listFolder(folder)).toEqual(['forged.jsonl', 'original.jsonl']);

      const empty = openLedger(join(folder, 'empty.db'));
      const intoEmpty = failure(await restoreExport(storeOf(empty), forged), 'INTEGRITY');
      expect(intoEmpty.message).toBe(refused.message);
      expect(empty.logHead().position).toBe(0);
    },
  );

  it('the CLI (import --file) refuses each forgery with a typed answer naming the line, exit 3, creating no file', async () => {
    const folder = tempFolder();
    const original = await originalExport(folder);
    const runs = FORGERIES.map(([what, change, line, message], index) => async () => {
      const forged = join(folder, `forged-${index}.jsonl`);
      forgeExport(original, change, forged);
      const target = join(folder, `restored-${index}.db`);
      const run = await runCli(['--db', target, 'import', '--file', forged]);
      expect(run.code, what).toBe(3);
      expect(run.stderr, what).toBe('');
      expect(run.lines, what).toEqual([
        { ok: false, error: { code: 'INTEGRITY', message: expect.stringMatching(new RegExp(`line ${line} \\(position ${line}\\) `)) } },
      ]);
      expect((run.lines[0] as { error: { message: string } }).error.message, what).toMatch(message);
    });
    // A few children at a time: the machine is shared.
    for (let start = 0; start < runs.length; start += 4) await Promise.all(runs.slice(start, start + 4).map((run) => run()));
    expect(listFolder(folder).filter((name) => !name.endsWith('.jsonl'))).toEqual([]);
  }, 240_000);
});
