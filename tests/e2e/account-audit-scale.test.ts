/**
 * The Account and Audit screens with 10,001 accounts, in Chromium through the preview host:
 * neither ever asks for the whole accounts list (no listAccounts request). The transfer target
 * is found by typing (only open accounts of the same currency, never the account itself) and
 * chosen and sent by keyboard alone; history and audit rows name owners looked up for the rows
 * shown; the audit Account field resolves ids and owners and suggests accounts from searches.
 * The account answers each screen took are printed and held to a bound the whole list would break.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveScreenshot } from './support/browser';
import { currencyOf, ownerOf, seedManyAccounts } from './support/many-accounts';
import { previewSuite } from './support/preview-session';
import { callApi } from './support/preview-host';

/** Bytes of account answers (accountsPage, getAccount, listAccounts) a screen may take: far below the ~2 MB of the whole list. */
const MOST_ACCOUNT_BYTES_PER_SCREEN = 150_000;
const ACCOUNT_CHANNELS = ['accountsPage', 'getAccount', 'listAccounts'];

describe('the Account and Audit screens with 10,001 accounts', () => {
  const session = previewSuite('ledger-e2e-account-audit', 'accounts.db', {
    seed: () => {
      seedManyAccounts(session.database);
    },
  });
  const requests: string[] = [];
  /** Bytes of answers per channel since the screen was opened. */
  const bytes = new Map<string, number>();
  const accountBytes = () => ACCOUNT_CHANNELS.reduce((sum, channel) => sum + (bytes.get(channel) ?? 0), 0);
  const report = (screen: string) =>
    process.stdout.write(
      `${screen}, 10,001 accounts: ${requests.length} requests, ${accountBytes().toLocaleString('en-US')} bytes of account answers (${[
        ...bytes,
      ]
        .map(([channel, size]) => `${channel} ${size.toLocaleString('en-US')}`)
        .join(', ')})\n`,
    );

  const requestsOf = (channel: string) => requests.filter((url) => url.endsWith(`/api/${channel}`)).length;
  const combobox = () => session.page.getByRole('combobox', { name: 'To account' });
  const optionTexts = () => session.page.getByRole('listbox').getByRole('option').allInnerTexts();
  const balanceOf = async (account: string) => (await callApi(session.host, 'getAccount', { account })).json.value.balance as string;

  beforeAll(async () => {
    await session.page.setViewportSize({ width: 1366, height: 850 });
    session.page.on('request', (request) => requests.push(request.url()));
    session.page.on('response', (response) => {
      const channel = response.url().split('/api/')[1];
      if (channel === undefined) return;
      void response.body().then(
        (body) => bytes.set(channel, (bytes.get(channel) ?? 0) + body.length),
        () => {},
      );
    });
  });

  it('offers as transfer targets only open accounts of the same currency matching what is typed, never the account itself', async () => {
    // ACC-1, "Ada Hopper 00001", holds €79.19.
    await session.page.goto(`${session.host.url}#/account/ACC-1`);
    await session.page.getByRole('heading', { name: ownerOf(1) }).waitFor();
    // By keyboard: from the first action to the third with the arrow keys.
    await session.page.getByRole('radio', { name: 'Deposit' }).focus();
    await session.page.keyboard.press('ArrowRight');
    await session.page.keyboard.press('ArrowRight');
    expect(await session.page.getByRole('radio', { name: 'Transfer' }).isChecked()).toBe(true);
    await session.page.keyboard.press('Tab');
    expect(await combobox().evaluate((element) => element === document.activeElement)).toBe(true);

    // "Hopper 0000x" are ACC-0 … ACC-9: EUR ones are 0, 1, 2, 5, 6, 7, and 1 is this account.
    await session.page.keyboard.type('HOPPER 0000');
    await expect.poll(optionTexts).toHaveLength(5);
    const offered = (await optionTexts()).map((text) => text.split(/\s+/).at(-1)).sort();
    expect(offered).toEqual(['ACC-0', 'ACC-2', 'ACC-5', 'ACC-6', 'ACC-7']);
    expect([0, 2, 5, 6, 7].every((index) => currencyOf(index) === 'EUR')).toBe(true);
    expect(await combobox().getAttribute('aria-expanded')).toBe('true');
    expect(await session.page.getByTestId('transfer-target-status').innerText()).toBe('5 accounts.');

    // Many matches: a few suggestions, and a word that there are more.
    await combobox().fill('Lovelace');
    await expect
      .poll(() => session.page.getByTestId('transfer-target-status').innerText())
      .toBe('8 accounts shown; more match: type more of the owner or ID.');
    expect(await optionTexts()).toHaveLength(8);
    await combobox().fill('nobody at all');
    await expect
      .poll(() => session.page.getByTestId('transfer-target-status').innerText())
      .toBe('No open EUR account matches “nobody at all”.');
    await combobox().fill('');
  });

  it('transfers to a searched target by keyboard alone', async () => {
    const input = combobox();
    await input.focus();
    // "Lovelace 0001x" are ACC-10 … ACC-19; the EUR ones are 10, 11, 12, 15, 16, 17.
    await session.page.keyboard.type('lovelace 0001');
    await expect.poll(optionTexts).toHaveLength(6);
    await session.page.keyboard.press('ArrowDown');
    await session.page.keyboard.press('ArrowDown');
    const activeId = await input.getAttribute('aria-activedescendant');
    const chosen = (await session.page.locator(`[id="${activeId}"]`).innerText()).split(/\s+/).at(-1)!;
    expect(await session.page.locator(`[id="${activeId}"]`).getAttribute('aria-selected')).toBe('true');
    expect(['ACC-10', 'ACC-11', 'ACC-12', 'ACC-15', 'ACC-16', 'ACC-17']).toContain(chosen);
    await saveScreenshot(session.page, 'account-transfer-picker');
    await session.page.setViewportSize({ width: 800, height: 600 });
    await saveScreenshot(session.page, 'account-transfer-picker-800');
    await session.page.setViewportSize({ width: 1366, height: 850 });

    await session.page.keyboard.press('Enter');
    const index = Number(chosen.slice('ACC-'.length));
    expect(await input.inputValue()).toBe(`${ownerOf(index)} · ${chosen}`);
    expect(await input.getAttribute('aria-expanded')).toBe('false');
    const [fromBefore, toBefore] = [await balanceOf('ACC-1'), await balanceOf(chosen)];

    await session.page.keyboard.press('Tab');
    await session.page.keyboard.type('12.34');
    await session.page.keyboard.press('Tab');
    await session.page.keyboard.type('By keyboard');
    await session.page.keyboard.press('Enter');
    await session.page.getByText(`Transferred €12.34 to ${chosen}.`).waitFor();
    const cents = (text: string) => Math.round(Number(text) * 100);
    expect(cents(await balanceOf('ACC-1'))).toBe(cents(fromBefore) - 1234);
    expect(cents(await balanceOf(chosen))).toBe(cents(toBefore) + 1234);
    // The history names the counterparty by owner, looked up for the rows shown.
    await session.page
      .getByTestId('history')
      .getByText(`Transfer to ${chosen} (${ownerOf(index)})`)
      .waitFor();

    // The target's own page starts with nothing chosen: a choice made for one account never carries over.
    await session.page.goto(`${session.host.url}#/account/${chosen}`);
    await session.page.getByRole('heading', { name: ownerOf(index) }).waitFor();
    await session.page.getByRole('radio', { name: 'Transfer' }).check();
    expect(await combobox().inputValue()).toBe('');
  });

  it('never asked for the whole accounts list on the Account page', async () => {
    await session.page.waitForTimeout(500);
    report('account page');
    expect(requestsOf('listAccounts')).toBe(0);
    expect(accountBytes()).toBeLessThan(MOST_ACCOUNT_BYTES_PER_SCREEN);
  });

  it('filters the audit by an account id or owner and suggests accounts from a search, without the whole list', async () => {
    requests.length = 0;
    bytes.clear();
    await session.page.goto(`${session.host.url}#/audit`);
    await session.page.getByTestId('audit-list').waitFor();
    const account = session.page.getByLabel('Account', { exact: true });
    const count = session.page.getByTestId('audit-match-count');
    const expected = (await callApi(session.host, 'auditEvents', { filter: { accounts: ['ACC-42'] }, limit: 1, withCount: true })).json
      .value.count.matches as number;
    await account.fill('acc-42');
    await expect.poll(() => count.innerText()).toContain(`${expected} of `);
    await account.fill(ownerOf(42).toUpperCase());
    await expect.poll(() => count.innerText()).toContain(`${expected} of `);
    expect(await session.page.getByTestId('audit-list').locator('[data-position]').count()).toBe(expected);

    await account.fill('Torvalds 0004');
    const suggestions = session.page.getByTestId('account-suggestions').locator('option');
    await expect
      .poll(() => suggestions.evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value).sort()))
      .toEqual(
        [
          ...Array.from({ length: 10 }, (_, offset) => `ACC-${40 + offset}`),
          ...Array.from({ length: 10 }, (_, offset) => ownerOf(40 + offset)),
        ].sort(),
      );
    await session.page.getByText('No account has the ID or owner “Torvalds 0004”.').waitFor();
    await account.fill('');
  });

  it('says why audit rows matched a search by owner, with owners looked up for the rows shown', async () => {
    await session.page.getByLabel('Search').fill(ownerOf(42));
    await expect.poll(() => session.page.getByTestId('audit-list').getByTestId('match-reason').allInnerTexts()).toEqual(['matched owner']);
    await session.page.getByLabel('Search').fill('');
    await session.page.waitForTimeout(500);
    report('audit screen');
    expect(requestsOf('listAccounts')).toBe(0);
    expect(requestsOf('accountsPage')).toBeGreaterThan(0);
    expect(accountBytes()).toBeLessThan(MOST_ACCOUNT_BYTES_PER_SCREEN);
  });

  it('never hit a page error, console error or CSP violation', () => {
    expect(session.problems).toEqual([]);
  });
});
