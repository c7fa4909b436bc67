/**
 * From stored rows to domain events: parse the stored JSON and upcast it. A row that cannot be
 * read so (its JSON no longer parses, or its type and version are none this app knows) was
 * altered or damaged after it was written; it is answered as INTEGRITY naming its position,
 * never as an internal error.
 */
import { LedgerFailure } from '#shared/errors';
import type { EventMetadata, LedgerEvent, RecordedEvent } from '#shared/events';
import { shown } from '../import/shown-text';
import type { StoredEvent } from '../store/event-store';
import { upcast } from './upcasters';

export function decodeEvent(row: StoredEvent): RecordedEvent {
  const metadata = parseStoredJson(row.metadata, row.position, 'metadata') as EventMetadata;
  const data = parseStoredJson(row.data, row.position, 'payload') as Record<string, unknown>;
  let event: LedgerEvent;
  try {
    event = upcast({ type: row.type, schemaVersion: row.schemaVersion, data }, () => metadata);
  } catch {
    throw unreadable(
      row.position,
      `its type "${shown(String(row.type))}" at version ${row.schemaVersion} is not an event this ledger can read`,
    );
  }
  return {
    ...event,
    position: row.position,
    eventId: row.eventId,
    streamId: row.streamId,
    streamVersion: row.streamVersion,
    storedSchemaVersion: row.schemaVersion,
    metadata,
    recordedAt: row.recordedAt,
  };
}

/** A stored JSON text (an event's payload or metadata) as a JSON object; INTEGRITY naming the position when it is not one. */
export function parseStoredJson(text: string, position: number, what: 'payload' | 'metadata'): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw unreadable(position, `its stored ${what} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw unreadable(position, `its stored ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

function unreadable(position: number, why: string): LedgerFailure {
  return new LedgerFailure({
    code: 'INTEGRITY',
    message: `The event at position ${position} cannot be read: ${why} (the ledger was altered or damaged after it was written)`,
  });
}
