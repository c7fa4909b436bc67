/** Types of event-hash.mjs (see there). */
export declare const GENESIS_HASH: string;
export declare const HASH_LENGTH: number;
export declare function hashEventValues(
  previousHash: string,
  position: number,
  eventId: string,
  streamId: string,
  streamVersion: number,
  type: string,
  schemaVersion: number,
  recordedAt: string,
  data: string,
  metadata: string,
): string;
