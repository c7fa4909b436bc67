/**
 * The verifier's byte path (export/event-line-bytes.ts) against the string path it shortcuts:
 * on any line, canonical or not, intact or damaged, it may accept only where
 * parseCanonicalEventLine accepts the same text and hashEvent gives the line's hash, and then
 * with the very same row. Every line eventLine writes from plain values it must accept.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventLine, parseCanonicalEventLine } from '#engine/export/export-format';
import { EventLineBytes } from '#engine/export/event-line-bytes';
import { GENESIS_HASH, hashEvent } from '#engine/store/hash-chain';
import type { StoredEvent } from '#engine/store/event-store';

const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('acct-00001', 'Ünïcödé', '😀 pair', 'quo"te', 'back\\slash', 'tab\t', '\u007f\u0085'),
);
const object = fc.oneof(
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 })).map((value) => JSON.stringify(value)),
  fc.constantFrom('{"amountMinor":100.50}', '{ "a" : "\\u0026" }', '{"owner":"Zoë"}', '{}'),
);
const integer = fc.oneof(fc.integer({ min: -5, max: 2_000_000 }), fc.constant(Number.MAX_SAFE_INTEGER));

const rowArbitrary = fc
  .record({
    position: integer,
    eventId: text,
    streamId: text,
    streamVersion: integer,
    type: text,
    schemaVersion: integer,
    recordedAt: text,
    data: object,
    metadata: object,
    previousHash: fc.oneof(fc.constant(GENESIS_HASH), text),
  })
  .map((fields): StoredEvent => ({ ...fields, hash: hashEvent(fields.previousHash, fields) }));

/** What the string path concludes for a line: its row if canonical and its hash holds. */
function stringVerdict(line: string): StoredEvent | undefined {
  const row = parseCanonicalEventLine(line);
  return row && hashEvent(row.previousHash, row) === row.hash ? row : undefined;
}

function bytesVerdict(line: string): StoredEvent | undefined {
  const bytes = Buffer.from(`\n${line}\n`);
  const reader = new EventLineBytes();
  if (!reader.check(bytes, 1, bytes.length - 1)) return undefined;
  const row = reader.row();
  expect(reader.position).toBe(row.position);
  expect(reader.hash).toBe(row.hash);
  expect(reader.previousHash).toBe(row.previousHash);
  return row;
}

describe('the byte path of verify', () => {
  it('gives the string path verdict on lines as the exporter writes them', () => {
    fc.assert(
      fc.property(rowArbitrary, (row) => {
        const line = eventLine(row).slice(0, -1);
        const expected = stringVerdict(line);
        const actual = bytesVerdict(line);
        if (actual) expect(actual).toEqual(expected);
        // Plain values (no escape, no surrogate pair) always take the fast path.
        else
          expect(/[\\"\u0000-\u001f\ud800-\udfff]/.test(row.eventId + row.streamId + row.type + row.recordedAt + row.previousHash)).toBe(
            true,
          );
      }),
      { numRuns: 3_000 },
    );
  });

  it('accepts no damaged line the string path refuses', () => {
    fc.assert(
      fc.property(
        rowArbitrary,
        fc.nat(),
        fc.constantFrom('delete', 'replace', 'insert'),
        fc.string({ minLength: 1, maxLength: 1 }),
        (row, at, edit, character) => {
          const valid = eventLine(row).slice(0, -1);
          const index = at % (valid.length + 1);
          const line =
            edit === 'delete'
              ? valid.slice(0, index) + valid.slice(index + 1)
              : edit === 'replace'
                ? valid.slice(0, index) + character + valid.slice(index + 1)
                : valid.slice(0, index) + character + valid.slice(index);
          if (Buffer.from(line).toString() !== line) return; // not UTF-8: the verifier refuses it first
          const actual = bytesVerdict(line);
          if (actual) expect(actual).toEqual(stringVerdict(line));
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('refuses a line whose hash does not match, and a line with an escaped field', () => {
    const row = {
      position: 1,
      eventId: 'e',
      streamId: 's',
      streamVersion: 1,
      type: 'T',
      schemaVersion: 1,
      recordedAt: 'r',
      data: '{}',
      metadata: '{}',
      previousHash: GENESIS_HASH,
    };
    const line = eventLine({ ...row, hash: hashEvent(GENESIS_HASH, row) }).slice(0, -1);
    expect(bytesVerdict(line)?.position).toBe(1);
    expect(bytesVerdict(line.replace('"data":{}', '"data":{ }'))).toBeUndefined();
    const escaped = { ...row, eventId: 'a"b' };
    expect(bytesVerdict(eventLine({ ...escaped, hash: hashEvent(GENESIS_HASH, escaped) }).slice(0, -1))).toBeUndefined();
  });
});
