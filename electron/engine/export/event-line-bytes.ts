/**
 * The export verifier's fast path: an event line checked where its bytes sit in the read
 * buffer, without decoding it to a string or building a row. It reads the line in
 * parseCanonicalEventLine's fixed form and recomputes the event's hash from the line's own
 * bytes (hash-chain.ts's input is the previous hash, the scalar header, the data and the
 * metadata, which for a canonical line are byte ranges of the line).
 *
 * Invariants:
 * - The line must be valid UTF-8 (the verifier checks it first): then its bytes are the UTF-8
 *   of the text parseCanonicalEventLine reads, and a field's bytes are exactly what
 *   hashHeader / JSON.stringify write for it.
 * - It accepts a line only where parseCanonicalEventLine accepts the decoded text and
 *   hashEvent over that row gives the line's hash; anything else answers false and the caller
 *   takes the string path, which judges and words every refusal as before.
 */
import * as crypto from 'node:crypto';
import { endOfJsonBytes } from './json-scan-bytes';
import type { StoredEvent } from '../store/event-store';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LINE_FEED = 0x0a;
/** A UTF-8 lead byte of a character beyond U+FFFF, a surrogate pair in the string (not plain there). */
const FOUR_BYTE_LEAD = 0xf0;

/** The fixed texts between a canonical line's values, as bytes. */
const PARTS = [
  '{"position":',
  ',"eventId":',
  ',"streamId":',
  ',"streamVersion":',
  ',"type":',
  ',"schemaVersion":',
  ',"recordedAt":',
  ',"data":',
  ',"metadata":',
  ',"previousHash":',
  ',"hash":',
  '}',
].map((part) => Buffer.from(part, 'latin1'));

const sha256Hex: (data: Buffer) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'hex')
    : (data) => crypto.createHash('sha256').update(data).digest('hex');

/**
 * Checks lines one at a time. After check() answers true, position, previousHash and hash
 * describe the line, and row() builds it (only restore needs one).
 */
export class EventLineBytes {
  position = 0;
  previousHash = '';
  hash = '';
  /** Value i's bytes are data[starts[i], ends[i]): strings without their quotes. */
  private readonly starts = new Array<number>(11).fill(0);
  private readonly ends = new Array<number>(11).fill(0);
  private readonly integers = new Array<number>(11).fill(0);
  private data: Buffer = Buffer.alloc(0);
  /** The hash input is assembled here (grown for a longer line). */
  private scratch = Buffer.allocUnsafe(4096);

  /** Whether data[start, end) is a canonical event line whose stored hash matches its content. */
  check(data: Buffer, start: number, end: number): boolean {
    this.data = data;
    let offset = start;
    for (let field = 0; field < 11; field++) {
      offset = this.literal(data, offset, end, PARTS[field]!);
      if (offset < 0) return false;
      // Fields 0, 3, 5 are integers; 7, 8 objects; the rest plain strings.
      if (field === 0 || field === 3 || field === 5) offset = this.integer(data, offset, end, field);
      else if (field === 7 || field === 8) offset = this.object(data, offset, end, field);
      else offset = this.plainString(data, offset, end, field);
      if (offset < 0) return false;
    }
    if (this.literal(data, offset, end, PARTS[11]!) !== end) return false;
    this.position = this.integers[0]!;
    this.previousHash = data.toString('utf8', this.starts[9], this.ends[9]);
    this.hash = data.toString('utf8', this.starts[10], this.ends[10]);
    return this.hashOfContent() === this.hash;
  }

  /** The checked line as a row (its strings decoded as UTF-8). */
  row(): StoredEvent {
    const text = (field: number) => this.data.toString('utf8', this.starts[field], this.ends[field]);
    return {
      position: this.integers[0]!,
      eventId: text(1),
      streamId: text(2),
      streamVersion: this.integers[3]!,
      type: text(4),
      schemaVersion: this.integers[5]!,
      recordedAt: text(6),
      data: text(7),
      metadata: text(8),
      previousHash: text(9),
      hash: text(10),
    };
  }

