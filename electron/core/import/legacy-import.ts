/**
 * Imports an event log written by the original Go exercise. Each line is stored VERBATIM as
 * schema version 1 (its ids, stream versions and timestamps kept) and upcast on read.
 * Every line is held to the rules of the command it records (open, deposit, withdraw: the
 * same schemas and decide functions as a command), its timestamp must name a real moment,
 * and its payload may hold only the legacy format's fields. Everything is checked before
 * anything is written, and the whole file goes in one transaction: a bad line names itself
 * and nothing is imported.
 */
import { z } from 'zod';
import { COMMAND_SCHEMAS, accountIdSchema, type AnyCommand } from '../../../shared/commands';
import { LedgerFailure, fail, succeed, type Result } from '../../../shared/errors';
import type { EventMetadata, LedgerEvent } from '../../../shared/events';
import { isCurrency } from '../../../shared/money';
import { validate } from '../../../shared/validation';
import { evolve, type AccountState } from '../domain/bank-account';
import { decideCommand } from '../domain/decide-command';
import { describeLegacyFloat, legacyFloatToMinor } from '../events/legacy-amount';
import { recordedTimeProblem } from '../events/recorded-time';
import { upcast } from '../events/upcasters';
import type { EventStore, NewEvent } from '../store/event-store';
import { objectMembers } from './json-members';

/** Each legacy event type, the command it records, and the only payload fields it has. */
const LEGACY_TYPES = {
  AccountCreated: { command: 'open', fields: ['owner', 'initial_deposit'], amountField: 'initial_deposit' },
  MoneyDeposited: { command: 'deposit', fields: ['amount'], amountField: 'amount' },
  MoneyWithdrawn: { command: 'withdraw', fields: ['amount'], amountField: 'amount' },
} as const;
type LegacyType = keyof typeof LEGACY_TYPES;
const LEGACY_EVENT_TYPES = Object.keys(LEGACY_TYPES) as [LegacyType, ...LegacyType[]];

const legacyLineSchema = z.strictObject({
  id: z.string().min(1).max(200).regex(/^[\x21-\x7E]+$/, { error: 'must be printable ASCII without spaces' }),
  aggregate_id: accountIdSchema,
  aggregate_type: z.literal('BankAccount'),
  event_type: z.enum(LEGACY_EVENT_TYPES),
  version: z.number().int().min(1),
  data: z.record(z.string(), z.unknown()),
  // Checked in full by recordedTimeProblem; the cap keeps a huge string cheap to refuse.
  timestamp: z.string().max(64, { error: 'is not an RFC 3339 timestamp' }),
});

type LegacyLine = z.infer<typeof legacyLineSchema>;

export type LegacyImportSummary = { readonly events: number; readonly accounts: number };

export function importLegacyLog(
  store: EventStore,
  text: string,
  currency: string,
  actor: string,
): Result<LegacyImportSummary> {
  if (!isCurrency(currency)) return fail('VALIDATION', `"${currency}" is not an ISO 4217 currency code`);
  const checked = checkLegacyLines(store, text, currency);
  if (!checked.ok) return checked;
  const lines = checked.value;
  try {
    store.writeTransaction(() => {
      for (const { line, dataText } of lines) {
        const event: NewEvent = {
          type: line.event_type,
          schemaVersion: 1,
          data: line.data,
          // The payload's own text, byte for byte (JSON.stringify would turn 100.50 into 100.5).
          dataText,
          metadata: { legacyCurrency: currency, source: 'legacy-import', aggregateType: line.aggregate_type, actor },
          eventId: line.id,
          recordedAt: line.timestamp,
        };
        // The exact expected version makes the stored stream version equal the legacy one.
        store.append([{ streamId: line.aggregate_id, expected: line.version - 1, events: [event] }]);
      }
    });
  } catch (error) {
    if (error instanceof LedgerFailure) return { ok: false, error: error.error };
    const message = error instanceof Error ? error.message : String(error);
    if (/UNIQUE constraint failed: events.event_id/.test(message)) {
      return fail('ALREADY_EXISTS', 'The legacy log contains event ids that are already in this ledger; nothing was imported');
    }
    throw error;
  }
  return succeed({ events: lines.length, accounts: new Set(lines.map(({ line }) => line.aggregate_id)).size });
}

