/** Test support: Chromium for the end-to-end tests (Debian's system Chromium when present). */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { REPOSITORY_ROOT } from './preview-host';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export const VIEWPORT = { width: 1280, height: 800 } as const;

/**
 * A page that records what must never happen: uncaught errors, console errors and
 * Content-Security-Policy violations. Tests assert these lists are empty at the end.
 */
export async function openPage(browser: Browser): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US', timezoneId: 'UTC' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  await context.exposeFunction('__reportCspViolation', (text: string) => problems.push(`CSP violation: ${text}`));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { __reportCspViolation(text: string): void }).__reportCspViolation(
        `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`,
      );
    });
  });
  return { page, problems };
}

export const SCREENSHOT_FOLDER = join(REPOSITORY_ROOT, 'test-results', 'screenshots');
const DOCS_SCREENSHOT_FOLDER = join(REPOSITORY_ROOT, 'docs', 'screenshots');

/**
 * Saves a screenshot as a test artifact (test-results/screenshots/NAME.png). With
 * UPDATE_DOCS_SCREENSHOTS=1 it also refreshes docs/screenshots/NAME.png for the README, so a
 * normal test run leaves the committed images alone.
 */
export async function saveScreenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOT_FOLDER, { recursive: true });
  const path = join(SCREENSHOT_FOLDER, `${name}.png`);
  // Let entrance transitions and the chart's width measurement settle before the picture.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  await page.screenshot({ path, fullPage: options.fullPage ?? false, animations: 'disabled', caret: 'hide' });
  if (process.env.UPDATE_DOCS_SCREENSHOTS === '1') {
    mkdirSync(DOCS_SCREENSHOT_FOLDER, { recursive: true });
    copyFileSync(path, join(DOCS_SCREENSHOT_FOLDER, `${name}.png`));
  }
  return path;
}

/** The text a control's aria-describedby points at — its accessible description — or undefined. */
export async function describedBy(control: Locator): Promise<string | undefined> {
  const ids = await control.getAttribute('aria-describedby');
  if (!ids) return undefined;
  const notes = ids.split(/\s+/).map((id) => control.page().locator(`[id="${id}"]`).innerText());
  return (await Promise.all(notes)).join(' ');
}
