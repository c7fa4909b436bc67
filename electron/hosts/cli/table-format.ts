/**
 * `--format table`: what `accounts`, `account`, `history` and `events` print for a person
 * reading a terminal: aligned columns, money formatted as the app shows it (exact, from
 * integer minor units), event types by the names the app shows, times in UTC to the second.
 * JSON stays the default: these tables are for reading, not for scripts.
 */
import { eventLabel } from '#shared/event-labels';
import type { RecordedEvent } from '#shared/events';
import { formatMinorMoney, totalsByCurrency } from '#shared/money-format';
import type { AccountView, HistoryEntry } from '#shared/views';

type Column<Row> = { readonly title: string; readonly right?: boolean; readonly cell: (row: Row) => string };

/** Rows under a header, each column as wide as its widest cell, numbers aligned right. */
export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((column) => oneLine(column.cell(row))));
  const widths = columns.map((column, index) => Math.max(width(column.title), ...cells.map((line) => width(line[index]!))));
  const render = (line: readonly string[]) =>
    line
      .map((cell, index) => (columns[index]!.right ? pad(cell, widths[index]!, 'left') : pad(cell, widths[index]!, 'right')))
      .join('  ')
      .trimEnd();
  return [render(columns.map((column) => column.title)), render(widths.map((size) => '─'.repeat(size))), ...cells.map(render)]
    .map((line) => `${line}\n`)
    .join('');
}

export function accountsTable(accounts: readonly AccountView[]): string {
  if (accounts.length === 0) return 'No accounts yet.\n';
  const table = renderTable(accounts, [
    { title: 'Account', cell: (account) => account.id },
    { title: 'Owner', cell: (account) => account.owner },
    { title: 'Currency', cell: (account) => account.currency },
    { title: 'Balance', right: true, cell: (account) => formatMinorMoney(account.balanceMinor, account.currency) },
    { title: 'Transactions', right: true, cell: (account) => String(account.transactionCount) },
    { title: 'Last activity (UTC)', cell: (account) => utcTime(account.lastTransactionAt) },
    { title: 'Status', cell: (account) => account.status },
  ]);
  const totals = [...totalsByCurrency(accounts)].map(([currency, minor]) => ({ currency, minor }));
  const footer = renderTable(totals, [
    { title: 'Total', cell: (total) => total.currency },
    { title: '', right: true, cell: (total) => formatMinorMoney(total.minor, total.currency) },
  ]);
  return `${table}\n${footer}`;
}

export function accountTable(account: AccountView): string {
  const fields: Array<[string, string]> = [
    ['Account', account.id],
    ['Owner', account.owner],
    ['Currency', account.currency],
    ['Balance', formatMinorMoney(account.balanceMinor, account.currency)],
    ['Status', account.status],
    ['Transactions', String(account.transactionCount)],
    ['Version', String(account.version)],
    ['Opened (UTC)', utcTime(account.openedAt)],
    ['Last activity (UTC)', utcTime(account.lastTransactionAt)],
  ];
  const labelWidth = Math.max(...fields.map(([label]) => width(label)));
  return fields.map(([label, value]) => `${pad(label, labelWidth, 'right')}  ${oneLine(value)}\n`).join('');
}

export function historyTable(entries: readonly HistoryEntry[], currency: string): string {
  if (entries.length === 0) return 'No history.\n';
  return renderTable(entries, [
    { title: 'Version', right: true, cell: (entry) => String(entry.version) },
    { title: 'Position', right: true, cell: (entry) => String(entry.position) },
    { title: 'Time (UTC)', cell: (entry) => utcTime(entry.recordedAt) },
    { title: 'Type', cell: (entry) => eventLabel(entry.type) },
    { title: 'Amount', right: true, cell: (entry) => formatMinorMoney(entry.amountMinor, currency, { signed: true }) },
    { title: 'Balance', right: true, cell: (entry) => formatMinorMoney(entry.balanceMinor, currency) },
    { title: 'Counterparty', cell: (entry) => entry.counterparty ?? '' },
    { title: 'Memo', cell: (entry) => joined(reversalNote(entry.reverses, entry.reversedBy), entry.memo) },
  ]);
}

/** "reverses position 4" or "reversed by position 9", for a table's text column. */
function reversalNote(reverses: number | undefined, reversedBy: number | undefined): string {
  if (reverses !== undefined) return `reverses position ${reverses}`;
  if (reversedBy !== undefined) return `reversed by position ${reversedBy}`;
  return '';
}

export function eventsTable(
  events: readonly RecordedEvent[],
  reversedBy: (position: number) => number | undefined = () => undefined,
): string {
  if (events.length === 0) return 'No events.\n';
  return renderTable(events, [
    { title: 'Position', right: true, cell: (event) => String(event.position) },
    { title: 'Time (UTC)', cell: (event) => utcTime(event.recordedAt) },
    { title: 'Account', cell: (event) => event.streamId },
    { title: 'Type', cell: (event) => eventLabel(event.type) },
    { title: 'Amount', right: true, cell: eventAmount },
    { title: 'Details', cell: (event) => joined(eventDetails(event), reversalNote(undefined, reversedBy(event.position))) },
  ]);
}

function eventAmount(event: RecordedEvent): string {
  switch (event.type) {
    case 'AccountOpened':
      return formatMinorMoney(event.data.initialMinor, event.data.currency);
    case 'AccountClosed':
      return '';
    case 'EntryReversed':
      // Signed: a reversal can take money in or out; the other types' direction is in their name.
      return formatMinorMoney(event.data.effectMinor, event.data.currency, { signed: true });
    default:
      return formatMinorMoney(event.data.amountMinor, event.data.currency);
  }
}

function eventDetails(event: RecordedEvent): string {
  switch (event.type) {
    case 'AccountOpened':
      return `owner ${event.data.owner}`;
    case 'TransferSent':
      return joined(`to ${event.data.to}`, event.data.memo);
    case 'TransferReceived':
      return joined(`from ${event.data.from}`, event.data.memo);
    case 'MoneyDeposited':
    case 'MoneyWithdrawn':
      return event.data.memo ?? '';
    case 'EntryReversed':
      return joined(reversalNote(event.data.reversesPosition, undefined), event.data.reason);
    default:
      return '';
  }
}

function joined(first: string, memo: string | undefined): string {
  if (!first) return memo ?? '';
  return memo ? `${first}: ${memo}` : first;
}

/** "2025-11-26 20:57:03" from an ISO-8601 UTC moment. */
function utcTime(iso: string): string {
  return iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '');
}

/** Memos may hold line breaks; a table row must stay one line. */
function oneLine(text: string): string {
  return text.replace(/\r\n|[\n\r\u2028\u2029]/g, ' ');
}

/** Width in code points (close enough for names; the app's own limits keep cells short). */
function width(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

function pad(text: string, size: number, side: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, size - width(text)));
  return side === 'left' ? fill + text : text + fill;
}
