/**
 * A 100,000-event account: the history list stays virtualized (a few dozen rows in the DOM),
 * loads pages lazily as it scrolls, and reaches the very first event; the chart samples.
 * No timing assertions: the proof is in what the DOM holds, not in milliseconds.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyCommand } from '../../shared/commands';
import { Ledger } from '../../electron/core/ledger';
import { saveScreenshot } from './support/browser';
import { closePreviewSession, openPreviewSession } from './support/preview-session';
import { temporaryFolder, type PreviewHost } from './support/preview-host';

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
      const commands = Array.from(
        { length: BATCH },
        (_, index): AnyCommand => ({
          name: 'deposit',
          input: { account: 'BIG-1', amount: `${((start + index) % 97) + 1}.${String((start + index) % 100).padStart(2, '0')}` },
        }),
      );
      const failed = ledger.executeBatch(commands).find((result) => !result.ok);
      if (failed && !failed.ok) throw new Error(failed.error.message);
    }
  } finally {
    ledger.close();
  }
}

describe('history of 100,000 events', () => {
  const temporary = temporaryFolder('ledger-e2e-scale');
  const database = join(temporary.folder, 'big.db');
  let host: PreviewHost;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  const renderedRows = () => page.locator('[data-testid="history"] [role="row"][data-version]').count();

  beforeAll(async () => {
    seed(database);
    ({ host, browser, page, problems } = await openPreviewSession(database));
  });

  afterAll(async () => {
    await closePreviewSession({ browser, host });
    temporary.remove();
  });

  it('renders only the rows in view, newest first', async () => {
    await page.goto(`${host.url}#/account/BIG-1`);
    await page.getByRole('heading', { name: 'Grace Hopper' }).waitFor();
    const history = page.getByTestId('history');
    expect(await history.getAttribute('aria-rowcount')).toBe(String(DEPOSITS + 2));
    const newest = history.locator(`[data-version="${DEPOSITS + 1}"]`);
    await expect.poll(() => newest.innerText()).toContain('Deposit');
    expect(await renderedRows()).toBeLessThan(60);
    await page.getByText(`sampled points of ${(DEPOSITS + 1).toLocaleString('en-US')} events`).waitFor();
    await saveScreenshot(page, 'account-100k-history');
  });

  it('loads the middle of the history lazily when scrolled there', async () => {
    const viewport = page.getByTestId('history').locator('[role="rowgroup"][tabindex="0"]');
    await viewport.evaluate((element) => (element.scrollTop = element.scrollHeight / 2));
    const middle = page.getByTestId('history').locator('[data-version="50001"]');
    await expect.poll(() => middle.innerText()).toContain('Deposit');
    expect(await renderedRows()).toBeLessThan(60);
  });

  it('reaches the opening event with the keyboard (End key on the focused list)', async () => {
    const viewport = page.getByTestId('history').locator('[role="rowgroup"][tabindex="0"]');
    await viewport.focus();
    await page.keyboard.press('End');
    const opening = page.getByTestId('history').locator('[data-version="1"]');
    await expect.poll(() => opening.innerText(), { timeout: 15_000 }).toContain('Account opened');
    expect(await renderedRows()).toBeLessThan(60);
  });

  it('never hit a page error, console error or CSP violation', () => {
    expect(problems).toEqual([]);
  });
});
