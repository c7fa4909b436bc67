/**
 * The commands that only read: `account`, `accounts`, `history`, `events`, `rebuild`. JSON by
 * default (`account` one document, `accounts` an array, `history` and `events` JSON lines);
 * `--format table` for a person (see table-format.ts).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { acceptedEventTypeNames, eventTypeNamed } from '#shared/event-labels';
import type { Result } from '#shared/errors';
import type { EventType, RecordedEvent } from '#shared/events';
import type { HistoryEntry } from '#shared/views';
import { createHandlers } from '#engine/handlers';
import type { Ledger } from '#engine/ledger';
import { answer, orRefuse, outputFormat, withOk, type CliCommand, type CommandContext } from './command-context';
import { EXIT, UsageError, printJson, printText, stdoutClosed } from './output';
import { accountTable, accountsTable, eventsTable, historyTable } from './table-format';

const PAGE = 1_000;

/** One answer in the asked format: JSON (and every refusal) as `answer` prints it, else the value's table. */
function answerIn<T>(format: 'json' | 'table', result: Result<T>, table: (value: T) => string): number {
  if (format === 'json' || !result.ok) return answer(result);
  printText(table(result.value));
  return EXIT.ok;
}
const FORMAT_DETAIL = '--format table prints aligned columns with money formatted; the default, json, is for scripts.';

export const READ_COMMANDS = {
  account: {
    summary: 'one account: owner, currency, balance, status, version',
    synopsis: 'ID [--format json|table]',
    details: [FORMAT_DETAIL],
    flags: { strings: ['format'], positionals: ['ID'] },
    access: 'read',
    run: (context) => {
      const format = outputFormat(context);
      return context.withLedger((ledger) =>
        answerIn(format, createHandlers(() => ledger).getAccount({ account: context.positionals[0] }), accountTable),
      );
    },
  },
  accounts: {
    summary: 'every account (a JSON array), with totals per currency in a table',
    synopsis: '[--format json|table]',
    details: [FORMAT_DETAIL],
    flags: { strings: ['format'] },
    access: 'read',
    run: (context) => {
      const format = outputFormat(context);
      return context.withLedger((ledger) => answerIn(format, createHandlers(() => ledger).listAccounts(undefined), accountsTable));
    },
  },
  history: {
    summary: "an account's events with the balance after each, oldest first (JSON lines)",
    synopsis: 'ID [--format json|table]',
    details: [FORMAT_DETAIL],
    flags: { strings: ['format'], positionals: ['ID'] },
    access: 'read',
    run: (context) => {
      const format = outputFormat(context);
      return context.withLedger((ledger) => printHistory(ledger, context.positionals[0]!, format));
    },
  },
  events: {
    summary: 'the global log, decoded (JSON lines)',
    synopsis: '[--from-position N] [--limit N] [--account ID] [--type TYPE] [--format json|table]',
    details: ['TYPE is a stored type (MoneyDeposited) or the name the app shows (Deposit, "Transfer in"), in any case.', FORMAT_DETAIL],
    flags: { strings: ['from-position', 'limit', 'account', 'type', 'format'] },
    access: 'read',
    run: (context) => {
      const format = outputFormat(context);
      const filter = {
        fromPosition: integerFlag(context, 'from-position') ?? 1,
        limit: integerFlag(context, 'limit'),
        streamId: context.string('account'),
        type: eventTypeFlag(context.string('type')),
      };
      return context.withLedger((ledger) => printEvents(ledger, filter, format));
    },
  },
  rebuild: {
    summary: 'replay the whole log into a fresh projection',
    synopsis: '',
    flags: {},
    access: 'read',
    run: (context) => context.withLedger((ledger) => answer({ ok: true, value: ledger.rebuild() }, withOk)),
  },
} satisfies Record<string, CliCommand>;

/** `--type`: a stored type name or the label the app shows, in any case. */
export function eventTypeFlag(name: string | undefined): EventType | undefined {
  if (name === undefined) return undefined;
  const type = eventTypeNamed(name);
  if (type === undefined) throw new UsageError(`Unknown event type "${name}"; use one of ${acceptedEventTypeNames()}`);
  return type;
}

function integerFlag(context: CommandContext, name: string): number | undefined {
  const value = context.string(name);
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw new UsageError(`--${name} needs a whole number, not "${value}"`);
  return Number(value);
}

/** Oldest first, paging through the whole history. */
async function printHistory(ledger: Ledger, account: string, format: 'json' | 'table'): Promise<number> {
  const entries: HistoryEntry[] = [];
  for (let fromVersion = 1; !stdoutClosed.signal.aborted;) {
    const page = ledger.history(account, fromVersion, PAGE);
    if (!page.ok) return answer(page);
    if (format === 'json') for (const entry of page.value.entries) printJson(entry);
    else entries.push(...page.value.entries);
    if (page.value.entries.length < PAGE) break;
    fromVersion = page.value.entries[page.value.entries.length - 1]!.version + 1;
    // Lets a closed stdout (`| head`) be noticed between pages.
    await nextTurn();
  }
  if (format === 'table') {
    const view = orRefuse(ledger.getAccount(account));
    printText(historyTable(entries, view.currency));
  }
  return EXIT.ok;
}

/** Decoded events from `fromPosition`; without a limit it pages through the rest of the log. */
async function printEvents(
  ledger: Ledger,
  filter: { fromPosition: number; limit?: number; streamId?: string; type?: string },
  format: 'json' | 'table',
): Promise<number> {
  const events: RecordedEvent[] = [];
  let remaining = filter.limit ?? Number.POSITIVE_INFINITY;
  let fromPosition = filter.fromPosition;
  while (remaining > 0 && !stdoutClosed.signal.aborted) {
    const page = ledger.events({ ...filter, fromPosition, limit: Math.min(remaining, PAGE) });
    if (format === 'json') for (const event of page) printJson(withReversalLinks(ledger, event));
    else events.push(...page);
    if (page.length === 0 || page.length < Math.min(remaining, PAGE)) break;
    remaining -= page.length;
    fromPosition = page[page.length - 1]!.position + 1;
    await nextTurn();
  }
  if (format === 'table') printText(eventsTable(events, (position) => ledger.reversedBy(position)));
  return EXIT.ok;
}

/** An `events` line: the decoded event, with `reverses` on a reversal and `reversedBy` on an event taken back. */
function withReversalLinks(ledger: Ledger, event: RecordedEvent): RecordedEvent & { reverses?: number; reversedBy?: number } {
  const reversedBy = ledger.reversedBy(event.position);
  return {
    ...event,
    ...(event.type === 'EntryReversed' ? { reverses: event.data.reversesPosition } : {}),
    ...(reversedBy === undefined ? {} : { reversedBy }),
  };
}
