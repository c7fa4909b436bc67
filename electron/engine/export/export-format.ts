/**
 * The JSON Lines export format: one event per line in position order, then one manifest line.
 * An event line carries the stored payload and metadata texts spliced in verbatim (they are
 * JSON), so the hash of every event can be recomputed from the file alone. Nothing in the file
 * depends on when it was written: exporting the same log twice, or exporting a restored copy,
 * gives byte-identical files.
 *
 * Version 2 adds the seals to the manifest (see export-manifest.ts): the signed tree head of
 * the file's event lines, which are the leaves of the ledger's Merkle tree, and every seal the
 * ledger holds. Version 1 files (no seals) are still read, verified and restored.
 */
import { sealText } from '../history/seal-store';
import type { Seal } from '../signing/seal';
import { EVENT_COLUMNS, eventValues, type EventValues } from '../store/event-row';
import type { StoredEvent } from '../store/event-store';
import { endOfJsonValue } from './json-scan';

export const EXPORT_FORMAT_NAME = 'event-ledger-export';
/** The version this code writes. */
export const EXPORT_FORMAT_VERSION = 2;
/** The versions this code reads (verify, restore). */
export const READABLE_FORMAT_VERSIONS: readonly number[] = [1, 2];

export type ExportManifest = {
  readonly format: typeof EXPORT_FORMAT_NAME;
  readonly formatVersion: number;
  readonly appVersion: string;
  readonly firstPosition: number;
  readonly lastPosition: number;
  readonly count: number;
  readonly headHash: string;
  /** Version 1: SHA-256 over the bytes of every event line, each with its line feed. */
  readonly eventsSha256?: string;
  /**
   * Version 2 (in its place): the RFC 9162 Merkle root over the event lines, each line's bytes
   * without its line feed a leaf; for a full export, the ledger's tree at `count` events.
   */
  readonly rootHash?: string;
  /** Present on exports restricted to some accounts, types or dates: not restorable. */
  readonly filter?: Readonly<Record<string, string>>;
  /**
   * Version 2: the seal of the file's event lines (a tree of `count` leaves), or null for an
   * export made without a key or a filtered one (whose lines are not the tree's leaves).
   */
  readonly seal?: Seal | null;
  /** Version 2: every seal the ledger held, in the order it stored them (none on a filtered export). */
  readonly seals?: readonly Seal[];
};

/** One event as a line (with its line feed). Field order is fixed: the bytes must be reproducible. */
export function eventLine(row: StoredEvent): string {
  return eventLineOf(eventValues(row));
}

/** The events table's columns in the order of a line's fields (a raw-mode SELECT list). */
export const EVENT_LINE_COLUMNS = EVENT_COLUMNS;

/** A row selected with EVENT_LINE_COLUMNS in raw (array) mode. */
export type EventLineColumns = EventValues;

/**
 * The line of a row read in raw mode: the export reads arrays rather than objects, which
 * halves what better-sqlite3 spends per row. The one definition of the line's bytes.
 */
export function eventLineOf(columns: EventLineColumns): string {
  const [position, eventId, streamId, streamVersion, type, schemaVersion, recordedAt, data, metadata, previousHash, hash] = columns;
  return (
    linePrefix(position, eventId, streamId, streamVersion, type, schemaVersion, recordedAt) +
    `${data}${METADATA_SEPARATOR}${metadata}` +
    lineSuffix(previousHash, hash) +
    '\n'
  );
}

/** What stands between a line's data text and its metadata text. */
const METADATA_SEPARATOR = ',"metadata":';

/** A line up to its data text: every field before it, ending in `"data":`. */
function linePrefix(
  position: number,
  eventId: string,
  streamId: string,
  streamVersion: number,
  type: string,
  schemaVersion: number,
  recordedAt: string,
): string {
  return (
    `{"position":${position},"eventId":${JSON.stringify(eventId)},"streamId":${JSON.stringify(streamId)},` +
    `"streamVersion":${streamVersion},"type":${JSON.stringify(type)},"schemaVersion":${schemaVersion},` +
    `"recordedAt":${JSON.stringify(recordedAt)},"data":`
  );
}

