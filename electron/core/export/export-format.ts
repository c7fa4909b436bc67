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
  return (
    `{"position":${row.position},"eventId":${JSON.stringify(row.eventId)},"streamId":${JSON.stringify(row.streamId)},` +
    `"streamVersion":${row.streamVersion},"type":${JSON.stringify(row.type)},"schemaVersion":${row.schemaVersion},` +
    `"recordedAt":${JSON.stringify(row.recordedAt)},"data":${row.data},"metadata":${row.metadata},` +
    `"previousHash":${JSON.stringify(row.previousHash)},"hash":${JSON.stringify(row.hash)}}\n`
  );
}

export function manifestLine(manifest: ExportManifest): string {
  return `${JSON.stringify({ manifest })}\n`;
}

/**
 * Reads an event line back into the stored row. The payload and metadata texts are
 * re-serialised with JSON.stringify, which reproduces the stored bytes exactly because the
 * store only ever holds JSON.stringify output; anything else fails the hash check.
 */
export function parseEventLine(parsed: Record<string, unknown>): StoredEvent | undefined {
  const { position, eventId, streamId, streamVersion, type, schemaVersion, recordedAt, data, metadata, previousHash, hash } = parsed;
  if (
    !Number.isSafeInteger(position) ||
    typeof eventId !== 'string' ||
    typeof streamId !== 'string' ||
    !Number.isSafeInteger(streamVersion) ||
    typeof type !== 'string' ||
    !Number.isSafeInteger(schemaVersion) ||
    typeof recordedAt !== 'string' ||
    typeof data !== 'object' ||
    data === null ||
    typeof metadata !== 'object' ||
    metadata === null ||
    typeof previousHash !== 'string' ||
    typeof hash !== 'string'
  ) {
    return undefined;
  }
  return {
    position: position as number,
    eventId,
    streamId,
    streamVersion: streamVersion as number,
    type,
    schemaVersion: schemaVersion as number,
    recordedAt,
    data: JSON.stringify(data),
    metadata: JSON.stringify(metadata),
    previousHash,
    hash,
  };
}
