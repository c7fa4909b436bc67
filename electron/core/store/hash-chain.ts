/**
 * The tamper-evident chain. Each event's hash is SHA-256 over the previous event's hash and
 * the exact text stored for the event, so editing, deleting, reordering or inserting a row
 * breaks the chain from that position on.
 */
import { GENESIS_HASH, hashEventValues } from './event-hash.mjs';

export { GENESIS_HASH };

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

/** The event's hash, chained from `previousHash` (the definition: event-hash.mjs). */
export function hashEvent(previousHash: string, fields: HashedFields): string {
  return hashEventValues(
    previousHash,
    fields.position,
    fields.eventId,
    fields.streamId,
    fields.streamVersion,
    fields.type,
    fields.schemaVersion,
    fields.recordedAt,
    fields.data,
    fields.metadata,
  );
}

/** A row as the chain walker sees it. */
export type ChainRow = HashedFields & { readonly previousHash: string; readonly hash: string };

export type ChainBreak = { readonly position: number; readonly reason: string };

/**
 * Checks one row against the chain so far. Shared by the database verifier and the offline
 * export verifier, so both judge a log by the very same rule.
 */
export function checkChainLink(
  row: ChainRow,
  expectedPosition: number,
  expectedPreviousHash: string,
): ChainBreak | undefined {
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
