/**
 * The rules an event given from outside (a legacy log's line, a restored export's row) is held
 * to before it is stored: it must be exactly what the command that records it (open, deposit,
 * withdraw, transfer, close, reverse: the same schemas and decide functions) would have recorded,
 * on the accounts (and, for a reversal, the events) as the events before it left them. So its owner and memo follow the text rules, its
 * amount is a positive whole number of minor units the account can take, its stream version
 * follows the one before, its time names a real moment, its payload holds its type's fields
 * and nothing else, and its metadata holds only what the ledger writes there.
 *
 * The one check both the legacy import and the restore use: neither may store what a command
 * would have refused, since the projection, the audit view and new commands build on it.
 */
import { COMMAND_SCHEMAS, type AnyCommand, type CommandName } from '#shared/commands';
import { succeed, type Result } from '#shared/errors';
import type { EventMetadata, LedgerEvent } from '#shared/events';
import { formatMinor, isCurrency } from '#shared/money';
import { ACCOUNT_ID_PATTERN } from '#shared/rules';
import { validate } from '#shared/validation';
import { decideTransfer, evolve, type AccountState } from '../domain/bank-account';
import { decideCommand } from '../domain/decide-command';
import { decideReverse } from '../domain/reverse';
import { describeLegacyFloat, legacyFloatToMinor } from '../events/legacy-amount';
import { recordedTimeProblem } from '../events/recorded-time';
import { upcast } from '../events/upcasters';
import type { StoredEvent } from '../store/event-store';
import { checkMetadata } from './event-metadata-rules';
import { objectMembers } from './json-members';
import { RestoredLog } from './restored-log';
import { shown } from './shown-text';

/**
 * An event as it would be stored, before it is hashed: payload and metadata are JSON texts.
 * A restored row has its position; a legacy line has none (and can hold no reversal).
 */
export type EventRow = Pick<
  StoredEvent,
  'eventId' | 'streamId' | 'streamVersion' | 'type' | 'schemaVersion' | 'recordedAt' | 'data' | 'metadata'
> & { readonly position?: number };

type EventFormat = {
  readonly command: CommandName;
  /** Every field the payload may hold (each at most once). */
  readonly fields: readonly string[];
  readonly amountField?: string;
  /** Schema version 1: the original exercise's format (float amounts, currency in the metadata). */
  readonly legacy?: true;
};

/** Each stored type at each schema version the ledger records or imports, keyed "type@version". */
export const EVENT_FORMATS: Readonly<Record<string, EventFormat>> = {
  'AccountCreated@1': { command: 'open', fields: ['owner', 'initial_deposit'], amountField: 'initial_deposit', legacy: true },
  'MoneyDeposited@1': { command: 'deposit', fields: ['amount'], amountField: 'amount', legacy: true },
  'MoneyWithdrawn@1': { command: 'withdraw', fields: ['amount'], amountField: 'amount', legacy: true },
  'AccountOpened@2': { command: 'open', fields: ['owner', 'currency', 'initialMinor'], amountField: 'initialMinor' },
  'MoneyDeposited@2': { command: 'deposit', fields: ['amountMinor', 'currency', 'memo'], amountField: 'amountMinor' },
  'MoneyWithdrawn@2': { command: 'withdraw', fields: ['amountMinor', 'currency', 'memo'], amountField: 'amountMinor' },
  'TransferSent@1': { command: 'transfer', fields: ['transferId', 'to', 'amountMinor', 'currency', 'memo'], amountField: 'amountMinor' },
  'TransferReceived@1': {
    command: 'transfer',
    fields: ['transferId', 'from', 'amountMinor', 'currency', 'memo'],
    amountField: 'amountMinor',
  },
  'AccountClosed@1': { command: 'close', fields: [] },
  'EntryReversed@1': {
    command: 'reverse',
    fields: ['reversesPosition', 'reversesEventId', 'effectMinor', 'currency', 'reason', 'counterparty'],
  },
};

/** The legacy format's event types. */
export const LEGACY_EVENT_TYPES = ['AccountCreated', 'MoneyDeposited', 'MoneyWithdrawn'] as const;

