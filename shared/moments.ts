/**
 * Date bounds as people type them. A bare date ("2026-11-26") in a range covers that whole
 * day in UTC; anything else is an instant. Times are compared as instants, never as text:
 * legacy times carry their writer's offset and nanoseconds, so text order is not time order.
 */

const BARE_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** Milliseconds for a date-time, or for the start / end of a bare date's day (UTC); undefined if unreadable. */
export function parseMoment(text: string, edge: 'start' | 'end'): number | undefined {
  const bare = BARE_DATE.test(text);
  const time = Date.parse(bare ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(time)) return undefined;
  return bare && edge === 'end' ? time + DAY_MS - 1 : time;
}
