/**
 * A ledger whose file was edited behind the app's back (a payload changed through a second
 * SQLite connection after dropping the immutability trigger), opened by the preview host,
 * which verifies the chain in the background as the app does. The audit screen names the
 * first bad position and why, every screen carries the read-only banner, commands are refused,
 * and nothing is repaired: the evidence stays, and can be exported for review.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveScreenshot } from './support/browser';
import { closePreviewSession, openPreviewSession } from './support/preview-session';
import { cliEvents, runCliRaw } from './support/audit-ledger';
import { callApi, temporaryFolder, type PreviewHost } from './support/preview-host';
import { writeFileSync } from 'node:fs';

/** The event whose payload is edited. */
const TAMPERED_POSITION = 3;

const COMMANDS = [
  { command: 'open', account: 'ACC-1', owner: 'Alice Martin', currency: 'EUR', initial: '100.00' },
  { command: 'open', account: 'ACC-2', owner: 'Bob Stone', currency: 'EUR' },
  { command: 'deposit', account: 'ACC-1', amount: '25.00', memo: 'Refund' },
  { command: 'deposit', account: 'ACC-2', amount: '10.00' },
  { command: 'transfer', from: 'ACC-1', to: 'ACC-2', amount: '5.00' },
];

/** Rewrites one payload with the triggers dropped, then puts the triggers back, as a forger would. */
function tamper(path: string, position: number): void {
  const db = new Database(path);
  try {
    const triggers = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'").pluck().all() as string[];
    db.transaction(() => {
      db.exec('DROP TRIGGER events_refuse_update');
      const data = JSON.parse(db.prepare('SELECT data FROM events WHERE position = ?').pluck().get(position) as string) as {
        amountMinor: number;
      };
      data.amountMinor = 2_500_000;
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify(data), position);
      for (const sql of triggers) if (sql.includes('events_refuse_update')) db.exec(sql);
    })();
  } finally {
    db.close();
  }
}

describe('a tampered ledger on the audit screen', () => {
  const temporary = temporaryFolder('ledger-e2e-tampered');
  const database = join(temporary.folder, 'tampered.db');
  const exportFolder = join(temporary.folder, 'exports');
  let host: PreviewHost;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let total: number;
  let verifyReport: { ok: boolean; firstBadPosition: number; reason: string };

  beforeAll(async () => {
    const file = join(temporary.folder, 'seed.jsonl');
    writeFileSync(file, `${COMMANDS.map((command) => JSON.stringify(command)).join('\n')}\n`);
    const applied = await runCliRaw(database, ['apply', '--file', file]);
    if (applied.code !== 0) throw new Error(applied.stdout + applied.stderr);
    total = (await cliEvents(database)).length;
    tamper(database, TAMPERED_POSITION);
    const verified = await runCliRaw(database, ['verify']);
    expect(verified.code).toBe(3);
    verifyReport = JSON.parse(verified.stdout) as typeof verifyReport;
    expect(verifyReport.firstBadPosition).toBe(TAMPERED_POSITION);
    ({ host, browser, page, problems } = await openPreviewSession(database, ['--export-dir', exportFolder]));
  });

  afterAll(async () => {
    await closePreviewSession({ browser, host });
    temporary.remove();
  });

  it('names the first bad position and why, and shows the read-only banner', async () => {
    await page.goto(`${host.url}#/audit`);
    const status = page.getByTestId('integrity-status');
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 15_000 }).toBe('failed');
    const text = await status.innerText();
    expect(text).toContain(`Integrity failure at position ${TAMPERED_POSITION}: ${verifyReport.reason}`);
    expect(text).toContain('not repaired');

    const banner = page.getByTestId('read-only-banner');
    await banner.waitFor();
    const bannerText = (await banner.innerText()).replace(/\s+/g, ' ');
    expect(bannerText).toContain('This ledger is read-only:');
    expect(bannerText).toContain(`position ${TAMPERED_POSITION}`);
    expect(bannerText).toContain('Nothing can be recorded; export it for review.');
    expect((await callApi(host, 'ledgerInfo')).json.value).toMatchObject({ readOnly: true });

    // The list marks the event where the chain breaks.
    const bad = page.getByTestId('audit-list').locator(`[data-position="${TAMPERED_POSITION}"]`);
    await expect.poll(() => bad.getAttribute('class')).toContain('tampered');
    expect(await page.getByTestId('audit-list').locator('.tampered').count()).toBe(1);
    await saveScreenshot(page, 'audit-integrity-failure');

    // Its details say so, and show the payload as the file holds it now.
    await bad.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('The hash chain breaks at this event').waitFor();
    expect(JSON.parse(await dialog.getByTestId('stored-payload').innerText())).toMatchObject({ amountMinor: 2_500_000 });
    await page.keyboard.press('Escape');
  });

  it('keeps the banner on every screen and disables the forms, saying why', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('heading', { name: 'Accounts' }).waitFor();
    await page.getByTestId('read-only-banner').waitFor();
    expect(await page.getByRole('button', { name: 'Open account' }).isDisabled()).toBe(true);

    await page.getByRole('link', { name: 'Alice Martin' }).click();
    await page.getByRole('heading', { name: 'Alice Martin' }).waitFor();
    await page.getByTestId('read-only-banner').waitFor();
    const deposit = page.getByRole('button', { name: 'Deposit', exact: true });
    expect(await deposit.isDisabled()).toBe(true);
    expect(await page.getByTestId('read-only-note').first().innerText()).toContain('read-only');
    await saveScreenshot(page, 'read-only-account');
  });

  it('refuses a deposit with INTEGRITY and records nothing', async () => {
    const refused = await callApi(host, 'deposit', { account: 'ACC-1', amount: '1.00' });
    expect(refused.json.ok).toBe(false);
    expect(refused.json.error.code).toBe('INTEGRITY');
    expect((await callApi(host, 'ledgerInfo')).json.value.lastPosition).toBe(total);
  });

  it('repairs nothing: verification still fails at the same position', async () => {
    const verified = await runCliRaw(database, ['verify']);
    expect(verified.code).toBe(3);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: false, firstBadPosition: TAMPERED_POSITION });
  });

  it('still exports the log for review, evidence included', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('button', { name: 'Export JSON Lines' }).click();
    const message = page.getByTestId('export-message');
    await expect.poll(() => message.innerText()).toContain(`Exported ${total} events to`);
    const path = (await message.locator('code').innerText()).trim();
    const checked = await runCliRaw(database, ['verify', '--file', path]);
    expect(checked.code).toBe(3);
    // The export is line-numbered: event lines start at line 1 with position 1.
    expect(JSON.parse(checked.stdout)).toMatchObject({ ok: false, firstBadLine: TAMPERED_POSITION });
  });

  it('never hit a page error, console error or CSP violation', () => {
    expect(problems).toEqual([]);
  });
});
