/**
 * What an event's metadata may hold when it comes from outside: only the fields the ledger
 * writes there itself, each once, each text without control characters or text-direction
 * marks (the audit view shows metadata as stored). A command writes its command id (and the
 * same id as causation), a correlation id, the actor and the app version; the legacy import
 * writes the currency of the log's floats, its source, the aggregate type and the actor.
 */
import { fail, succeed, type Result } from '#shared/errors';
import type { EventMetadata } from '#shared/events';
import { isCurrency } from '#shared/money';
import { COMMAND_ID_MAX_CHARACTERS, UNSAFE_TEXT, characterCount } from '#shared/rules';
import { shown } from './shown-text';
import { objectMembers } from './json-members';

/** Longest actor, app version or source text. */
const TEXT_MAX_CHARACTERS = 200;

/** Each metadata field and its longest value, for events recorded by commands and for legacy ones. */
const FIELDS = {
  recorded: {
    commandId: COMMAND_ID_MAX_CHARACTERS,
    causationId: COMMAND_ID_MAX_CHARACTERS,
    correlationId: COMMAND_ID_MAX_CHARACTERS,
    actor: TEXT_MAX_CHARACTERS,
    appVersion: TEXT_MAX_CHARACTERS,
  },
  legacy: { legacyCurrency: 3, source: TEXT_MAX_CHARACTERS, aggregateType: TEXT_MAX_CHARACTERS, actor: TEXT_MAX_CHARACTERS },
} as const satisfies Record<string, Record<string, number>>;

/** The metadata `text` holds, or why it cannot be stored with the event. */
export function checkMetadata(text: string, legacy: boolean): Result<EventMetadata> {
  const limits: Readonly<Record<string, number>> = legacy ? FIELDS.legacy : FIELDS.recorded;
  const parsed = JSON.parse(text) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return fail('VALIDATION', 'the metadata is not a JSON object');
  const metadata = parsed as Record<string, unknown>;
  // Text JSON.stringify would write again as it is holds each key once (the ledger's own
  // metadata always is); any other text is read key by key, repeated keys included.
  const members = JSON.stringify(metadata) === text ? Object.keys(metadata).map((key) => ({ key })) : objectMembers(text);
  if (members === undefined) return fail('VALIDATION', 'the metadata is not a JSON object');
  const seen = new Set<string>();
  for (const { key } of members) {
    if (limits[key] === undefined) return fail('VALIDATION', `the metadata has a field the ledger does not write: "${shown(key)}"`);
    if (seen.has(key)) return fail('VALIDATION', `the metadata repeats the field "${shown(key)}"`);
    seen.add(key);
  }
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string' || value.length === 0) return fail('VALIDATION', `the metadata field "${key}" must be text`);
    // A text has at least as many UTF-16 units as characters: only a long one needs counting.
    if (value.length > limits[key]! && characterCount(value) > limits[key]!)
      return fail('VALIDATION', `the metadata field "${key}" must be at most ${limits[key]} characters`);
    if (UNSAFE_TEXT.test(value)) {
      return fail(
        'VALIDATION',
        `the metadata field "${key}" must not contain control characters, text-direction marks or unpaired surrogates`,
      );
    }
  }
  if (legacy && (typeof metadata.legacyCurrency !== 'string' || !isCurrency(metadata.legacyCurrency))) {
    return fail('VALIDATION', 'a legacy event needs the currency of its amounts in the metadata field "legacyCurrency"');
  }
  return succeed(metadata as EventMetadata);
}