  /**
   * hashEvent's input from the line's bytes: previousHash "\n" [position,"eventId","streamId",
   * streamVersion,"type",schemaVersion,"recordedAt"] "\n" data "\n" metadata. Quoted fields
   * are copied with their quotes; integers in their canonical digits, as `${value}` writes them.
   */
  private hashOfContent(): string {
    const { starts, ends, data } = this;
    const needed = ends[9]! - starts[9]! + (ends[6]! - starts[0]!) + (ends[8]! - starts[7]!) + 16;
    if (this.scratch.length < needed) this.scratch = Buffer.allocUnsafe(needed * 2);
    const out = this.scratch;
    let at = copy(data, starts[9]!, ends[9]!, out, 0);
    out[at++] = LINE_FEED;
    out[at++] = 0x5b; // [
    for (let field = 0; field <= 6; field++) {
      if (field > 0) out[at++] = 0x2c; // ,
      const quoted = field === 1 || field === 2 || field === 4 || field === 6;
      at = quoted ? copy(data, starts[field]! - 1, ends[field]! + 1, out, at) : copy(data, starts[field]!, ends[field]!, out, at);
    }
    out[at++] = 0x5d; // ]
    out[at++] = LINE_FEED;
    out.set(data.subarray(starts[7], ends[7]), at);
    at += ends[7]! - starts[7]!;
    out[at++] = LINE_FEED;
    out.set(data.subarray(starts[8], ends[8]), at);
    at += ends[8]! - starts[8]!;
    return sha256Hex(out.subarray(0, at));
  }

  private literal(data: Buffer, offset: number, end: number, part: Buffer): number {
    if (offset + part.length > end) return -1;
    for (let index = 0; index < part.length; index++) if (data[offset + index] !== part[index]) return -1;
    return offset + part.length;
  }

  /** A safe integer exactly as `${value}` writes it (LineReader.integer's rule). */
  private integer(data: Buffer, offset: number, end: number, field: number): number {
    let index = offset;
    const negative = data[index] === 0x2d;
    if (negative) index += 1;
    const first = index;
    let value = 0;
    while (index < end) {
      const code = data[index]!;
      if (code < 0x30 || code > 0x39) break;
      value = value * 10 + (code - 0x30);
      index += 1;
    }
    const length = index - first;
    if (length === 0 || length > 16 || (length > 1 && data[first] === 0x30)) return -1;
    if (negative && value === 0) return -1;
    if (!Number.isSafeInteger(value)) return -1;
    this.starts[field] = offset;
    this.ends[field] = index;
    this.integers[field] = negative ? -value : value;
    return index;
  }

  /** A string that needed no escape: no backslash, control character or surrogate pair between its quotes. */
  private plainString(data: Buffer, offset: number, end: number, field: number): number {
    if (data[offset] !== QUOTE) return -1;
    const close = data.indexOf(QUOTE, offset + 1);
    if (close === -1 || close >= end) return -1;
    for (let index = offset + 1; index < close; index++) {
      const code = data[index]!;
      if (code < 0x20 || code === BACKSLASH || code >= FOUR_BYTE_LEAD) return -1;
    }
    this.starts[field] = offset + 1;
    this.ends[field] = close;
    return close + 1;
  }

  /** One JSON object, checked in place (json-scan-bytes.ts). */
  private object(data: Buffer, offset: number, end: number, field: number): number {
    if (data[offset] !== 0x7b) return -1;
    const close = endOfJsonBytes(data, offset, end);
    if (close < 0) return -1;
    this.starts[field] = offset;
    this.ends[field] = close;
    return close;
  }
}

/** Copies source[from, to) into target at `at`; returns the end. A loop: the pieces are short. */
function copy(source: Buffer, from: number, to: number, target: Buffer, at: number): number {
  for (let index = from; index < to; index++) target[at++] = source[index]!;
  return at;
}