/** Event ids (and transfer ids): what the legacy writer and UUIDs both are, printable ASCII without spaces. */
const EVENT_ID = /^[\x21-\x7E]{1,200}$/;

export type EventRuleOptions = {
  /** The version a stream already has in the ledger the events go into (an import adds to a ledger). */
  readonly storedVersion?: (streamId: string) => number;
};

/**
 * Checks events one after another, in the order they are stored; each is judged on the
 * accounts as the events before it left them. Not reusable after a problem.
 */
export class EventRules {
  private readonly states = new Map<string, AccountState>();
  /**
   * The second event of a transfer, or of a transfer's reversal, which must be the very next
   * event (a command's events are appended together).
   */
  private pendingLeg: { readonly streamId: string; readonly event: LedgerEvent } | undefined;
  /** The events checked so far, for reversals to name (only when rows come with their positions). */
  private log: RestoredLog | undefined;
  /** Set when a row came without its position, or not right after the one before: reversals cannot be checked. */
  private positionsUnknown = false;

  constructor(private readonly options: EventRuleOptions = {}) {}

  /** Why `row` is not what its command would have recorded after the rows before it; undefined when it is. */
  check(row: EventRow): string | undefined {
    const problem = this.problemOf(row);
    if (problem !== undefined) return problem.replace(/\.$/, '');
    return undefined;
  }

  /** Why the events checked so far could not end here (a transfer without its second leg); undefined when they can. */
  unfinished(): string | undefined {
    if (this.pendingLeg === undefined) return undefined;
    if (this.pendingLeg.event.type === 'EntryReversed') {
      return `the reversal of a transfer has no second EntryReversed event (on ${this.pendingLeg.streamId}) after it`;
    }
    return `the transfer to ${this.pendingLeg.streamId} has no TransferReceived event after it`;
  }

  private problemOf(row: EventRow): string | undefined {
    if (!EVENT_ID.test(row.eventId)) return `the event id "${shown(row.eventId)}" is not 1-200 printable ASCII characters without spaces`;
    if (!ACCOUNT_ID_PATTERN.test(row.streamId)) return `the account id "${shown(row.streamId)}" is not one the ledger accepts`;
    const format = EVENT_FORMATS[`${row.type}@${row.schemaVersion}`];
    if (format === undefined) return `"${shown(row.type)}" version ${row.schemaVersion} is not an event this ledger records`;
    const timeProblem = recordedTimeProblem(row.recordedAt);
    if (timeProblem !== undefined) return `the timestamp ${timeProblem}`;
    // A legacy payload keeps its own text, so its fields are read from it; a current one is
    // compared with the command's own text below, and its fields read only to word a refusal.
    if (format.legacy) {
      const fieldsProblem = payloadFieldsProblem(row.type, row.data, format);
      if (fieldsProblem !== undefined) return fieldsProblem;
    }
    const metadata = checkMetadata(row.metadata, format.legacy === true);
    if (!metadata.ok) return metadata.error.message;
    const pending = this.pendingLeg;
    this.pendingLeg = undefined;
    if (pending?.event.type === 'EntryReversed') {
      if (row.type !== 'EntryReversed' || pending.streamId !== row.streamId) {
        return `the reversal of a transfer must be followed by its second EntryReversed event, on ${pending.streamId}, not ${row.type} on ${row.streamId}`;
      }
    } else if (row.type === 'TransferReceived') {
      if (pending === undefined) return 'a TransferReceived event must follow the TransferSent event of its transfer';
      if (pending.streamId !== row.streamId)
        return `the transfer's TransferReceived event belongs to ${pending.streamId}, not ${row.streamId}`;
    } else if (pending !== undefined) {
      return `the transfer to ${pending.streamId} must be followed by its TransferReceived event, not ${row.type}`;
    }
    const state = this.states.get(row.streamId);
    if (!state && (this.options.storedVersion?.(row.streamId) ?? 0) > 0) {
      return `account ${row.streamId} already exists in this ledger`;
    }
    const expectedVersion = (state?.version ?? 0) + 1;
    if (row.streamVersion !== expectedVersion) {
      return `${row.streamId} version ${row.streamVersion} does not follow version ${expectedVersion - 1}`;
    }
    const data = JSON.parse(row.data) as unknown;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return `${row.type} data is not a JSON object`;
    const payload = data as Record<string, unknown>;
    const expected = pending?.event ?? this.decide(row, payload, format, metadata.value);
    const problem = typeof expected === 'string' ? expected : this.readBackProblem(row, payload, format, metadata.value, expected);
    if (typeof expected === 'string' || problem !== undefined) {
      return (format.legacy ? undefined : payloadFieldsProblem(row.type, row.data, format)) ?? problem;
    }
    this.states.set(row.streamId, evolve(state, expected, row.streamId, row.recordedAt));
    this.remember(row, expected);
    return undefined;
  }

