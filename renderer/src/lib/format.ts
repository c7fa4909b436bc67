/** Display formatting of dates and event types for the person reading the screen. */
import type { EventType } from '../../../shared/events';
import type { HistoryEntry } from '../../../shared/views';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const shortThisYear = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
const shortOtherYear = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

/** Compact moment for tables: "Nov 26, 8:57 PM" this year, "Nov 26, 2025" before. */
export function formatShortDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return (date.getFullYear() === new Date().getFullYear() ? shortThisYear : shortOtherYear).format(date);
}

export function formatDate(iso: string | number): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : dateOnly.format(date);
}

export function formatCount(count: number): string {
  return integer.format(count);
}

const auditThisYear = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const auditOtherYear = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const fullDateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' });

/** Local time to the second for the audit log ("Nov 26, 09:13:48 PM"); the year appears when it is not this one. */
export function formatAuditTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return (date.getFullYear() === new Date().getFullYear() ? auditThisYear : auditOtherYear).format(date);
}

/** The whole moment with its time zone, for a detail view or a tooltip. */
export function formatFullDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : fullDateTime.format(date);
}

const EVENT_LABELS: Record<EventType, string> = {
  AccountOpened: 'Account opened',
  MoneyDeposited: 'Deposit',
  MoneyWithdrawn: 'Withdrawal',
  TransferSent: 'Transfer out',
  TransferReceived: 'Transfer in',
  AccountClosed: 'Account closed',
};

/** "Deposit", "Transfer out", … for an event type. */
export function eventLabel(type: EventType): string {
  return EVENT_LABELS[type] ?? type;
}

/** "Transfer to ACC-2", "Deposit", … */
export function describeEntry(entry: HistoryEntry): string {
  if (entry.type === 'TransferSent' && entry.counterparty) return `Transfer to ${entry.counterparty}`;
  if (entry.type === 'TransferReceived' && entry.counterparty) return `Transfer from ${entry.counterparty}`;
  return EVENT_LABELS[entry.type] ?? entry.type;
}
