/**
 * The append that stores an event recorded elsewhere (a restored export, a legacy log) exactly
 * as it was recorded: its own payload and metadata texts byte for byte (JSON.stringify would
 * turn 100.50 into 100.5), its id, time and schema version, and — through the exact expected
 * version — its stream version.
 */
import type { AppendRequest } from '../store/event-store';
import type { EventRow } from './event-rules';

export function verbatimAppend(row: EventRow): AppendRequest {
  return {
    streamId: row.streamId,
    expected: row.streamVersion - 1,
    events: [
      {
        type: row.type,
        schemaVersion: row.schemaVersion,
        data: {},
        dataText: row.data,
        metadata: {},
        metadataText: row.metadata,
        eventId: row.eventId,
        recordedAt: row.recordedAt,
      },
    ],
  };
}
