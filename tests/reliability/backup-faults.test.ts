/**
 * Issue 16, item 9 — backups under faults. A backup is made with SQLite's online backup API
 * into a temporary, verified, then renamed (electron/engine/backup). Here:
 *   - a `ledger backup` SIGKILLed at moments spread over its run: no final-named file that
 *     does not verify, the temporary removed by the next backup, the ledger intact;
 *   - a full disk (a 1 MiB tmpfs) and a read-only one: STORAGE, nothing partial left;
 *   - another process appending while the backup runs: the backup verifies and holds exactly
 *     a prefix of the log.
 * tmpfs needs root (mount); without it those cases are skipped with a message.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AnyCommand } from '#shared/commands';
import Database from 'better-sqlite3';
import { hashAt } from '#engine/backup/backup-check';
import { createBackup } from '#engine/backup/create-backup';
import { listBackups } from '#engine/backup/list-backups';
import { parseTemporaryFileName } from '#engine/backup/backup-names';
import { Ledger } from '#engine/ledger';
import { startApply } from '../engine/cli-process';
import { folderListing, recordFigures, removeFolder, runCli, scratchFolder, spawnCli } from './helpers';

const work = scratchFolder('backup-faults');
const ledgerPath = join(work, 'ledger.db');
const EVENTS = 40_000;

function openLedger(path: string, readOnly = false): Ledger {
  const opened = Ledger.open({ path, actor: 'test', ...(readOnly ? { readOnly } : {}) });
  if (!opened.ok) throw new Error(opened.error.message);
  return opened.value;
}

/** The events of a ledger (position and hash) and whether its chain verifies. */
function logOf(path: string): { events: number; head: string; verified: boolean } {
  const ledger = openLedger(path, true);
  try {
    const report = ledger.verify();
    return { events: ledger.logHead().position, head: ledger.logHead().hash, verified: report.ok };
  } finally {
    ledger.close();
  }
}

beforeAll(() => {
  const ledger = openLedger(ledgerPath);
  const memo = 'a memo long enough to give each event some weight '.repeat(4);
  ledger.execute({ name: 'open', input: { account: 'a1', owner: 'Ada', currency: 'EUR', initial: '0.00' } } as AnyCommand);
  for (let done = 1; done < EVENTS; done += 1_000) {
    const batch = Array.from(
      { length: Math.min(1_000, EVENTS - done) },
      () => ({ name: 'deposit', input: { account: 'a1', amount: '1.00', memo } }) as AnyCommand,
    );
    ledger.executeBatch(batch);
  }
  ledger.close();
}, 120_000);

afterAll(() => removeFolder(work));

const temporariesIn = (folder: string) => readdirSync(folder).filter((name) => parseTemporaryFileName(name) !== undefined);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('backups under faults', () => {
  it('a backup killed at any moment leaves no unverified final file; the next backup removes its temporary; the ledger is intact', async () => {
    const folder = join(work, 'killed');
    mkdirSync(folder);
    const original = logOf(ledgerPath);
    // How long a backup runs once its temporary exists: the kills are spread over that time.
    const timed = spawnCli(['--db', ledgerPath, 'backup', '--out', join(work, 'timing'), '--keep-all']);
    mkdirSync(join(work, 'timing'));
    const runMs = await timeFromTemporaryToExit(timed, join(work, 'timing'));
    const ROUNDS = 8;
    let killedMidway = 0;
    let finishedBeforeKill = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const child = spawnCli(['--db', ledgerPath, 'backup', '--out', folder, '--keep-all']);
      const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
      const appeared = await untilTemporary(folder, exited);
      if (appeared) {
        await sleep((runMs * round) / ROUNDS);
        child.kill('SIGKILL');
      }
      await exited;
      if (temporariesIn(folder).length > 0) killedMidway += 1;
      else finishedBeforeKill += 1;
      // Every final-named file in the folder verifies, whatever moment the kill hit.
      const listed = await listBackups(folder, { verify: true });
      expect(listed.ok && listed.value.every((backup) => backup.verified === true)).toBe(true);
      expect(logOf(ledgerPath)).toEqual(original);
    }
    expect(killedMidway).toBeGreaterThan(0);
    // The next backup removes the temporaries the killed ones left, and succeeds.
    const next = await createBackup(ledgerPath, folder);
    expect(next.ok).toBe(true);
    expect(temporariesIn(folder)).toEqual([]);
    expect(readdirSync(folder).every((name) => name.endsWith('.ledger-backup.db'))).toBe(true);
    await recordFigures('backupKills', {
      rounds: ROUNDS,
      killedMidway,
      finishedBeforeKill,
      backupRunMs: Math.round(runMs),
      events: EVENTS,
    });
  }, 180_000);

  it('another process appending during the backup: the backup verifies and holds a prefix of the log', async () => {
    const folder = join(work, 'while-writing');
    const writer = startApply(ledgerPath);
    const before = logOf(ledgerPath).events;
    let acknowledged = 0;
    let backupDone = false;
    const writing = (async () => {
      for (let batch = 0; !backupDone || batch < 3; batch++) {
        const answers = await writer.send(
          Array.from({ length: 20 }, () => JSON.stringify({ command: 'deposit', account: 'a1', amount: '0.01' })),
        );
        acknowledged += answers.filter((answer) => (answer as { ok: boolean }).ok).length;
      }
    })();
    // Let the writer get going, then back up while it keeps committing.
    await vi.waitFor(() => expect(acknowledged, 'commands the writer has committed').toBeGreaterThan(0), { timeout: 30_000, interval: 5 });
    const atStart = acknowledged;
    const made = await createBackup(ledgerPath, folder);
    const duringBackup = acknowledged - atStart;
    backupDone = true;
    await writing;
    expect((await writer.finish()).code).toBe(0);
    if (!made.ok) throw new Error(made.error.message);
    expect(duringBackup).toBeGreaterThan(0);
    const after = logOf(ledgerPath);
    expect(after.verified).toBe(true);
    expect(made.value.position).toBeGreaterThanOrEqual(before + atStart);
    expect(made.value.position).toBeLessThanOrEqual(after.events);
    // A prefix: the source's event at the backup's head position has the backup's head hash.
    const db = new Database(ledgerPath, { readonly: true });
    try {
      expect(hashAt(db, made.value.position)).toBe(made.value.head);
    } finally {
      db.close();
    }
    expect(logOf(made.value.file)).toEqual({ events: made.value.position, head: made.value.head, verified: true });
    await recordFigures('backupWhileWriting', {
      eventsAtStart: before + atStart,
      backupPosition: made.value.position,
      appendedDuringBackup: duringBackup,
    });
  }, 180_000);
});

