/**
 * Statements and printing in the app (issue 15), in Chromium through the preview host on the
 * real engine: the Statement screen from the account page (and, without an account on screen,
 * choosing one), its numbers against the account view, the period presets and a wrong period,
 * Save as PDF and CSV through the host, and print media: no buttons, filters or navigation,
 * black on white even in dark mode, every column whole and the header row repeated on each A4
 * and Letter page, for the statement and for the audit list. Screenshots: statement-preview
 * (1280×800, 800 px, dark) and statement-print.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveScreenshot } from './support/browser';
import { applyLines } from './support/audit-ledger';
import { callApi } from './support/preview-host';
import { previewSuite } from './support/preview-session';

/** Enough lines for a statement of several printed pages. */
const DEPOSITS = 70;
const LONG_MEMO = `Quarterly reconciliation of the shared household budget, ${'including utilities, groceries and repairs, '.repeat(4)}ending here: WHOLEMEMOEND`;

const COMMANDS = [
  { command: 'open', account: 'ACC-1', owner: 'Alice Martin', currency: 'EUR', initial: '1000.00' },
  { command: 'open', account: 'ACC-2', owner: 'Bob Stone', currency: 'EUR' },
  { command: 'deposit', account: 'ACC-1', amount: '250.00', memo: 'Salary' },
  { command: 'transfer', from: 'ACC-1', to: 'ACC-2', amount: '75.50', memo: LONG_MEMO },
  { command: 'withdraw', account: 'ACC-1', amount: '20.00', memo: 'Cash' },
  ...Array.from({ length: DEPOSITS }, (_, index) => ({
    command: 'deposit',
    account: 'ACC-1',
    amount: `${index + 1}.25`,
    memo: `Deposit ${index + 1}`,
  })),
];

type Entry = { position: number; amount: string; amountMinor: number; balance: string; memo?: string };

/** "€1,234.50" as en-US writes the engine's "1234.50" (and "-€5.00" for "-5.00"). */
function euros(decimal: string): string {
  const negative = decimal.startsWith('-');
  const [whole, fraction] = decimal.replace('-', '').split('.');
  return `${negative ? '-' : ''}€${whole!.replace(/\B(?=(\d{3})+$)/g, ',')}.${fraction}`;
}

function pdfText(path: string): string {
  return execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
}

