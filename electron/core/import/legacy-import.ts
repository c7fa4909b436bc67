/**
 * Imports an event log written by the original Go exercise. Each line is stored VERBATIM as
 * schema version 1 (its ids, stream versions and timestamps kept) and upcast on read.
 * Everything is checked before anything is written, and the whole file goes in one
 * transaction: a bad line names itself and nothing is imported.
 */
import { z } from 'zod';
import { ACCOUNT_ID_PATTERN } from '../../../shared/commands';
import { LedgerFailure, fail, succeed, type Result } from '../../../shared/errors';
import type { EventMetadata } from '../../../shared/events';
import { isCurrency } from '../../../shared/money';
import { evolve, type AccountState } from '../domain/bank-account';
import { describeLegacyFloat, legacyFloatToMinor } from '../events/legacy-amount';
import { upcast } from '../events/upcasters';
import type { EventStore, NewEvent } from '../store/event-store';

const LEGACY_EVENT_TYPES = ['AccountCreated', 'MoneyDeposited', 'MoneyWithdrawn'] as const;

/** RFC 3339 with optional fractional seconds (the Go writer emits nanoseconds). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

const legacyLineSchema = z.strictObject({
  id: z.string().min(1).max(200).regex(/^[\x21-\x7E]+$/, { error: 'must be printable ASCII without spaces' }),
  aggregate_id: z.string().regex(ACCOUNT_ID_PATTERN, { error: 'is not a valid account id' }),
  aggregate_type: z.literal('BankAccount'),
  event_type: z.enum(LEGACY_EVENT_TYPES),
  version: z.number().int().min(1),
  data: z.record(z.string(), z.unknown()),
  timestamp: z.string().regex(RFC3339, { error: 'is not an RFC 3339 timestamp' }),
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
    const dataText = rawDataText(raw);
    // The stored text must say exactly what was checked (a repeated "data" key, say, must not differ).
    if (dataText === undefined || JSON.stringify(JSON.parse(dataText)) !== JSON.stringify(line.data)) {
      return problem('field "data" cannot be read as one JSON object');
    }
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
    const amountField = line.event_type === 'AccountCreated' ? 'initial_deposit' : 'amount';
    const amount = line.data[amountField];
    if (legacyFloatToMinor(amount, currency) === undefined) {
      return problem(`${amountField} ${describeLegacyFloat(amount, currency)}`);
    }
    if (line.event_type === 'AccountCreated' && (typeof line.data.owner !== 'string' || line.data.owner.trim() === '')) {
      return problem('AccountCreated needs an owner');
    }
    if (line.event_type !== 'AccountCreated' && !state) {
      return problem(`${line.event_type} on ${line.aggregate_id} before it was created`);
    }
    if (line.event_type === 'AccountCreated' && state) return problem(`${line.aggregate_id} is created twice`);
    const metadata: EventMetadata = { legacyCurrency: currency };
    const event = upcast({ type: line.event_type, schemaVersion: 1, data: line.data }, () => metadata);
    const next = evolve(state, event, line.aggregate_id, line.timestamp);
    if (next.balanceMinor < 0) return problem(`the withdrawal takes ${line.aggregate_id} below zero`);
    if (!Number.isSafeInteger(next.balanceMinor)) return problem(`the balance of ${line.aggregate_id} overflows`);
    states.set(line.aggregate_id, next);
    accepted.push({ line, number, dataText });
  }
  if (accepted.length === 0) return fail('VALIDATION', 'The legacy log is empty; nothing was imported');
  return succeed(accepted);
}

/**
 * The exact text of a line's top-level "data" object. The line already parsed as JSON, so
 * only strings and nesting need tracking. Like JSON.parse, the last "data" key wins.
 */
function rawDataText(line: string): string | undefined {
  let depth = 0;
  let expectKey = false;
  let key: string | undefined;
  let found: string | undefined;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (char === '"') {
      const end = endOfString(line, index);
      if (depth === 1 && expectKey) key = JSON.parse(line.slice(index, end + 1)) as string;
      index = end;
    } else if (char === '{' || char === '[') {
      depth += 1;
      if (depth === 1) expectKey = true;
    } else if (char === '}' || char === ']') {
      depth -= 1;
    } else if (depth === 1 && char === ',') {
      expectKey = true;
    } else if (depth === 1 && char === ':') {
      expectKey = false;
      if (key === 'data') {
        let start = index + 1;
        while (/\s/.test(line[start] ?? '')) start += 1;
        if (line[start] !== '{') return undefined;
        const end = endOfObject(line, start);
        found = line.slice(start, end + 1);
        index = end;
      }
    }
  }
  return found;
}

/** Index of the quote that closes the string opening at `start`. */
function endOfString(text: string, start: number): number {
  for (let index = start + 1; index < text.length; index++) {
    if (text[index] === '\\') index += 1;
    else if (text[index] === '"') return index;
  }
  return text.length - 1;
}

/** Index of the brace that closes the object opening at `start`. */
function endOfObject(text: string, start: number): number {
  let depth = 0;
  for (let index = start; index < text.length; index++) {
    const char = text[index];
    if (char === '"') index = endOfString(text, index);
    else if (char === '{' || char === '[') depth += 1;
    else if (char === '}' || char === ']') {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  return text.length - 1;
}
