/**
 * One event row as the events table holds it: how an append builds it (chained to the row
 * before), the order of its columns, and the SQL that writes it and finds the log's tail.
 * The SQLite store, the bulk writer's thread, the PostgreSQL store and the export all take
 * a row's values from here, so they cannot disagree on a column or its place.
 */
import type { EventMetadata } from '#shared/events';
import { hashEvent } from './hash-chain';
import { timeOrderedId } from './time-ordered-id';
import type { LogTail, NewEvent, StoredEvent } from './event-types';

/** The events table's columns in the order of an export line's fields (docs/event-format.md). */
export const EVENT_COLUMNS =
  'position, event_id, stream_id, stream_version, type, schema_version, recorded_at, data, metadata, previous_hash, hash';

/** A row's values in EVENT_COLUMNS order. */
export type EventValues = [
  position: number,
  eventId: string,
  streamId: string,
  streamVersion: number,
  type: string,
  schemaVersion: number,
  recordedAt: string,
  data: string,
  metadata: string,
  previousHash: string,
  hash: string,
];

/** How many values EventValues holds. */
export const VALUES_PER_EVENT = 11;

/** A row's values in EVENT_COLUMNS order: INSERT_EVENT_SQL's parameters, an export line's fields. */
export function eventValues(row: StoredEvent): EventValues {
  return [
    row.position,
    row.eventId,
    row.streamId,
    row.streamVersion,
    row.type,
    row.schemaVersion,
    row.recordedAt,
    row.data,
    row.metadata,
    row.previousHash,
    row.hash,
  ];
}

/** The INSERT of one event row, its positional parameters in EVENT_COLUMNS order (the bulk writer's thread runs it too). */
export const INSERT_EVENT_SQL = `INSERT INTO events (${EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** The log's last event, for the tail every append chains from. */
export const TAIL_SQL = 'SELECT position, hash FROM events ORDER BY position DESC LIMIT 1';

/** A row as an append built it, with the payload object its data text was serialised from (none when given as text). */
export type BuiltRow = StoredEvent & { readonly payload: object | undefined };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Builds the rows of appends: ids, texts and time as stored, each chained by its hash to the
 * row before. One builder serves one store: a command's events share one metadata object,
 * which it serialises once, not once per event.
 */
export class EventRowBuilder {
  private lastMetadata: EventMetadata | undefined;
  private lastMetadataText = '';

  /** The row for `event` at the position after `previous`, its hash filled in. */
  build(previous: LogTail, streamId: string, streamVersion: number, event: NewEvent, recordedAt: string): BuiltRow {
    const row: Mutable<BuiltRow> = {
      position: previous.position + 1,
      eventId: event.eventId ?? timeOrderedId(),
      streamId,
      streamVersion,
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: event.dataText ?? JSON.stringify(event.data),
      metadata: event.metadataText ?? this.metadataText(event.metadata),
      recordedAt: event.recordedAt ?? recordedAt,
      previousHash: previous.hash,
      hash: '',
      payload: event.dataText === undefined ? event.data : undefined,
    };
    // Filled in place: the row is not copied to add its hash.
    row.hash = hashEvent(row.previousHash, row);
    return row;
  }

  private metadataText(metadata: EventMetadata): string {
    if (metadata !== this.lastMetadata) {
      this.lastMetadata = metadata;
      this.lastMetadataText = JSON.stringify(metadata);
    }
    return this.lastMetadataText;
  }
}

/**
 * The current time as ISO 8601 text, formatted once per millisecond: a bulk append records
 * many events within one, and each shares the text.
 */
let isoNowCache = { ms: 0, text: '' };
export function isoNow(): string {
  const ms = Date.now();
  if (ms !== isoNowCache.ms) isoNowCache = { ms, text: new Date(ms).toISOString() };
  return isoNowCache.text;
}
