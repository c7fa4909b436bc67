/**
 * The audit screen in Chromium through the preview host, on a ledger seeded with the CLI
 * (a legacy import with schema-1 payloads, tricky memos, a transfer, a closed account).
 * Every number the screen shows is checked against an independent reading: the API's own
 * counts, and balances and matches recomputed here from `ledger events` and `ledger export`.
 * The preview host's --export-dir stands in for the app's save dialog.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '#shared/money-format';
import { formatMinor } from '#shared/money';
import { saveScreenshot } from './support/browser';
import { closePreviewSession, openPreviewSession } from './support/preview-session';
import {
  TRANSFER_COMMAND_ID,
  TRICKY_MEMOS,
  balancesAfter,
  cliEvents,
  cliExport,
  counterpartyOf,
  effectOf,
  ownersOf,
  parseExportLines,
  runCliRaw,
  seedAuditLedger,
  type CliEvent,
  type ExportedEvent,
  type SeededLedger,
} from './support/audit-ledger';
import { callApi, temporaryFolder, type PreviewHost } from './support/preview-host';

const euro = (minor: number) => formatMoney(formatMinor(minor, 'EUR'), 'EUR', { locale: 'en-US' });
const count = (value: number) => value.toLocaleString('en-US');

describe('audit screen', () => {
  const temporary = temporaryFolder('ledger-e2e-audit');
  const database = join(temporary.folder, 'audit.db');
  const exportFolder = join(temporary.folder, 'exports');
  let seeded: SeededLedger;
  let events: CliEvent[];
  let exported: ExportedEvent[];
  let host: PreviewHost;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  const list = () => page.getByTestId('audit-list');
  const renderedPositions = () =>
    list()
      .locator('[data-position]')
      .evaluateAll((rows) => rows.map((row) => Number((row as HTMLElement).dataset.position)));
  const matchCount = () => page.getByTestId('audit-match-count').innerText();
  const apiCount = async (filter: object) =>
    (await callApi(host, 'auditEvents', { filter, limit: 1, withCount: true })).json.value.count as { matches: number; total: number };
  const lastPosition = async () => (await callApi(host, 'ledgerInfo')).json.value.lastPosition as number;

  /**
   * Waits until the screen shows that the `expected` events match (newest first, as many as
   * are rendered), and checks that the API's count agrees.
   */
  async function expectMatches(expected: readonly CliEvent[], filter: object) {
    expect((await apiCount(filter)).matches).toBe(expected.length);
    await expect.poll(matchCount).toContain(`${count(expected.length)} of ${count(events.length)} events match`);
    if (expected.length === 0) {
      await page.getByText('No events match these filters').waitFor();
      return;
    }
    const newestFirst = expected.map((event) => event.position).reverse();
    await expect.poll(async () => (await renderedPositions())[0]).toBe(newestFirst[0]);
    const rendered = await renderedPositions();
    expect(rendered.length).toBeGreaterThan(0);
    expect(rendered).toEqual(newestFirst.slice(0, rendered.length));
  }

  async function clearFilters() {
    const button = page.getByRole('button', { name: /^Clear filters/ });
    if (await button.isEnabled()) await button.click();
    await expect.poll(matchCount).toContain(`All ${count(events.length)} events`);
  }

  const ownerOf = (account: string | undefined) => (account === undefined ? '' : (ownersOf(events).get(account) ?? ''));
  /** The engine's free-text rule, recomputed: memo, account id or owner (either side), case-insensitive. */
  const matchesText = (event: CliEvent, text: string) => {
    const needle = text.toLowerCase();
    const other = counterpartyOf(event);
    return [event.data.memo ?? '', event.streamId, other ?? '', ownerOf(event.streamId), ownerOf(other)].some((field) =>
      field.toLowerCase().includes(needle),
    );
  };

  beforeAll(async () => {
    seeded = await seedAuditLedger(database, temporary.folder);
    events = await cliEvents(database);
    exported = await cliExport(database);
    ({ host, browser, page, problems } = await openPreviewSession(database, ['--export-dir', exportFolder]));
  });

  afterAll(async () => {
    await closePreviewSession({ browser, host });
    temporary.remove();
  });

  it('lists every event newest first, with its columns', async () => {
    await page.goto(`${host.url}#/audit`);
    await page.getByRole('heading', { name: 'Audit', level: 1 }).waitFor();
    await expect.poll(matchCount).toContain(`All ${count(events.length)} events`);
    expect(await list().getAttribute('aria-rowcount')).toBe(String(events.length + 1));

    const positions = await renderedPositions();
    expect(positions[0]).toBe(seeded.lastPosition);
    expect(positions).toEqual(positions.map((_, index) => seeded.lastPosition - index));

    const transferIn = events.find((event) => event.type === 'TransferReceived')!;
    const row = list().locator(`[data-position="${transferIn.position}"]`);
    const cells = await row.getByRole('cell').allInnerTexts();
    expect(cells[0]).toBe(String(transferIn.position));
    expect(await row.locator('time').getAttribute('datetime')).toBe(transferIn.recordedAt);
    expect(cells[2]).toBe('Transfer in');
    expect(cells[3]).toMatch(/^ACC-B\s+from ACC-A$/);
    expect(cells[4]).toBe('+€40.00');
    expect(cells[5]).toBe('€60.00');
    expect(cells[6]).toBe('Rent share');
    expect(cells[7]).toContain(TRANSFER_COMMAND_ID);
    expect(cells[7]).toContain(String(transferIn.metadata.actor));
    // The account cell links to the account; so does the counterparty.
    expect(await row.getByRole('link', { name: 'ACC-B' }).getAttribute('href')).toBe('#/account/ACC-B');
    expect(await row.getByRole('link', { name: 'ACC-A' }).getAttribute('href')).toBe('#/account/ACC-A');

    // Signed amounts: a withdrawal is negative, in red.
    const withdrawal = list().locator(`[data-position="${seeded.batchOneLastPosition}"]`);
    expect((await withdrawal.getByRole('cell').allInnerTexts())[4]).toBe('-€10.00');
    await page.getByTestId('integrity-status').getByText(`Chain verified through position ${seeded.lastPosition}`).waitFor();
    await saveScreenshot(page, 'audit-list');
  });

  it('filters by account, including the other side of transfers', async () => {
    await page.getByLabel('Account', { exact: true }).fill('ACC-B');
    const expected = events.filter((event) => event.streamId === 'ACC-B' || counterpartyOf(event) === 'ACC-B');
    await expectMatches(expected, { accounts: ['ACC-B'] });
    await saveScreenshot(page, 'audit-filtered');
    await clearFilters();
  });

  it('filters by event type (legacy events included under their current type)', async () => {
    await page.getByRole('checkbox', { name: 'Withdrawal' }).check();
    const expected = events.filter((event) => event.type === 'MoneyWithdrawn');
    expect(expected.some((event) => event.storedSchemaVersion === 1)).toBe(true);
    await expectMatches(expected, { types: ['MoneyWithdrawn'] });
    await page.getByRole('checkbox', { name: 'Account closed' }).check();
    const both = events.filter((event) => event.type === 'MoneyWithdrawn' || event.type === 'AccountClosed');
    await expectMatches(both, { types: ['MoneyWithdrawn', 'AccountClosed'] });
    await clearFilters();
  });

  it('filters by date range: whole local days (the browser runs in UTC here)', async () => {
    const legacyDay = events[0]!.recordedAt.slice(0, 10);
    const lastDay = events[events.length - 1]!.recordedAt.slice(0, 10);
    await page.getByLabel('From date').fill(legacyDay);
    await page.getByLabel('To date').fill(legacyDay);
    const onLegacyDay = events.filter((event) => event.recordedAt.slice(0, 10) === legacyDay);
    await expectMatches(onLegacyDay, { from: `${legacyDay}T00:00:00.000Z`, to: `${legacyDay}T23:59:59.999Z` });

    const dayAfter = new Date(Date.parse(`${lastDay}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('From date').fill(dayAfter);
    await page.getByLabel('To date').fill(dayAfter);
    await expectMatches([], { from: `${dayAfter}T00:00:00.000Z` });
    await saveScreenshot(page, 'audit-no-match');

    // An end before the start is explained, not sent.
    await page.getByLabel('From date').fill(lastDay);
    await page.getByLabel('To date').fill(legacyDay < lastDay ? legacyDay : '2000-01-01');
    await page.getByText('The end date is before the start date.').waitFor();
    await clearFilters();
  });

  it('filters by amount range, on the size of the amount', async () => {
    await page.getByLabel('Min amount').fill('40');
    await page.getByLabel('Max amount').fill('100.00');
    const expected = events.filter((event) => Math.abs(effectOf(event)) >= 4_000 && Math.abs(effectOf(event)) <= 10_000);
    expect(expected.length).toBeGreaterThan(2);
    await expectMatches(expected, { minAmount: '40', maxAmount: '100.00' });
    // A half-typed amount is flagged, and the list shows nothing (saying which filter) rather than ignoring it.
    await page.getByLabel('Max amount').fill('12.');
    await page.getByText('Use digits with an optional decimal point').waitFor();
    await page.getByTestId('audit-invalid-filter').getByText('No events shown: The Max amount filter is not valid').waitFor();
    expect(await matchCount()).toContain('No events shown');
    expect(await page.getByTestId('audit-list').count()).toBe(0);
    await page.getByLabel('Max amount').fill('100.00');
    await expectMatches(expected, { minAmount: '40', maxAmount: '100.00' });
    await clearFilters();
  });

  it('searches free text in memos, owners and exact ids', async () => {
    const search = page.getByLabel('Search');

    await search.fill('rent share');
    const byMemo = events.filter((event) => matchesText(event, 'rent share'));
    expect(byMemo.length).toBe(2);
    await expectMatches(byMemo, { text: 'rent share' });

    await search.fill('Тьюринг');
    const byOwner = events.filter((event) => matchesText(event, 'Тьюринг'));
    expect(byOwner.length).toBeGreaterThan(5);
    await expectMatches(byOwner, { text: 'Тьюринг' });

    await search.fill(TRANSFER_COMMAND_ID);
    const byCommand = events.filter((event) => event.metadata.commandId === TRANSFER_COMMAND_ID);
    expect(byCommand).toHaveLength(2);
    await expectMatches(byCommand, { text: TRANSFER_COMMAND_ID });

    const legacyOpening = events[0]!;
    await search.fill(legacyOpening.eventId);
    await expectMatches([legacyOpening], { text: legacyOpening.eventId });
    await clearFilters();
  });

  it('keeps the filters when opening an account from the list and going back, and after a reload', async () => {
    await page.getByLabel('Account', { exact: true }).fill('ACC-A');
    await page.getByRole('checkbox', { name: 'Deposit' }).check();
    const expected = events.filter((event) => event.streamId === 'ACC-A' && event.type === 'MoneyDeposited');
    await expectMatches(expected, { accounts: ['ACC-A'], types: ['MoneyDeposited'] });

    await list().locator(`[data-position="${expected[0]!.position}"]`).getByRole('link', { name: 'ACC-A' }).click();
    await page.getByRole('heading', { name: 'Alice Martin' }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { name: 'Audit', level: 1 }).waitFor();
    expect(await page.getByLabel('Account', { exact: true }).inputValue()).toBe('ACC-A');
    expect(await page.getByRole('checkbox', { name: 'Deposit' }).isChecked()).toBe(true);
    await expect.poll(matchCount).toContain(`${count(expected.length)} of ${count(events.length)} events match`);

    // Through the navigation bar and back, too.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('heading', { name: 'Accounts' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await expect.poll(matchCount).toContain(`${count(expected.length)} of ${count(events.length)} events match`);

    await page.reload();
    await expect.poll(matchCount).toContain(`${count(expected.length)} of ${count(events.length)} events match`);
    expect(await page.getByLabel('Account', { exact: true }).inputValue()).toBe('ACC-A');
    await clearFilters();
  });

  it('shows one event in a dialog: the stored payload, metadata, hashes, the other leg and before → after', async () => {
    const transferIn = events.find((event) => event.type === 'TransferReceived')!;
    const transferOut = events.find((event) => event.type === 'TransferSent')!;
    const stored = exported.find((event) => event.position === transferIn.position)!;

    await list().locator(`[data-position="${transferIn.position}"]`).getByRole('cell').nth(6).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('stored-payload').waitFor();
    expect(await dialog.getAttribute('aria-modal')).toBe('true');
    // Focus moved into the dialog.
    expect(await dialog.evaluate((element) => element.contains(document.activeElement))).toBe(true);

    expect(await dialog.getByTestId('stored-payload').textContent()).toBe(stored.rawData);
    expect(await dialog.getByTestId('stored-schema-version').innerText()).toBe(String(stored.schemaVersion));
    expect(await dialog.getByTestId('previous-hash').innerText()).toBe(stored.previousHash);
    expect(await dialog.getByTestId('event-hash').innerText()).toBe(stored.hash);
    const metadata = await dialog.getByTestId('event-metadata').innerText();
    for (const key of ['commandId', 'correlationId', 'causationId', 'actor', 'appVersion']) {
      expect(metadata).toContain(String(transferIn.metadata[key]));
    }
    expect(metadata).toMatch(/Command ID\s+transfer-rent-0001/);
    expect(await dialog.getByTestId('upcast-payload').count()).toBe(0);

    const changes = await dialog.getByTestId('balance-changes').getByRole('listitem').allInnerTexts();
    expect(changes.map((text) => text.replace(/\s+/g, ' ').trim())).toEqual(['ACC-B €20.00 → €60.00', 'ACC-A €150.25 → €110.25']);
    const related = dialog.getByTestId('related-events').getByRole('button');
    expect(await related.count()).toBe(1);
    expect(await related.innerText()).toContain(`#${transferOut.position}`);
    expect(await related.innerText()).toContain('Transfer out');

    // The formatted view is a second view; the stored text stays one click away.
    await dialog.getByRole('button', { name: 'Formatted' }).click();
    expect(JSON.parse(await dialog.getByTestId('formatted-payload').innerText())).toEqual(JSON.parse(stored.rawData));
    await dialog.getByRole('button', { name: 'As stored' }).click();
    await saveScreenshot(page, 'audit-detail');

    // The other leg opens in place; Escape closes and focus returns to that row.
    await related.click();
    await dialog.getByRole('heading', { name: `Event #${transferOut.position}` }).waitFor();
    await expect
      .poll(() => dialog.getByTestId('event-hash').innerText())
      .toBe(exported.find((e) => e.position === transferOut.position)!.hash);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect
      .poll(() => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.position))
      .toBe(String(transferOut.position));
  });

  it('traps focus in the dialog and opens details from the keyboard', async () => {
    await page.keyboard.press('ArrowDown');
    const focused = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.position);
    expect(Number(focused)).toBeGreaterThan(0);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('event-hash').waitFor();
    for (let step = 0; step < 25; step++) {
      await page.keyboard.press('Tab');
      expect(await dialog.evaluate((element) => element.contains(document.activeElement))).toBe(true);
    }
    await page.getByRole('button', { name: 'Close event details' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.position)).toBe(focused);
  });

  it('shows a legacy event as stored (schema 1) and as upcast today', async () => {
    const legacy = events[0]!;
    const stored = exported[0]!;
    expect(stored.schemaVersion).toBe(1);
    await page.getByLabel('Search').fill(legacy.eventId);
    await expect.poll(renderedPositions).toEqual([legacy.position]);
    await list().locator(`[data-position="${legacy.position}"]`).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('upcast-payload').waitFor();
    expect(await dialog.getByTestId('stored-payload').textContent()).toBe(stored.rawData);
    expect(await dialog.innerText()).toContain(`Stored as ${stored.type}, schema version 1`);
    expect(JSON.parse(await dialog.getByTestId('upcast-payload').innerText())).toEqual(legacy.data);
    expect(await dialog.getByTestId('event-hash').innerText()).toBe(stored.hash);
    await saveScreenshot(page, 'audit-detail-legacy');
    await page.keyboard.press('Escape');
    await clearFilters();
  });

  it('shows every balance as of a position, matching a replay of `ledger events`', async () => {
    await page.getByRole('tab', { name: 'Balances as of…' }).click();
    const transferOut = events.find((event) => event.type === 'TransferSent')!;
    // The event just before the transfer ends its own command (it is no transfer leg): shown as asked.
    const before = events.find((event) => event.position === transferOut.position - 1)!;
    expect(before.type).not.toBe('TransferSent');
    const position = before.position;
    await page.getByRole('textbox', { name: /^Position/ }).fill(String(position));
    await page.getByRole('button', { name: 'Show balances' }).click();
    await expect.poll(() => page.getByTestId('as-of-position').innerText()).toBe(`#${position}`);
    await expectBalances(events.filter((event) => event.position <= position));
    expect(await page.getByTestId('as-of-resolved').count()).toBe(0);
    await saveScreenshot(page, 'audit-time-travel');

    // Between a transfer's two legs the engine answers as of the command's end (money is never shown in flight), and the screen says so.
    await page.getByRole('textbox', { name: /^Position/ }).fill(String(transferOut.position));
    await page.getByRole('button', { name: 'Show balances' }).click();
    await expect.poll(() => page.getByTestId('as-of-position').innerText()).toBe(`#${transferOut.position + 1}`);
    await expectBalances(events.filter((event) => event.position <= transferOut.position + 1));
    expect(await page.getByTestId('as-of-resolved').innerText()).toContain(`Position #${transferOut.position} falls inside one command`);
  });

  it('shows every balance as of a moment between the two batches', async () => {
    await page.getByText('At a moment').click();
    await page.getByLabel(/^Moment/).fill(seeded.momentBetweenBatches);
    await page.getByRole('button', { name: 'Show balances' }).click();
    await expect.poll(() => page.getByTestId('as-of-position').innerText()).toBe(`#${seeded.batchOneLastPosition}`);
    const moment = Date.parse(`${seeded.momentBetweenBatches}Z`);
    const before = events.filter((event) => Date.parse(event.recordedAt) <= moment);
    expect(before[before.length - 1]!.position).toBe(seeded.batchOneLastPosition);
    await expectBalances(before);
    // ACC-C was still open then; it is closed now.
    expect(await page.getByTestId('as-of-row-ACC-C').innerText()).toContain('Open');
    expect((await callApi(host, 'getAccount', { account: 'ACC-C' })).json.value.status).toBe('closed');
    await page.getByRole('tab', { name: 'Event log' }).click();
  });

  it('exports the whole log as JSON Lines into the export folder; `ledger verify --file` passes', async () => {
    await page.getByRole('button', { name: 'Export JSON Lines' }).click();
    const message = page.getByTestId('export-message');
    await expect.poll(() => message.innerText()).toContain(`Exported ${count(events.length)} events to`);
    const path = (await message.locator('code').innerText()).trim();
    expect(path.startsWith(exportFolder)).toBe(true);
    expect(path.endsWith('.jsonl')).toBe(true);
    expect(existsSync(path)).toBe(true);
    const verified = await runCliRaw(database, ['verify', '--file', path]);
    expect(verified.code, verified.stdout).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, events: events.length });
    // Byte for byte what the CLI exports.
    expect(parseExportLines(readFileSync(path, 'utf8'))).toEqual(exported);
  });

  it('exports the list as CSV with the current filters; csv-parse reads the tricky memos back', async () => {
    await page.getByLabel('Account', { exact: true }).fill('ACC-A');
    const filter = { accounts: ['ACC-A'] };
    const expected = (await callApi(host, 'auditEvents', { filter, limit: 500 })).json.value.rows as Array<Record<string, unknown>>;
    await expect.poll(matchCount).toContain(`${count(expected.length)} of`);
    const before = new Set(readdirSync(exportFolder));
    await page.getByRole('button', { name: 'Export CSV (current filters)' }).click();
    const message = page.getByTestId('export-message');
    await expect.poll(() => message.innerText()).toContain(`Exported ${count(expected.length)} events to`);
    const path = (await message.locator('code').innerText()).trim();
    expect(before.has(path.split('/').pop()!)).toBe(false);
    const rows = parse(readFileSync(path), { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(rows.map((row) => Number(row.position))).toEqual(expected.map((row) => row.position));
    expect(rows.map((row) => row.amount)).toEqual(expected.map((row) => row.amount));
    const memos = rows.map((row) => row.memo);
    expect(memos).toContain(TRICKY_MEMOS.comma);
    expect(memos).toContain(TRICKY_MEMOS.accents);
    // A memo that would run as a spreadsheet formula is neutralised with an apostrophe.
    expect(memos).toContain(`'${TRICKY_MEMOS.formula}`);

    await clearFilters();
    await page.getByRole('button', { name: 'Export CSV', exact: true }).click();
    await expect.poll(() => message.innerText()).toContain(`Exported ${count(events.length)} events to`);
    const everything = parse(readFileSync((await message.locator('code').innerText()).trim()), { bom: true, columns: true }) as Array<
      Record<string, string>
    >;
    expect(everything).toHaveLength(events.length);
    const memoByPosition = new Map(everything.map((row) => [Number(row.position), row.memo]));
    for (const event of events.filter((each) => each.data.memo !== undefined)) {
      const memo = event.data.memo!;
      expect(memoByPosition.get(event.position)).toBe(/^[=+\-@]/.test(memo) ? `'${memo}` : memo);
    }
    expect([...memoByPosition.values()]).toEqual(
      expect.arrayContaining([TRICKY_MEMOS.quotes, TRICKY_MEMOS.nonLatin, TRICKY_MEMOS.lineBreak]),
    );
  });

  it('changed nothing in the ledger', async () => {
    expect(await lastPosition()).toBe(events.length);
    const verify = await runCliRaw(database, ['verify']);
    expect(verify.code).toBe(0);
    expect(await cliExport(database)).toEqual(exported);
  });

  it('never hit a page error, console error or CSP violation', () => {
    expect(problems).toEqual([]);
  });

  /** The time-travel table against balances replayed here from the CLI's events. */
  async function expectBalances(replayed: readonly CliEvent[]) {
    const expected = balancesAfter(replayed);
    const table = page.getByTestId('as-of-table');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(expected.size);
    for (const [account, { minor, closed }] of expected) {
      const cells = await page.getByTestId(`as-of-row-${account}`).getByRole('cell').allInnerTexts();
      expect(cells[0]).toBe(account);
      expect(cells[1]).toBe(ownerOf(account));
      expect(cells[2]).toBe('EUR');
      expect(cells[3], account).toBe(euro(minor));
      expect(cells[4]).toBe(closed ? 'Closed' : 'Open');
    }
  }
});
