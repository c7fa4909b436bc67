/**
 * What most end-to-end files open before their tests and close after them: the preview host
 * on a ledger file, Chromium, and one page that records problems (see openPage).
 */
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage } from './browser';
import { startPreviewHost, type PreviewHost } from './preview-host';

export type PreviewSession = { host: PreviewHost; browser: Browser; page: Page; problems: string[] };

export async function openPreviewSession(database: string, hostArguments: readonly string[] = []): Promise<PreviewSession> {
  const host = await startPreviewHost(database, hostArguments);
  const browser = await launchBrowser();
  const { page, problems } = await openPage(browser);
  return { host, browser, page, problems };
}

/** Closes the browser, then the host; either may be missing when the setup failed half-way. */
export async function closePreviewSession(session: { browser?: Browser; host?: PreviewHost }): Promise<void> {
  await session.browser?.close();
  await session.host?.stop();
}
