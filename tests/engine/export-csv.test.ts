/**
 * The CSV export of the audit view: a byte-order mark, a header row, CRLF line ends, and
 * fields that survive commas, quotes, CR/LF line breaks and non-Latin text (李白, Émilie,
 * Алан, emoji) in owners and memos — read back with csv-parse into exactly the expected rows.
 * Its filters give the same rows as the audit page query, and free text that a spreadsheet
 * would run as a formula (= + - @) is neutralised.
 */
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditFilter, AuditRow } from '../../shared/audit';
import type { Ledger } from '../../electron/core/ledger';
import { runCli } from './cli-process';
import { newLedger, ok, tempFolder } from './helpers';
import { AWKWARD, exportCsvBytes, exportFile, seedRichLedger } from './export-helpers';

const HEADER = [
  'position',
  'recorded_at',
  'type',
  'account',
  'owner',
  'counterparty',
  'amount',
  'currency',
  'balance_after',
  'memo',
  'command_id',
  'actor',
  'event_id',
  'schema_version',
] as const;
type CsvRecord = Record<(typeof HEADER)[number], string>;

/** A legacy owner that looks like a formula, with quotes and a comma (line breaks are refused, as by open). */
const LEGACY_OWNER = '=cmd|\' /C calc\'!A0, "quoted" second part';

function legacyLine(id: string, account: string, type: string, version: number, data: object, timestamp: string): string {
  return JSON.stringify({ id, aggregate_id: account, aggregate_type: 'BankAccount', event_type: type, version, data, timestamp });
}

/** Legacy events spread over a few days, with offsets and nanoseconds, as the Go writer made them. */
const DAYS_LOG = [
  legacyLine('day-evt-1', 'old-1', 'AccountCreated', 1, { initial_deposit: 10, owner: LEGACY_OWNER }, '2024-02-28T23:59:59.999Z'),
  legacyLine('@day-evt-2', 'old-1', 'MoneyDeposited', 2, { amount: 0.01 }, '2024-02-29T00:00:00Z'),
  legacyLine('+day-evt-3', 'old-1', 'MoneyDeposited', 3, { amount: 5.5 }, '2024-02-29T01:30:00+02:00'),
  legacyLine('day-evt-4', 'old-1', 'MoneyWithdrawn', 4, { amount: 1 }, '2024-02-29T23:59:59.999999999Z'),
  legacyLine('-day-evt-5', 'old-1', 'MoneyDeposited', 5, { amount: 100 }, '2024-03-01T00:00:00.000Z'),
  legacyLine('=day-evt-6', 'old-1', 'MoneyWithdrawn', 6, { amount: 0.5 }, '2024-03-02T10:00:00-05:00'),
].join('\n');

/** The rich ledger, the days log, and a few commands with ids a spreadsheet would run. */
function seeded() {
  const created = newLedger({ actor: 'csv-test' });
  const { ledger, api } = created;
  seedRichLedger(ledger, api);
  ok(ledger.importLegacy(DAYS_LOG, 'EUR'));
  ok(api.transfer({ from: 'old-1', to: 'eur-1', amount: '1.23', memo: 'back to "eur-1", with thanks', commandId: '=1+1' }));
  ok(api.deposit({ account: 'old-1', amount: '0.10', memo: '\rstarts with a carriage return', commandId: '@import-7' }));
  return created;
}

