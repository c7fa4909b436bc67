/**
 * Every screen at 800×600 with the longest owner the rules allow (200 characters without a
 * space to break at): nothing scrolls sideways, the long owner is cut with its full name on
 * hover, the money form is in the first screenful of the Account page, and the "Balances as
 * of…" table shows its last column whole. Screenshots at 800×600 and 1366×850.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { saveScreenshot } from './support/browser';
import { applyLines } from './support/audit-ledger';
import { previewSuite } from './support/preview-session';

const LONG_OWNER = 'Wolfeschlegelsteinhausenbergerdorff'.repeat(6).slice(0, 200);
const NARROW = { width: 800, height: 600 } as const;
const WIDE = { width: 1366, height: 850 } as const;

const COMMANDS = [
  { command: 'open', account: 'LONG-1', owner: LONG_OWNER, currency: 'EUR', initial: '1234567.89' },
  { command: 'open', account: 'ACC-2', owner: 'Bob Stone', currency: 'EUR', initial: '40.00' },
  { command: 'open', account: 'ACC-3', owner: 'Chiyo Sato', currency: 'JPY', initial: '12000' },
  {
    command: 'deposit',
    account: 'LONG-1',
    amount: '250.00',
    memo: 'A memo long enough to need cutting short on a narrow window, it goes on',
  },
  { command: 'transfer', from: 'LONG-1', to: 'ACC-2', amount: '75.50', memo: 'Rent share' },
  { command: 'withdraw', account: 'ACC-2', amount: '5.00' },
];

describe('every screen at 800 pixels wide, with a 200-character owner', () => {
  const session = previewSuite('ledger-e2e-narrow', 'narrow.db', {
    seed: async () => {
      await applyLines(session.database, session.folder, 'seed.jsonl', COMMANDS);
    },
  });

  /** How far the page scrolls sideways (0 when it does not). */
  const sidewaysScroll = () => session.page.evaluate(() => document.scrollingElement!.scrollWidth - document.scrollingElement!.clientWidth);

  beforeAll(async () => {
    await session.page.setViewportSize(NARROW);
  });

  it('Accounts: no sideways scroll; the long owner is cut, whole on hover, every column in view', async () => {
    await session.page.goto(session.host.url);
    const row = session.page.getByTestId('account-row-LONG-1');
    await row.waitFor();
    expect(await sidewaysScroll()).toBeLessThanOrEqual(0);
    const owner = row.getByRole('link');
    expect(await owner.getAttribute('title')).toBe(LONG_OWNER);
    // Cut with an ellipsis: the text is wider than the box that shows it.
    expect(await owner.evaluate((element) => element.scrollWidth > element.clientWidth)).toBe(true);
    // The status column, last in the row, is inside the window.
    const status = row.locator('[role="cell"]').last();
    const box = (await status.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(NARROW.width);
    expect(await status.innerText()).toBe('Open');
    await saveScreenshot(session.page, 'accounts-long-owner-800');
  });

  it('Account: no sideways scroll, and the money form starts in the first screenful', async () => {
    await session.page.goto(`${session.host.url}#/account/LONG-1`);
    await session.page.getByRole('heading', { name: LONG_OWNER }).waitFor();
    await session.page.getByTestId('balance-chart').waitFor();
    expect(await sidewaysScroll()).toBeLessThanOrEqual(0);
    const form = session.page.getByRole('form', { name: 'Move money' });
    const box = (await form.boundingBox())!;
    expect(box.y).toBeLessThan(NARROW.height);
    // …and above the chart and the history.
    expect(box.y).toBeLessThan((await session.page.getByTestId('balance-chart').boundingBox())!.y);
    expect(box.y).toBeLessThan((await session.page.getByTestId('history').boundingBox())!.y);
    await saveScreenshot(session.page, 'account-800');
  });

  it('Audit: no sideways scroll', async () => {
    await session.page.goto(`${session.host.url}#/audit`);
    await session.page.getByTestId('audit-list').locator('[data-position="7"]').waitFor();
    expect(await sidewaysScroll()).toBeLessThanOrEqual(0);
  });

  it('Time travel: no sideways scroll, and the "Balances as of" table shows its last column whole', async () => {
    for (const size of [NARROW, WIDE]) {
      await session.page.setViewportSize(size);
      await session.page.goto(`${session.host.url}#/audit`);
      await session.page.getByRole('tab', { name: 'Balances as of…' }).click();
      await session.page.getByRole('textbox', { name: /^Position/ }).fill('7');
      await session.page.getByRole('button', { name: 'Show balances' }).click();
      const table = session.page.getByTestId('as-of-table');
      await table.getByTestId('as-of-row-LONG-1').waitFor();
      expect(await sidewaysScroll()).toBeLessThanOrEqual(0);
      const wrap = table.locator('xpath=..');
      // The whole table fits its frame: nothing hidden to the right.
      expect(await wrap.evaluate((element) => element.scrollWidth - element.clientWidth)).toBeLessThanOrEqual(0);
      const frame = (await wrap.boundingBox())!;
      const lastHeader = (await table.locator('thead th').last().boundingBox())!;
      expect(lastHeader.x + lastHeader.width).toBeLessThanOrEqual(frame.x + frame.width);
      const longOwner = table.getByTestId('as-of-row-LONG-1').locator('td').nth(1);
      expect(await longOwner.getAttribute('title')).toBe(LONG_OWNER);
      await table.scrollIntoViewIfNeeded();
      await saveScreenshot(session.page, size === NARROW ? 'balances-as-of-800' : 'balances-as-of');
    }
    await session.page.setViewportSize(NARROW);
  });

  it('Account page at 1366×850: the form beside the history, nothing sideways', async () => {
    await session.page.setViewportSize(WIDE);
    await session.page.goto(`${session.host.url}#/account/ACC-2`);
    await session.page.getByRole('heading', { name: 'Bob Stone' }).waitFor();
    await session.page.getByTestId('balance-chart').waitFor();
    expect(await sidewaysScroll()).toBeLessThanOrEqual(0);
    const form = (await session.page.getByRole('form', { name: 'Move money' }).boundingBox())!;
    const history = (await session.page.getByTestId('history').boundingBox())!;
    expect(form.x).toBeGreaterThan(history.x + history.width - 1);
    await saveScreenshot(session.page, 'account-1366');
    await session.page.setViewportSize(NARROW);
  });

  it('never hit a page error, console error or CSP violation', () => {
    expect(session.problems).toEqual([]);
  });
});
