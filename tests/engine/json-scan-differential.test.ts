/**
 * The JSON syntax scanner (export/json-scan.ts) against JSON.parse, on generated text: it must
 * never accept what JSON.parse refuses (the export verifier's verdict rests on that), and on
 * valid JSON it must find exactly where the value ends.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endOfJsonValue } from '#engine/export/json-scan';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Pieces JSON is made of, and the near misses a forger or a damaged file produces. */
const jsonTokens = fc.constantFrom(
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"',
  '\\',
  '\\"',
  '\\u',
  '\\u00e9',
  '\\ud83d',
  '\\x',
  'true',
  'tru',
  'false',
  'null',
  'nul',
  '0',
  '-',
  '+',
  '.',
  'e',
  'E',
  '01',
  '1.',
  '.5',
  '1e',
  '1e+',
  '-0',
  '12.5e-3',
  'a',
  ' ',
  '\t',
  '\n',
  '\r',
  '\u0000',
  '\u001f',
  '\u2028',
  'é',
  '😀',
  '\ud800',
  'NaN',
  'Infinity',
  '"x"',
  '"memo"',
);

describe('the JSON syntax scanner agrees with JSON.parse', () => {
  it('ends every valid JSON value exactly where it ends', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.string(), (value, tail) => {
        const text = JSON.stringify(value);
        expect(endOfJsonValue(text, 0)).toBe(text.length);
        // What follows the value is not part of it.
        expect(endOfJsonValue(text + ',' + tail, 0)).toBe(text.length);
      }),
      { numRuns: 3_000 },
    );
  });

  it('accepts no text that JSON.parse refuses (token soup)', () => {
    fc.assert(
      fc.property(fc.array(jsonTokens, { maxLength: 24 }), (tokens) => {
        const text = tokens.join('');
        const end = endOfJsonValue(text, 0);
        if (end === text.length) expect(parses(text), `scanner accepted ${JSON.stringify(text)}`).toBe(true);
        if (end > 0) expect(parses(text.slice(0, end)), `scanner accepted the prefix of ${JSON.stringify(text)}`).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('accepts no valid JSON with one character changed, dropped or added unless JSON.parse does', () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 4 }),
        fc.nat(),
        fc.constantFrom('delete', 'replace', 'insert'),
        fc.string({ minLength: 1, maxLength: 1 }),
        (value, at, edit, character) => {
          const valid = JSON.stringify(value);
          const index = at % (valid.length + 1);
          const text =
            edit === 'delete'
              ? valid.slice(0, index) + valid.slice(index + 1)
              : edit === 'replace'
                ? valid.slice(0, index) + character + valid.slice(index + 1)
                : valid.slice(0, index) + character + valid.slice(index);
          if (endOfJsonValue(text, 0) === text.length) expect(parses(text), `scanner accepted ${JSON.stringify(text)}`).toBe(true);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('refuses white space before a value and leaves the rest to the caller', () => {
    expect(endOfJsonValue(' {}', 0)).toBe(-1);
    expect(endOfJsonValue('x{"a":1}', 1)).toBe(8);
  });
});
