/**
 * The CSV export of the audit view: a byte-order mark, a header row, CRLF line ends, and
 * fields that survive commas, quotes, CR/LF line breaks and non-Latin text (李白, Émilie,
 * Алан, emoji) in owners and memos — read back with csv-parse into exactly the expected rows.
 * Its filters give the same rows as the audit page query, and free text that a spreadsheet
 * would run as a formula (= + - @) is neutralised.
 */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditFilter, AuditRow } from '#shared/audit';
import { csvLine, neutraliseFormula } from '#engine/export/csv-export';
import type { Ledger } from '#engine/ledger';
import { runCli } from './cli-process';
import { newLedger, ok, tempFolder } from './helpers';
import { AWKWARD, exportCsvBytes, exportFile, seedRichLedger } from './export-helpers';
import { legacyLine } from './legacy-lines';

/** The header row as the file must spell it (the format's contract, written out here rather than taken from the exporter). */
const HEADER_ROW =
  'position,recorded_at,type,account,owner,counterparty,amount,currency,balance_after,memo,command_id,actor,event_id,schema_version';

/** A legacy owner that looks like a formula, with quotes and a comma (line breaks are refused, as by open). */
const LEGACY_OWNER = '=cmd|\' /C calc\'!A0, "quoted" second part';

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

/** Leading characters a reader does not see: JavaScript's \\s (Unicode white space and line terminators, BOM), format and default-ignorable characters, marks, controls, the braille blank. */
const UNSEEN_PREFIX = /^[\s\p{Cf}\p{Default_Ignorable_Code_Point}\p{M}\p{Cc}\u2800]+/u;

/** Would a spreadsheet take this cell for a formula: = + - @ after the unseen characters, compatibility forms folded. */
function looksLikeFormula(text: string): boolean {
  return /^[\t\r]/.test(text) || /^[=+\-@]/.test(text.normalize('NFKC').replace(UNSEEN_PREFIX, ''));
}

