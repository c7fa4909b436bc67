/**
 * Reversal in the app (issue 15), in Chromium through the preview host on the real engine:
 * "Reverse…" on a history row asks for the reason and records the reversal; the original stays,
 * marked Reversed (in words, its amount struck through) with a link to its reversal and back,
 * each scrolling to the other line in a long history; the engine's refusals (an overdraw, an
 * entry reversed meanwhile) appear in plain words and write nothing; a transfer is reversed from
 * the event details, both legs at once, with time travel before and after; the audit filters
 * reversals. Screenshots: reversed-line (1280×800, 800 px, dark) and audit-reversals.
 */
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { saveScreenshot } from './support/browser';
import { applyLines } from './support/audit-ledger';
import { callApi } from './support/preview-host';
import { previewSuite } from './support/preview-session';

const BUSY_DEPOSITS = 60;

const COMMANDS = [
  { command: 'open', account: 'ACC-1', owner: 'Alice Martin', currency: 'EUR', initial: '1000.00' },
  { command: 'open', account: 'ACC-2', owner: 'Bob Stone', currency: 'EUR' },
  { command: 'open', account: 'ACC-3', owner: 'Carol Jones', currency: 'EUR' },
  { command: 'deposit', account: 'ACC-1', amount: '250.00', memo: 'Salary, booked twice' },
  { command: 'transfer', from: 'ACC-1', to: 'ACC-2', amount: '75.50', memo: 'Rent share' },
  { command: 'deposit', account: 'ACC-3', amount: '80.00', memo: 'Gift' },
  { command: 'withdraw', account: 'ACC-3', amount: '70.00', memo: 'Spent it' },
  { command: 'deposit', account: 'ACC-1', amount: '12.34', memo: 'Coffee refund' },
  { command: 'withdraw', account: 'ACC-1', amount: '20.00', memo: 'Cash' },
  { command: 'open', account: 'ACC-4', owner: 'Dan Busy', currency: 'EUR' },
  ...Array.from({ length: BUSY_DEPOSITS }, (_, index) => ({
    command: 'deposit',
    account: 'ACC-4',
    amount: '1.00',
    memo: `Small deposit ${index + 1}`,
  })),
];

type Entry = { position: number; version: number; memo?: string; amount: string; reverses?: number; reversedBy?: number; balance: string };

