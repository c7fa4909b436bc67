/**
 * What a newcomer tripped over (issue 17, items 7 and 8), in Chromium on the real engine:
 * errors only after typing or a submit, closing only an empty account, no cross-currency
 * transfer targets, counterparties named by owner, one moment format, the audit account filter
 * (any case, by owner, with suggestions), why a row matched, invalid filters, time travel past
 * the end, dark mode, and money typed and shown the de-DE way.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describedBy, launchBrowser, saveScreenshot } from './support/browser';
import { callApi, runCli, startPreviewHost, temporaryFolder, type PreviewHost } from './support/preview-host';

/** The two window sizes every changed screen is pictured at. */
const WIDE = { width: 1366, height: 850 } as const;
const NARROW = { width: 800, height: 600 } as const;

/** Relative luminance (WCAG 2.x) of an opaque "rgb(r, g, b)" as the browser computes colours. */
function luminance(rgb: string): number {
  const channels = rgb
    .match(/\d+(\.\d+)?/g)!
    .slice(0, 3)
    .map((value) => Number(value) / 255);
  const [r, g, b] = channels.map((value) => (value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(foreground: string, background: string): number {
  const [light, dark] = [luminance(foreground), luminance(background)].sort((a, b) => b - a);
  return (light! + 0.05) / (dark! + 0.05);
}

/** Text colour on background colour, as app.css names them: every pair text is set in. */
const TEXT_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['--color-text', '--color-page'],
  ['--color-text', '--color-surface'],
  ['--color-text', '--color-surface-muted'],
  ['--color-text-muted', '--color-page'],
  ['--color-text-muted', '--color-surface'],
  ['--color-text-muted', '--color-surface-muted'],
  ['--color-accent', '--color-surface'],
  ['--color-accent', '--color-page'],
  ['--color-accent', '--color-accent-soft'],
  ['--color-positive', '--color-surface'],
  ['--color-positive', '--color-positive-soft'],
  ['--color-negative', '--color-surface'],
  ['--color-negative', '--color-negative-soft'],
  ['--color-text', '--color-warning-soft'],
  ['--color-on-accent', '--color-accent'],
  ['--color-on-negative', '--color-negative'],
  ['--badge-opened-text', '--badge-opened'],
  ['--badge-deposit-text', '--badge-deposit'],
  ['--badge-withdrawal-text', '--badge-withdrawal'],
  ['--badge-sent-text', '--badge-sent'],
  ['--badge-received-text', '--badge-received'],
  ['--badge-reversal-text', '--badge-reversal'],
];

describe('everyday use of the screens', () => {
  const temporary = temporaryFolder('ledger-everyday');
  const database = join(temporary.folder, 'ledger.db');
  let host: PreviewHost;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];

  async function newPage(options: { locale?: string; colorScheme?: 'light' | 'dark' } = {}): Promise<Page> {
    const context = await browser.newContext({
      viewport: WIDE,
      locale: options.locale ?? 'en-US',
      timezoneId: 'UTC',
      colorScheme: options.colorScheme ?? 'light',
    });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    return page;
  }

  /** The screen at both sizes, NAME (1366×850) and NAME-800 (800×600), scrolled to what it shows. */
  async function picture(page: Page, name: string, subject?: string) {
    for (const [size, suffix] of [
      [WIDE, ''],
      [NARROW, '-800'],
    ] as const) {
      await page.setViewportSize(size);
      if (subject) await page.getByTestId(subject).scrollIntoViewIfNeeded();
      await saveScreenshot(page, `${name}${suffix}`);
    }
    await page.setViewportSize(WIDE);
  }

  const lastPosition = async () => (await callApi(host, 'ledgerInfo')).json.value.lastPosition as number;

  beforeAll(async () => {
    const cli = (args: string[]) => runCli(database, args);
    await cli(['open', '--account', 'ACC-1', '--owner', 'Alice Martin', '--currency', 'EUR', '--initial', '1484.56']);
    await cli(['open', '--account', 'ACC-2', '--owner', 'Bob Stone', '--currency', 'EUR']);
    await cli(['open', '--account', 'USD-1', '--owner', 'Carol Jones', '--currency', 'USD', '--initial', '10']);
    await cli(['transfer', '--from', 'ACC-1', '--to', 'ACC-2', '--amount', '40.00', '--memo', 'Rent share']);
    await cli(['deposit', '--account', 'ACC-2', '--amount', '5.00', '--memo', 'Coffee money from Alice']);
    host = await startPreviewHost(database);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await host?.stop();
    temporary.remove();
  });

  describe('in English, light', () => {
    let page: Page;
    beforeAll(async () => {
      page = await newPage();
    });

    it('shows no error on fields the person only tabbed through; shows it after typing or a submit', async () => {
      await page.goto(host.url);
      const accountId = page.getByLabel('Account ID', { exact: true });
      await accountId.focus();
      for (let step = 0; step < 3; step++) await page.keyboard.press('Tab');
      expect(await page.locator('[aria-invalid="true"]').count()).toBe(0);
      await accountId.fill('bad id!');
      await page.getByText('Use 1–64 letters, digits, dots, dashes or underscores').waitFor();

      await page.goto(`${host.origin}/#/account/ACC-1`);
      const amount = page.getByLabel('Amount to deposit (EUR)');
      await amount.focus();
      await page.keyboard.press('Tab');
      expect(await amount.getAttribute('aria-invalid')).toBeNull();
      expect(await describedBy(amount)).toBe('Balance €1,444.56');
      await page.getByRole('button', { name: 'Deposit', exact: true }).click();
      expect(await describedBy(amount)).toBe('Enter an amount.');
      await page.getByRole('radio', { name: 'Withdraw' }).check();
      const withdraw = page.getByLabel('Amount to withdraw (EUR)');
      expect(await withdraw.getAttribute('aria-invalid')).toBeNull();
      await withdraw.fill('abc');
      expect(await describedBy(withdraw)).toBe('Use digits with an optional decimal point, such as 12.30.');
    });

    it('shows an engine refusal with its amounts as the screen shows money', async () => {
      const before = await lastPosition();
      await page.getByLabel('Amount to withdraw (EUR)').fill('2,000.00');
      await page.getByRole('button', { name: 'Withdraw', exact: true }).click();
      const message = page.getByTestId('money-message');
      await message.getByRole('alert').waitFor();
      expect(await message.innerText()).toContain('balance €1,444.56, withdrawal €2,000.00');
      expect(await message.innerText()).not.toContain('EUR');
      expect(await lastPosition()).toBe(before);
      await picture(page, 'account-refusal', 'money-message');
    });

    it('disables closing while money remains, saying why', async () => {
      const closeButton = page.getByRole('button', { name: 'Close account…' });
      expect(await closeButton.isDisabled()).toBe(true);
      expect(await describedBy(closeButton)).toBe(
        'Only an empty account can be closed. Withdraw or transfer the remaining €1,444.56 first.',
      );
      expect(await page.getByText('This cannot be undone').count()).toBe(0);
    });

    it('names the counterparty by owner in the history, and shows moments in one format everywhere', async () => {
      const history = page.getByTestId('history');
      await history.getByText('Transfer to ACC-2 (Bob Stone)').waitFor();
      const transferRow = history.locator('[data-version="2"]');
      const historyTime = await transferRow.locator('time').innerText();
      const transferPosition = (await callApi(host, 'accountHistory', { account: 'ACC-1' })).json.value.entries[1].position;

      await page.goto(`${host.origin}/#/account/ACC-2`);
      await page.getByTestId('history').getByText('Transfer from ACC-1 (Alice Martin)').waitFor();

      await page.goto(`${host.origin}/#/audit`);
      const auditRow = page.getByTestId('audit-list').locator(`[data-position="${transferPosition}"]`);
      await auditRow.waitFor();
      expect(await auditRow.locator('time').innerText()).toBe(historyTime);
      // To the second, so two events a moment apart never read alike.
      expect(historyTime).toMatch(/\d{2}:\d{2}:\d{2}/);
    });

    it('says there is no same-currency account to transfer to, instead of offering others', async () => {
      await page.goto(`${host.origin}/#/account/USD-1`);
      await page.getByRole('radio', { name: 'Transfer' }).check();
      await page.getByTestId('no-transfer-target').getByText('No other USD account to transfer to.').waitFor();
      expect(await page.getByLabel('To account').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Transfer', exact: true }).isDisabled()).toBe(true);
      await picture(page, 'account-no-transfer-target', 'no-transfer-target');
    });

    it('filters the audit by account id or owner in any case, suggests accounts, and says transfers count on both sides', async () => {
      await page.goto(`${host.origin}/#/audit`);
      const account = page.getByLabel('Account', { exact: true });
      expect(await describedBy(account)).toBe('ID or owner, any case. Transfers count on both sides.');
      const count = page.getByTestId('audit-match-count');
      // ACC-2: opened, the transfer's incoming leg, the deposit; ACC-1's outgoing leg names it too.
      await account.fill('acc-2');
      await expect.poll(() => count.innerText()).toContain('4 of 6 events match');
      await account.fill('BOB STONE');
      await expect.poll(() => count.innerText()).toContain('4 of 6 events match');
      await account.fill('ali');
      const suggestions = page.getByTestId('account-suggestions').locator('option');
      await expect
        .poll(() => suggestions.evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value)))
        .toEqual(['ACC-1', 'Alice Martin']);
      await page.getByText('No account has the ID or owner “ali”.').waitFor();
      await account.fill('');
    });

    it('says why each row matched a search', async () => {
      await page.getByLabel('Search').fill('alice');
      const count = page.getByTestId('audit-match-count');
      await expect.poll(() => count.innerText()).toContain('4 of 6 events match');
      const reasons = page.getByTestId('audit-list').getByTestId('match-reason');
      await expect
        .poll(() => reasons.allInnerTexts())
        .toEqual(['matched memo', 'matched counterparty’s owner', 'matched owner', 'matched owner']);
      await picture(page, 'audit-match-reasons', 'audit-list');
      await page.getByLabel('Search').fill('');
    });

    it('shows no rows, and says which filter, when a filter value is not valid', async () => {
      await page.getByLabel('Max amount').fill('1.2.3');
      await page.getByTestId('audit-invalid-filter').getByText('No events shown: The Max amount filter is not valid').waitFor();
      expect(await page.getByTestId('audit-match-count').innerText()).toContain('No events shown');
      expect(await page.getByTestId('audit-list').count()).toBe(0);
      await picture(page, 'audit-invalid-filter', 'audit-invalid-filter');
      await page.getByRole('button', { name: /^Clear filters/ }).click();
      await page.getByTestId('audit-list').waitFor();
    });

    it('says so when time travel asks for a position past the end', async () => {
      await page.getByRole('tab', { name: 'Balances as of…' }).click();
      await page.getByRole('textbox', { name: /^Position/ }).fill('9999');
      await page.getByRole('button', { name: 'Show balances' }).click();
      await page.getByTestId('as-of-past-end').getByText('Position #9,999 is past the end of the log, which ends at #6').waitFor();
      await picture(page, 'audit-time-travel-past-end', 'as-of-past-end');
    });
  });

  describe('in German (de-DE)', () => {
    let page: Page;
    beforeAll(async () => {
      page = await newPage({ locale: 'de-DE' });
    });

    it('takes "12,50" as typed and books exactly 12.50', async () => {
      await page.goto(`${host.origin}/?token=${host.token}#/account/ACC-1`);
      await page.getByRole('heading', { name: 'Alice Martin' }).waitFor();
      expect(await page.getByTestId('account-balance').innerText()).toBe('1.444,56\u00A0€');
      const amount = page.getByLabel('Amount to deposit (EUR)');
      expect(await amount.getAttribute('placeholder')).toBe('0,00');
      await amount.fill('12,50');
      await page.getByRole('button', { name: 'Deposit', exact: true }).click();
      await page.getByText('Deposited 12,50\u00A0€.').waitFor();
      await expect.poll(() => page.getByTestId('account-balance').innerText()).toBe('1.457,06\u00A0€');
      const account = (await callApi(host, 'getAccount', { account: 'ACC-1' })).json.value;
      expect(account.balanceMinor).toBe(145_706);
    });

    it('refuses an amount that reads two ways, and writes refusals in the screen’s money format', async () => {
      const before = await lastPosition();
      await page.getByRole('radio', { name: 'Withdraw' }).check();
      const amount = page.getByLabel('Amount to withdraw (EUR)');
      await amount.fill('1.500');
      expect(await describedBy(amount)).toBe(
        '“1.500” can be read two ways. Type 1500 for the whole number, or use the decimal comma: 1,500.',
      );
      await amount.fill('1.500,00');
      await page.getByRole('button', { name: 'Withdraw', exact: true }).click();
      const message = page.getByTestId('money-message');
      await message.getByRole('alert').waitFor();
      expect(await message.innerText()).toContain('balance 1.457,06\u00A0€, withdrawal 1.500,00\u00A0€');
      expect(await lastPosition()).toBe(before);
      await picture(page, 'account-de-DE', 'money-message');
    });
  });

  describe('dark mode', () => {
    it('follows the system preference, with every main text pair at 4.5:1 or more in both schemes', async () => {
      for (const colorScheme of ['light', 'dark'] as const) {
        const page = await newPage({ colorScheme });
        await page.goto(`${host.origin}/?token=${host.token}#/account/ACC-2`);
        await page.getByRole('heading', { name: 'Bob Stone' }).waitFor();
        // Each variable resolved by the browser itself (the build may write #fff for #ffffff).
        const colours = await page.evaluate(
          (names) => {
            const probe = document.createElement('span');
            document.body.append(probe);
            const resolved = names.map((name) => {
              probe.style.setProperty('color', `var(${name})`);
              return [name, getComputedStyle(probe).color] as const;
            });
            probe.remove();
            return Object.fromEntries(resolved);
          },
          [...new Set(TEXT_PAIRS.flat())],
        );
        for (const [text, background] of TEXT_PAIRS) {
          for (const name of [text, background]) expect(colours[name], `${colorScheme} ${name}`).toMatch(/^rgb\(\d+, \d+, \d+\)$/);
          const ratio = contrast(colours[text]!, colours[background]!);
          expect(ratio, `${colorScheme}: ${text} on ${background} is ${ratio.toFixed(2)}:1`).toBeGreaterThanOrEqual(4.5);
        }
        const pageBackground = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        const channels = pageBackground.match(/\d+/g)!.slice(0, 3).map(Number);
        const brightness = channels.reduce((sum, channel) => sum + channel, 0) / 3;
        if (colorScheme === 'dark') expect(brightness, pageBackground).toBeLessThan(60);
        else expect(brightness, pageBackground).toBeGreaterThan(200);
        if (colorScheme === 'dark') {
          await picture(page, 'dark-account');
          await page.goto(`${host.origin}/#/audit`);
          await page.getByTestId('audit-list').waitFor();
          await page
            .getByTestId('integrity-status')
            .getByText(/Chain verified/)
            .waitFor();
          await picture(page, 'dark-audit');
          await page.goto(`${host.origin}/#/accounts`);
          await page.getByText('Alice Martin').first().waitFor();
          await picture(page, 'dark-accounts');
        }
      }
    });
  });

  it('never hit a page error or console error', () => {
    expect(problems).toEqual([]);
  });
});