/** A line after its metadata text (without the line feed). */
function lineSuffix(previousHash: string, hash: string): string {
  return `,"previousHash":${JSON.stringify(previousHash)},"hash":${JSON.stringify(hash)}}`;
}

/**
 * The manifest line (with its line feed). A version 2 manifest's seals are spliced in as their
 * one texts (sealText), the very bytes the ledger stores.
 */
export function manifestLine(manifest: ExportManifest): string {
  const { seal, seals, ...fields } = manifest;
  if (seals === undefined) return `${JSON.stringify({ manifest })}\n`;
  const head = JSON.stringify(fields);
  return `{"manifest":${head.slice(0, -1)},"seal":${seal ? sealText(seal) : 'null'},"seals":[${seals.map(sealText).join(',')}]}}\n`;
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
  const prefix = linePrefix(row.position, eventId, streamId, row.streamVersion, type, row.schemaVersion, recordedAt);
  const suffix = lineSuffix(previousHash, hash);
  if (text.length < prefix.length + suffix.length || !text.startsWith(prefix) || !text.endsWith(suffix)) return undefined;
  const middle = text.slice(prefix.length, text.length - suffix.length);
  const dataEnd = endOfJsonObject(middle, 0);
  if (dataEnd === undefined || !middle.startsWith(METADATA_SEPARATOR, dataEnd)) return undefined;
  const dataText = middle.slice(0, dataEnd);
  const metadataText = middle.slice(dataEnd + METADATA_SEPARATOR.length);
  // The whole line already parsed as JSON, so the data text (an object at a value position,
  // found by endOfJsonObject) is valid JSON, and the metadata text is one object exactly when
  // nothing but white space surrounds its first object. Scanning for that costs a fraction of
  // parsing both texts again (verify did, once per event).
  if (!isOneJsonObject(metadataText)) return undefined;
  return { ...row, data: dataText, metadata: metadataText };
}

const JSON_WHITE_SPACE = new Set([' ', '\t', '\n', '\r']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether `text`, a JSON value in a valid JSON text, is one object with only white space around it. */
function isOneJsonObject(text: string): boolean {
  let start = 0;
  while (start < text.length && JSON_WHITE_SPACE.has(text[start]!)) start += 1;
  const end = endOfJsonObject(text, start);
  if (end === undefined) return false;
  for (let index = end; index < text.length; index++) if (!JSON_WHITE_SPACE.has(text[index]!)) return false;
  return true;
}

/** Where the JSON object that starts at `from` ends (strings and nesting respected), or undefined. */
function endOfJsonObject(text: string, from: number): number | undefined {
  if (text.charCodeAt(from) !== 0x7b) return undefined;
  let depth = 0;
  for (let index = from; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x22) {
      // Skip the string: to its closing quote, stepping over every escaped character.
      for (index += 1; index < text.length && text.charCodeAt(index) !== 0x22; index++) {
        if (text.charCodeAt(index) === 0x5c) index += 1;
      }
    } else if (code === 0x7b || code === 0x5b) {
      depth += 1;
    } else if (code === 0x7d || code === 0x5d) {
      depth -= 1;
      if (depth === 0) return index + 1;
    }
  }
  return undefined;
}

/**
 * The fast path of parseEventLine, for lines exactly as eventLine writes them from ordinary
 * values: fields read in place, in their fixed order, without parsing the whole line. It
 * accepts a line only if every field is in the very form eventLine gives it (a canonical
 * integer; a string that needed no escaping; data and metadata each one valid JSON object),
 * so whatever it accepts, parseEventLine accepts with the same row. Anything
 * else — an escaped string, a manifest, a damaged line — answers undefined, and the caller
 * takes the full path, which judges and words it as before. About twice as fast, since the
 * whole line is no longer parsed and then rebuilt to be compared.
 */
