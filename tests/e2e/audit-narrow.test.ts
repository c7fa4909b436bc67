/**
 * The audit log at 800×600 and 1366×850: no sideways scroll, and every cell the table shows
 * (position, time, type, account, amount, balance after, memo and why a row matched) lies
 * inside its card, not cut off past its right edge. At 800 px the position sits above the
 * time, the balance after under the amount, and the command and actor are left to the event's
 * details; at 1366 px all eight columns stand side by side. Screenshots at both sizes.
 */
import { describe, expect, it } from 'vitest';
import { saveScreenshot } from './support/browser';
import { applyLines } from './support/audit-ledger';
import { previewSuite } from './support/preview-session';

const NARROW = { width: 800, height: 600 } as const;
const WIDE = { width: 1366, height: 850 } as const;

const COMMANDS = [
  { command: 'open', account: 'ACC-1', owner: 'Alice Martin', currency: 'EUR', initial: '1234567.89' },
  { command: 'open', account: 'ACC-2', owner: 'Bob Stone', currency: 'EUR', initial: '40.00' },
  { command: 'deposit', account: 'ACC-1', amount: '250.00', memo: 'Salary for alice, a memo long enough to need cutting short' },
  { command: 'transfer', from: 'ACC-1', to: 'ACC-2', amount: '75.50', memo: 'Rent share', commandId: 'transfer-rent-0001' },
  { command: 'withdraw', account: 'ACC-2', amount: '5.00' },
];

/** Where a body cell lies against the card, and whether its own text is cut. */
type CellBox = { column: string; left: number; right: number; cut: boolean };

describe('the audit log at 800 and 1366 pixels wide', () => {
  const session = previewSuite('ledger-e2e-audit-narrow', 'audit.db', {
    seed: async () => {
      await applyLines(session.database, session.folder, 'seed.jsonl', COMMANDS);
    },
  });

  const sidewaysScroll = () => session.page.evaluate(() => document.scrollingElement!.scrollWidth - document.scrollingElement!.clientWidth);

  /** The shown cells of the rows in view, with the card's inner edges. */
  const layout = () =>
    session.page.getByTestId('audit-list').evaluate((table) => {
      const card = table.closest('section')!.getBoundingClientRect();
      const cells: CellBox[] = [];
      for (const cell of table.querySelectorAll<HTMLElement>('[role="row"][data-position] [role="cell"]')) {
        if (getComputedStyle(cell).display === 'none') continue;
        const box = cell.getBoundingClientRect();
        const column = [...cell.classList].find((name) => name.startsWith('col-')) ?? '?';
        cells.push({ column, left: box.left, right: box.right, cut: false });
      }
      const reasons = [...table.querySelectorAll<HTMLElement>('[data-testid="match-reason"]')].map((badge) => {
        const box = badge.getBoundingClientRect();
        return { column: 'match-reason', left: box.left, right: box.right, cut: badge.scrollWidth > badge.clientWidth + 1 };
      });
      return { cardLeft: card.left, cardRight: card.right, cells, reasons };
    });

  for (const [size, columns] of [
    [NARROW, ['col-position', 'col-when', 'col-type', 'col-account', 'col-amount', 'col-balance', 'col-memo']],
    [WIDE, ['col-position', 'col-when', 'col-type', 'col-account', 'col-amount', 'col-balance', 'col-memo', 'col-command']],
  ] as const) {
    it(`shows ${columns.length} columns inside the card at ${size.width} px, match reasons whole`, async () => {
      await session.page.setViewportSize(size);
      await session.page.goto(`${session.host.url}#/audit`);
      await session.page.getByLabel('Search').fill('alice');
      await expect
        .poll(() => session.page.getByTestId('audit-list').getByTestId('match-reason').allInnerTexts())
        .toEqual(['matched counterparty’s owner', 'matched owner', 'matched owner, memo', 'matched owner']);
      await session.page.getByTestId('audit-list').scrollIntoViewIfNeeded();
      await saveScreenshot(session.page, size === NARROW ? 'audit-log-800' : 'audit-log-1366');
      expect(await sidewaysScroll()).toBeLessThanOrEqual(0);
      const { cardLeft, cardRight, cells, reasons } = await layout();
      expect([...new Set(cells.map((cell) => cell.column))].sort()).toEqual([...columns].sort());
      for (const cell of [...cells, ...reasons]) {
        expect(cell.left, cell.column).toBeGreaterThanOrEqual(cardLeft);
        expect(cell.right, cell.column).toBeLessThanOrEqual(cardRight + 0.5);
      }
      expect(reasons.filter((reason) => reason.cut)).toEqual([]);
      await session.page.getByLabel('Search').fill('');
    });
  }

  it('never hit a page error, console error or CSP violation', () => {
    expect(session.problems).toEqual([]);
  });
});