describe('backups onto a full or read-only disk (tmpfs)', () => {
  const mounts: string[] = [];
  const mount = (options: string): string | undefined => {
    const point = join(work, `mount-${mounts.length}`);
    mkdirSync(point);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', point], { stdio: 'ignore' });
    } catch {
      return undefined;
    }
    mounts.push(point);
    return point;
  };
  afterAll(() => {
    for (const point of mounts) execFileSync('umount', [point]);
  });

  it('a full disk: STORAGE in plain words, nothing partial left, the ledger intact', async (context) => {
    const full = mount('size=1m');
    if (!full) {
      console.warn('backup-faults: cannot mount a tmpfs here (needs root); the full-disk case is skipped');
      context.skip();
      return;
    }
    const original = logOf(ledgerPath);
    const cli = await runCli(['--db', ledgerPath, 'backup', '--out', full]);
    expect(cli.code).toBe(1);
    expect(cli.lines[0]).toMatchObject({
      ok: false,
      error: { code: 'STORAGE', message: expect.stringMatching(/disk is full.*nothing was left behind/) },
    });
    expect(folderListing(full)).toEqual([]);
    const engine = await createBackup(ledgerPath, join(full, 'sub'));
    expect(engine.ok ? 'made' : engine.error.code).toBe('STORAGE');
    expect(folderListing(join(full, 'sub'))).toEqual([]);
    expect(logOf(ledgerPath)).toEqual(original);
  }, 60_000);

  it('a read-only disk: STORAGE, nothing written', async (context) => {
    const readOnly = mount('size=1m,ro');
    if (!readOnly) {
      console.warn('backup-faults: cannot mount a tmpfs here (needs root); the read-only case is skipped');
      context.skip();
      return;
    }
    const cli = await runCli(['--db', ledgerPath, 'backup', '--out', readOnly]);
    expect(cli.lines[0]).toMatchObject({ ok: false, error: { code: 'STORAGE', message: expect.stringContaining('read-only') } });
    expect(folderListing(readOnly)).toEqual([]);
  }, 60_000);
});

/** Resolves true once a temporary of ours exists in `folder`, false if the process ended first. */
async function untilTemporary(folder: string, exited: Promise<void>): Promise<boolean> {
  let ended = false;
  void exited.then(() => (ended = true));
  while (!ended) {
    if (temporariesIn(folder).length > 0) return true;
    await sleep(1);
  }
  return false;
}

async function timeFromTemporaryToExit(child: ReturnType<typeof spawnCli>, folder: string): Promise<number> {
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await untilTemporary(folder, exited);
  const from = performance.now();
  await exited;
  return performance.now() - from;
}
