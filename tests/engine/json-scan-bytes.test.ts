/**
 * The byte scanner (export/json-scan-bytes.ts) against the string scanner (json-scan.ts, itself
 * held to JSON.parse by json-scan-differential.test.ts): on the UTF-8 of the same text, both
 * must accept exactly the same values and end them at the same place (counted in bytes).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endOfJsonValue } from '#engine/export/json-scan';
import { endOfJsonBytes } from '#engine/export/json-scan-bytes';

const tokens = fc.constantFrom(
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"',
  '\\',
  '\\"',
  '\\u00e9',
  '\\x',
  'true',
  'tru',
  'fals',
  'null',
  '0',
  '-',
  '.',
  'e',
  '01',
  '1e+',
  ' ',
  '\t',
  '\n',
  '\u0000',
  '\u001f',
  'é',
  '😀',
  '"x"',
);

/** The byte scanner's answer, as the string scanner's offset (or -1). */
function agreeOn(text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  // Padding after the limit must not be read.
  const padded = Buffer.concat([bytes, Buffer.from('}]"1')]);
  const end = endOfJsonValue(text, 0);
  const byteEnd = endOfJsonBytes(padded, 0, bytes.length);
  expect(byteEnd, JSON.stringify(text)).toBe(end < 0 ? -1 : Buffer.byteLength(text.slice(0, end)));
}

describe('the byte scanner agrees with the string scanner', () => {
  it('on valid JSON, alone and followed by more', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.string(), (value, tail) => {
        const text = JSON.stringify(value);
        agreeOn(text);
        if (Buffer.from(tail).toString() === tail) agreeOn(`${text},${tail}`);
      }),
      { numRuns: 3_000 },
    );
  });

  it('on token soup, cut anywhere', () => {
    fc.assert(
      fc.property(fc.array(tokens, { maxLength: 24 }), fc.nat(), (parts, cut) => {
        const text = parts.join('');
        agreeOn(text);
        agreeOn(text.slice(0, cut % (text.length + 1)).replace(/[\ud800-\udfff]$/, ''));
      }),
      { numRuns: 20_000 },
    );
  });

  it('stops at the limit and starts where it is told', () => {
    const bytes = Buffer.from('x{"a":"é"}{"b":1}');
    expect(endOfJsonBytes(bytes, 1, bytes.length)).toBe(11);
    expect(endOfJsonBytes(bytes, 1, 10)).toBe(-1);
    expect(endOfJsonBytes(Buffer.from(' {}'), 0, 3)).toBe(-1);
  });
});
