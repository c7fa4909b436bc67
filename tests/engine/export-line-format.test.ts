/**
 * An event line's bytes are fixed: eventLine must write every string field exactly as
 * JSON.stringify does (its quoting shortcut only skips the call), for any text, escapes,
 * control characters, surrogates and a damaged row's null included.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventLine } from '#engine/export/export-format';
import type { StoredEvent } from '#engine/store/event-store';

/** The line as the format defines it, every string through JSON.stringify. */
function reference(row: StoredEvent): string {
  const s = (value: unknown) => JSON.stringify(value);
  return (
    `{"position":${row.position},"eventId":${s(row.eventId)},"streamId":${s(row.streamId)},"streamVersion":${row.streamVersion},` +
    `"type":${s(row.type)},"schemaVersion":${row.schemaVersion},"recordedAt":${s(row.recordedAt)},"data":${row.data},` +
    `"metadata":${row.metadata},"previousHash":${s(row.previousHash)},"hash":${s(row.hash)}}\n`
  );
}

const text = fc.oneof(
  fc.string({ maxLength: 16 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('a"b', 'c\\d', '\u0000\u001f\u007f', '\ud800', '😀', 'acct-00001', '2026-12-02T17:40:16.097Z'),
);

describe('an event line', () => {
  it('writes every string field as JSON.stringify does', () => {
    fc.assert(
      fc.property(text, text, text, text, text, text, fc.integer(), (eventId, streamId, type, recordedAt, previousHash, hash, position) => {
        const row: StoredEvent = {
          position,
          eventId,
          streamId,
          streamVersion: 1,
          type,
          schemaVersion: 2,
          recordedAt,
          data: '{"a":1}',
          metadata: '{}',
          previousHash,
          hash,
        };
        expect(eventLine(row)).toBe(reference(row));
      }),
      { numRuns: 5_000 },
    );
  });

  it('writes a damaged row (a null where a string belongs) as JSON.stringify does', () => {
    const row = {
      position: 3,
      eventId: null,
      streamId: 's',
      streamVersion: 1,
      type: 'T',
      schemaVersion: 1,
      recordedAt: 'r',
      data: '{}',
      metadata: '{}',
      previousHash: 'p',
      hash: null,
    } as unknown as StoredEvent;
    expect(eventLine(row)).toBe(reference(row));
    expect(eventLine(row)).toContain('"eventId":null');
  });
});
