/**
 * Imports an event log written by the original Go exercise. Each line is stored VERBATIM as
 * schema version 1 (its ids, stream versions and timestamps kept) and upcast on read.
 * Every line is held to the rules of the command it records (event-rules.ts: the same
 * schemas and decide functions as a command, a real moment, only the legacy format's
 * fields). Everything is checked before anything is written, and the whole file goes in one
 * transaction: a bad line names itself and nothing is imported.
 */
import { z } from 'zod';
import { accountIdSchema } from '#shared/commands';
import { LedgerFailure, fail, succeed, type Result } from '#shared/errors';
import { isCurrency } from '#shared/money';
import type { EventStore } from '../store/event-store';
import { EventRules, LEGACY_EVENT_TYPES, type EventRow } from './event-rules';
import { objectMembers } from './json-members';
import { verbatimAppend } from './verbatim-append';

const legacyLineSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7E]+$/, { error: 'must be printable ASCII without spaces' }),
  aggregate_id: accountIdSchema,
  aggregate_type: z.literal('BankAccount'),
  event_type: z.enum(LEGACY_EVENT_TYPES),
  version: z.number().int().min(1),
  data: z.record(z.string(), z.unknown()),
  // Checked in full by the event rules (recordedTimeProblem); the cap keeps a huge string cheap to refuse.
  timestamp: z.string().max(64, { error: 'is not an RFC 3339 timestamp' }),
});

export type LegacyImportSummary = { readonly events: number; readonly accounts: number };

export function importLegacyLog(store: EventStore, text: string, currency: string, actor: string): Result<LegacyImportSummary> {
  if (!isCurrency(currency)) return fail('VALIDATION', `"${currency}" is not an ISO 4217 currency code`);
  const metadataText = JSON.stringify({ legacyCurrency: currency, source: 'legacy-import', aggregateType: 'BankAccount', actor });
  const checked = checkLegacyLines(store, text, metadataText);
  if (!checked.ok) return checked;
  const rows = checked.value;
  try {
    store.writeTransaction(() => {
      for (const row of rows) store.append([verbatimAppend(row)]);
    });
  } catch (error) {
    if (error instanceof LedgerFailure) return { ok: false, error: error.error };
    const message = error instanceof Error ? error.message : String(error);
    if (/UNIQUE constraint failed: events.event_id/.test(message)) {
      return fail('ALREADY_EXISTS', 'The legacy log contains event ids that are already in this ledger; nothing was imported');
    }
    throw error;
  }
  return succeed({ events: rows.length, accounts: new Set(rows.map((row) => row.streamId)).size });
}

/**
 * Parses every line against the legacy line format, then holds the event it records to the
 * rules every event from outside is held to (event-rules.ts), in order.
 */
function checkLegacyLines(store: EventStore, text: string, metadataText: string): Result<EventRow[]> {
  const accepted: EventRow[] = [];
  const rules = new EventRules({ storedVersion: (streamId) => store.streamVersion(streamId) });
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
    const row: EventRow = {
      eventId: line.id,
      streamId: line.aggregate_id,
      streamVersion: line.version,
      type: line.event_type,
      schemaVersion: 1,
      recordedAt: line.timestamp,
      data: dataText,
      metadata: metadataText,
    };
    const broken = rules.check(row);
    if (broken !== undefined) return problem(broken);
    accepted.push(row);
  }
  if (accepted.length === 0) return fail('VALIDATION', 'The legacy log is empty; nothing was imported');
  return succeed(accepted);
}

/** The exact text of a line's top-level "data" object; like JSON.parse, the last "data" key wins. */
function rawDataText(line: string): string | undefined {
  const data = objectMembers(line)?.findLast((member) => member.key === 'data');
  return data?.valueText.startsWith('{') ? data.valueText : undefined;
}