function neutralised(text: string): string {
  return looksLikeFormula(text) ? `'${text}` : text;
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
function expectedRecord(row: AuditRow, ownerOf: (account: string) => string) {
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

type CsvRecord = ReturnType<typeof expectedRecord>;

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
    const total = ledger.lastPosition;
    expect(rows).toBe(total);

    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    expect(text.startsWith(`${HEADER_ROW}\r\n`)).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    // Outside quoted fields every line ends with CRLF: no bare LF or CR.
    const outsideQuotes = text.replace(/"(?:[^"]|"")*"/g, '');
    expect(outsideQuotes.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(outsideQuotes.match(/\r\n/g)).toHaveLength(total + 1);

    const records = readCsv(bytes);
    expect(Object.keys(records[0]!)).toEqual(HEADER_ROW.split(','));
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
    expect(unicodeTransfer).toMatchObject({
      account: 'jpy-1',
      counterparty: 'jpy-2',
      amount: '-2500',
      currency: 'JPY',
      balance_after: '97500',
    });
    const kwdTransfer = records.find((record) => record.memo === AWKWARD.memoCr && record.type === 'TransferReceived')!;
    expect(kwdTransfer).toMatchObject({
      account: 'kwd-2',
      counterparty: 'kwd-1',
      amount: '0.999',
      currency: 'KWD',
      balance_after: '1.000',
    });
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
        else expect(value.startsWith("'") || !looksLikeFormula(value), `${column} of position ${record.position}`).toBe(true);
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
    expect(empty.bytes.toString('utf8')).toBe(`\uFEFF${HEADER_ROW}\r\n`);
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

/** Characters a spreadsheet may skip or fold before it decides a cell is a formula. */
const UNSEEN = [
  '\n',
  '\r\n',
  ' ',
  '\u00A0',
  '\u1680',
  '\u2000',
  '\u2003',
  '\u200A',
  '\u2028',
  '\u2029',
  '\u202F',
  '\u205F',
  '\u3000',
  '\u0085',
  '\u000B',
  '\u000C',
  '\u200B',
  '\u200C',
  '\u200D',
  '\u2060',
  '\uFEFF',
  '\u00AD',
  '\u180E',
  '\u200E',
  '\u200F',
  '\u061C',
  '\u202E',
  '\u2066',
  '\u3164',
  '\u115F',
  '\uFFA0',
  '\u2800',
  '\u0301',
  '\u034F',
  '\uFE0F',
  '\u{E0041}',
  '\u0000',
  '\u001B',
];
/** = + - @ and their compatibility forms (full-width, small, ligatures) that NFKC folds into them. */
const FORMULA_STARTS = ['=', '+', '-', '@', '＝', '＋', '－', '＠', '﹦', '﹢', '﹣', '﹫', '⩵', '⩶', '⁼', '⁺', '₌', '₊'];

function readBackOne(cell: string): string {
  const [[read]] = parse(csvLine([cell]), { relax_quotes: false }) as string[][] as [[string]];
  return read;
}

describe('CSV formula neutralisation after invisible characters and compatibility forms (issue 16, item 8)', () => {
  it('neutralises every listed case exported from a real ledger, and reads back the exact text after the one apostrophe', async () => {
    const { ledger, api } = newLedger();
    const memos = [
      '\n=1+1',
      ' =1+1',
      '\u2028=HYPERLINK("http://evil")',
      '\u200B=1+1',
      '＝1+1',
      '＋1',
      '－1',
      '＠SUM(A1)',
      '\u00A0@x',
      '\uFEFF=1',
      '\u3000-2',
      '\r\n+3',
      '﹦cmd',
      '\u200B \u2029\u00AD＝1',
    ];
    const plain = ['rent', ' rent', '\u200Brent', 'a=b', '１２ apples', '\n\nsecond line', "'=already text"];
    ok(api.openAccount({ account: 'f1', owner: '\u200B=SUM(A1:A9)', currency: 'EUR', initial: '100.00' }));
    ok(api.openAccount({ account: 'f2', owner: '＝HYPERLINK("x")', currency: 'EUR' }));
    for (const memo of [...memos, ...plain])
      ok(
        api.deposit({
          account: 'f1',
          amount: '1',
          memo,
          commandId: `\u3000-${memo.length}-${[...memo].map((c) => c.codePointAt(0)).join('.')}`,
        }),
      );
    const records = readCsv((await exportCsvBytes(ledger)).bytes);
    const memosRead = records.map((record) => record.memo);
    for (const memo of memos) {
      expect(memosRead, JSON.stringify(memo)).toContain(`'${memo}`);
      expect(memosRead).not.toContain(memo);
    }
    for (const memo of plain) expect(memosRead, JSON.stringify(memo)).toContain(memo);
    const owners = new Map(records.map((record) => [record.account, record.owner]));
    expect(owners.get('f1')).toBe("'\u200B=SUM(A1:A9)");
    expect(owners.get('f2')).toBe('\'＝HYPERLINK("x")');
    for (const record of records.filter((row) => row.command_id !== '')) expect(record.command_id.startsWith("'\u3000-")).toBe(true);
    // Every memo cell is the stored memo, or the stored memo after the one neutralising apostrophe.
    const storedMemo = new Map(
      ledger.events({ streamId: 'f1' }).map((event) => [event.position, 'memo' in event.data ? event.data.memo : '']),
    );
    for (const record of records.filter((row) => row.account === 'f1' && row.type === 'MoneyDeposited')) {
      const stored = storedMemo.get(Number(record.position))!;
      expect(record.memo, JSON.stringify(stored)).toBe(memos.includes(stored) ? `'${stored}` : stored);
    }
  });

  it('fast-check: any run of unseen characters before = + - @ or a form of them is neutralised, and csv-parse reads back the exact text', () => {
    const unseenPrefix = fc.array(fc.constantFrom(...UNSEEN), { maxLength: 6 }).map((parts) => parts.join(''));
    const tail = fc.string({ unit: 'grapheme', maxLength: 20 });
    fc.assert(
      fc.property(unseenPrefix, fc.constantFrom(...FORMULA_STARTS), tail, (prefix, start, rest) => {
        const cell = prefix + start + rest;
        const written = neutraliseFormula(cell);
        expect(written).toBe(`'${cell}`);
        expect(readBackOne(written).slice(1)).toBe(cell);
      }),
      { numRuns: 2_000 },
    );
  });

  it('fast-check: text that starts, after the unseen characters, with a letter or digit is written unchanged and reads back exactly', () => {
    const unseenPrefix = fc
      .array(fc.constantFrom(...UNSEEN.filter((char) => char !== '\r' && char !== '\r\n')), { maxLength: 6 })
      .map((parts) => parts.join(''))
      .filter((prefix) => !prefix.startsWith('\t'));
    const start = fc.constantFrom('a', 'Z', '7', 'é', '李', 'А', '１', 'Ａ', '(', '"', "'", '#', '€', '🙂');
    fc.assert(
      fc.property(unseenPrefix, start, fc.string({ unit: 'grapheme', maxLength: 20 }), (prefix, first, rest) => {
        const cell = prefix + first + rest;
        expect(neutraliseFormula(cell)).toBe(cell);
        expect(readBackOne(cell)).toBe(cell);
      }),
      { numRuns: 2_000 },
    );
  });

  it('any generated text is written so that csv-parse reads back exactly it, with at most the one apostrophe added', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (cell) => {
        const written = neutraliseFormula(cell);
        expect(written === cell || written === `'${cell}`).toBe(true);
        expect(written === `'${cell}`).toBe(looksLikeFormula(cell));
        expect(readBackOne(written)).toBe(written);
      }),
      { numRuns: 3_000 },
    );
  });
});
