/**
 * The JSON Lines export format, version 1: one event per line in position order, then one
 * manifest line. An event line carries the stored payload and metadata texts spliced in
 * verbatim (they are JSON), so the hash of every event can be recomputed from the file alone.
 * Nothing in the file depends on when it was written: exporting the same log twice, or
 * exporting a restored copy, gives byte-identical files.
 */
import type { StoredEvent } from '../store/event-store';

export const EXPORT_FORMAT_NAME = 'event-ledger-export';
export const EXPORT_FORMAT_VERSION = 1;

export type ExportManifest = {
  readonly format: typeof EXPORT_FORMAT_NAME;
  readonly formatVersion: number;
  readonly appVersion: string;
  readonly firstPosition: number;
  readonly lastPosition: number;
  readonly count: number;
  readonly headHash: string;
  /** SHA-256 over the bytes of every event line, each with its line feed. */
  readonly eventsSha256: string;
  /** Present on exports restricted to some accounts, types or dates: not restorable. */
  readonly filter?: Readonly<Record<string, string>>;
};

/** One event as a line (with its line feed). Field order is fixed: the bytes must be reproducible. */
export function eventLine(row: StoredEvent): string {
  return eventLineOf([
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
  ]);
}

/** The events table's columns in the order of a line's fields (a raw-mode SELECT list). */
export const EVENT_LINE_COLUMNS =
  'position, event_id, stream_id, stream_version, type, schema_version, recorded_at, data, metadata, previous_hash, hash';

/** A row selected with EVENT_LINE_COLUMNS in raw (array) mode. */
export type EventLineColumns = [
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

/**
 * The line of a row read in raw mode: the export reads arrays rather than objects, which
 * halves what better-sqlite3 spends per row. The one definition of the line's bytes.
 */
export function eventLineOf(columns: EventLineColumns): string {
  const [position, eventId, streamId, streamVersion, type, schemaVersion, recordedAt, data, metadata, previousHash, hash] = columns;
  return (
    `{"position":${position},"eventId":${JSON.stringify(eventId)},"streamId":${JSON.stringify(streamId)},` +
    `"streamVersion":${streamVersion},"type":${JSON.stringify(type)},"schemaVersion":${schemaVersion},` +
    `"recordedAt":${JSON.stringify(recordedAt)},"data":${data},"metadata":${metadata},` +
    `"previousHash":${JSON.stringify(previousHash)},"hash":${JSON.stringify(hash)}}\n`
  );
}

export function manifestLine(manifest: ExportManifest): string {
  return `${JSON.stringify({ manifest })}\n`;
}

/**
 * Reads an event line back into the stored row, given the line's text (without its line feed)
 * and its parse. The payload and metadata texts are taken from the line BYTE FOR BYTE, never
 * re-serialised: a legacy import keeps payload text such as `100.50` or `"\u0026"` exactly as
 * it came, and JSON.stringify would turn those into other bytes with another hash.
 * The line must be exactly what eventLine writes for that row; anything else (a re-formatted
 * field, an extra key) is not a line of this format.
 */
export function parseEventLine(text: string, parsed: Record<string, unknown>): StoredEvent | undefined {
  const { position, eventId, streamId, streamVersion, type, schemaVersion, recordedAt, data, metadata, previousHash, hash } = parsed;
  if (
    !Number.isSafeInteger(position) ||
    typeof eventId !== 'string' ||
    typeof streamId !== 'string' ||
    !Number.isSafeInteger(streamVersion) ||
    typeof type !== 'string' ||
    !Number.isSafeInteger(schemaVersion) ||
    typeof recordedAt !== 'string' ||
    !isPlainObject(data) ||
    !isPlainObject(metadata) ||
    typeof previousHash !== 'string' ||
    typeof hash !== 'string'
  ) {
    return undefined;
  }
  const row = {
    position: position as number,
    eventId,
    streamId,
    streamVersion: streamVersion as number,
    type,
    schemaVersion: schemaVersion as number,
    recordedAt,
    data: '',
    metadata: '',
    previousHash,
    hash,
  };
  // The line is eventLine(row): a fixed prefix, the data text, the metadata text, a fixed suffix.
  const [prefix, suffix] = eventLine({ ...row, data: DATA_MARK, metadata: METADATA_MARK })
    .slice(0, -1)
    .split(`${DATA_MARK},"metadata":${METADATA_MARK}`) as [string, string];
  if (!text.startsWith(prefix) || !text.endsWith(suffix) || text.length < prefix.length + suffix.length) return undefined;
  const middle = text.slice(prefix.length, text.length - suffix.length);
  const dataEnd = endOfJsonObject(middle);
  const separator = ',"metadata":';
  if (dataEnd === undefined || !middle.startsWith(separator, dataEnd)) return undefined;
  const dataText = middle.slice(0, dataEnd);
  const metadataText = middle.slice(dataEnd + separator.length);
  if (!isPlainObject(parseOrUndefined(dataText)) || !isPlainObject(parseOrUndefined(metadataText))) return undefined;
  return { ...row, data: dataText, metadata: metadataText };
}

/** Placeholders with raw NUL characters: JSON text must escape NUL, so nothing eventLine writes contains one. */
const DATA_MARK = '\u0000data\u0000';
const METADATA_MARK = '\u0000metadata\u0000';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Length of the JSON object that `text` starts with (strings and nesting respected), or undefined. */
function endOfJsonObject(text: string): number | undefined {
  if (text[0] !== '{') return undefined;
  let depth = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '"') {
      for (index += 1; index < text.length && text[index] !== '"'; index++) if (text[index] === '\\') index += 1;
    } else if (char === '{' || char === '[') {
      depth += 1;
    } else if (char === '}' || char === ']') {
      depth -= 1;
      if (depth === 0) return index + 1;
    }
  }
  return undefined;
}