  /** Keeps what a later reversal may need of an accepted event (see RestoredLog). */
  private remember(row: EventRow, event: LedgerEvent): void {
    if (this.positionsUnknown) return;
    if (row.position === undefined) {
      this.positionsUnknown = true;
      this.log = undefined;
      return;
    }
    this.log ??= new RestoredLog(row.position, (accountId) => this.states.get(accountId));
    if (row.position !== this.log.nextPosition) {
      this.positionsUnknown = true;
      this.log = undefined;
      return;
    }
    this.log.record(row.eventId, row.streamId, event);
  }

  /** The reversal the reverse command would record in place of `row`, or why it would be refused. */
  private decideReversal(row: EventRow, data: Record<string, unknown>): LedgerEvent | string {
    const log = this.log ?? (this.positionsUnknown ? undefined : new RestoredLog(row.position ?? 1, () => undefined));
    if (log === undefined || row.position === undefined || row.position !== log.nextPosition) {
      return 'a reversal can only be restored with every event before it, at its position';
    }
    const target = data.reversesPosition;
    if (typeof target !== 'number' || !Number.isSafeInteger(target) || target < 1 || target >= row.position) {
      return `the reversal names position ${shown(JSON.stringify(target) ?? 'missing')}, which is not an earlier event`;
    }
    const input = validate(COMMAND_SCHEMAS.reverse, { position: target, reason: data.reason });
    if (!input.ok) return input.error.message;
    const decided = decideReverse(input.value, { eventAt: log.eventAt, reversedBy: log.reversedBy, load: (id) => this.states.get(id) });
    if (!decided.ok) return decided.error.message;
    const [first, second] = decided.value.decision;
    if (first!.streamId !== row.streamId) return `the reversal of position ${target} belongs to ${first!.streamId}, not ${row.streamId}`;
    if (second !== undefined) this.pendingLeg = { streamId: second.streamId, event: second.events[0]! };
    return first!.events[0]!;
  }

  /** The event the command would record in place of `row`, or why the command would be refused. */
  private decide(row: EventRow, data: Record<string, unknown>, format: EventFormat, metadata: EventMetadata): LedgerEvent | string {
    const load = (accountId: string) => this.states.get(accountId);
    if (format.command === 'reverse') return this.decideReversal(row, data);
    const amount = amountText(row, data, format, metadata, load);
    if (!amount.ok) return amount.error.message;
    const memo = 'memo' in data ? { memo: data.memo } : {};
    const account = row.streamId;
    if (format.command === 'transfer') {
      if (typeof data.transferId !== 'string' || !EVENT_ID.test(data.transferId)) {
        return `the transfer id ${shown(JSON.stringify(data.transferId) ?? 'missing')} is not 1-200 printable ASCII characters without spaces`;
      }
      const input = validate(COMMAND_SCHEMAS.transfer, { from: account, to: data.to, amount: amount.value, ...memo });
      if (!input.ok) return input.error.message;
      const decided = decideTransfer(load(account), load(input.value.to), input.value, data.transferId);
      if (!decided.ok) return decided.error.message;
      const [sent, received] = decided.value;
      this.pendingLeg = { streamId: received!.streamId, event: received!.events[0]! };
      return sent!.events[0]!;
    }
    const currency = format.legacy ? metadata.legacyCurrency : data.currency;
    const request =
      format.command === 'open'
        ? { account, owner: data.owner, currency, ...(amount.value === undefined ? {} : { initial: amount.value }) }
        : format.command === 'close'
          ? { account }
          : { account, amount: amount.value, ...memo };
    const input = validate(COMMAND_SCHEMAS[format.command], request);
    if (!input.ok) return input.error.message;
    // The payload is stored as written, so it must already be what open stores (owners trimmed).
    if ('owner' in input.value && input.value.owner !== data.owner) {
      return 'The owner has spaces around it, and the ledger stores owners trimmed';
    }
    const decided = decideCommand({ name: format.command, input: input.value } as AnyCommand, load);
    if (!decided.ok) return decided.error.message;
    return decided.value.decision[0]!.events[0]!;
  }

