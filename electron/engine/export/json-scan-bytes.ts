/**
 * json-scan.ts over UTF-8 bytes instead of a string: the same grammar, the same answers, so
 * the export verifier can check an event line's data and metadata where they sit in the read
 * buffer without decoding the line. A string's bytes from 0x80 on are parts of multi-byte
 * characters, which JSON takes as they are, exactly as the string scanner takes any code unit
 * from U+0020 on; this holds only for valid UTF-8, which the verifier checks first.
 * tests/engine/json-scan-bytes.test.ts holds both scanners to the same answers.
 */

const MAX_DEPTH = 256;

/** Character codes. */
const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const PLUS = 0x2b;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const SLASH = 0x2f;
const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;
const UPPER_E = 0x45;
const OPEN_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const LOWER_E = 0x65;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * End (exclusive) of the JSON value that starts exactly at `from` (no white space before it)
 * and ends before `limit`, or -1. The bytes must be valid UTF-8 (the caller checks).
 */
export function endOfJsonBytes(bytes: Uint8Array, from: number, limit: number): number {
  return value(bytes, limit, from, 0);
}

/** The byte at `index`, or -1 past the limit (where the string scanner's charCodeAt gives NaN). */
function at(text: Uint8Array, limit: number, index: number): number {
  return index < limit ? text[index]! : -1;
}

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

function matches(text: Uint8Array, limit: number, index: number, word: readonly number[]): boolean {
  if (index + word.length > limit) return false;
  for (let offset = 0; offset < word.length; offset++) if (text[index + offset] !== word[offset]) return false;
  return true;
}

function value(text: Uint8Array, limit: number, index: number, depth: number): number {
  switch (at(text, limit, index)) {
    case OPEN_BRACE:
      return object(text, limit, index, depth + 1);
    case OPEN_BRACKET:
      return array(text, limit, index, depth + 1);
    case QUOTE:
      return string(text, limit, index);
    case 0x74: // t
      return matches(text, limit, index, TRUE) ? index + 4 : -1;
    case 0x66: // f
      return matches(text, limit, index, FALSE) ? index + 5 : -1;
    case 0x6e: // n
      return matches(text, limit, index, NULL) ? index + 4 : -1;
    default:
      return number(text, limit, index);
  }
}

function object(text: Uint8Array, limit: number, index: number, depth: number): number {
  if (depth > MAX_DEPTH) return -1;
  index = skipWhiteSpace(text, limit, index + 1);
  if (at(text, limit, index) === CLOSE_BRACE) return index + 1;
  for (;;) {
    if (at(text, limit, index) !== QUOTE) return -1;
    index = string(text, limit, index);
    if (index < 0) return -1;
    index = skipWhiteSpace(text, limit, index);
    if (at(text, limit, index) !== COLON) return -1;
    index = value(text, limit, skipWhiteSpace(text, limit, index + 1), depth);
    if (index < 0) return -1;
    index = skipWhiteSpace(text, limit, index);
    const next = at(text, limit, index);
    if (next === CLOSE_BRACE) return index + 1;
    if (next !== COMMA) return -1;
    index = skipWhiteSpace(text, limit, index + 1);
  }
}

function array(text: Uint8Array, limit: number, index: number, depth: number): number {
  if (depth > MAX_DEPTH) return -1;
  index = skipWhiteSpace(text, limit, index + 1);
  if (at(text, limit, index) === CLOSE_BRACKET) return index + 1;
  for (;;) {
    index = value(text, limit, index, depth);
    if (index < 0) return -1;
    index = skipWhiteSpace(text, limit, index);
    const next = at(text, limit, index);
    if (next === CLOSE_BRACKET) return index + 1;
    if (next !== COMMA) return -1;
    index = skipWhiteSpace(text, limit, index + 1);
  }
}

/** A string starting at its opening quote: any code unit from U+0020 on, or a valid escape. */
function string(text: Uint8Array, limit: number, index: number): number {
  for (index += 1; index < limit; index++) {
    const code = at(text, limit, index);
    if (code === QUOTE) return index + 1;
    if (code < SPACE) return -1;
    if (code === BACKSLASH) {
      index += 1;
      const escaped = at(text, limit, index);
      if (escaped === 0x75) {
        // \uXXXX
        for (let digit = 1; digit <= 4; digit++) if (!isHexDigit(at(text, limit, index + digit))) return -1;
        index += 4;
      } else if (
        escaped !== QUOTE &&
        escaped !== BACKSLASH &&
        escaped !== SLASH &&
        escaped !== 0x62 && // b
        escaped !== 0x66 && // f
        escaped !== 0x6e && // n
        escaped !== 0x72 && // r
        escaped !== 0x74 // t
      ) {
        return -1;
      }
    }
  }
  return -1;
}

/** -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
function number(text: Uint8Array, limit: number, index: number): number {
  if (at(text, limit, index) === MINUS) index += 1;
  const first = at(text, limit, index);
  if (first === ZERO) index += 1;
  else if (first > ZERO && first <= NINE) index = digits(text, limit, index);
  else return -1;
  if (at(text, limit, index) === DOT) {
    const after = digits(text, limit, index + 1);
    if (after === index + 1) return -1;
    index = after;
  }
  const exponent = at(text, limit, index);
  if (exponent === LOWER_E || exponent === UPPER_E) {
    index += 1;
    const sign = at(text, limit, index);
    if (sign === PLUS || sign === MINUS) index += 1;
    const after = digits(text, limit, index);
    if (after === index) return -1;
    index = after;
  }
  return index;
}

function digits(text: Uint8Array, limit: number, index: number): number {
  while (index < limit) {
    const code = at(text, limit, index);
    if (code < ZERO || code > NINE) break;
    index += 1;
  }
  return index;
}

function skipWhiteSpace(text: Uint8Array, limit: number, index: number): number {
  while (index < limit) {
    const code = at(text, limit, index);
    if (code !== SPACE && code !== TAB && code !== LINE_FEED && code !== CARRIAGE_RETURN) break;
    index += 1;
  }
  return index;
}

function isHexDigit(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}
