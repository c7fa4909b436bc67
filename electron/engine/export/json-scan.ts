/**
 * A JSON syntax check that builds nothing: where the JSON value starting at an offset ends,
 * or -1 when the text there is not valid JSON (RFC 8259, as JSON.parse reads it). Verify
 * checks two small objects per event; JSON.parse would build both only to throw them away,
 * which was a sixth of verify's time in allocations and garbage collection.
 *
 * It must never accept what JSON.parse refuses (the export verifier relies on that). Where it
 * refuses something JSON.parse would take (nothing known; nesting deeper than MAX_DEPTH is
 * refused on purpose), the caller falls back to JSON.parse, so it costs time, never a verdict.
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

/** End (exclusive) of the JSON value that starts exactly at `from` (no white space before it), or -1. */
export function endOfJsonValue(text: string, from: number): number {
  return value(text, from, 0);
}

function value(text: string, index: number, depth: number): number {
  switch (text.charCodeAt(index)) {
    case OPEN_BRACE:
      return object(text, index, depth + 1);
    case OPEN_BRACKET:
      return array(text, index, depth + 1);
    case QUOTE:
      return string(text, index);
    case 0x74: // t
      return text.startsWith('true', index) ? index + 4 : -1;
    case 0x66: // f
      return text.startsWith('false', index) ? index + 5 : -1;
    case 0x6e: // n
      return text.startsWith('null', index) ? index + 4 : -1;
    default:
      return number(text, index);
  }
}

function object(text: string, index: number, depth: number): number {
  if (depth > MAX_DEPTH) return -1;
  index = skipWhiteSpace(text, index + 1);
  if (text.charCodeAt(index) === CLOSE_BRACE) return index + 1;
  for (;;) {
    if (text.charCodeAt(index) !== QUOTE) return -1;
    index = string(text, index);
    if (index < 0) return -1;
    index = skipWhiteSpace(text, index);
    if (text.charCodeAt(index) !== COLON) return -1;
    index = value(text, skipWhiteSpace(text, index + 1), depth);
    if (index < 0) return -1;
    index = skipWhiteSpace(text, index);
    const next = text.charCodeAt(index);
    if (next === CLOSE_BRACE) return index + 1;
    if (next !== COMMA) return -1;
    index = skipWhiteSpace(text, index + 1);
  }
}

function array(text: string, index: number, depth: number): number {
  if (depth > MAX_DEPTH) return -1;
  index = skipWhiteSpace(text, index + 1);
  if (text.charCodeAt(index) === CLOSE_BRACKET) return index + 1;
  for (;;) {
    index = value(text, index, depth);
    if (index < 0) return -1;
    index = skipWhiteSpace(text, index);
    const next = text.charCodeAt(index);
    if (next === CLOSE_BRACKET) return index + 1;
    if (next !== COMMA) return -1;
    index = skipWhiteSpace(text, index + 1);
  }
}

/** A string starting at its opening quote: any code unit from U+0020 on, or a valid escape. */
function string(text: string, index: number): number {
  for (index += 1; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) return index + 1;
    if (code < SPACE) return -1;
    if (code === BACKSLASH) {
      index += 1;
      const escaped = text.charCodeAt(index);
      if (escaped === 0x75) {
        // \uXXXX
        for (let digit = 1; digit <= 4; digit++) if (!isHexDigit(text.charCodeAt(index + digit))) return -1;
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
function number(text: string, index: number): number {
  if (text.charCodeAt(index) === MINUS) index += 1;
  const first = text.charCodeAt(index);
  if (first === ZERO) index += 1;
  else if (first > ZERO && first <= NINE) index = digits(text, index);
  else return -1;
  if (text.charCodeAt(index) === DOT) {
    const after = digits(text, index + 1);
    if (after === index + 1) return -1;
    index = after;
  }
  const exponent = text.charCodeAt(index);
  if (exponent === LOWER_E || exponent === UPPER_E) {
    index += 1;
    const sign = text.charCodeAt(index);
    if (sign === PLUS || sign === MINUS) index += 1;
    const after = digits(text, index);
    if (after === index) return -1;
    index = after;
  }
  return index;
}

function digits(text: string, index: number): number {
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code < ZERO || code > NINE) break;
    index += 1;
  }
  return index;
}

function skipWhiteSpace(text: string, index: number): number {
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code !== SPACE && code !== TAB && code !== LINE_FEED && code !== CARRIAGE_RETURN) break;
    index += 1;
  }
  return index;
}

function isHexDigit(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}
