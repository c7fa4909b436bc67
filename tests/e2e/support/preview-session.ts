/**
 * What most end-to-end files open before their tests and close after them: the preview host
 * on a ledger file, Chromium, and one page that records problems (see openPage).
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser, openPage } from './browser';
import { startPreviewHost, temporaryFolder, type PreviewHost } from './preview-host';

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

export type PreviewSuite = PreviewSession & {
  /** Stops the host and starts a new one on the same ledger, with the same arguments; the page stays. */
  restartHost(): Promise<void>;
  /** The temporary folder holding the ledger (removed after the suite). */
  readonly folder: string;
  readonly database: string;
};

/**
 * The usual set-up of one describe block, registered as its beforeAll and afterAll: a
 * temporary folder holding the ledger file `fileName`, `seed` run on it, then the preview host
 * and Chromium opened on it; after the suite both are closed and the folder is removed.
 * `host`, `browser`, `page` and `problems` are there once the beforeAll has run (read them
 * inside hooks and tests, never at collection).
 */
export function previewSuite(
  prefix: string,
  fileName: string,
  options: {
    seed?: (database: string, folder: string) => unknown;
    hostArguments?: (folder: string) => readonly string[];
    /** The beforeAll's time limit in milliseconds (vitest's default unless told). */
    timeout?: number;
  } = {},
): PreviewSuite {
  const temporary = temporaryFolder(prefix);
  const database = join(temporary.folder, fileName);
  let session: PreviewSession | undefined;
  const hostArguments = () => options.hostArguments?.(temporary.folder) ?? [];
  const open = (): PreviewSession => {
    if (!session) throw new Error('The preview session is not open: its beforeAll failed or has not run yet.');
    return session;
  };
  beforeAll(async () => {
    await options.seed?.(database, temporary.folder);
    session = await openPreviewSession(database, hostArguments());
  }, options.timeout);
  afterAll(async () => {
    await closePreviewSession(session ?? {});
    temporary.remove();
  });
  return {
    folder: temporary.folder,
    database,
    get host() {
      return open().host;
    },
    get browser() {
      return open().browser;
    },
    get page() {
      return open().page;
    },
    get problems() {
      return open().problems;
    },
    async restartHost() {
      const opened = open();
      await opened.host.stop();
      session = { ...opened, host: await startPreviewHost(database, hostArguments()) };
    },
  };
}
