/**
 * The real renderer against the real engine, through the preview host, in Chromium:
 * open accounts, deposit, a refused withdrawal (error shown, nothing appended), transfer,
 * close, reload and restart (same state), and a CLI change arriving without a reload.
 */
import { describe, expect, it } from 'vitest';
import { describedBy, openPage, saveScreenshot } from './support/browser';
import { previewSuite } from './support/preview-session';
import { callApi, runCli } from './support/preview-host';

describe('ledger in the browser, through the preview host', () => {
  const session = previewSuite('ledger-e2e', 'ledger.db');

  /** The log's last position, asked of the host directly (not through the page). */
  const lastPosition = async () => (await callApi(session.host, 'ledgerInfo')).json.value.lastPosition as number;
  const balanceText = () => session.page.getByTestId('account-balance').innerText();

  it('prints exactly one line, the URL, on stdout', () => {
    expect(session.host.stdout()).toBe(`Ledger preview: ${session.host.url}\n`);
  });

  it('shows the designed empty state for a new ledger', async () => {
    await session.page.goto(session.host.url);
    await session.page.getByText('No accounts yet — open the first one').waitFor();
    // The bridge moved the token out of the address bar.
    expect(session.page.url()).not.toContain('token=');
    await saveScreenshot(session.page, 'empty-state');
  });

  it('checks the open-account form inline before anything is sent', async () => {
    const before = await lastPosition();
    await session.page.getByLabel('Account ID').fill('!bad id');
    await session.page.getByLabel('Owner').fill('Somebody');
    await session.page.getByRole('button', { name: 'Open account' }).click();
    await session.page.getByText('Use 1–64 letters, digits, dots, dashes or underscores').waitFor();
    expect(await session.page.getByLabel('Account ID').getAttribute('aria-invalid')).toBe('true');
    // The error is the field's accessible description, read out with it.
    expect(await describedBy(session.page.getByLabel('Account ID'))).toContain('Use 1–64 letters, digits, dots, dashes or underscores');
    expect(await session.page.getByLabel('Owner').getAttribute('aria-invalid')).toBeNull();
    expect(await lastPosition()).toBe(before);
  });

  it('opens two accounts from the form', async () => {
    await openAccount('ACC-1', 'Alice Martin', '100.00');
    await openAccount('ACC-2', 'Bob Stone', '');
    await session.page.getByRole('link', { name: 'Bob Stone' }).waitFor();
    const alice = session.page.getByTestId('account-row-ACC-1');
    expect(await alice.innerText()).toContain('€100.00');
    await expect.poll(() => session.page.getByTestId('total-EUR').innerText()).toContain('€100.00');
    expect(await lastPosition()).toBe(2);
    await saveScreenshot(session.page, 'accounts');
  });

  it('deposits on the account screen', async () => {
    await session.page.getByRole('link', { name: 'Alice Martin' }).click();
    await session.page.getByRole('heading', { name: 'Alice Martin' }).waitFor();
    expect(session.page.url()).toMatch(/#\/account\/ACC-1$/);
    // Before any error, the amount field is described by the balance it may spend.
    expect(await describedBy(session.page.getByLabel('Amount to deposit (EUR)'))).toBe('Balance €100.00');
    await session.page.getByLabel('Amount to deposit (EUR)').fill('50.25');
    await session.page.getByLabel('Memo').fill('Salary');
    await session.page.getByRole('button', { name: 'Deposit', exact: true }).click();
    await session.page.getByText('Deposited €50.25.').waitFor();
    await expect.poll(balanceText).toBe('€150.25');
    await session.page.getByTestId('history').getByText('Salary').waitFor();
  });

  it('refuses a withdrawal beyond the balance: the error shows next to the form and nothing is appended', async () => {
    const before = await lastPosition();
    const version = (await callApi(session.host, 'getAccount', { account: 'ACC-1' })).json.value.version as number;
    await session.page.getByRole('radio', { name: 'Withdraw' }).check();
    await session.page.getByLabel('Amount to withdraw (EUR)').fill('1000.00');
    await session.page.getByRole('button', { name: 'Withdraw', exact: true }).click();
    const message = session.page.getByTestId('money-message');
    await message.getByRole('alert').waitFor();
    expect(await message.innerText()).toContain('Insufficient funds');
    // The engine's "1000.00 EUR" reads as the screen writes money.
    expect(await message.innerText()).toContain('€1,000.00');
    expect(await lastPosition()).toBe(before);
    expect((await callApi(session.host, 'getAccount', { account: 'ACC-1' })).json.value.version).toBe(version);
    expect(await balanceText()).toBe('€150.25');
    await saveScreenshot(session.page, 'form-error');
  });

  it('flags an amount with too many decimals before sending it', async () => {
    const before = await lastPosition();
    await session.page.getByLabel('Amount to withdraw (EUR)').fill('1.234');
    await session.page.getByRole('button', { name: 'Withdraw', exact: true }).click();
    await session.page.getByText('EUR allows at most 2 decimals.').waitFor();
    expect(await describedBy(session.page.getByLabel('Amount to withdraw (EUR)'))).toBe('EUR allows at most 2 decimals.');
    expect(await lastPosition()).toBe(before);
  });

  it('books a double-clicked submission once', async () => {
    const before = await lastPosition();
    await session.page.getByRole('radio', { name: 'Deposit' }).check();
    await session.page.getByLabel('Amount to deposit (EUR)').fill('10.00');
    await session.page.getByRole('button', { name: 'Deposit', exact: true }).dblclick();
    await session.page.getByText('Deposited €10.00.').waitFor();
    await expect.poll(balanceText).toBe('€160.25');
    expect(await lastPosition()).toBe(before + 1);
  });

  it('transfers to the other account', async () => {
    await session.page.getByRole('radio', { name: 'Transfer' }).check();
    await session.page.getByRole('combobox', { name: 'To account' }).fill('bob');
    await session.page.getByRole('option', { name: /Bob Stone/ }).click();
    expect(await session.page.getByRole('combobox', { name: 'To account' }).inputValue()).toBe('Bob Stone · ACC-2');
    await session.page.getByLabel('Amount to transfer (EUR)').fill('40.00');
    await session.page.getByLabel('Memo').fill('Rent share');
    await session.page.getByRole('button', { name: 'Transfer', exact: true }).click();
    await session.page.getByText('Transferred €40.00 to ACC-2.').waitFor();
    await expect.poll(balanceText).toBe('€120.25');
    await session.page.getByTestId('history').getByText('Transfer to ACC-2').waitFor();
    expect((await callApi(session.host, 'getAccount', { account: 'ACC-2' })).json.value.balance).toBe('40.00');
    await session.page.getByTestId('balance-chart').waitFor();
    await saveScreenshot(session.page, 'account');
  });

  it('refuses to close a non-empty account, then closes it once emptied', async () => {
    await session.page.goto(`${session.host.origin}/#/account/ACC-2`);
    await session.page.getByRole('heading', { name: 'Bob Stone' }).waitFor();
    // Disabled while money remains, saying why; the engine refuses too.
    const closeButton = session.page.getByRole('button', { name: 'Close account…' });
    expect(await closeButton.isDisabled()).toBe(true);
    expect(await describedBy(closeButton)).toContain('Only an empty account can be closed');
    const refused = await callApi(session.host, 'closeAccount', { account: 'ACC-2' });
    expect(refused.json).toMatchObject({ ok: false, error: { code: 'ACCOUNT_NOT_EMPTY' } });

    await session.page.getByRole('radio', { name: 'Withdraw' }).check();
    await session.page.getByLabel('Amount to withdraw (EUR)').fill('40.00');
    await session.page.getByRole('button', { name: 'Withdraw', exact: true }).click();
    await expect.poll(balanceText).toBe('€0.00');

    await session.page.getByRole('button', { name: 'Close account…' }).click();
    await session.page.getByRole('button', { name: 'Yes, close account' }).click();
    await session.page.getByText('This account is closed').waitFor();
    expect((await callApi(session.host, 'getAccount', { account: 'ACC-2' })).json.value.status).toBe('closed');
  });

  it('shows the same state after a reload', async () => {
    await session.page.reload();
    await session.page.getByText('This account is closed').waitFor();
    await session.page.getByRole('link', { name: 'All accounts' }).click();
    await expect.poll(() => session.page.getByTestId('account-row-ACC-1').innerText()).toContain('€120.25');
    expect(await session.page.getByTestId('account-row-ACC-2').innerText()).toContain('Closed');
  });

  it('shows the same state after the host restarts and rebuilds its projection from the log', async () => {
    const before = await lastPosition();
    // Leave the page first, so its event stream does not retry against the stopped host.
    await session.page.goto('about:blank');
    await session.restartHost();
    expect(await lastPosition()).toBe(before);
    await session.page.goto(session.host.url);
    await expect.poll(() => session.page.getByTestId('account-row-ACC-1').innerText()).toContain('€120.25');
    expect(await session.page.getByTestId('account-row-ACC-2').innerText()).toContain('Closed');
    await expect.poll(() => session.page.getByTestId('total-EUR').innerText()).toContain('€120.25');
  });

  it('shows a deposit made with the CLI on the same file without a reload', async () => {
    await session.page.getByRole('link', { name: 'Alice Martin' }).click();
    await expect.poll(balanceText).toBe('€120.25');
    await session.page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'));
    await runCli(session.database, ['deposit', '--account', 'ACC-1', '--amount', '5.00']);
    await expect.poll(balanceText, { timeout: 15_000 }).toBe('€125.25');
    await session.page.getByTestId('history').getByText('+€5.00').waitFor();
    expect(await session.page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same page');
  });

  it('reaches the audit screen from the navigation (tests/e2e/audit-*.test.ts cover it)', async () => {
    await session.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await session.page.getByRole('heading', { name: 'Audit', level: 1 }).waitFor();
    await session.page.getByTestId('audit-list').waitFor();
  });

  it('gives every control an accessible name and reaches the forms by keyboard', async () => {
    await session.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    await session.page.getByLabel('Account ID').waitFor();
    const unnamed = await session.page.evaluate(() =>
      [...document.querySelectorAll('input, select, textarea, button, a[href]')]
        .filter((element) => {
          const labelled = (element as HTMLInputElement).labels?.length ?? 0;
          const text = (element.textContent ?? '').trim();
          return labelled === 0 && !element.getAttribute('aria-label') && !element.getAttribute('aria-labelledby') && !text;
        })
        .map((element) => element.outerHTML.slice(0, 120)),
    );
    expect(unnamed).toEqual([]);

    // Tab from the top of the page until the Account ID field has focus.
    await session.page.locator('body').focus();
    let reached = false;
    for (let step = 0; step < 40 && !reached; step++) {
      await session.page.keyboard.press('Tab');
      reached = await session.page.evaluate(() => (document.activeElement as HTMLElement | null)?.id?.endsWith('-account') ?? false);
    }
    expect(reached).toBe(true);
  });

  it('shows a designed error state, not a blank page, when the host refuses the page (no token)', async () => {
    const stranger = await openPage(session.browser);
    try {
      await stranger.page.goto(`${session.host.origin}/#/accounts`);
      await stranger.page.getByText('The accounts could not be loaded').waitFor();
      expect(await stranger.page.getByRole('alert').first().innerText()).toMatch(/token/);
      await saveScreenshot(stranger.page, 'error-state');
      // The refusals are the expected 401s, nothing else.
      expect(stranger.problems.every((problem) => problem.includes('401'))).toBe(true);
    } finally {
      await stranger.page.context().close();
    }
  });

  it('never hit a page error, console error or CSP violation', () => {
    expect(session.problems).toEqual([]);
  });

  async function openAccount(account: string, owner: string, initial: string) {
    await session.page.getByLabel('Account ID', { exact: true }).fill(account);
    await session.page.getByLabel('Owner', { exact: true }).fill(owner);
    await session.page.getByLabel('Currency', { exact: true }).selectOption('EUR');
    await session.page.getByLabel('Initial deposit').fill(initial);
    await session.page.getByRole('button', { name: 'Open account' }).click();
    await session.page.getByText(`Opened ${account} for ${owner}.`).waitFor();
  }
});
