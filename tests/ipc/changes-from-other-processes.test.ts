/**
 * Appends by ANOTHER process (the real CLI, a second OS process on the same file) reach the
 * hosts without any polling: the preview host's event stream and the Electron host's change
 * listener hear them within a second, driven by the file watch (store/file-changes.ts). No
 * interval timer is started but the event stream's keep-alive. Also the watch itself: a burst
 * costs one catch-up, a symbolic link is not followed, close stops it, a failing catch-up is
 * reported once.
 */
import { request, type IncomingMessage } from 'node:http';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Ledger } from '#engine/ledger';
import { watchForOtherWriters, MAX_SETTLE_MS } from '#engine/store/file-changes';
import { readLedgerChange, type LedgerChange } from '#shared/ipc-channels';
import { LedgerHost } from '../../electron/hosts/main/ledger-host';
import { startPreviewServer, type PreviewServer } from '../../electron/hosts/preview/server';
import { runCli } from '../engine/cli-process';
import { tempFolder } from './fixtures';

/** The event stream's keep-alive is the only interval a host may start (it is not a poll). */
const KEEP_ALIVE_MS = 15_000;
const ONE_SECOND = 1_000;

let folder: { folder: string; cleanup(): void };
let intervals: ReturnType<typeof vi.spyOn>;
const file = (name: string) => join(folder.folder, name);

beforeEach(() => {
  folder = tempFolder();
  intervals = vi.spyOn(globalThis, 'setInterval');
});

afterEach(() => {
  intervals.mockRestore();
  folder.cleanup();
});

/** Delays of every setInterval started since the test began. */
const intervalDelays = (): number[] => intervals.mock.calls.map((call: unknown[]) => Number(call[1] ?? 0));

/** Opens the ledger and an account, so the other process has something to deposit into. */
function seeded(path: string): Ledger {
  const opened = Ledger.open({ path, actor: 'test' });
  if (!opened.ok) throw new Error(opened.error.message);
  expect(opened.value.execute({ name: 'open', input: { account: 'alice', owner: 'Alice', currency: 'EUR' } }).ok).toBe(true);
  return opened.value;
}

/** The CLI in its own process: one deposit, answered once it is on disk. Resolves when that process has exited. */
async function depositFromCli(path: string): Promise<number> {
  const run = await runCli(['deposit', '--db', path, '--account', 'alice', '--amount', '2.50']);
  expect(run.lines).toMatchObject([{ ok: true }]);
  return performance.now();
}

/** Resolves with the first of `changes` (pushed to as they come) that satisfies `wanted`, and when. */
function firstChange(changes: LedgerChange[], wanted: (change: LedgerChange) => boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const deadline = performance.now() + 10_000;
    const look = () => {
      if (changes.some(wanted)) return resolve(performance.now());
      if (performance.now() > deadline) return reject(new Error(`No such change among ${JSON.stringify(changes)}`));
      setTimeout(look, 5);
    };
    look();
  });
}

describe('the preview host hears another process', () => {
  let server: PreviewServer | undefined;
  let ledger: Ledger | undefined;

  afterEach(async () => {
    await server?.close();
    ledger?.close();
    server = undefined;
    ledger = undefined;
  });

  it("sends a CLI's append on its event stream within a second, without an interval but the keep-alive", async () => {
    ledger = seeded(file('shared.db'));
    mkdirSync(file('renderer'));
    server = await startPreviewServer({ ledger, outputFolder: file('renderer'), log: () => {} });
    const changes: LedgerChange[] = [];
    const stream = await new Promise<IncomingMessage>((resolve, reject) => {
      request({ host: '127.0.0.1', port: server!.port, path: `/api/events?token=${server!.token}` }, resolve)
        .on('error', reject)
        .end();
    });
    expect(stream.statusCode).toBe(200);
    let buffered = '';
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf('\n\n'); end !== -1; end = buffered.indexOf('\n\n')) {
        const data = /^data: (.*)$/m.exec(buffered.slice(0, end))?.[1];
        buffered = buffered.slice(end + 2);
        const change = data === undefined ? undefined : readLedgerChange(JSON.parse(data));
        if (change) changes.push(change);
      }
    });
    await firstChange(changes, (change) => change.lastPosition === 1);

    const appended = await depositFromCli(ledger.path);
    const heard = await firstChange(changes, (change) => change.lastPosition === 2);
    expect(heard - appended).toBeLessThan(ONE_SECOND);
    expect(changes.at(-1)).toMatchObject({ lastPosition: 2, readOnly: false });
    expect(intervalDelays().every((delay) => delay >= KEEP_ALIVE_MS)).toBe(true);
    stream.destroy();
  });
});

