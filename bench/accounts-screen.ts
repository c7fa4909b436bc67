/**
 * The Accounts screen as a person meets it: the preview host on a ledger of N accounts
 * (10,000 by default) and Chromium, timed from navigation to the first account row in the
 * DOM. Each load is a fresh browser context (nothing cached); the first one also finds the
 * host's list cold (its sorted rows are built on the first request). The slowest is the figure.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { openAccounts } from './account-list';
import { atMost, type Figure } from './figures';

const PROJECT_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const URL_LINE = /^Ledger preview: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)$/m;
const LOADS = 5;

/** Starts the preview host on `path`; answers its address and the function that stops it. */
async function startPreview(path: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(PROJECT_ROOT, 'electron/hosts/preview/serve.ts'), '--db', path, '--port', '0'],
    {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LEDGER_DB: '' },
    },
  );
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const url = await new Promise<string>((done, fail) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = URL_LINE.exec(stdout);
      if (match) done(match[1]!);
    });
    child.once('exit', (code) => fail(new Error(`the preview host exited with ${code} before printing its address:\n${stderr}`)));
  });
  return { url, stop };
}

export async function measureAccountsScreen(folder: string, accounts: number, log: (message: string) => void): Promise<Figure[]> {
  const path = join(folder, 'accounts-screen.db');
  openAccounts(path, accounts);
  const preview = await startPreview(path);
  const browser = await chromium.launch({
    executablePath: existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  try {
    const loads: number[] = [];
    for (let load = 0; load < LOADS; load++) {
      const context = await browser.newContext({ viewport: { width: 1366, height: 850 } });
      const page = await context.newPage();
      const started = performance.now();
      await page.goto(preview.url, { waitUntil: 'commit' });
      await page.locator('[data-testid^="account-row-"]').first().waitFor({ timeout: 60_000 });
      const ms = performance.now() - started;
      await context.close();
      loads.push(ms);
    }
    log(
      `accounts screen at ${accounts.toLocaleString('en-US')} accounts: first rows after ${loads.map((ms) => ms.toFixed(0)).join(' / ')} ms`,
    );
    return [
      atMost(
        `accounts screen: first rows in the preview (${accounts.toLocaleString('en-US')} accounts), slowest of ${LOADS}`,
        Math.max(...loads),
        'ms',
        1000,
      ),
    ];
  } finally {
    await browser.close();
    await preview.stop();
  }
}
