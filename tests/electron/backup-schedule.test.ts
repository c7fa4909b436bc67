/**
 * When the app backs up (electron/hosts/main/backup-schedule.ts), with a stand-in backup and clock:
 * daily only after a day AND a change, on quit only after a change (quitting waits for it,
 * then goes on; a backup that hangs is stopped at the limit), one backup at a time.
 */
import { describe, expect, it } from 'vitest';
import { fail, succeed, type Result } from '#shared/errors';
import type { RollingBackupSummary } from '#engine/backup/rolling-backup';
import { BackupSchedule, DAILY_MS, type BackupTarget } from '../../electron/hosts/main/backup-schedule';

const T0 = Date.parse('2025-03-01T08:00:00.000Z');

function harness(
  options: { target?: BackupTarget; newest?: { time: number; position: number }; quitLimitMs?: number; hang?: boolean } = {},
) {
  let now = T0;
  let target: BackupTarget | undefined = options.target ?? { path: '/l/ledger.db', lastPosition: 10, readOnly: false };
  const made: string[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const schedule = new BackupSchedule({
    target: () => target,
    now: () => now,
    quitLimitMs: options.quitLimitMs ?? 1_000,
    newestBackup: async () =>
      options.newest ? { file: 'x', time: new Date(options.newest.time), position: options.newest.position } : undefined,
    backUp: async (path, signal): Promise<Result<RollingBackupSummary>> => {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      try {
        if (options.hang) {
          await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve()));
          return fail('STORAGE', 'stopped');
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
        made.push(path);
        return succeed({
          file: `${path}.backup`,
          time: new Date(now).toISOString(),
          position: target!.lastPosition,
          head: 'h',
          bytes: 1,
          ledgerCreatedAt: 'c',
          removed: [],
        });
      } finally {
        running -= 1;
      }
    },
  });
  return {
    schedule,
    made,
    mostAtOnce: () => mostAtOnce,
    advance: (ms: number) => (now += ms),
    setTarget: (next: BackupTarget | undefined) => (target = next),
  };
}

function quitThrough(schedule: BackupSchedule): Promise<{ prevented: boolean }> {
  return new Promise((resolve) => {
    let prevented = false;
    schedule.onBeforeQuit({ preventDefault: () => (prevented = true) }, () => resolve({ prevented }));
  });
}

describe('BackupSchedule', () => {
  it('daily: backs up a ledger without a backup, then not again until a day has passed AND it changed', async () => {
    const h = harness();
    expect((await h.schedule.dailyCheck())?.ok).toBe(true);
    expect(h.made).toHaveLength(1);
    h.advance(DAILY_MS - 1);
    h.setTarget({ path: '/l/ledger.db', lastPosition: 11, readOnly: false });
    expect(await h.schedule.dailyCheck()).toBeUndefined();
    h.advance(2);
    expect((await h.schedule.dailyCheck())?.ok).toBe(true);
    h.advance(2 * DAILY_MS);
    expect(await h.schedule.dailyCheck()).toBeUndefined(); // a day later, but nothing changed
    expect(h.made).toHaveLength(2);
  });

  it('daily: reads the newest backup already in the folder', async () => {
    const recent = harness({ newest: { time: T0 - 1_000, position: 3 } });
    expect(await recent.schedule.dailyCheck()).toBeUndefined();
    const old = harness({ newest: { time: T0 - DAILY_MS - 1, position: 3 } });
    expect((await old.schedule.dailyCheck())?.ok).toBe(true);
  });

  it('never backs up an empty or a read-only ledger, or none at all', async () => {
    for (const target of [
      { path: '/e.db', lastPosition: 0, readOnly: false },
      { path: '/r.db', lastPosition: 5, readOnly: true },
    ]) {
      const h = harness({ target });
      expect(await h.schedule.dailyCheck()).toBeUndefined();
      expect(await h.schedule.changedSinceBackup()).toBe(false);
    }
    const none = harness();
    none.setTarget(undefined);
    expect(await none.schedule.backUpNow()).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('on quit: holds quitting for a backup of a changed ledger, then quits; the second quit passes through', async () => {
    const h = harness({ newest: { time: T0 - 1_000, position: 9 } });
    expect(await quitThrough(h.schedule)).toEqual({ prevented: true });
    expect(h.made).toHaveLength(1);
    let preventedAgain = false;
    h.schedule.onBeforeQuit({ preventDefault: () => (preventedAgain = true) }, () => {});
    expect(preventedAgain).toBe(false);
  });

  it('on quit: no backup when nothing changed since the newest one', async () => {
    const h = harness({ newest: { time: T0 - 5 * DAILY_MS, position: 10 } });
    await quitThrough(h.schedule);
    expect(h.made).toEqual([]);
  });

  it('on quit: a backup that does not finish in time is stopped, and the app quits', async () => {
    const h = harness({ hang: true, quitLimitMs: 50 });
    const started = Date.now();
    await quitThrough(h.schedule);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('runs one backup at a time', async () => {
    const h = harness();
    await Promise.all([h.schedule.backUpNow(), h.schedule.backUpNow(), h.schedule.dailyCheck()]);
    expect(h.mostAtOnce()).toBe(1);
  });
});
