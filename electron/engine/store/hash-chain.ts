/**
 * The tamper-evident chain. Each event's hash is SHA-256 over the previous event's hash and
 * the exact text stored for the event, so editing, deleting, reordering or inserting a row
 * breaks the chain from that position on.
 */
import * as crypto from 'node:crypto';

/** The previous hash of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** The stored columns that a hash covers, exactly as they sit in the events table. */
export type HashedFields = {
  readonly position: number;
  readonly eventId: string;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly recordedAt: string;
  /** JSON text, stored as is. */
  readonly data: string;
  /** JSON text, stored as is. */
  readonly metadata: string;
};

/**
 * hash = SHA-256(previousHash "\n" JSON([position, eventId, streamId, streamVersion, type,
 * schemaVersion, recordedAt]) "\n" data "\n" metadata). The scalar header is a JSON array and
 * data and metadata are JSON texts, none of which can hold a raw line feed, so the framing is
 * unambiguous. Position is inside the hash: moving an event to another position breaks it.
 */
export function hashEvent(previousHash: string, fields: HashedFields): string {
  return sha256Hex(`${previousHash}\n${hashHeader(fields)}\n${fields.data}\n${fields.metadata}`);
}

/**
 * JSON.stringify([position, eventId, streamId, streamVersion, type, schemaVersion, recordedAt]),
 * character for character, about twice as fast: every append and every verified event pays
 * it. The usual values need no escaping and are written as they are; anything else goes
 * through JSON.stringify itself.
 */
export function hashHeader(fields: HashedFields): string {
  return `[${jsonNumber(fields.position)},${jsonString(fields.eventId)},${jsonString(fields.streamId)},${jsonNumber(
    fields.streamVersion,
  )},${jsonString(fields.type)},${jsonNumber(fields.schemaVersion)},${jsonString(fields.recordedAt)}]`;
}

/** Text JSON.stringify writes unchanged between its quotes: printable ASCII but `"` and `\`. */
const WRITTEN_AS_IS = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function jsonString(text: string): string {
  return typeof text === 'string' && WRITTEN_AS_IS.test(text) ? `"${text}"` : asArrayElement(text);
}

function jsonNumber(value: number): string {
  return Number.isSafeInteger(value) ? `${value}` : asArrayElement(value);
}

/** Any value exactly as JSON.stringify writes it inside an array (undefined as null): a damaged row hashes as before. */
function asArrayElement(value: unknown): string {
  return JSON.stringify([value]).slice(1, -1);
}

/**
 * SHA-256 of a text as hex. crypto.hash (Node 20.12+, and Electron's Node 22) does it in one
 * call without a Hash object: half the time of createHash().update().digest() for the few
 * hundred bytes of an event, which every append, verify and export check pays once per event.
 */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

/** A row as the chain walker sees it. */
export type ChainRow = HashedFields & { readonly previousHash: string; readonly hash: string };

export type ChainBreak = { readonly position: number; readonly reason: string };

/**
 * Checks one row against the chain so far. Shared by the database verifier and the offline
 * export verifier, so both judge a log by the very same rule.
 */
export function checkChainLink(row: ChainRow, expectedPosition: number, expectedPreviousHash: string): ChainBreak | undefined {
  if (row.position !== expectedPosition) {
    return row.position > expectedPosition
      ? { position: expectedPosition, reason: `event at position ${expectedPosition} is missing (next is ${row.position})` }
      : { position: expectedPosition, reason: `position ${row.position} appears out of order after ${expectedPosition - 1}` };
  }
  if (row.previousHash !== expectedPreviousHash) {
    return { position: row.position, reason: 'previous hash does not match the hash of the event before it' };
  }
  if (hashEvent(row.previousHash, row) !== row.hash) {
    return { position: row.position, reason: 'stored hash does not match the event content' };
  }
  return undefined;
}