function neutralised(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** Every row of the audit page query for a filter, newest first, in small keyset pages. */
function pageRows(ledger: Ledger, filter: AuditFilter): AuditRow[] {
  const rows: AuditRow[] = [];
  let before: number | undefined;
  do {
    const page = ledger.audit.page(filter, before, 7);
    rows.push(...page.rows);
    before = page.nextBefore ?? undefined;
  } while (before !== undefined);
  return rows;
}

/** What the CSV should say for an audit row. */
function expectedRecord(row: AuditRow, ownerOf: (account: string) => string): CsvRecord {
  return {
    position: String(row.position),
    recorded_at: row.recordedAt,
    type: row.type,
    account: row.account,
    owner: neutralised(ownerOf(row.account)),
    counterparty: row.counterparty ?? '',
    amount: row.amount,
    currency: row.currency,
    balance_after: row.balanceAfter,
    memo: neutralised(row.memo ?? ''),
    command_id: neutralised(row.commandId ?? ''),
    actor: neutralised(row.actor ?? ''),
    event_id: neutralised(row.eventId),
    schema_version: String(row.storedSchemaVersion),
  };
}

function readCsv(bytes: Buffer): CsvRecord[] {
  return parse(bytes, { bom: true, columns: true }) as CsvRecord[];
}

function ownersOf(ledger: Ledger): (account: string) => string {
  const owners = new Map(ledger.listAccounts().map((account) => [account.id, account.owner]));
  return (account) => owners.get(account)!;
}

describe('CSV export', () => {
  it('has a byte-order mark, the header row, CRLF line ends, and reads back into exactly the audit rows', async () => {
    const { ledger } = seeded();
    const { bytes, rows } = await exportCsvBytes(ledger);
    const total = ledger.projection.lastPosition;
    expect(rows).toBe(total);

    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    expect(text.startsWith(`${HEADER.join(',')}\r\n`)).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    // Outside quoted fields every line ends with CRLF: no bare LF or CR.
    const outsideQuotes = text.replace(/"(?:[^"]|"")*"/g, '');
    expect(outsideQuotes.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(outsideQuotes.match(/\r\n/g)).toHaveLength(total + 1);

    const records = readCsv(bytes);
    expect(Object.keys(records[0]!)).toEqual([...HEADER]);
    expect(records).toEqual(pageRows(ledger, {}).map((row) => expectedRecord(row, ownersOf(ledger))));
    expect(records.map((record) => Number(record.position))).toEqual(Array.from({ length: total }, (_, index) => total - index));
  });

  it('keeps commas, quotes, CR/LF line breaks and non-Latin text in owners and memos', async () => {
    const { ledger } = seeded();
    const records = readCsv((await exportCsvBytes(ledger)).bytes);
    const memos = records.map((record) => record.memo);
    for (const memo of [AWKWARD.memoComma, AWKWARD.memoQuote, AWKWARD.memoLf, AWKWARD.memoCrLf, AWKWARD.memoCr, AWKWARD.memoUnicode]) {
      expect(memos).toContain(memo);
    }
    expect(memos).toContain('back to "eur-1", with thanks');
    const ownerOf = (account: string) => new Set(records.filter((record) => record.account === account).map((record) => record.owner));
    expect(ownerOf('eur-1')).toEqual(new Set([AWKWARD.ownerComma]));
    expect(ownerOf('eur-2')).toEqual(new Set([AWKWARD.ownerQuote]));
    expect(ownerOf('jpy-1')).toEqual(new Set(['李白']));
    expect(ownerOf('jpy-2')).toEqual(new Set(['Алан Тьюринг']));
    expect(ownerOf('kwd-1')).toEqual(new Set(['Émilie du Châtelet']));
    expect(ownerOf('kwd-2')).toEqual(new Set(['Zoë 🦊 Fox']));
    expect(ownerOf('acc-003')).toEqual(new Set(['李白']));
    // A legacy owner with a line break, quotes and a comma, that also looks like a formula.
    expect(ownerOf('old-1')).toEqual(new Set([`'${LEGACY_OWNER}`]));

    // Amounts and balances in each currency's own minor digits.
    const unicodeTransfer = records.find((record) => record.memo === AWKWARD.memoUnicode && record.type === 'TransferSent')!;
    expect(unicodeTransfer).toMatchObject({ account: 'jpy-1', counterparty: 'jpy-2', amount: '-2500', currency: 'JPY', balance_after: '97500' });
    const kwdTransfer = records.find((record) => record.memo === AWKWARD.memoCr && record.type === 'TransferReceived')!;
    expect(kwdTransfer).toMatchObject({ account: 'kwd-2', counterparty: 'kwd-1', amount: '0.999', currency: 'KWD', balance_after: '1.000' });
  });

  it('neutralises free text that a spreadsheet would run as a formula (= + - @ and a leading CR), never amounts', async () => {
    const { ledger } = seeded();
    const records = readCsv((await exportCsvBytes(ledger)).bytes);
    const memos = records.map((record) => record.memo);
    expect(memos).toContain(`'${AWKWARD.memoFormula}`);
    expect(memos).toContain(`'${AWKWARD.memoPlus}`);
    expect(memos).toContain(`'${AWKWARD.memoMinus}`);
    expect(memos).toContain(`'${AWKWARD.memoAt}`);
    expect(memos).toContain("'\rstarts with a carriage return");
    expect(memos).not.toContain(AWKWARD.memoFormula);
    // Command ids and legacy event ids are free text too.
    expect(records.map((record) => record.command_id)).toEqual(expect.arrayContaining(["'=1+1", "'@import-7"]));
    expect(records.filter((record) => record.account === 'old-1').map((record) => record.event_id)).toEqual(
      expect.arrayContaining(["'@day-evt-2", "'+day-evt-3", "'-day-evt-5", "'=day-evt-6", 'day-evt-1']),
    );
    // No field other than a signed amount starts with a formula character.
    for (const record of records) {
      for (const [column, value] of Object.entries(record)) {
        if (column === 'amount' || column === 'balance_after') expect(value).toMatch(/^-?\d+(\.\d+)?$/);
        else expect(value, `${column} of position ${record.position}`).not.toMatch(/^[=+\-@\t\r]/);
      }
    }
    const withdrawal = records.find((record) => record.memo === `'${AWKWARD.memoQuote}` || record.memo === AWKWARD.memoQuote)!;
    expect(withdrawal).toMatchObject({ type: 'MoneyWithdrawn', amount: '-3.50', memo: AWKWARD.memoQuote });
  });

  it('with filters gives the same rows as the audit page query', async () => {
    const { ledger } = seeded();
    const transferId = ledger.events({ type: 'TransferSent', limit: 1 })[0]!.data as { transferId: string };
    const filters: AuditFilter[] = [
      { accounts: ['eur-1'] },
      { accounts: ['old-1', 'kwd-1'] },
      { types: ['TransferSent', 'TransferReceived'] },
      { types: ['AccountOpened'] },
      { from: '2024-02-29', to: '2024-02-29' },
      { from: '2024-02-28T23:59:59.999Z', to: '2024-03-01T00:00:00Z' },
      { to: '2024-12-31' },
      { minAmount: '10.005' },
      { minAmount: '0.999', maxAmount: '1.005' },
      { maxAmount: '0' },
      { text: 'LINE' },
      { text: 'lovelace' },
      { text: '李' },
      { text: transferId.transferId },
      { text: 'transfer-eur-1' },
      { text: 'day-evt-4' },
      { accounts: ['eur-1', 'eur-2'], types: ['MoneyWithdrawn', 'TransferSent'], minAmount: '1', text: 'e' },
      { accounts: ['nobody'] },
    ];
    const counts: number[] = [];
    for (const filter of filters) {
      const { bytes, rows } = await exportCsvBytes(ledger, filter);
      const expected = pageRows(ledger, filter).map((row) => expectedRecord(row, ownersOf(ledger)));
      const records = readCsv(bytes);
      expect(records, JSON.stringify(filter)).toEqual(expected);
      expect(rows).toBe(expected.length);
      expect(ledger.audit.count(filter).matches).toBe(expected.length);
      counts.push(expected.length);
    }
    // The filters do select: a few known answers.
    const byFilter = new Map(filters.map((filter, index) => [JSON.stringify(filter), counts[index]]));
    expect(byFilter.get(JSON.stringify({ from: '2024-02-29', to: '2024-02-29' }))).toBe(2);
    expect(byFilter.get(JSON.stringify({ types: ['AccountOpened'] }))).toBe(6 + 6 + 1);
    expect(byFilter.get(JSON.stringify({ text: 'day-evt-4' }))).toBe(1);
    expect(byFilter.get(JSON.stringify({ text: transferId.transferId }))).toBe(2);
    expect(byFilter.get(JSON.stringify({ accounts: ['nobody'] }))).toBe(0);
    // An empty result is still a CSV with its header.
    const empty = await exportCsvBytes(ledger, { accounts: ['nobody'] });
    expect(empty.bytes.toString('utf8')).toBe(`\uFEFF${HEADER.join(',')}\r\n`);
  });

  it('is the same file through exportToFile and the CLI (export --format csv)', async () => {
    const { ledger, path } = seeded();
    const filter: AuditFilter = { accounts: ['old-1'] };
    const inMemory = (await exportCsvBytes(ledger, filter)).bytes;
    const file = join(tempFolder(), 'audit.csv');
    expect(await exportFile(ledger, file, 'csv', filter)).toMatchObject({ format: 'csv', events: 9 });
    expect(readFileSync(file)).toEqual(inMemory);
    ledger.close();
    const run = await runCli(['--db', path, 'export', '--format', 'csv', '--account', 'old-1']);
    expect(run.code).toBe(0);
    expect(Buffer.from(run.stdout, 'utf8')).toEqual(inMemory);
  });
});
