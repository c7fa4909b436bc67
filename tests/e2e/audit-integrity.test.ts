/**
 * A ledger whose file was edited behind the app's back (a payload changed through a second
 * SQLite connection after dropping the immutability trigger), opened by the preview host,
 * which verifies the chain in the background as the app does. The audit screen names the
 * first bad position and why, every screen carries the read-only banner, commands are refused,
 * and nothing is repaired: the evidence stays, and can be exported for review.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveScreenshot } from './support/browser';
import { forgeAmount } from '../reliability/helpers';
import { previewSuite } from './support/preview-session';
import { applyLines, cliEvents, runCliRaw } from './support/audit-ledger';
import { callApi } from './support/preview-host';

/** The event whose payload is edited. */
const TAMPERED_POSITION = 3;

const COMMANDS = [
  { command: 'open', account: 'ACC-1', owner: 'Alice Martin', currency: 'EUR', initial: '100.00' },
  { command: 'open', account: 'ACC-2', owner: 'Bob Stone', currency: 'EUR' },
  { command: 'deposit', account: 'ACC-1', amount: '25.00', memo: 'Refund' },
  { command: 'deposit', account: 'ACC-2', amount: '10.00' },
  { command: 'transfer', from: 'ACC-1', to: 'ACC-2', amount: '5.00' },
];

describe('a tampered ledger on the audit screen', () => {
  const session = previewSuite('ledger-e2e-tampered', 'tampered.db', {
    seed: async () => {
      await applyLines(session.database, session.folder, 'seed.jsonl', COMMANDS);
      total = (await cliEvents(session.database)).length;
      forgeAmount(session.database, TAMPERED_POSITION, 2_500_000);
      const verified = await runCliRaw(session.database, ['verify']);
      expect(verified.code).toBe(3);
      verifyReport = JSON.parse(verified.stdout) as typeof verifyReport;
      expect(verifyReport.firstBadPosition).toBe(TAMPERED_POSITION);
    },
    hostArguments: () => ['--export-dir', exportFolder],
  });
  const exportFolder = join(session.folder, 'exports');
  let total: number;
  let verifyReport: { ok: boolean; firstBadPosition: number; reason: string };

  it('names the first bad position and why, and shows the read-only banner', async () => {
    await session.page.goto(`${session.host.url}#/audit`);
    const status = session.page.getByTestId('integrity-status');
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 15_000 }).toBe('failed');
    const text = await status.innerText();
    expect(text).toContain(`Integrity failure at position ${TAMPERED_POSITION}: ${verifyReport.reason}`);
    expect(text).toContain('not repaired');

    const banner = session.page.getByTestId('read-only-banner');
    await banner.waitFor();
    const bannerText = (await banner.innerText()).replace(/\s+/g, ' ');
    expect(bannerText).toContain('This ledger is read-only:');
    expect(bannerText).toContain(`position ${TAMPERED_POSITION}`);
    expect(bannerText).toContain('Nothing can be recorded; export it for review.');
    expect((await callApi(session.host, 'ledgerInfo')).json.value).toMatchObject({ readOnly: true });

    // The list marks the event where the chain breaks.
    const bad = session.page.getByTestId('audit-list').locator(`[data-position="${TAMPERED_POSITION}"]`);
    await expect.poll(() => bad.getAttribute('class')).toContain('tampered');
    expect(await session.page.getByTestId('audit-list').locator('.tampered').count()).toBe(1);
    await saveScreenshot(session.page, 'audit-integrity-failure');

    // Its details say so, and show the payload as the file holds it now.
    await bad.click();
    const dialog = session.page.getByRole('dialog');
    await dialog.getByText('The hash chain breaks at this event').waitFor();
    expect(JSON.parse(await dialog.getByTestId('stored-payload').innerText())).toMatchObject({ amountMinor: 2_500_000 });
    await session.page.keyboard.press('Escape');
  });

  it('keeps the banner on every screen and disables the forms, saying why', async () => {
    await session.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    await session.page.getByRole('heading', { name: 'Accounts' }).waitFor();
    await session.page.getByTestId('read-only-banner').waitFor();
    expect(await session.page.getByRole('button', { name: 'Open account' }).isDisabled()).toBe(true);

    await session.page.getByRole('link', { name: 'Alice Martin' }).click();
    await session.page.getByRole('heading', { name: 'Alice Martin' }).waitFor();
    await session.page.getByTestId('read-only-banner').waitFor();
    const deposit = session.page.getByRole('button', { name: 'Deposit', exact: true });
    expect(await deposit.isDisabled()).toBe(true);
    expect(await session.page.getByTestId('read-only-note').first().innerText()).toContain('read-only');
    // Nothing can be reversed either: the history offers no "Reverse…".
    await session.page.getByTestId('history').getByText('Refund').waitFor();
    expect(
      await session.page
        .getByTestId('history')
        .getByRole('button', { name: /^Reverse / })
        .count(),
    ).toBe(0);
    await saveScreenshot(session.page, 'read-only-account');
  });

  it('refuses a deposit with INTEGRITY and records nothing', async () => {
    const refused = await callApi(session.host, 'deposit', { account: 'ACC-1', amount: '1.00' });
    expect(refused.json.ok).toBe(false);
    expect(refused.json.error.code).toBe('INTEGRITY');
    expect((await callApi(session.host, 'ledgerInfo')).json.value.lastPosition).toBe(total);
  });

  it('repairs nothing: verification still fails at the same position', async () => {
    const verified = await runCliRaw(session.database, ['verify']);
    expect(verified.code).toBe(3);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: false, firstBadPosition: TAMPERED_POSITION });
  });

  it('still exports the log for review, evidence included', async () => {
    await session.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await session.page.getByRole('button', { name: 'Export JSON Lines' }).click();
    const message = session.page.getByTestId('export-message');
    await expect.poll(() => message.innerText()).toContain(`Exported ${total} events to`);
    const path = (await message.locator('code').innerText()).trim();
    const checked = await runCliRaw(session.database, ['verify', '--file', path]);
    expect(checked.code).toBe(3);
    // The export is line-numbered: event lines start at line 1 with position 1.
    expect(JSON.parse(checked.stdout)).toMatchObject({ ok: false, firstBadLine: TAMPERED_POSITION });
  });

  it('never hit a page error, console error or CSP violation', () => {
    expect(session.problems).toEqual([]);
  });
});