  /** Why `row` does not read as exactly `expected`; undefined when it does. */
  private readBackProblem(
    row: EventRow,
    data: Record<string, unknown>,
    format: EventFormat,
    metadata: EventMetadata,
    expected: LedgerEvent,
  ): string | undefined {
    if (format.legacy) {
      // A legacy payload keeps its own text (100.50, "\u0026"); what it reads back as must match.
      const event = upcast({ type: row.type, schemaVersion: row.schemaVersion, data }, () => metadata);
      if (JSON.stringify(event) === JSON.stringify(expected)) return undefined;
      return `${row.type} does not read back as the ${format.command} command would record it`;
    }
    // Everything the ledger records itself is stored as JSON.stringify writes the event's payload.
    const recorded = JSON.stringify(expected.data);
    if (row.type === expected.type && row.data === recorded) return undefined;
    return `${row.type} data ${shown(row.data, 120)} is not what the ${format.command} command records: ${shown(recorded, 120)}`;
  }
}

/**
 * The amount text the command would have been given: a legacy float read exactly in the
 * import's currency, or a current event's minor units written in its account's currency.
 * Undefined for a command without an amount.
 */
function amountText(
  row: EventRow,
  data: Record<string, unknown>,
  format: EventFormat,
  metadata: EventMetadata,
  load: (accountId: string) => AccountState | undefined,
): Result<string | undefined> {
  const field = format.amountField;
  if (field === undefined) return succeed(undefined);
  const value = data[field];
  if (format.legacy) {
    const currency = metadata.legacyCurrency as string;
    if (legacyFloatToMinor(value, currency) === undefined) return failure(`${field} ${describeLegacyFloat(value, currency)}`);
    return succeed(String(value));
  }
  if (!Number.isSafeInteger(value) || (value as number) < 0 || Object.is(value, -0)) {
    return failure(
      `${row.type} field "${field}" ${shown(JSON.stringify(value) ?? 'missing')} is not a whole, non-negative number of minor units`,
    );
  }
  // An opening's currency is its own (the schema refuses one that is not a currency); a
  // movement's is its account's (without the account the command is refused before the amount is read).
  const currency = format.command === 'open' ? data.currency : load(row.streamId)?.currency;
  if (typeof currency !== 'string' || !isCurrency(currency)) return succeed('0');
  return succeed(formatMinor(value as number, currency));
}

/** The payload holds its type's fields, each once, and nothing else. */
function payloadFieldsProblem(type: string, dataText: string, format: EventFormat): string | undefined {
  const members = objectMembers(dataText);
  if (members === undefined) return `${type} data is not a JSON object`;
  const seen = new Set<string>();
  for (const { key } of members) {
    if (!format.fields.includes(key))
      return `${type} data has a field the ${format.legacy ? 'legacy' : 'event'} format does not have: "${shown(key)}"`;
    if (seen.has(key)) return `${type} data repeats the field "${shown(key)}"`;
    seen.add(key);
  }
  return undefined;
}

function failure(message: string): Result<never> {
  return { ok: false, error: { code: 'VALIDATION', message } };
}