export function parseCanonicalEventLine(text: string): StoredEvent | undefined {
  const reader = new LineReader(text);
  if (!reader.literal('{"position":')) return undefined;
  const position = reader.integer();
  if (position === undefined || !reader.literal(',"eventId":')) return undefined;
  const eventId = reader.plainString();
  if (eventId === undefined || !reader.literal(',"streamId":')) return undefined;
  const streamId = reader.plainString();
  if (streamId === undefined || !reader.literal(',"streamVersion":')) return undefined;
  const streamVersion = reader.integer();
  if (streamVersion === undefined || !reader.literal(',"type":')) return undefined;
  const type = reader.plainString();
  if (type === undefined || !reader.literal(',"schemaVersion":')) return undefined;
  const schemaVersion = reader.integer();
  if (schemaVersion === undefined || !reader.literal(',"recordedAt":')) return undefined;
  const recordedAt = reader.plainString();
  if (recordedAt === undefined || !reader.literal(',"data":')) return undefined;
  const data = reader.object();
  if (data === undefined || !reader.literal(METADATA_SEPARATOR)) return undefined;
  const metadata = reader.object();
  if (metadata === undefined || !reader.literal(',"previousHash":')) return undefined;
  const previousHash = reader.plainString();
  if (previousHash === undefined || !reader.literal(',"hash":')) return undefined;
  const hash = reader.plainString();
  if (hash === undefined || !reader.literal('}') || !reader.atEnd()) return undefined;
  return { position, eventId, streamId, streamVersion, type, schemaVersion, recordedAt, data, metadata, previousHash, hash };
}

const QUOTE = 0x22;
/** What JSON.stringify would escape (a backslash, a control character) or cannot write as is (a surrogate). */
const NOT_PLAIN = /[\\\u0000-\u001f\ud800-\udfff]/;

/** Reads a line's fields in order; every method answers undefined (or false) where the form is not canonical. */
class LineReader {
  private offset = 0;

  constructor(private readonly text: string) {}

  literal(expected: string): boolean {
    // Compared code by code: startsWith with a position was a tenth of verify's time.
    if (this.offset + expected.length > this.text.length) return false;
    for (let index = 0; index < expected.length; index++) {
      if (this.text.charCodeAt(this.offset + index) !== expected.charCodeAt(index)) return false;
    }
    this.offset += expected.length;
    return true;
  }

  atEnd(): boolean {
    return this.offset === this.text.length;
  }

  /** A safe integer exactly as `${value}` writes it (no "+", no leading zeros, no "-0"). */
  integer(): number | undefined {
    let index = this.offset;
    const negative = this.text.charCodeAt(index) === 0x2d;
    if (negative) index += 1;
    const first = index;
    let value = 0;
    while (index < this.text.length) {
      const code = this.text.charCodeAt(index);
      if (code < 0x30 || code > 0x39) break;
      value = value * 10 + (code - 0x30);
      index += 1;
    }
    const length = index - first;
    // At most 16 digits keeps every step exact below 2^53; the safe-integer check does the rest.
    if (length === 0 || length > 16 || (length > 1 && this.text.charCodeAt(first) === 0x30)) return undefined;
    if (negative && value === 0) return undefined;
    if (!Number.isSafeInteger(value)) return undefined;
    this.offset = index;
    return negative ? -value : value;
  }

  /**
   * A string JSON.stringify writes without any escape: no quote, backslash, control
   * character or lone surrogate inside. Its text between the quotes is then its value.
   */
  plainString(): string | undefined {
    if (this.text.charCodeAt(this.offset) !== QUOTE) return undefined;
    const start = this.offset + 1;
    // The first quote after the opening one ends it, unless an escape comes first; either
    // way an escape, a control character or a surrogate in between makes it not plain.
    const end = this.text.indexOf('"', start);
    if (end === -1) return undefined;
    const value = this.text.slice(start, end);
    if (NOT_PLAIN.test(value)) return undefined;
    this.offset = end + 1;
    return value;
  }

  /** One JSON object, verbatim, checked for validity without being built (see json-scan.ts). */
  object(): string | undefined {
    if (this.text.charCodeAt(this.offset) !== 0x7b) return undefined;
    const end = endOfJsonValue(this.text, this.offset);
    if (end < 0) return undefined;
    const value = this.text.slice(this.offset, end);
    this.offset = end;
    return value;
  }
}
