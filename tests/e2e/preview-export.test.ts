/**
 * The preview host exports out of the box: without --export-dir it writes into ~/Downloads
 * when there is one, else beside the ledger; it says where at start-up; --export-dir still
 * overrides; and a new export never replaces a file already there.
 */
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultExportFolder, freshExportPath } from '../../electron/hosts/preview/export-folder';
import { launchBrowser, openPage } from './support/browser';
import { callApi, runCli, startPreviewHost, temporaryFolder, type PreviewHost } from './support/preview-host';

/** The line the host prints (to stderr) right after its URL. */
async function announcedExportFolder(host: PreviewHost): Promise<string> {
  for (let waited = 0; waited < 200; waited++) {
    const match = /^Exports go to (.+) \(choose another folder with --export-dir DIR\)\.$/m.exec(host.stderr());
    if (match) return match[1]!;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`The host never said where exports go.\nstderr:\n${host.stderr()}`);
}

describe('where the preview host puts exports', () => {
  const temporary = temporaryFolder('ledger-preview-export');
  afterAll(() => temporary.remove());

  it('picks ~/Downloads when it is a folder, else the ledger folder', () => {
    const home = join(temporary.folder, 'home-with-downloads');
    mkdirSync(join(home, 'Downloads'), { recursive: true });
    expect(defaultExportFolder('/somewhere/ledger.db', home)).toBe(join(home, 'Downloads'));
    const bare = join(temporary.folder, 'home-without-downloads');
    mkdirSync(bare);
    expect(defaultExportFolder(join(temporary.folder, 'books', 'ledger.db'), bare)).toBe(join(temporary.folder, 'books'));
    // A file called Downloads is not a folder to write into.
    const odd = join(temporary.folder, 'home-with-a-file');
    mkdirSync(odd);
    writeFileSync(join(odd, 'Downloads'), 'not a folder');
    expect(defaultExportFolder('/x/ledger.db', odd)).toBe('/x');
  });

  it('never takes a name that is already there (not even a dangling link) or already handed out', () => {
    const folder = join(temporary.folder, 'names');
    mkdirSync(folder);
    const now = new Date('2026-03-01T10:20:30.456Z');
    const stem = 'ledger-export-2026-03-01T10-20-30-456Z';
    const first = freshExportPath(folder, 'csv', new Set(), now);
    expect(basename(first)).toBe(`${stem}.csv`);
    writeFileSync(first, 'kept');
    symlinkSync(join(folder, 'nowhere'), join(folder, `${stem}-2.csv`));
    mkdirSync(join(folder, `${stem}-3.csv`));
    const handedOut = new Set<string>();
    expect(basename(freshExportPath(folder, 'csv', handedOut, now))).toBe(`${stem}-4.csv`);
    // Two exports in one millisecond: the first one's file does not exist yet, its name is still taken.
    expect(basename(freshExportPath(folder, 'csv', handedOut, now))).toBe(`${stem}-5.csv`);
    expect(basename(freshExportPath(folder, 'jsonl', handedOut, now))).toBe(`${stem}.jsonl`);
  });
});

describe('exporting from a preview host started without --export-dir', () => {
  const temporary = temporaryFolder('ledger-preview-export-host');
  const home = join(temporary.folder, 'home');
  const downloads = join(home, 'Downloads');
  const ledgerFolder = join(temporary.folder, 'books');
  const database = join(ledgerFolder, 'ledger.db');
  let host: PreviewHost;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    mkdirSync(downloads, { recursive: true });
    mkdirSync(ledgerFolder);
    await runCli(database, ['open', '--account', 'acc-1', '--owner', 'Ada', '--currency', 'EUR', '--initial', '10']);
    host = await startPreviewHost(database, [], { HOME: home });
    browser = await launchBrowser();
    ({ page, problems } = await openPage(browser));
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    temporary.remove();
  });

  it('says at start-up where files go', async () => {
    expect(await announcedExportFolder(host)).toBe(downloads);
  });

  it('writes into Downloads from the audit screen and shows the path', async () => {
    await page.goto(`${host.url}#/audit`);
    await page.getByRole('button', { name: 'Export JSON Lines' }).click();
    const message = page.getByTestId('export-message');
    await message.getByText('Exported 1 event to').waitFor();
    const shown = await message.locator('code').innerText();
    expect(dirname(shown)).toBe(downloads);
    expect(readdirSync(downloads)).toEqual([basename(shown)]);
    expect(readFileSync(shown, 'utf8')).toContain('"acc-1"');
    expect(problems).toEqual([]);
  });

  it('gives every export a new name and leaves earlier files as they were', async () => {
    const before = readdirSync(downloads);
    const contents = new Map(before.map((name) => [name, readFileSync(join(downloads, name), 'utf8')]));
    const answers = await Promise.all([1, 2, 3].map(() => callApi(host, 'exportEventLog', { format: 'csv' })));
    const paths = answers.map((answer) => answer.json.value.path as string);
    expect(new Set(paths).size).toBe(3);
    expect(readdirSync(downloads).sort()).toEqual([...before, ...paths.map((path) => basename(path))].sort());
    for (const [name, text] of contents) expect(readFileSync(join(downloads, name), 'utf8')).toBe(text);
  });

  it('writes beside the ledger when there is no Downloads folder, and --export-dir still overrides', async () => {
    const bare = join(temporary.folder, 'bare-home');
    mkdirSync(bare);
    const beside = await startPreviewHost(database, [], { HOME: bare });
    try {
      expect(await announcedExportFolder(beside)).toBe(ledgerFolder);
      const answer = await callApi(beside, 'exportEventLog', { format: 'csv' });
      expect(dirname(answer.json.value.path)).toBe(ledgerFolder);
    } finally {
      await beside.stop();
    }
    const chosen = join(temporary.folder, 'chosen');
    const overridden = await startPreviewHost(database, ['--export-dir', chosen], { HOME: home });
    try {
      expect(await announcedExportFolder(overridden)).toBe(chosen);
      const answer = await callApi(overridden, 'exportEventLog', { format: 'jsonl' });
      expect(dirname(answer.json.value.path)).toBe(chosen);
    } finally {
      await overridden.stop();
    }
  });
});
