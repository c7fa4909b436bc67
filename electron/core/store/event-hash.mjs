/**
 * The one definition of an event's hash, in plain JavaScript so that the bulk writer's thread
 * (bulk/writer-thread.mjs, which Node loads without a TypeScript loader) hashes with the very
 * same code as the event store and both verifiers. Types: event-hash.d.mts; the chain's rules:
 * hash-chain.ts.
 *
 * hash = SHA-256(previousHash "\n" JSON([position, eventId, streamId, streamVersion, type,
 * schemaVersion, recordedAt]) "\n" data "\n" metadata). The scalar header is a JSON array and
 * data and metadata are JSON texts, none of which can hold a raw line feed, so the framing is
 * unambiguous. Position is inside the hash: moving an event to another position breaks it.
 */
import * as crypto from 'node:crypto';

/** The previous hash of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** Length of a hash in hex characters. */
export const HASH_LENGTH = 64;

export function hashEventValues(previousHash, position, eventId, streamId, streamVersion, type, schemaVersion, recordedAt, data, metadata) {
  const header = JSON.stringify([position, eventId, streamId, streamVersion, type, schemaVersion, recordedAt]);
  return sha256Hex(`${previousHash}\n${header}\n${data}\n${metadata}`);
}

/**
 * SHA-256 of a text as hex. crypto.hash (Node 20.12+, and Electron's Node 22) does it in one
 * call without a Hash object: half the time of createHash().update().digest() for the few
 * hundred bytes of an event, which every append, verify and export check pays once per event.
 */
const sha256Hex =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');
