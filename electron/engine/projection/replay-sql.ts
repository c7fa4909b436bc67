/**
 * How replay reads the log: one page of rows per query, keyset on position (never OFFSET).
 * Two readers page through it alike, so their pages are the same rows: the projection
 * reading rows itself (REPLAY_SQL), and the read thread (THREAD_PAGE_SQL, see replay-thread.ts).
 */
import { CURRENT_SCHEMA_VERSIONS, EVENT_TYPES } from '#shared/events';
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

/** What separates a page's payloads, stream ids and times: a control character, which valid JSON text never holds raw. */
export const THREAD_PAGE_SEPARATOR = '\u0001';
const SEPARATOR_CODE = THREAD_PAGE_SEPARATOR.charCodeAt(0);

/**
 * The read thread's page, packed by SQLite into a few texts instead of thousands of values:
 * turning each row's columns into JavaScript values costs several times what SQLite's own
 * stepping does. All the lists are built by one aggregate pass, so they are aligned row for
 * row; `positions` lets the thread check that the pass went in position order. A type code
 * is given only to a current (type, schema version): anything an upcaster must see (with
 * its metadata) is -1, and the projection reads that page itself. The events table is STRICT,
 * so each column holds the type it declares (the thread checks the table is).
 */
export const THREAD_PAGE_SQL = `SELECT count(*) AS count, max(position) AS last,
    group_concat(position, ',') AS positions,
    group_concat(CASE ${EVENT_TYPES.map(
      (type, code) => `WHEN type = '${type}' AND schema_version = ${CURRENT_SCHEMA_VERSIONS[type]} THEN ${code}`,
    ).join(' ')} ELSE -1 END, ',') AS types,
    group_concat(stream_id, char(${SEPARATOR_CODE})) AS streams,
    group_concat(data, char(${SEPARATOR_CODE})) AS data,
    group_concat(recorded_at, char(${SEPARATOR_CODE})) AS times
  FROM (SELECT position, stream_id, type, schema_version, data, recorded_at
    FROM events WHERE position > ? ORDER BY position LIMIT ${REPLAY_PAGE_SIZE})`;

/** Whether the events table is STRICT (so its columns hold only their declared types). */
export const EVENTS_TABLE_IS_STRICT_SQL = "SELECT strict FROM pragma_table_list WHERE schema = 'main' AND name = 'events'";
