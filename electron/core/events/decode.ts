/**
 * From stored rows to domain events: parse the stored JSON and upcast it.
 */
import type { EventMetadata, RecordedEvent } from '../../../shared/events';
import type { StoredEvent } from '../store/event-store';
import { upcast } from './upcasters';

export function decodeEvent(row: StoredEvent): RecordedEvent {
  const metadata = JSON.parse(row.metadata) as EventMetadata;
  const event = upcast(
    { type: row.type, schemaVersion: row.schemaVersion, data: JSON.parse(row.data) as Record<string, unknown> },
    () => metadata,
  );
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
