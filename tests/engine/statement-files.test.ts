/**
 * Issue 15.3 — a statement as CSV (the export's CSV rules) and as PDF (read back with poppler's
 * pdftotext, as any person's PDF reader would: owners in Chinese and Cyrillic, the account,
 * the period, the amounts, and "Page n of m" on every page of a long statement).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { saveStatement, statementContext } from '#engine/statement/statement-file';
import { STATEMENT_CSV_COLUMNS, statementCsv } from '#engine/statement/statement-csv';
import { statementPdf, statementTotals } from '#engine/statement/statement-pdf';
import type { Ledger } from '#engine/ledger';
import { fingerprintOf, generateSigningKey } from '#engine/signing/keys';
import { newLedger, ok, tempFolder } from './helpers';

afterEach(() => {
  vi.useRealTimers();
});

const POPPLER = spawnSync('pdftotext', ['-v']).error === undefined;
const NO_POPPLER = 'pdftotext (poppler-utils) is not installed: the PDF cannot be read back here';

function at<T>(iso: string, work: () => T): T {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(iso));
  return work();
}

/** Two accounts in March 2026: 李白's and Алан's, with a transfer between them. */
function marchLedger() {
  const made = newLedger();
  const { api } = made;
  at('2026-03-01T09:00:00.000Z', () => ok(api.openAccount({ account: 'li-bai', owner: '李白', currency: 'EUR', initial: '10.01' })));
  at('2026-03-01T09:05:00.000Z', () => ok(api.openAccount({ account: 'alan', owner: 'Алан', currency: 'EUR' })));
  at('2026-03-02T10:00:00.000Z', () => ok(api.deposit({ account: 'li-bai', amount: '1234.56', memo: 'Gehalt März — 工资' })));
  at('2026-03-04T10:00:00.000Z', () => ok(api.withdraw({ account: 'li-bai', amount: '0.30', memo: '=HYPERLINK("http://x")' })));
  at('2026-03-05T10:00:00.000Z', () => ok(api.transfer({ from: 'li-bai', to: 'alan', amount: '5.00', memo: 'аренда, "March"' })));
  vi.useRealTimers();
  return made;
}

function pdfText(path: string, page?: number): string {
  const pages = page === undefined ? [] : ['-f', String(page), '-l', String(page)];
  return execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', ...pages, path, '-'], { encoding: 'utf8' });
}

async function savedPdf(ledger: Ledger, account: string, from: string, to: string): Promise<string> {
  const path = join(tempFolder(), `${account}.pdf`);
  expect(ok(await saveStatement(ledger, { account, from, to }, 'pdf', path))).toEqual({ path, format: 'pdf', lines: expect.any(Number) });
  return path;
}

describe('a statement as CSV', () => {
  it('is one table a spreadsheet reads: opening row, one row per line, closing row, free text neutralised', () => {
    const { api } = marchLedger();
    const statement = ok(api.statement({ account: 'li-bai', from: '2026-03-01', to: '2026-03-31' }));
    const text = statementCsv(statement);
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const rows = parse(text, { bom: true, columns: true, relax_column_count: false }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0]!)).toEqual([...STATEMENT_CSV_COLUMNS]);
    expect(rows.map((row) => [row.entry, row.position, row.type, row.amount, row.balance])).toEqual([
      ['opening balance', '', '', '', '0.00'],
      ['line', '1', 'AccountOpened', '10.01', '10.01'],
      ['line', '3', 'MoneyDeposited', '1234.56', '1244.57'],
      ['line', '4', 'MoneyWithdrawn', '-0.30', '1244.27'],
      ['line', '5', 'TransferSent', '-5.00', '1239.27'],
      ['closing balance', '', '', '', '1239.27'],
    ]);
    expect(rows.every((row) => row.account === 'li-bai' && row.owner === '李白' && row.currency === 'EUR')).toBe(true);
    expect(rows[0]!.recorded_at).toBe('2026-03-01');
    expect(rows[5]!.recorded_at).toBe('2026-03-31');
    // A memo that would run as a formula is shown as text; quotes and commas survive quoting.
    expect(rows[3]!.memo).toBe('\'=HYPERLINK("http://x")');
    expect(rows[4]!.memo).toBe('аренда, "March"');
    expect(rows[1]!.memo).toBe('');
  });
});