describe('reversal in the app', () => {
  const session = previewSuite('ledger-e2e-reversal', 'reversal.db', {
    seed: async () => {
      await applyLines(session.database, session.folder, 'seed.jsonl', COMMANDS);
    },
  });

  const history = async (account: string): Promise<Entry[]> =>
    (await callApi(session.host, 'accountHistory', { account, limit: 1000 })).json.value.entries as Entry[];
  const entryWithMemo = async (account: string, memo: string) => (await history(account)).find((entry) => entry.memo === memo)!;
  const lastPosition = async () => (await callApi(session.host, 'ledgerInfo')).json.value.lastPosition as number;
  const balanceOf = async (account: string) => (await callApi(session.host, 'getAccount', { account })).json.value.balance as string;
  const historyRow = (position: number) => session.page.getByTestId('history').locator(`[role="row"][data-position="${position}"]`);
  const focusedPosition = () => session.page.evaluate(() => document.activeElement?.getAttribute('data-position'));
  const lineThrough = (cell: Locator) => cell.evaluate((element) => getComputedStyle(element).textDecorationLine);

  async function openAccount(account: string, owner: string) {
    await session.page.goto(`${session.host.url}#/account/${account}`);
    await session.page.getByRole('heading', { name: owner }).waitFor();
  }

  it('reverses a deposit from its history row with a reason, marks the original and links both lines', async () => {
    const deposit = await entryWithMemo('ACC-1', 'Salary, booked twice');
    await openAccount('ACC-1', 'Alice Martin');
    const row = historyRow(deposit.position);
    await row.waitFor();
    // Never offered on the opening.
    expect(await session.page.getByTestId('history').locator('[data-version="1"]').getByRole('button').count()).toBe(0);

    await row.getByRole('button', { name: `Reverse deposit of €250.00, event #${deposit.position}…` }).click();
    const dialog = session.page.getByRole('dialog', { name: 'Reverse this deposit?' });
    await dialog.waitFor();
    expect(await session.page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    expect(await dialog.innerText()).toContain('The reversal takes €250.00 back out of ACC-1.');

    const before = await lastPosition();
    await dialog.getByRole('button', { name: 'Reverse entry' }).click();
    await dialog.getByText('Enter the reason for this reversal.').waitFor();
    expect(await dialog.getByLabel('Reason').getAttribute('aria-invalid')).toBe('true');
    expect(await lastPosition()).toBe(before);

    await dialog.getByLabel('Reason').fill('Booked twice by mistake');
    await dialog.getByRole('button', { name: 'Reverse entry' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => session.page.getByTestId('history-announcement').innerText()).toMatch(/^Reversed: recorded as event #\d+\./);

    const original = await entryWithMemo('ACC-1', 'Salary, booked twice');
    const reversal = (await history('ACC-1')).find((entry) => entry.reverses === deposit.position)!;
    expect(original.reversedBy).toBe(reversal.position);
    expect([reversal.amount, reversal.memo]).toEqual(['-250.00', 'Booked twice by mistake']);
    expect(await lastPosition()).toBe(before + 1);

    // The original stays, marked in words (and struck through), with a link to its reversal; no second Reverse….
    await row.getByTestId('reversed-mark').waitFor();
    expect(await row.getByTestId('reversed-mark').innerText()).toMatch(/reversed/i);
    expect(await lineThrough(row.locator('.amount'))).toBe('line-through');
    expect(await row.getByRole('button', { name: /^Reverse / }).count()).toBe(0);
    const reversalRow = historyRow(reversal.position);
    expect(await reversalRow.innerText()).toContain(`Reversal of #${deposit.position}`);
    expect(await reversalRow.innerText()).toContain('Booked twice by mistake');
    expect(await reversalRow.getByRole('button', { name: /^Reverse / }).count()).toBe(0);
    expect(await session.page.getByTestId('account-balance').innerText()).toBe(
      `€${(await balanceOf('ACC-1')).replace(/\B(?=(\d{3})+\.)/g, ',')}`,
    );

    await reversalRow.getByRole('button', { name: `See the entry this reversal takes back, event #${deposit.position}` }).click();
    await expect.poll(focusedPosition).toBe(String(deposit.position));
    await row.getByRole('button', { name: `See the reversal of this deposit, event #${reversal.position}` }).click();
    await expect.poll(focusedPosition).toBe(String(reversal.position));

    await row.getByRole('button', { name: /See the reversal/ }).click();
    await session.page.getByTestId('history').scrollIntoViewIfNeeded();
    await saveScreenshot(session.page, 'reversed-line');
    await session.page.emulateMedia({ colorScheme: 'dark' });
    await saveScreenshot(session.page, 'reversed-line-dark');
    await session.page.emulateMedia({ colorScheme: 'light' });
    await session.page.setViewportSize({ width: 800, height: 800 });
    await session.page.getByTestId('history').scrollIntoViewIfNeeded();
    expect(
      await session.page.evaluate(() => document.scrollingElement!.scrollWidth - document.scrollingElement!.clientWidth),
    ).toBeLessThanOrEqual(0);
    await saveScreenshot(session.page, 'reversed-line-800');
    await session.page.setViewportSize({ width: 1280, height: 800 });
  });

  it('follows the links in a long history: each scrolls to the other line and focuses it', async () => {
    const first = await entryWithMemo('ACC-4', 'Small deposit 1');
    const reversed = await callApi(session.host, 'reverse', { position: first.position, reason: 'Test deposit' });
    expect(reversed.json.ok).toBe(true);
    const reversal = reversed.json.value.position as number;
    await openAccount('ACC-4', 'Dan Busy');
    await historyRow(reversal).waitFor();
    // Sixty lines down: not rendered until the link scrolls there.
    expect(await historyRow(first.position).count()).toBe(0);
    await historyRow(reversal)
      .getByRole('button', { name: /See the entry this reversal takes back/ })
      .click();
    await expect.poll(focusedPosition).toBe(String(first.position));
    expect(await historyRow(first.position).isVisible()).toBe(true);
    expect(await historyRow(first.position).getByTestId('reversed-mark').count()).toBe(1);
    await historyRow(first.position)
      .getByRole('button', { name: /See the reversal/ })
      .click();
    await expect.poll(focusedPosition).toBe(String(reversal));
    expect(await historyRow(reversal).isVisible()).toBe(true);
  });

  it('shows the engine’s refusal in plain words when the reversal would overdraw, and writes nothing', async () => {
    const gift = await entryWithMemo('ACC-3', 'Gift');
    await openAccount('ACC-3', 'Carol Jones');
    const button = historyRow(gift.position).getByRole('button', { name: /^Reverse deposit/ });
    await button.click();
    const dialog = session.page.getByRole('dialog', { name: 'Reverse this deposit?' });
    await dialog.getByLabel('Reason').fill('Gift returned');
    const before = await lastPosition();
    await dialog.getByRole('button', { name: 'Reverse entry' }).click();
    const message = dialog.getByTestId('reverse-message');
    await expect.poll(() => message.innerText()).toMatch(/^Not enough money\.\s+\S/);
    expect(await message.innerText()).toContain('€');
    expect(await lastPosition()).toBe(before);
    expect((await entryWithMemo('ACC-3', 'Gift')).reversedBy).toBeUndefined();
    await session.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => session.page.evaluate(() => document.activeElement?.textContent)).toBe('Reverse…');
  });

  it('says “Already reversed” when the entry was reversed elsewhere meanwhile', async () => {
    const coffee = await entryWithMemo('ACC-1', 'Coffee refund');
    await openAccount('ACC-1', 'Alice Martin');
    await historyRow(coffee.position)
      .getByRole('button', { name: /^Reverse deposit/ })
      .click();
    const dialog = session.page.getByRole('dialog', { name: 'Reverse this deposit?' });
    await dialog.getByLabel('Reason').fill('Refund cancelled');
    expect((await callApi(session.host, 'reverse', { position: coffee.position, reason: 'From the CLI' })).json.ok).toBe(true);
    const before = await lastPosition();
    await dialog.getByRole('button', { name: 'Reverse entry' }).click();
    await expect.poll(() => dialog.getByTestId('reverse-message').innerText()).toMatch(/^Already reversed\.\s+\S/);
    expect(await lastPosition()).toBe(before);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await historyRow(coffee.position).getByTestId('reversed-mark').waitFor();
  });

  it('reverses a transfer from the event details, both legs at once, with balances before and after', async () => {
    const sent = await entryWithMemo('ACC-1', 'Rent share');
    await session.page.goto(`${session.host.url}#/audit`);
    await session.page.getByLabel('Search').fill('Rent share');
    const auditRow = session.page.getByTestId('audit-list').locator(`[data-position="${sent.position}"]`);
    await auditRow.click();
    const drawer = session.page.getByTestId('event-detail');
    await drawer.getByRole('button', { name: 'Reverse…' }).click();
    const form = drawer.getByTestId('reverse-form');
    expect(await form.innerText()).toContain('Both sides of the transfer are reversed together.');
    await form.getByLabel('Reason').fill('Wrong recipient');
    await form.getByRole('button', { name: 'Reverse entry' }).click();
    await expect.poll(() => drawer.getByTestId('drawer-reverse-done').innerText()).toMatch(/^Reversed: recorded as event #\d+ and #\d+\.$/);
    const [first, second] = (await drawer.getByTestId('drawer-reverse-done').innerText()).match(/\d+/g)!.map(Number) as [number, number];

    await drawer.getByTestId('reversed-note').waitFor();
    expect(await balanceOf('ACC-2')).toBe('0.00');
    await drawer.getByRole('button', { name: `Open the reversal, event #${first}` }).click();
    await drawer.getByTestId('reversal-note').waitFor();
    expect(await drawer.getByRole('heading', { level: 2 }).innerText()).toContain(`#${first}`);
    expect(await drawer.getByTestId('related-events').innerText()).toContain(`#${second}`);
    await drawer.getByRole('button', { name: `Open the reversed entry, event #${sent.position}` }).click();
    await drawer.getByTestId('reversed-note').waitFor();
    await drawer.getByRole('button', { name: `Open the reversal, event #${first}` }).click();

    // Time travel: just before the reversal Bob still holds the rent share; after it, nothing.
    await drawer.getByRole('button', { name: 'See every account’s balance just before this reversal' }).click();
    await expect.poll(() => session.page.getByTestId('as-of-position').innerText()).toBe(`#${first - 1}`);
    expect(await session.page.getByTestId('as-of-row-ACC-2').locator('.balance').innerText()).toBe('€75.50');
    await session.page.getByRole('textbox', { name: /^Position/ }).fill(String(second));
    await session.page.getByRole('button', { name: 'Show balances' }).click();
    await expect.poll(() => session.page.getByTestId('as-of-position').innerText()).toBe(`#${second}`);
    expect(await session.page.getByTestId('as-of-row-ACC-2').locator('.balance').innerText()).toBe('€0.00');
  });

  it('filters the audit log to reversals', async () => {
    await session.page.goto(`${session.host.url}#/audit`);
    await session.page.getByRole('tab', { name: 'Event log' }).click();
    await session.page.getByLabel('Search').fill('');
    const reversals = (await callApi(session.host, 'auditEvents', { filter: { types: ['EntryReversed'] }, limit: 1, withCount: true })).json
      .value.count.matches as number;
    expect(reversals).toBe(5);
    await session.page.getByRole('checkbox', { name: 'Reversal' }).check();
    await expect
      .poll(() => session.page.getByTestId('audit-match-count').innerText())
      .toMatch(new RegExp(`^${reversals} of \\d+ events match`));
    const types = await session.page
      .getByTestId('audit-list')
      .locator('[role="row"][data-position] .badge')
      .evaluateAll((badges) => badges.map((badge) => badge.getAttribute('data-type')));
    expect(types).toEqual(Array.from({ length: reversals }, () => 'EntryReversed'));
    await saveScreenshot(session.page, 'audit-reversals');
    await session.page.getByRole('checkbox', { name: 'Reversal' }).uncheck();
  });

  it('never hit a page error, console error or CSP violation', () => {
    expect(session.problems).toEqual([]);
  });
});
