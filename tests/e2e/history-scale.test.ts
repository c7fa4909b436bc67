/**
 * A 100,000-event account: the history list stays virtualized (a few dozen rows in the DOM),
 * loads pages lazily as it scrolls, and reaches the very first event; the chart samples.
 * No timing assertions: the proof is in what the DOM holds, not in milliseconds.
 */
import { describe, expect, it } from 'vitest';
import type { AnyCommand } from '#shared/commands';
import { Ledger } from '#engine/ledger';
import { saveScreenshot } from './support/browser';
import { previewSuite } from './support/preview-session';

const DEPOSITS = 100_000;
const BATCH = 10_000;

/** Seeds the ledger through the engine itself (batched for speed), before any host opens it. */
function seed(database: string): void {
  const opened = Ledger.open({ path: database, actor: 'test-seed' });
  if (!opened.ok) throw new Error(opened.error.message);
  const ledger = opened.value;
  try {
    const open = ledger.execute({
      name: 'open',
      input: { account: 'BIG-1', owner: 'Grace Hopper', currency: 'EUR', initial: '0.00' },
    });
    if (!open.ok) throw new Error(open.error.message);
    for (let start = 0; start < DEPOSITS; start += BATCH) {
      const commands = Array.from({ length: BATCH }, (_, index): AnyCommand => ({
        name: 'deposit',
        input: { account: 'BIG-1', amount: `${((start + index) % 97) + 1}.${String((start + index) % 100).padStart(2, '0')}` },
      }));
      const failed = ledger.executeBatch(commands).find((result) => !result.ok);
      if (failed && !failed.ok) throw new Error(failed.error.message);
    }
  } finally {
    ledger.close();
  }
}

describe('history of 100,000 events', () => {
  const session = previewSuite('ledger-e2e-scale', 'big.db', {
    seed: () => {
      seed(session.database);
    },
  });

  const renderedRows = () => session.page.locator('[data-testid="history"] [role="row"][data-version]').count();

  it('renders only the rows in view, newest first', async () => {
    await session.page.goto(`${session.host.url}#/account/BIG-1`);
    await session.page.getByRole('heading', { name: 'Grace Hopper' }).waitFor();
    const history = session.page.getByTestId('history');
    expect(await history.getAttribute('aria-rowcount')).toBe(String(DEPOSITS + 2));
    const newest = history.locator(`[data-version="${DEPOSITS + 1}"]`);
    await expect.poll(() => newest.innerText()).toContain('Deposit');
    expect(await renderedRows()).toBeLessThan(60);
    await session.page.getByText(`sampled points of ${(DEPOSITS + 1).toLocaleString('en-US')} events`).waitFor();
    await saveScreenshot(session.page, 'account-100k-history');
  });

  it('loads the middle of the history lazily when scrolled there', async () => {
    const viewport = session.page.getByTestId('history').locator('[role="rowgroup"][tabindex="0"]');
    await viewport.evaluate((element) => (element.scrollTop = element.scrollHeight / 2));
    const middle = session.page.getByTestId('history').locator('[data-version="50001"]');
    await expect.poll(() => middle.innerText()).toContain('Deposit');
    expect(await renderedRows()).toBeLessThan(60);
  });

  it('reaches the opening event with the keyboard (End key on the focused list)', async () => {
    const viewport = session.page.getByTestId('history').locator('[role="rowgroup"][tabindex="0"]');
    await viewport.focus();
    await session.page.keyboard.press('End');
    const opening = session.page.getByTestId('history').locator('[data-version="1"]');
    await expect.poll(() => opening.innerText(), { timeout: 15_000 }).toContain('Account opened');
    expect(await renderedRows()).toBeLessThan(60);
  });

  it('never hit a page error, console error or CSP violation', () => {
    expect(session.problems).toEqual([]);
  });
});
