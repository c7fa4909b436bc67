/**
 * The audit list on 100,000 events, built with the CLI's `apply` from a generated file:
 * it stays virtualized (well under 100 rows in the DOM wherever it is scrolled), jumps to the
 * middle and the end by keyset cursors, walks a filtered list page by page, and puts the reader
 * back where they were after a visit to an account. No timing assertions: the proof is in what
 * the DOM holds.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveScreenshot } from './support/browser';
import { previewSuite } from './support/preview-session';
import { runCliRaw } from './support/audit-ledger';
import { callApi } from './support/preview-host';

const ACCOUNTS = ['BIG-1', 'BIG-2', 'BIG-3', 'BIG-4'];
const OWNERS = ['Grace Hopper', 'Ada Lovelace', 'Alan Turing', 'Edsger Dijkstra'];
const TOTAL = 100_000;
/** "Well under 100 rows in the DOM", as the issue asks. */
const DOM_ROW_LIMIT = 100;

function writeCommands(file: string): void {
  const lines = ACCOUNTS.map((account, index) =>
    JSON.stringify({ command: 'open', account, owner: OWNERS[index], currency: 'EUR', initial: '0.00' }),
  );
  for (let index = 0; lines.length < TOTAL; index++) {
    const command: Record<string, string> = {
      command: 'deposit',
      account: ACCOUNTS[index % ACCOUNTS.length]!,
      amount: `${(index % 97) + 1}.${String(index % 100).padStart(2, '0')}`,
    };
    if (index % 10 === 0) command.memo = `Batch ${index}`;
    lines.push(JSON.stringify(command));
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

describe('audit list of 100,000 events', () => {
  const session = previewSuite('ledger-e2e-audit-scale', 'big.db', {
    seed: async () => {
      const file = join(session.folder, 'commands.jsonl');
      writeCommands(file);
      const applied = await runCliRaw(session.database, ['apply', '--file', file]);
      if (applied.code !== 0) throw new Error(`apply failed: ${applied.stderr}`);
    },
    timeout: 180_000,
  });

  const list = () => session.page.getByTestId('audit-list');
  const viewport = () => list().locator('[role="rowgroup"][aria-label^="Events"]');
  const domRows = () => list().locator('[data-row], [data-row-loading]').count();
  const loadedPositions = () =>
    list()
      .locator('[data-position]')
      .evaluateAll((rows) => rows.map((row) => Number((row as HTMLElement).dataset.position)));
  const loadingRows = () => list().locator('[data-row-loading]').count();
  const matchCount = () => session.page.getByTestId('audit-match-count').innerText();

  /** Waits until every rendered row is loaded; answers their positions. */
  async function settled(): Promise<number[]> {
    await expect.poll(loadingRows, { timeout: 30_000 }).toBe(0);
    const positions = await loadedPositions();
    expect(positions.length).toBeGreaterThan(5);
    expect(positions.length).toBeLessThan(DOM_ROW_LIMIT);
    return positions;
  }

  /**
   * Scrolls the list to a fraction of its height and waits until the rows there are rendered
   * (the scroll event reaches the page a frame later) and loaded.
   */
  async function scrollToFraction(fraction: number): Promise<number[]> {
    const target = await viewport().evaluate((element, share) => {
      element.scrollTop = (element.scrollHeight - element.clientHeight) * share;
      return Math.floor(element.scrollTop / 44);
    }, fraction);
    await list().locator(`[data-row="${target}"]`).waitFor({ timeout: 30_000 });
    return settled();
  }

  it('renders only the rows in view, newest first', async () => {
    await session.page.goto(`${session.host.url}#/audit`);
    await expect.poll(matchCount).toContain(`All ${TOTAL.toLocaleString('en-US')} events`);
    expect(await list().getAttribute('aria-rowcount')).toBe(String(TOTAL + 1));
    const positions = await settled();
    expect(positions[0]).toBe(TOTAL);
    expect(positions).toEqual(positions.map((_, index) => TOTAL - index));
    await session.page
      .getByTestId('integrity-status')
      .getByText(`Chain verified through position ${TOTAL.toLocaleString('en-US')}`)
      .waitFor({ timeout: 60_000 });
    await saveScreenshot(session.page, 'audit-100k');
  });

  it('jumps to the middle: the page there is read by its keyset cursor', async () => {
    const positions = await scrollToFraction(0.5);
    expect(positions).toEqual(positions.map((_, index) => positions[0]! - index));
    expect(Math.abs(positions[0]! - TOTAL / 2)).toBeLessThan(100);
  });

  it('reaches the very first event with the keyboard (End)', async () => {
    await list().locator('[data-position][tabindex="0"]').focus();
    await session.page.keyboard.press('End');
    await expect.poll(async () => (await loadedPositions()).at(-1), { timeout: 30_000 }).toBe(1);
    expect(await list().locator('[data-position="1"]').innerText()).toContain('Account opened');
    expect(await session.page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.position)).toBe('1');
    expect(await domRows()).toBeLessThan(DOM_ROW_LIMIT);
  });

  it('walks a filtered list page by page down to its oldest event', async () => {
    await session.page.getByLabel('Account', { exact: true }).fill('BIG-2');
    const expected = (await callApi(session.host, 'auditEvents', { filter: { accounts: ['BIG-2'] }, limit: 1, withCount: true })).json.value
      .count.matches as number;
    expect(expected).toBe(TOTAL / ACCOUNTS.length);
    await expect.poll(matchCount).toContain(`${expected.toLocaleString('en-US')} of ${TOTAL.toLocaleString('en-US')} events match`);
    // A new filter starts at the top.
    expect((await settled())[0]).toBe(TOTAL - 2);
    await scrollToFraction(1);
    await expect.poll(async () => (await loadedPositions()).at(-1), { timeout: 60_000 }).toBe(2);
    const positions = await settled();
    // Every fourth position belongs to BIG-2.
    expect(positions.every((position) => position % ACCOUNTS.length === 2)).toBe(true);
    expect(await list().locator('[data-position="2"]').innerText()).toContain('Account opened');
  });

  it('comes back to the same rows after opening an account from the list', async () => {
    const before = await scrollToFraction(0.37);
    const scrollTop = await viewport().evaluate((element) => element.scrollTop);
    const row = list().locator(`[data-position="${before[10]}"]`);
    await row.getByRole('link', { name: 'BIG-2' }).click();
    await session.page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
    await session.page.goBack();
    await expect.poll(matchCount).toContain('25,000 of 100,000 events match');
    expect(await session.page.getByLabel('Account', { exact: true }).inputValue()).toBe('BIG-2');
    await expect.poll(() => viewport().evaluate((element) => element.scrollTop)).toBe(scrollTop);
    expect(await settled()).toEqual(before);
  });

  it('offers events recorded meanwhile without moving the rows being read, and shows them at the top by itself', async () => {
    const reading = await settled();
    const deposit = await runCliRaw(session.database, [
      'deposit',
      '--account',
      'BIG-2',
      '--amount',
      '1.00',
      '--memo',
      'Arrived while reading',
    ]);
    expect(deposit.code).toBe(0);
    await session.page.getByText('1 new event recorded since this list was loaded.').waitFor({ timeout: 15_000 });
    expect(await loadedPositions()).toEqual(reading);
    await session.page.getByRole('button', { name: 'Show newest' }).click();
    await expect.poll(async () => (await loadedPositions())[0]).toBe(TOTAL + 1);
    await expect.poll(matchCount).toContain('25,001 of 100,001 events match');

    // At the top, new events simply appear; one on another account only updates the total.
    await runCliRaw(session.database, ['deposit', '--account', 'BIG-3', '--amount', '2.00']);
    await expect.poll(matchCount, { timeout: 15_000 }).toContain('25,001 of 100,002 events match');
    await runCliRaw(session.database, ['deposit', '--account', 'BIG-2', '--amount', '3.00']);
    await expect.poll(async () => (await loadedPositions())[0], { timeout: 15_000 }).toBe(TOTAL + 3);
    await expect.poll(matchCount).toContain('25,002 of 100,003 events match');
    expect(await session.page.getByText('new event recorded').count()).toBe(0);
  });

  it('never hit a page error, console error or CSP violation', () => {
    expect(session.problems).toEqual([]);
  });
});
