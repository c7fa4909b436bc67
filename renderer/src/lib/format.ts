/** Display formatting of dates and event types for the person reading the screen. */
import { EVENT_LABELS, eventLabel } from '#shared/event-labels';
import type { EventType } from '#shared/events';
import type { HistoryEntry } from '#shared/views';

const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

const momentThisYear = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const momentOtherYear = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const fullDateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' });

/**
 * THE way a recorded moment is shown, on every screen (accounts, account, history, audit, time
 * travel, integrity): local time to the second, "Nov 26, 09:13:48 PM", with the year when it
 * is not this one. One event reads the same wherever it appears; formatFullDateTime is its
 * long form for a tooltip or a detail view.
 */
export function formatMoment(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return (date.getFullYear() === new Date().getFullYear() ? momentThisYear : momentOtherYear).format(date);
}

/** Older names of formatMoment, kept so every screen shows the one format. */
export const formatDateTime = formatMoment;
export const formatShortDateTime = formatMoment;

export function formatDate(iso: string | number): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : dateOnly.format(date);
}

export function formatCount(count: number): string {
  return integer.format(count);
}

/** The whole moment with its time zone, for a detail view or a tooltip. */
export function formatFullDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : fullDateTime.format(date);
}

/** "Deposit", "Transfer out", … for an event type: one list, shared with the CLI (`events --type Deposit`). */
export { eventLabel };

/**
 * Which way money went between an event's account and its counterparty: "to" when it left the
 * account (a transfer sent, or a reversal that gives a received transfer back), else "from".
 */
export function counterpartyDirection(row: { readonly type: EventType; readonly amountMinor: number }): 'to' | 'from' {
  if (row.type === 'EntryReversed') return row.amountMinor < 0 ? 'to' : 'from';
  return row.type === 'TransferSent' ? 'to' : 'from';
}

/** "Transfer to ACC-2 (Bob Stone)", "Deposit", …; the owner when it is known. */
export function describeEntry(entry: HistoryEntry, counterpartyOwner?: string): string {
  const party = entry.counterparty && (counterpartyOwner ? `${entry.counterparty} (${counterpartyOwner})` : entry.counterparty);
  if (entry.type === 'TransferSent' && party) return `Transfer to ${party}`;
  if (entry.type === 'TransferReceived' && party) return `Transfer from ${party}`;
  if (entry.type === 'EntryReversed' && entry.reverses !== undefined) return `Reversal of #${formatCount(entry.reverses)}`;
  return EVENT_LABELS[entry.type] ?? entry.type;
}
