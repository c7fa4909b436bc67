/**
 * Signed history on the audit screen (issue 14.6), in Chromium through the preview host on the
 * real engine, with the preview's own key file in the test's folder: "Seal now" shows the seal
 * (size, time, key fingerprint); an event's "Save inclusion proof…" writes a proof, and "Verify
 * a file…" on it says verified, with the fingerprint, against the public key typed in; a
 * tampered proof and a proof checked against another key each say why they fail. Keyboard
 * only where a person would use it; 800 px and dark mode without sideways scrolling.
 * Screenshots: audit-seal (the integrity panel with a seal) and verify-file (a verdict).
 */
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint } from '#engine/store/head-checkpoint';
import { saveScreenshot } from './support/browser';
import { applyLines } from './support/audit-ledger';
import { callApi } from './support/preview-host';
import { previewSuite } from './support/preview-session';

const COMMANDS = [
  { command: 'open', account: 'ACC-1', owner: 'Alice Martin', currency: 'EUR', initial: '1000.00' },
  { command: 'open', account: 'ACC-2', owner: 'Bob Stone', currency: 'EUR' },
  { command: 'deposit', account: 'ACC-1', amount: '250.00', memo: 'Salary' },
  { command: 'transfer', from: 'ACC-1', to: 'ACC-2', amount: '75.50', memo: 'Rent share' },
  { command: 'withdraw', account: 'ACC-1', amount: '20.00', memo: 'Cash' },
];
const EVENTS = 6;