describe('the Electron host hears another process', () => {
  it("calls its change listener for a CLI's append within a second, with no interval timer at all", async () => {
    seeded(file('shared.db')).close();
    const changes: LedgerChange[] = [];
    const host = new LedgerHost({
      open: (path, onReplayProgress) => Ledger.openInSlices({ path, actor: 'app', onReplayProgress }),
      onChange: (change) => changes.push(change),
    });
    try {
      await host.switchTo(file('shared.db'));
      host.startWatching();
      await firstChange(changes, (change) => change.lastPosition === 1);

      const appended = await depositFromCli(file('shared.db'));
      const heard = await firstChange(changes, (change) => change.lastPosition === 2);
      expect(heard - appended).toBeLessThan(ONE_SECOND);
      expect(intervalDelays()).toEqual([]);
      expect(await host.handlers()!.getAccount({ account: 'alice' })).toMatchObject({ ok: true, value: { balance: '2.50' } });
    } finally {
      host.close();
    }
  });
});

describe('watchForOtherWriters', () => {
  it('catches up once per burst of writes, and never after close', async () => {
    const path = file('ledger.db');
    writeFileSync(path, '');
    let refreshes = 0;
    const watch = watchForOtherWriters({ path, refresh: () => (refreshes++, false) }, () => {});
    try {
      for (let write = 0; write < 20; write++) writeFileSync(`${path}-wal`, `write ${write}`);
      await vi.waitFor(() => expect(refreshes).toBeGreaterThan(0), { timeout: 5_000, interval: 5 });
      await new Promise((resolve) => setTimeout(resolve, MAX_SETTLE_MS * 2));
      expect(refreshes).toBeLessThanOrEqual(2);
      // A file of another name in the folder is not the ledger's.
      const before = refreshes;
      writeFileSync(file('notes.txt'), 'unrelated');
      await new Promise((resolve) => setTimeout(resolve, MAX_SETTLE_MS * 2));
      expect(refreshes).toBe(before);
    } finally {
      watch.close();
    }
    const closedAt = refreshes;
    writeFileSync(`${path}-wal`, 'after close');
    await new Promise((resolve) => setTimeout(resolve, MAX_SETTLE_MS * 2));
    expect(refreshes).toBe(closedAt);
  });

  it('reports a failing catch-up once per streak, and does not follow a symbolic link', async () => {
    const path = file('ledger.db');
    writeFileSync(path, '');
    const reports: string[] = [];
    const watch = watchForOtherWriters(
      {
        path,
        refresh: () => {
          throw new Error('database is locked');
        },
      },
      (message) => reports.push(message),
    );
    try {
      writeFileSync(`${path}-wal`, 'one');
      writeFileSync(`${path}-wal`, 'two');
      await vi.waitFor(() => expect(reports.length).toBeGreaterThan(0), { timeout: 5_000, interval: 5 });
      await new Promise((resolve) => setTimeout(resolve, MAX_SETTLE_MS * 2));
      expect(reports).toEqual([expect.stringContaining('Could not catch up')]);
    } finally {
      watch.close();
    }

    const link = file('link.db');
    symlinkSync(path, link);
    const linked: string[] = [];
    let refreshed = false;
    const linkWatch = watchForOtherWriters({ path: link, refresh: () => (refreshed = true) }, (message) => linked.push(message));
    writeFileSync(`${link}-wal`, 'through the link');
    await new Promise((resolve) => setTimeout(resolve, MAX_SETTLE_MS * 2));
    linkWatch.close();
    expect(linked).toEqual([expect.stringContaining('symbolic link')]);
    expect(refreshed).toBe(false);
  });
});
