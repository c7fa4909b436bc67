/**
 * A tampered ledger on the Accounts screen: once the host's verification finds the broken
 * chain, the accounts whose balance rests on an event from the break on, and the totals of
 * their currency, say "Unverified" in words; the others do not.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveScreenshot } from './support/browser';
import { runCliRaw } from './support/audit-ledger';
import { closePreviewSession, openPreviewSession } from './support/preview-session';
import { temporaryFolder, type PreviewHost } from './support/preview-host';

/** The deposit whose amount is edited behind the app's back. */
const TAMPERED_POSITION = 4;

const COMMANDS = [
  { command: 'open', account: 'ACC-1', owner: 'Alice Martin', currency: 'EUR', initial: '100.00' },
  { command: 'open', account: 'ACC-2', owner: 'Bob Stone', currency: 'EUR', initial: '20.00' },
  { command: 'open', account: 'ACC-3', owner: 'Chris Doe', currency: 'USD', initial: '5.00' },
  { command: 'deposit', account: 'ACC-1', amount: '25.00' },
  { command: 'deposit', account: 'ACC-1', amount: '1.00' },
];

/** Rewrites one payload with the update trigger dropped, then puts it back, as a forger would. */
function tamper(path: string): void {
  const db = new Database(path);
  try {
    const triggers = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'").pluck().all() as string[];
    db.transaction(() => {
      db.exec('DROP TRIGGER events_refuse_update');
      db.prepare("UPDATE events SET data = json_set(data, '$.amountMinor', 2500000) WHERE position = ?").run(TAMPERED_POSITION);
      for (const sql of triggers) if (sql.includes('events_refuse_update')) db.exec(sql);
    })();
  } finally {
    db.close();
  }
}

describe('a tampered ledger on the Accounts screen', () => {
  const temporary = temporaryFolder('ledger-e2e-unverified');
  const database = join(temporary.folder, 'tampered.db');
  let host: PreviewHost;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    const file = join(temporary.folder, 'seed.jsonl');
    writeFileSync(file, `${COMMANDS.map((command) => JSON.stringify(command)).join('\n')}\n`);
    const applied = await runCliRaw(database, ['apply', '--file', file]);
    if (applied.code !== 0) throw new Error(applied.stdout + applied.stderr);
    tamper(database);
    ({ host, browser, page, problems } = await openPreviewSession(database));
    await page.setViewportSize({ width: 1366, height: 850 });
  });

  afterAll(async () => {
    await closePreviewSession({ browser, host });
    temporary.remove();
  });

  it('marks the accounts the break touches and their currency’s total as unverified, in words', async () => {
    await page.goto(host.url);
    const note = page.getByTestId('unverified-note');
    await note.waitFor({ timeout: 15_000 });
    expect(await note.innerText()).toContain(`the hash chain is broken at position ${TAMPERED_POSITION}`);

    const touched = page.getByTestId('account-row-ACC-1');
    await expect.poll(() => touched.innerText()).toContain('Unverified');
    // The forged amount is what the projection holds: shown, but flagged.
    expect(await touched.innerText()).toContain('€25,101.00');
    expect(await page.getByTestId('account-row-ACC-2').innerText()).not.toContain('Unverified');
    expect(await page.getByTestId('account-row-ACC-3').innerText()).not.toContain('Unverified');

    expect(await page.getByTestId('total-EUR').innerText()).toContain('Unverified');
    expect(await page.getByTestId('total-USD').innerText()).not.toContain('Unverified');
    await saveScreenshot(page, 'accounts-unverified');
  });

  it('marks the balance on the Account page of an account the break touches, and only there', async () => {
    await page.goto(`${host.url}#/account/ACC-1`);
    await page.getByRole('heading', { name: 'Alice Martin' }).waitFor();
    const block = page.getByTestId('account-balance').locator('xpath=..');
    await expect.poll(() => block.innerText()).toContain('Unverified');
    await saveScreenshot(page, 'account-unverified');
    await page.goto(`${host.url}#/account/ACC-2`);
    await page.getByRole('heading', { name: 'Bob Stone' }).waitFor();
    await page.waitForTimeout(500);
    expect(await page.getByTestId('account-balance').locator('xpath=..').innerText()).not.toContain('Unverified');
  });

  it('never hit a page error, console error or CSP violation', () => {
    expect(problems).toEqual([]);
  });
});