describe('statements and printing', () => {
  const session = previewSuite('ledger-e2e-statement', 'statement.db', {
    seed: async () => {
      await applyLines(session.database, session.folder, 'seed.jsonl', COMMANDS);
    },
    hostArguments: (folder) => ['--export-dir', folder],
  });

  const history = async (account: string): Promise<Entry[]> =>
    (await callApi(session.host, 'accountHistory', { account, limit: 1000 })).json.value.entries as Entry[];
  const preview = () => session.page.getByTestId('statement-preview');
  const visibleButtons = () =>
    session.page
      .locator('button')
      .evaluateAll((buttons) => buttons.filter((button) => (button as HTMLElement).offsetParent !== null).length);

  it('opens from the account page; with All time its numbers are the account view’s, line by line', async () => {
    const salary = (await history('ACC-1')).find((entry) => entry.memo === 'Salary')!;
    expect((await callApi(session.host, 'reverse', { position: salary.position, reason: 'Paid to the wrong account' })).json.ok).toBe(true);

    await session.page.goto(`${session.host.url}#/account/ACC-1`);
    await session.page.getByRole('heading', { name: 'Alice Martin' }).waitFor();
    const shownBalance = await session.page.getByTestId('account-balance').innerText();
    await session.page.getByRole('link', { name: 'Statement…' }).click();
    expect(await session.page.evaluate(() => location.hash)).toBe('#/statement/ACC-1');
    await session.page.getByRole('button', { name: 'All time' }).click();
    await expect.poll(() => preview().locator('tbody tr[data-position]').count()).toBe((await history('ACC-1')).length);

    expect(await preview().getByTestId('statement-owner').innerText()).toBe('Alice Martin');
    expect(await preview().getByTestId('statement-opening').innerText()).toBe('€0.00');
    expect(await preview().getByTestId('statement-closing').innerText()).toBe(shownBalance);
    const entries = await history('ACC-1');
    const credits = entries.filter((entry) => entry.amountMinor > 0).reduce((sum, entry) => sum + entry.amountMinor, 0);
    const debits = entries.filter((entry) => entry.amountMinor < 0).reduce((sum, entry) => sum + entry.amountMinor, 0);
    expect(await preview().getByTestId('statement-credits').innerText()).toBe(euros((credits / 100).toFixed(2)));
    expect(await preview().getByTestId('statement-debits').innerText()).toBe(euros((debits / 100).toFixed(2)));
    // The running balance of every line is the history's balance after the same event.
    const lines = await preview()
      .locator('tbody tr[data-position]')
      .evaluateAll((rows) =>
        rows.map((row) => ({ position: Number(row.getAttribute('data-position')), balance: row.lastElementChild!.textContent!.trim() })),
      );
    expect(lines).toEqual(entries.map((entry) => ({ position: entry.position, balance: euros(entry.balance) })));
    // The reversed line and its reversal say so.
    const reversed = preview().locator(`tbody tr[data-position="${salary.position}"]`);
    expect(await reversed.innerText()).toMatch(/reversed by #\d+/i);
    expect(await preview().locator('tbody').innerText()).toContain(`Reversal of #${salary.position}`);

    await session.page.evaluate(() => window.scrollTo(0, 0));
    await saveScreenshot(session.page, 'statement-preview');
    await session.page.emulateMedia({ colorScheme: 'dark' });
    await saveScreenshot(session.page, 'statement-preview-dark');
    await session.page.emulateMedia({ colorScheme: 'light' });
    await session.page.setViewportSize({ width: 800, height: 800 });
    expect(
      await session.page.evaluate(() => document.scrollingElement!.scrollWidth - document.scrollingElement!.clientWidth),
    ).toBeLessThanOrEqual(0);
    await saveScreenshot(session.page, 'statement-preview-800');
    await session.page.setViewportSize({ width: 1280, height: 800 });
  });

  it('takes the presets and refuses a period that ends before it starts, saying so', async () => {
    await session.page.getByRole('button', { name: 'Last month' }).click();
    expect(await session.page.getByRole('button', { name: 'Last month' }).getAttribute('aria-pressed')).toBe('true');
    await preview().getByText('No activity in this period.').waitFor();
    expect(await preview().getByTestId('statement-opening').innerText()).toBe('€0.00');
    expect(await preview().getByTestId('statement-closing').innerText()).toBe('€0.00');

    await session.page.getByRole('button', { name: 'This month' }).click();
    await expect.poll(() => preview().locator('tbody tr[data-position]').count()).toBeGreaterThan(DEPOSITS);
    await session.page.getByLabel('From').fill('2030-01-02');
    await session.page.getByLabel('To').fill('2030-01-01');
    await session.page.getByText('The end date is before the start date.').first().waitFor();
    expect(await session.page.getByLabel('To').getAttribute('aria-invalid')).toBe('true');
    expect(await preview().count()).toBe(0);
    expect(await session.page.getByRole('button', { name: 'Save as PDF…' }).isDisabled()).toBe(true);
    await session.page.getByRole('button', { name: 'All time' }).click();
    await expect.poll(() => preview().locator('tbody tr[data-position]').count()).toBe((await history('ACC-1')).length);
  });

  it('saves the statement as PDF and as CSV through the preview host', async () => {
    await session.page.getByRole('button', { name: 'Save as PDF…' }).click();
    const message = session.page.getByTestId('statement-save-message');
    await expect.poll(() => message.innerText(), { timeout: 30_000 }).toMatch(/^Saved \d+ lines as PDF to /);
    const pdf = await message.locator('code').innerText();
    expect(pdf.startsWith(session.folder)).toBe(true);
    expect(readFileSync(pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = pdfText(pdf);
    expect(text).toContain('Alice Martin');
    expect(text).toContain('ACC-1');

    await session.page.getByRole('button', { name: 'Save as CSV…' }).click();
    await expect.poll(() => message.innerText()).toMatch(/^Saved \d+ lines as CSV to /);
    const csv = await message.locator('code').innerText();
    expect(existsSync(csv)).toBe(true);
    expect(readFileSync(csv, 'utf8')).toContain('Deposit 70');
  });

  it('prints the statement black on white with no buttons, period picker or navigation, every column whole, on A4 and Letter', async () => {
    await session.page.emulateMedia({ media: 'print', colorScheme: 'dark' });
    expect(await visibleButtons()).toBe(0);
    expect(await session.page.locator('header.topbar').isVisible()).toBe(false);
    expect(await session.page.getByRole('navigation', { name: 'Breadcrumb' }).isVisible()).toBe(false);
    expect(await session.page.getByLabel('From').isVisible()).toBe(false);
    expect(await preview().isVisible()).toBe(true);
    const colours = await session.page.evaluate(() => ({
      text: getComputedStyle(document.body).color,
      page: getComputedStyle(document.body).backgroundColor,
      owner: getComputedStyle(document.querySelector('[data-testid="statement-owner"]')!).color,
    }));
    expect(colours).toEqual({ text: 'rgb(0, 0, 0)', page: 'rgb(255, 255, 255)', owner: 'rgb(0, 0, 0)' });
    await session.page.evaluate(() => window.scrollTo(0, 0));
    await saveScreenshot(session.page, 'statement-print');

    for (const format of ['A4', 'Letter'] as const) {
      const path = join(session.folder, `statement-print-${format}.pdf`);
      await session.page.pdf({ path, format });
      const pages = pdfText(path)
        .split('\f')
        .filter((page) => page.trim() !== '');
      expect(pages.length, format).toBeGreaterThan(1);
      // The header row repeats on every page the table runs over.
      for (const page of pages.slice(1)) expect(page, format).toMatch(/DATE\s+EVENT\s+DESCRIPTION\s+AMOUNT\s+BALANCE/);
      const text = pages.join('\n').replace(/\s+/g, ' ');
      expect(text, format).toContain('WHOLEMEMOEND');
      expect(text, format).toContain('Deposit 70');
      expect(text, format).toContain(`Closing balance`);
    }
    await session.page.emulateMedia({ media: 'screen', colorScheme: 'light' });
    expect(await visibleButtons()).toBeGreaterThan(0);
  });

  it('asks which account when none is on screen (Account → Statement… from elsewhere)', async () => {
    await session.page.goto(`${session.host.url}#/statement`);
    await session.page.getByRole('heading', { name: 'Which account?' }).waitFor();
    const picker = session.page.getByRole('combobox', { name: 'Account' });
    await picker.fill('bob');
    await session.page.getByRole('option', { name: /Bob Stone/ }).waitFor();
    await picker.press('ArrowDown');
    await picker.press('Enter');
    await expect.poll(() => session.page.evaluate(() => location.hash)).toBe('#/statement/ACC-2');
    await expect.poll(() => preview().getByTestId('statement-owner').innerText()).toBe('Bob Stone');
  });

  it('prints the audit list without filters or buttons: the loaded rows as a table with every column whole and its header on each page', async () => {
    await session.page.goto(`${session.host.url}#/audit`);
    await session.page.getByTestId('audit-list').waitFor();
    await session.page.emulateMedia({ media: 'print' });
    const printed = session.page.getByTestId('audit-print');
    await printed.waitFor();
    expect(await visibleButtons()).toBe(0);
    expect(await session.page.getByRole('region', { name: 'Filters' }).isVisible()).toBe(false);
    expect(await session.page.getByLabel('Search').isVisible()).toBe(false);
    expect(await session.page.getByRole('tablist').isVisible()).toBe(false);
    expect(await session.page.getByTestId('audit-list').isVisible()).toBe(false);
    const total = (await callApi(session.host, 'ledgerInfo')).json.value.lastPosition as number;
    expect(await printed.locator('tbody tr').count()).toBe(total);
    expect(await printed.locator('.caption').innerText()).toMatch(
      new RegExp(`^Rows 1–${total} of ${total} events, newest first; filter: every event;`),
    );

    const path = join(session.folder, 'audit-print-A4.pdf');
    await session.page.pdf({ path, format: 'A4' });
    const pages = pdfText(path)
      .split('\f')
      .filter((page) => page.trim() !== '');
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) expect(page).toMatch(/POSITION\s+RECORDED AT\s+TYPE\s+ACCOUNT\s+AMOUNT\s+MEMO/);
    expect(pages.join('\n').replace(/\s+/g, ' ')).toContain('WHOLEMEMOEND');
    await saveScreenshot(session.page, 'audit-print');
    await session.page.emulateMedia({ media: 'screen' });
    await printed.waitFor({ state: 'detached' });
  });

  it('never hit a page error, console error or CSP violation', () => {
    expect(session.problems).toEqual([]);
  });
});