describe('a statement as PDF', () => {
  it('sums credits and debits exactly', () => {
    const { api } = marchLedger();
    const statement = ok(api.statement({ account: 'li-bai', from: '2026-03-01', to: '2026-03-31' }));
    expect(statementTotals(statement)).toEqual({ credits: '1244.57', debits: '-5.30' });
  });

  it.skipIf(!POPPLER)('reads back: owner, account, period, amounts, totals, head and page number', async () => {
    const { ledger } = marchLedger();
    for (const [account, owner] of [
      ['li-bai', '李白'],
      ['alan', 'Алан'],
    ] as const) {
      const path = await savedPdf(ledger, account, '2026-03-01', '2026-03-31');
      expect(readFileSync(path).subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const text = pdfText(path);
      expect(text).toContain('Account statement');
      expect(text).toContain(owner);
      expect(text).toMatch(new RegExp(`Account\\s+${account}`));
      expect(text).toContain('EUR (Euro)');
      expect(text).toContain('2026-03-01 to 2026-03-31');
      expect(text).toContain('Page 1 of 1');
      expect(text).toContain(`ledger head ${ledger.logHead().position}`);
      expect(text).toContain(ledger.logHead().hash);
    }
    const text = pdfText(await savedPdf(ledger, 'li-bai', '2026-03-01', '2026-03-31'));
    for (const amount of ['10.01', '1234.56', '-0.30', '-5.00', '1239.27', '1244.57 EUR', '-5.30 EUR']) expect(text).toContain(amount);
    expect(text).toContain('Gehalt März — 工资');
    expect(text).toContain('Transfer out');
    const alan = pdfText(await savedPdf(ledger, 'alan', '2026-03-01', '2026-03-31'));
    expect(alan).toMatch(/Transfer in\s+аренда, "March"\s+5\.00\s+5\.00/);
  });

  it.skipIf(!POPPLER)('numbers every page of a long statement and repeats the column heads', async () => {
    const { ledger, api } = newLedger();
    at('2026-04-01T08:00:00.000Z', () => ok(api.openAccount({ account: 'busy', owner: 'Алан 李白', currency: 'EUR' })));
    for (let index = 1; index <= 180; index++) {
      at(`2026-04-${String(2 + (index % 28)).padStart(2, '0')}T12:00:00.000Z`, () =>
        ok(
          api.deposit({
            account: 'busy',
            amount: `${index}.00`,
            memo: index % 10 === 0 ? 'a longer memo that wraps onto a second line of its cell' : `#${index}`,
          }),
        ),
      );
    }
    const path = await savedPdf(ledger, 'busy', '2026-04-01', '2026-04-30');
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [path], { encoding: 'utf8' }))![1]);
    expect(pages).toBeGreaterThan(3);
    for (let page = 1; page <= pages; page++) {
      const text = pdfText(path, page);
      expect(text, `page ${page}`).toContain(`Page ${page} of ${pages}`);
      expect(text, `page ${page}`).toMatch(/Date \(UTC\)\s+Ref\.\s+Description\s+Memo\s+Amount\s+Balance/);
    }
    expect(pdfText(path, pages)).toContain(`Closing balance, end of 2026-04-30`);
    // The font is embedded, as a subset: nothing depends on the reader's fonts.
    const fonts = execFileSync('pdffonts', [path], { encoding: 'utf8' });
    expect(fonts).toMatch(/\+NotoSansSC-Regular\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);
  });

  it('of a period without activity says so, and still has its balances', async () => {
    const { ledger, api } = marchLedger();
    const statement = ok(api.statement({ account: 'li-bai', from: '2026-04-01', to: '2026-04-30' }));
    const bytes = await statementPdf(statement, statementContext(ledger, new Date('2026-05-01T00:00:00Z')));
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    if (!POPPLER) return;
    const path = join(tempFolder(), 'quiet.pdf');
    ok(await saveStatement(ledger, { account: 'li-bai', from: '2026-04-01', to: '2026-04-30' }, 'pdf', path));
    const text = pdfText(path);
    expect(text).toContain('No activity in this period');
    expect(text.match(/1239\.27 EUR/g)).toHaveLength(3);
  });
});

describe('a statement as PDF, where the ledger has a seal', () => {
  it.skipIf(!POPPLER)('names the seal: tree size, root hash, time and the key that signed it', async () => {
    const { ledger, api } = marchLedger();
    const statement = ok(api.statement({ account: 'alan', from: '2026-03-01', to: '2026-03-31' }));
    const publicKey = Buffer.alloc(32, 7).toString('base64');
    const seal = { treeSize: 5, rootHash: 'c0ffee'.padEnd(64, '0'), signedAt: '2026-03-31T23:00:00.000Z', publicKey };
    const path = join(tempFolder(), 'sealed.pdf');
    writeFileSync(path, await statementPdf(statement, { ...statementContext(ledger), seal }));
    const text = pdfText(path).replace(/\s+/g, ' ');
    expect(text).toContain(`The ledger's latest seal: a signed tree head over its first 5 events, root hash ${seal.rootHash}`);
    expect(text).toContain(`signed at 2026-03-31T23:00:00.000Z by the key ${fingerprintOf(publicKey)}`);
  });

  it("takes the ledger's own latest seal, and none before the ledger is sealed", () => {
    const { ledger } = marchLedger();
    expect(statementContext(ledger).seal).toBeUndefined();
    const key = generateSigningKey();
    const sealed = ok(ledger.seal(key));
    const seal = statementContext(ledger).seal;
    expect(seal).toMatchObject({ treeSize: sealed.treeSize, rootHash: sealed.rootHash, publicKey: key.publicKey });
  });
});

if (!POPPLER) it.skip(NO_POPPLER, () => {});
