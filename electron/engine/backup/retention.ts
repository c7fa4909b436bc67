/**
 * Which backups of one ledger to keep. Pure: times in, a decision out.
 *
 *   - the RECENT_KEPT newest backups, whatever their age (a "Back up now" before a risky
 *     change keeps the backups before it, and a ledger not opened for months keeps its last);
 *   - the last DAILY_DAYS days: the newest backup of each UTC day;
 *   - the WEEKLY_WEEKS weeks before that: the newest backup of each week (weeks start on
 *     Monday 00:00 UTC);
 *   - backups dated after `now` (a clock that was ahead): kept, never judged by a wrong clock;
 *   - everything else is deleted.
 * So a ledger backed up daily keeps at most RECENT_KEPT + (DAILY_DAYS + 1) + (WEEKLY_WEEKS + 1)
 * backups dated up to `now`: a day or week only partly inside its window counts once more.
 */

export const RECENT_KEPT = 3;
export const DAILY_DAYS = 7;
export const WEEKLY_WEEKS = 8;

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** 1970-01-05 was a Monday: weeks are counted from it. */
const FIRST_MONDAY_MS = 4 * DAY_MS;

/** The most backups dated up to `now` that the policy keeps. */
export const MOST_KEPT = RECENT_KEPT + DAILY_DAYS + 1 + WEEKLY_WEEKS + 1;

export type RetentionDecision<T> = { readonly keep: T[]; readonly remove: T[] };

/**
 * Splits `backups` (of ONE ledger) into those to keep and those to remove. Every input lands
 * in exactly one of the two; the newest always in `keep`.
 */
export function decideRetention<T extends { readonly time: Date }>(backups: readonly T[], now: Date): RetentionDecision<T> {
  const nowMs = now.getTime();
  const newestFirst = [...backups].sort((a, b) => b.time.getTime() - a.time.getTime());
  const kept = new Set<T>(newestFirst.slice(0, RECENT_KEPT));
  const dailyFrom = nowMs - DAILY_DAYS * DAY_MS;
  const weeklyFrom = dailyFrom - WEEKLY_WEEKS * WEEK_MS;
  const bucketsTaken = new Set<string>();
  for (const backup of newestFirst) {
    const at = backup.time.getTime();
    let bucket: string | undefined;
    if (at > nowMs) kept.add(backup);
    else if (at > dailyFrom) bucket = `day ${Math.floor(at / DAY_MS)}`;
    else if (at > weeklyFrom) bucket = `week ${Math.floor((at - FIRST_MONDAY_MS) / WEEK_MS)}`;
    // Newest first: the first backup met in a bucket is that bucket's newest.
    if (bucket !== undefined && !bucketsTaken.has(bucket)) {
      bucketsTaken.add(bucket);
      kept.add(backup);
    }
  }
  return {
    keep: newestFirst.filter((backup) => kept.has(backup)),
    remove: newestFirst.filter((backup) => !kept.has(backup)),
  };
}
