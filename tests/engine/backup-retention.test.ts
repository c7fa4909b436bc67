/**
 * The retention policy (electron/engine/backup/retention.ts) as properties over any set of
 * backup times: nothing is lost that the policy promises to keep, and the kept set is bounded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAILY_DAYS, decideRetention, MOST_KEPT, RECENT_KEPT, WEEKLY_WEEKS } from '#engine/backup/retention';

const DAY = 86_400_000;
const NOW = Date.parse('2025-06-30T12:00:00.000Z');
/** Backup times from 120 days before NOW to 2 days after it (a clock that ran ahead). */
const backupTimes = fc.array(fc.integer({ min: NOW - 120 * DAY, max: NOW + 2 * DAY }), { maxLength: 300 });
const asBackups = (times: number[]) => times.map((time, index) => ({ index, time: new Date(time) }));

describe('decideRetention', () => {
  it('splits every backup into keep or remove, once', () => {
    fc.assert(
      fc.property(backupTimes, (times) => {
        const backups = asBackups(times);
        const { keep, remove } = decideRetention(backups, new Date(NOW));
        expect([...keep, ...remove].map((each) => each.index).sort((a, b) => a - b)).toEqual(backups.map((each) => each.index));
      }),
    );
  });

  it('never removes the newest backups, nor one dated after now', () => {
    fc.assert(
      fc.property(backupTimes, (times) => {
        const backups = asBackups(times);
        const { remove } = decideRetention(backups, new Date(NOW));
        const newest = [...backups].sort((a, b) => b.time.getTime() - a.time.getTime()).slice(0, RECENT_KEPT);
        for (const backup of remove) {
          expect(newest).not.toContain(backup);
          expect(backup.time.getTime()).toBeLessThanOrEqual(NOW);
        }
      }),
    );
  });

  it('keeps at most MOST_KEPT backups dated up to now, however many there are', () => {
    expect(MOST_KEPT).toBe(RECENT_KEPT + DAILY_DAYS + 1 + WEEKLY_WEEKS + 1);
    fc.assert(
      fc.property(backupTimes, (times) => {
        const { keep } = decideRetention(asBackups(times), new Date(NOW));
        expect(keep.filter((each) => each.time.getTime() <= NOW).length).toBeLessThanOrEqual(MOST_KEPT);
      }),
    );
  });

  it('keeps a backup of every day of the last week and every week of the 8 before it that had one', () => {
    fc.assert(
      fc.property(backupTimes, (times) => {
        const backups = asBackups(times).filter((each) => each.time.getTime() <= NOW);
        const { keep } = decideRetention(backups, new Date(NOW));
        const dailyFrom = NOW - DAILY_DAYS * DAY;
        const weeklyFrom = dailyFrom - WEEKLY_WEEKS * 7 * DAY;
        const dayOf = (time: number) => Math.floor(time / DAY);
        const weekOf = (time: number) => Math.floor((time - 4 * DAY) / (7 * DAY));
        for (const backup of backups) {
          const at = backup.time.getTime();
          if (at > dailyFrom)
            expect(keep.some((kept) => kept.time.getTime() > dailyFrom && dayOf(kept.time.getTime()) === dayOf(at))).toBe(true);
          else if (at > weeklyFrom)
            expect(keep.some((kept) => weekOf(kept.time.getTime()) === weekOf(at) && kept.time.getTime() >= at)).toBe(true);
        }
      }),
    );
  });

  it('is stable: deciding again on what it kept removes nothing more', () => {
    fc.assert(
      fc.property(backupTimes, (times) => {
        const { keep } = decideRetention(asBackups(times), new Date(NOW));
        expect(decideRetention(keep, new Date(NOW)).remove).toEqual([]);
      }),
    );
  });

  it('run daily for a year, keeps about a week of days and eight weeks, and the kept weeks are a week apart', () => {
    // Backups at noon each day: the one exactly 7 days old starts the weekly window, those before it are Sundays.
    let kept: Array<{ index: number; time: Date }> = [];
    for (let day = 0; day < 365; day++) {
      const now = new Date(NOW + day * DAY);
      kept = decideRetention([...kept, { index: day, time: now }], now).keep;
    }
    expect(kept.length).toBeGreaterThanOrEqual(DAILY_DAYS + WEEKLY_WEEKS);
    expect(kept.length).toBeLessThanOrEqual(MOST_KEPT);
    const oldestKept = Math.min(...kept.map((each) => each.time.getTime()));
    expect(NOW + 364 * DAY - oldestKept).toBeGreaterThanOrEqual((DAILY_DAYS + WEEKLY_WEEKS * 7 - 7) * DAY);
    const weekly = kept.filter((each) => each.time.getTime() < NOW + (364 - DAILY_DAYS) * DAY).map((each) => each.time.getTime());
    for (let index = 1; index < weekly.length; index++) expect(Math.abs(weekly[index - 1]! - weekly[index]!)).toBe(7 * DAY);
  });
});