/** Parses and checks every line against the schema, the stream order, exact money and the domain rules. */
function checkLegacyLines(
  store: EventStore,
  text: string,
  currency: string,
): Result<Array<{ line: LegacyLine; number: number; dataText: string }>> {
  const accepted: Array<{ line: LegacyLine; number: number; dataText: string }> = [];
  const states = new Map<string, AccountState>();
  const seenIds = new Set<string>();
  const rawLines = text.split('\n');
  for (let index = 0; index < rawLines.length; index++) {
    const raw = rawLines[index]!.trim();
    if (raw === '') continue;
    const number = index + 1;
    const problem = (message: string) => fail('VALIDATION', `Line ${number}: ${message}; nothing was imported`);
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return problem('is not valid JSON');
    }
    const parsed = legacyLineSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return problem(`field "${issue.path.join('.')}" ${issue.message}`);
    }
    const line = parsed.data;
    const timeProblem = recordedTimeProblem(line.timestamp);
    if (timeProblem !== undefined) return problem(`the timestamp ${timeProblem}`);
    const dataText = rawDataText(raw);
    // The stored text must say exactly what was checked (a repeated "data" key, say, must not differ).
    if (dataText === undefined || JSON.stringify(JSON.parse(dataText)) !== JSON.stringify(line.data)) {
      return problem('field "data" cannot be read as one JSON object');
    }
    const payloadProblem = checkPayloadFields(line.event_type, dataText);
    if (payloadProblem !== undefined) return problem(payloadProblem);
    if (seenIds.has(line.id)) return problem(`event id ${line.id} appears twice`);
    seenIds.add(line.id);
    const state = states.get(line.aggregate_id);
    if (!state && store.streamVersion(line.aggregate_id) > 0) {
      return problem(`account ${line.aggregate_id} already exists in this ledger`);
    }
    const expectedVersion = (state?.version ?? 0) + 1;
    if (line.version !== expectedVersion) {
      return problem(`${line.aggregate_id} version ${line.version} does not follow version ${expectedVersion - 1}`);
    }
    const { amountField } = LEGACY_TYPES[line.event_type];
    const amount = line.data[amountField];
    if (legacyFloatToMinor(amount, currency) === undefined) {
      return problem(`${amountField} ${describeLegacyFloat(amount, currency)}`);
    }
    const metadata: EventMetadata = { legacyCurrency: currency };
    const event = upcast({ type: line.event_type, schemaVersion: 1, data: line.data }, () => metadata);
    const decided = decideAsCommand(line, String(amount), currency, (id) => states.get(id));
    if (!decided.ok) return problem(decided.error.message.replace(/\.$/, ''));
    // What is stored must read back (upcast) as exactly what the command would have recorded.
    if (JSON.stringify(decided.value) !== JSON.stringify(event)) {
      return problem(`${line.event_type} does not read back as the ${LEGACY_TYPES[line.event_type].command} command would record it`);
    }
    const next = evolve(state, event, line.aggregate_id, line.timestamp);
    states.set(line.aggregate_id, next);
    accepted.push({ line, number, dataText });
  }
  if (accepted.length === 0) return fail('VALIDATION', 'The legacy log is empty; nothing was imported');
  return succeed(accepted);
}

/**
 * The same schema and decide function as the command the line records (open, deposit or
 * withdraw), on the accounts as the lines before it left them: the one event it would record.
 */
function decideAsCommand(
  line: LegacyLine,
  amountText: string,
  currency: string,
  load: (accountId: string) => AccountState | undefined,
): Result<LedgerEvent> {
  const account = line.aggregate_id;
  const request =
    line.event_type === 'AccountCreated'
      ? { name: 'open' as const, input: { account, owner: line.data.owner, currency, initial: amountText } }
      : { name: LEGACY_TYPES[line.event_type].command, input: { account, amount: amountText } };
  const input = validate(COMMAND_SCHEMAS[request.name], request.input);
  if (!input.ok) return input;
  // The payload is stored as written, so it must already be what open stores (owners trimmed).
  if ('owner' in input.value && input.value.owner !== line.data.owner) {
    return fail('VALIDATION', 'The owner has spaces around it, and the ledger stores owners trimmed');
  }
  const decided = decideCommand({ name: request.name, input: input.value } as AnyCommand, load);
  if (!decided.ok) return decided;
  return succeed(decided.value.decision[0]!.events[0]!);
}

/** The payload holds the legacy format's fields of its type, each once, and nothing else. */
function checkPayloadFields(type: LegacyType, dataText: string): string | undefined {
  const allowed: readonly string[] = LEGACY_TYPES[type].fields;
  const seen = new Set<string>();
  for (const { key } of objectMembers(dataText) ?? []) {
    const shown = JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
    if (!allowed.includes(key)) return `${type} data has a field the legacy format does not have: ${shown}`;
    if (seen.has(key)) return `${type} data repeats the field ${shown}`;
    seen.add(key);
  }
  return undefined;
}

/** The exact text of a line's top-level "data" object; like JSON.parse, the last "data" key wins. */
function rawDataText(line: string): string | undefined {
  const data = objectMembers(line)?.findLast((member) => member.key === 'data');
  return data?.valueText.startsWith('{') ? data.valueText : undefined;
}