describe('signed history on the audit screen', () => {
  const session = previewSuite('ledger-e2e-seal', 'seal.db', {
    seed: async () => {
      await applyLines(session.database, session.folder, 'seed.jsonl', COMMANDS);
    },
    hostArguments: (folder) => ['--export-dir', join(folder, 'exports'), '--key-file', join(folder, 'keys', 'signing-key.pem')],
  });
  const exports = () => join(session.folder, 'exports');
  const panel = () => session.page.getByTestId('seal-status');
  const sidewaysScroll = () => session.page.evaluate(() => document.scrollingElement!.scrollWidth - document.scrollingElement!.clientWidth);
  let fingerprint = '';
  let publicKey = '';

  it('says the ledger is not sealed yet, then "Seal now" shows the seal: size, time and key fingerprint', async () => {
    const { page } = session;
    await page.goto(`${session.host.url}#/audit`);
    await panel().getByTestId('seal-headline').getByText('Not sealed yet').waitFor();
    await page.getByTestId('integrity-status').getByText(`Chain verified through position ${EVENTS}`).waitFor();

    await panel().getByRole('button', { name: 'Seal now' }).click();
    await panel().getByTestId('seal-message').getByText(`Sealed at ${EVENTS} events.`).waitFor();
    await expect.poll(() => panel().getByTestId('seal-headline').innerText()).toMatch(new RegExp(`^Sealed at ${EVENTS} events on `));
    const status = (await callApi(session.host, 'latestSeal')).json.value;
    ({ fingerprint, publicKey } = status.key);
    expect(status.seal).toMatchObject({ treeSize: EVENTS, fingerprint });
    expect(await panel().getByTestId('seal-fingerprint').innerText()).toBe(fingerprint);
    expect(await panel().innerText()).toContain('Signed by your key');
    expect(await panel().innerText()).toContain('Every recorded event is sealed.');
    expect(await panel().getByTestId('own-public-key').innerText()).toBe(publicKey);
    // The time is the seal's, as every screen writes a moment.
    expect(await panel().locator('time').getAttribute('datetime')).toBe(status.seal.signedAt);
    // The key is the preview's own file, made 0600 on the first seal.
    expect(statSync(join(session.folder, 'keys', 'signing-key.pem')).mode & 0o777).toBe(0o600);
    // The pointer off the button, so the picture shows it at rest.
    await page.mouse.move(0, 0);
    await saveScreenshot(page, 'audit-seal');

    // A new event is counted as not sealed yet, until the next seal.
    await callApi(session.host, 'deposit', { account: 'ACC-2', amount: '1.00' });
    await panel().getByText('1 event recorded since is not sealed yet.').waitFor();
    expect(session.problems).toEqual([]);
  });

  it("saves an event's inclusion proof from its details, sealing first when no seal covers it", async () => {
    const { page } = session;
    await page
      .getByTestId('audit-list')
      .locator(`[data-position="${EVENTS + 1}"]`)
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Save inclusion proof…' }).click();
    const message = dialog.getByTestId('proof-message');
    await message.getByText('No seal covered it yet, so the ledger was sealed first.').waitFor();
    const text = await message.innerText();
    expect(text).toContain(`event #${EVENTS + 1} in the ledger of ${EVENTS + 1} events sealed by key ${fingerprint}`);
    expect(readdirSync(exports())).toEqual([`ledger-event-${EVENTS + 1}-proof.json`]);
    // The panel behind says so too: a seal does not grow the log, so the page itself asks again.
    await panel()
      .getByTestId('seal-headline')
      .getByText(`Sealed at ${EVENTS + 1} events`)
      .waitFor();
    expect(await panel().innerText()).toContain('Every recorded event is sealed.');
    expect(await panel().getByTestId('seal-message').innerText()).toBe('');

    // Another event: covered by that seal, so no new one.
    await page.keyboard.press('Escape');
    await page.getByTestId('audit-list').locator('[data-position="4"]').click();
    await dialog.getByRole('button', { name: 'Save inclusion proof…' }).click();
    await message.getByText('event #4 in the ledger of 7 events').waitFor();
    expect(await message.innerText()).not.toContain('sealed first');
    await message.scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'audit-detail-proof');
    await page.keyboard.press('Escape');
    expect(readdirSync(exports()).sort()).toEqual(['ledger-event-4-proof.json', `ledger-event-${EVENTS + 1}-proof.json`]);
    expect(session.problems).toEqual([]);
  });

  it('"Verify a file…" on the proof says verified, against the key typed in, with its fingerprint', async () => {
    const { page } = session;
    await panel().getByRole('button', { name: 'Verify a file…' }).click();
    const verify = page.getByTestId('verify-file');
    const key = verify.getByLabel('Public key you were given (optional)');
    // The field has the focus: the key is typed (pasted) straight in, with a stray line break.
    await expect.poll(() => key.evaluate((element) => element === document.activeElement)).toBe(true);
    await page.keyboard.insertText(`${publicKey}\n`);
    await page.keyboard.press('Enter');
    const verdict = page.getByTestId('verify-verdict');
    await verdict.getByText('Verified: event #4 is in the ledger of 7 events sealed by the key you gave.').waitFor();
    expect(await verdict.getByTestId('verdict-fingerprint').innerText()).toBe(fingerprint);
    expect(await verdict.innerText()).toContain('your own key');
    expect(await verdict.innerText()).toContain(join(exports(), 'ledger-event-4-proof.json'));
    expect(await verdict.locator('li.passed').count()).toBe(5);
    await verdict.scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'verify-file');
    expect(session.problems).toEqual([]);
  });

  it('a tampered proof, and the proof under another key, say why they fail', async () => {
    const { page } = session;
    const verify = page.getByTestId('verify-file');
    const verdict = page.getByTestId('verify-verdict');
    const proof = JSON.parse(readFileSync(join(exports(), 'ledger-event-4-proof.json'), 'utf8'));
    expect(proof.eventLine).toContain('"amountMinor":7550');
    const tampered = join(exports(), 'tampered-proof.json');
    writeFileSync(
      tampered,
      `${JSON.stringify({ ...proof, eventLine: proof.eventLine.replace('"amountMinor":7550', '"amountMinor":755') }, null, 2)}\n`,
    );
    // The preview checks the newest file where its exports go.
    const later = new Date(Date.now() + 60_000);
    utimesSync(tampered, later, later);

    await verify.getByRole('button', { name: 'Choose a file and verify' }).click();
    await verdict.getByText('Not verified: the inclusion proof does not hold.').waitFor();
    const text = await verdict.innerText();
    expect(text).toContain('the stored hash of the event at position 4 does not match its content');
    expect(text).toContain(tampered);
    expect(await verdict.locator('li.failed').allInnerTexts()).toEqual([expect.stringContaining('The event line')]);
    await saveScreenshot(page, 'verify-file-tampered');

    // The untouched proof, held to a key that did not sign it.
    utimesSync(tampered, new Date(0), new Date(0));
    const other = 'GbLPlYRV+Jn5mjRS1xS9ZnaAXrWVACeSiKcIlqZtkdI=';
    await verify.getByLabel('Public key you were given (optional)').fill(other);
    await verify.getByRole('button', { name: 'Choose a file and verify' }).click();
    await verdict.getByText(/^Not verified/).waitFor();
    expect(await verdict.innerText()).toContain(
      `signed by key ${fingerprint}, not by the expected key SHA256:/SfR2S03KCIMtx8521sjWwzscm/BRLSjE+jJ4VrbNw4`,
    );

    // A key that is not one is said at the field, and nothing is asked of the host.
    await verify.getByLabel('Public key you were given (optional)').fill('not-a-key');
    expect(await verify.getByText('A public key is 44 characters of base64').isVisible()).toBe(true);
    await verify.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Verify a file…');
    expect(session.problems).toEqual([]);
  });

  it('"Export JSON Lines" seals the export with the same key and says so; a CSV carries none', async () => {
    const { page } = session;
    await callApi(session.host, 'deposit', { account: 'ACC-2', amount: '2.00' });
    await page.getByRole('button', { name: 'Export JSON Lines' }).click();
    const message = page.getByTestId('export-message');
    await message.getByText(`sealed by key ${fingerprint}`).waitFor();
    await panel()
      .getByTestId('seal-headline')
      .getByText(`Sealed at ${EVENTS + 2} events`)
      .waitFor();
    await page.getByRole('button', { name: 'Export CSV' }).click();
    await expect.poll(() => message.innerText()).toMatch(/^Exported \d+ events to \S+\.csv$/);
    expect(session.problems).toEqual([]);
  });

  it('a preview host started once its key exists writes head checkpoints that are seals by it', async () => {
    // The page leaves first: the old host's address stops answering.
    await session.page.goto('about:blank');
    await session.restartHost();
    await callApi(session.host, 'deposit', { account: 'ACC-2', amount: '3.00' });
    const lastPosition = (await callApi(session.host, 'ledgerInfo')).json.value.lastPosition as number;
    await expect
      .poll(() => readCheckpoint(session.database), { timeout: 10_000 })
      .toMatchObject({ position: lastPosition, seal: { treeSize: lastPosition, publicKey } });
    await session.page.goto(`${session.host.url}#/audit`);
  });

  it('fits 800 px and dark mode without sideways scrolling', async () => {
    const { page } = session;
    await page.setViewportSize({ width: 800, height: 600 });
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      await panel().getByRole('button', { name: 'Verify a file…' }).click();
      await page.getByTestId('verify-file').getByRole('button', { name: 'Choose a file and verify' }).click();
      await page
        .getByTestId('verify-verdict')
        .getByText(/^Verified|^Not verified/)
        .waitFor();
      expect(await sidewaysScroll()).toBeLessThanOrEqual(0);
      // Dark mode: the panel's text is light on a dark card.
      const color = await panel().evaluate((element) => getComputedStyle(element).color);
      const [red, green, blue] = color.match(/\d+/g)!.map(Number);
      expect((red! + green! + blue!) / 3, color).toBeGreaterThan(160);
      await page.getByTestId('integrity-status').scrollIntoViewIfNeeded();
      await saveScreenshot(page, 'audit-seal-800-dark');
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 1280, height: 800 });
    }
    expect(session.problems).toEqual([]);
  });
});
