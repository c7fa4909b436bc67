/**
 * What a recorded time given from outside (a legacy log's timestamp) must be before it is
 * stored: RFC 3339 text naming a real moment — a calendar date that exists (no month 13, no
 * 30 February), a time of day 00:00:00–23:59:59 with up to nine fractional digits, and "Z" or
 * an offset within ±14:00 (the widest any time zone uses). Every such text is read by
 * Date.parse, which the projection, the audit view and the balance chart rely on; a time it
 * cannot read broke the chart and hid its account from "balances as of".
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;
const MAX_OFFSET_MINUTES = 14 * 60;

/** Why `text` is not a recorded time the ledger can keep, completing "The timestamp …"; undefined when it is. */
export function recordedTimeProblem(text: string): string | undefined {
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  const match = RFC3339.exec(text);
  if (!match) return `${shown} is not an RFC 3339 time such as 2024-02-29T13:05:00Z or 2024-02-29T14:05:00+01:00`;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return `${shown} names a date that does not exist`;
  if (hour > 23 || minute > 59 || second > 59) return `${shown} names a time of day that does not exist`;
  if (match[7] !== undefined) {
    const offsetHours = Number(match[7]);
    const offsetMinutes = Number(match[8]);
    if (offsetMinutes > 59 || offsetHours * 60 + offsetMinutes > MAX_OFFSET_MINUTES) {
      return `${shown} has an offset beyond ±14:00`;
    }
  }
  // Belt and braces: the engine reads recorded times with Date.parse.
  if (Number.isNaN(Date.parse(text))) return `${shown} cannot be read as a moment`;
  return undefined;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
