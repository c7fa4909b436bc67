/** How replay reads the log: one page of rows per query, keyset on position (never OFFSET). */
import { EVENT_TYPES } from '#shared/events';
import { UPCASTED_SCHEMAS } from '../events/upcasters';

/**
 * Rows per read: big enough to amortise the query (a keyset seek), small enough that a page
 * of rows dies young in the garbage collector. A page that outlives the young generation is
 * promoted and collected again by old-generation GC, every page (docs/performance.md).
 */
export const REPLAY_PAGE_SIZE = 1_000;

/**
 * A row of REPLAY_SQL, read in raw (array) mode: the fastest path better-sqlite3 offers.
 * Metadata is read only for stored schemas that have an upcaster (its only readers): for
 * every other event it is null, which saves reading and allocating ~100 bytes an event.
 */
export type ReplayRow = [
  position: number,
  streamId: string,
  type: string | number,
  schemaVersion: number,
  data: string,
  metadata: string | null,
  recordedAt: string,
];

/**
 * Current event types come back as their index in EVENT_TYPES, so replay meets one shared
 * string per type instead of allocating a fresh copy per row (and then hashing and comparing
 * it); any other stored type (a legacy one) comes back as text — forced to text, so that a
 * number written into the type column of a tampered file cannot pass for a type's index.
 */
const TYPE_AS_CODE = `CASE type ${EVENT_TYPES.map((type, code) => `WHEN '${type}' THEN ${code}`).join(' ')} ELSE CAST(type AS TEXT) END`;

/**
 * Metadata only for the stored schemas an upcaster reads it for. The schema version is tested
 * before the type: for a current event that is one integer comparison per upcaster instead of
 * a string comparison.
 */
const METADATA_IF_UPCASTED = `CASE WHEN ${
  UPCASTED_SCHEMAS.map(({ type, schemaVersion }) => `(schema_version = ${schemaVersion} AND type = '${type}')`).join(' OR ') || '0'
} THEN metadata END`;

/** Raw rows in ReplayRow order, data as text. */
export const REPLAY_SQL = `SELECT position, stream_id, ${TYPE_AS_CODE}, schema_version, data, ${METADATA_IF_UPCASTED},
    recorded_at
  FROM events WHERE position > ? ORDER BY position LIMIT ${REPLAY_PAGE_SIZE}`;
