/**
 * A tampered ledger on the Accounts screen: once the host's verification finds the broken
 * chain, the accounts whose balance rests on an event from the break on, and the totals of
 * their currency, say "Unverified" in words; the others do not.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { saveScreenshot } from './support/browser';
import { applyLines } from './support/audit-ledger';
import { forgeAmount } from '../reliability/helpers';
import { previewSuite } from './support/preview-session';

/** The deposit whose amount is edited behind the app's back. */
const TAMPERED_POSITION = 4;

const COMMANDS = [
  { command: 'open', account: 'ACC-1', owner: 'Alice Martin', currency: 'EUR', initial: '100.00' },
  { command: 'open', account: 'ACC-2', owner: 'Bob Stone', currency: 'EUR', initial: '20.00' },
  { command: 'open', account: 'ACC-3', owner: 'Chris Doe', currency: 'USD', initial: '5.00' },
  { command: 'deposit', account: 'ACC-1', amount: '25.00' },
  { command: 'deposit', account: 'ACC-1', amount: '1.00' },
];

describe('a tampered ledger on the Accounts screen', () => {
  const session = previewSuite('ledger-e2e-unverified', 'tampered.db', {
    seed: async () => {
      await applyLines(session.database, session.folder, 'seed.jsonl', COMMANDS);
      forgeAmount(session.database, TAMPERED_POSITION, 2_500_000);
    },
  });

  beforeAll(async () => {
    await session.page.setViewportSize({ width: 1366, height: 850 });
  });

  it('marks the accounts the break touches and their currency’s total as unverified, in words', async () => {
    await session.page.goto(session.host.url);
    const note = session.page.getByTestId('unverified-note');
    await note.waitFor({ timeout: 15_000 });
    expect(await note.innerText()).toContain(`the hash chain is broken at position ${TAMPERED_POSITION}`);

    const touched = session.page.getByTestId('account-row-ACC-1');
    await expect.poll(() => touched.innerText()).toContain('Unverified');
    // The forged amount is what the projection holds: shown, but flagged.
    expect(await touched.innerText()).toContain('€25,101.00');
    expect(await session.page.getByTestId('account-row-ACC-2').innerText()).not.toContain('Unverified');
    expect(await session.page.getByTestId('account-row-ACC-3').innerText()).not.toContain('Unverified');

    expect(await session.page.getByTestId('total-EUR').innerText()).toContain('Unverified');
    expect(await session.page.getByTestId('total-USD').innerText()).not.toContain('Unverified');
    await saveScreenshot(session.page, 'accounts-unverified');
  });

  it('marks the balance on the Account page of an account the break touches, and only there', async () => {
    await session.page.goto(`${session.host.url}#/account/ACC-1`);
    await session.page.getByRole('heading', { name: 'Alice Martin' }).waitFor();
    const block = session.page.getByTestId('account-balance').locator('xpath=..');
    await expect.poll(() => block.innerText()).toContain('Unverified');
    await saveScreenshot(session.page, 'account-unverified');
    await session.page.goto(`${session.host.url}#/account/ACC-2`);
    await session.page.getByRole('heading', { name: 'Bob Stone' }).waitFor();
    await session.page.waitForTimeout(500);
    expect(await session.page.getByTestId('account-balance').locator('xpath=..').innerText()).not.toContain('Unverified');
  });

  it('never hit a page error, console error or CSP violation', () => {
    expect(session.problems).toEqual([]);
  });
});
