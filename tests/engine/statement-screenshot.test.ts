/**
 * Issue 15.3 — the statement PDF's first page as a person sees it: a month of an account with
 * memos in three scripts, a transfer, a reversal and its original, rendered by poppler's
 * pdftoppm to test-results/screenshots/statement-pdf.png (and, with UPDATE_DOCS_SCREENSHOTS=1,
 * to docs/screenshots/statement-pdf.png for the README).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { statementContext, writeStatementFile } from '#engine/statement/statement-file';
import { newLedger, ok, repoRoot, tempFolder } from './helpers';

afterEach(() => {
  vi.useRealTimers();
});

const POPPLER = spawnSync('pdftoppm', ['-v']).error === undefined;

it.skipIf(!POPPLER)('renders the first page of a month’s statement (pdftoppm, 80 dpi)', async () => {
  const { ledger, api } = newLedger();
  vi.useFakeTimers({ toFake: ['Date'] });
  let minute = 0;
  /** Each command a few hours after the one before, from 1 March 2026. */
  const next = <T>(work: () => T): T => {
    vi.setSystemTime(Date.parse('2026-03-01T08:00:00.000Z') + minute * 60_000);
    minute += 17 * 60 + 23;
    return work();
  };
  next(() => ok(api.openAccount({ account: 'CN-0042', owner: '李白 (Li Bai)', currency: 'EUR', initial: '2500.00' })));
  next(() => ok(api.openAccount({ account: 'RU-0007', owner: 'Алан Тьюринг', currency: 'EUR', initial: '400.00' })));
  next(() => ok(api.deposit({ account: 'CN-0042', amount: '3120.45', memo: 'Salary March — 三月工资' })));
  next(() => ok(api.withdraw({ account: 'CN-0042', amount: '950.00', memo: 'Rent, flat 3B' })));
  const twice = next(() => ok(api.withdraw({ account: 'CN-0042', amount: '950.00', memo: 'Rent, flat 3B' })));
  next(() => ok(api.reverse({ position: twice.position, reason: 'Rent booked twice; the bank paid once' })));
  next(() => ok(api.transfer({ from: 'CN-0042', to: 'RU-0007', amount: '120.00', memo: 'Книги, счёт № 17' })));
  const shops = ['Grocer', 'Pharmacy', 'Bakery', 'Bookshop', 'Cinema', 'Café', 'Hardware store', 'Tea house 茶馆'];
  for (let index = 0; index < 34; index++) {
    if (index % 9 === 4) next(() => ok(api.transfer({ from: 'RU-0007', to: 'CN-0042', amount: `${15 + index}.50`, memo: 'Долг' })));
    else
      next(() => ok(api.withdraw({ account: 'CN-0042', amount: `${(index * 7.31 + 3).toFixed(2)}`, memo: shops[index % shops.length]! })));
  }
  vi.useRealTimers();
  const statement = ok(ledger.statement({ account: 'CN-0042', from: '2026-03-01', to: '2026-03-31' }));
  const folder = tempFolder();
  const pdf = join(folder, 'statement.pdf');
  ok(await writeStatementFile(ledger.path, pdf, statement, 'pdf', statementContext(ledger, new Date('2026-04-01T09:30:00.000Z'))));
  execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', pdf, join(folder, 'page')]);
  const text = execFileSync('pdftotext', ['-layout', '-f', '1', '-l', '1', pdf, '-'], { encoding: 'utf8' });
  expect(text).toContain('李白 (Li Bai)');
  expect(text).toMatch(/Page 1 of [2-9]/);
  expect(text).toContain('Reversal of');
  const screenshots = join(repoRoot, 'test-results', 'screenshots');
  mkdirSync(screenshots, { recursive: true });
  copyFileSync(join(folder, 'page.png'), join(screenshots, 'statement-pdf.png'));
  if (process.env.UPDATE_DOCS_SCREENSHOTS === '1')
    copyFileSync(join(folder, 'page.png'), join(repoRoot, 'docs', 'screenshots', 'statement-pdf.png'));
});
