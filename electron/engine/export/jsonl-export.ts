/**
 * Streams the log to JSON Lines with constant memory, from ONE consistent snapshot: a
 * separate read-only connection holds a read transaction for the whole export, so the app
 * keeps accepting commands (WAL lets readers and the writer proceed together) and the file
 * still describes exactly one moment of the log.
 *
 * A full export also carries the seals (manifest version 2): the Merkle tree of its lines is
 * computed as they are written, every seal the ledger holds in that snapshot is checked
 * against it and carried, and the export's own seal is the stored seal of exactly its events
 * (by the exporting key, if one is given). When there is none and a key is given, the export
 * seals its head first and has the seal stored like any other (`sealing.store`), so the same
 * log exports again to the same bytes without a new signature. Filtered exports carry none.
 */
import Database from 'better-sqlite3';
import type { Writable } from 'node:stream';
import { APP_VERSION } from '../app-version';
import { parseMoment } from '#shared/moments';
import { GENESIS_HASH } from '../store/hash-chain';
import { damagedFile } from '../store/storage-errors';
import type { Seal } from '../signing/seal';
import {
  EVENT_LINE_COLUMNS,
  EXPORT_FORMAT_NAME,
  EXPORT_FORMAT_VERSION,
  eventLineOf,
  manifestLine,
  type EventLineColumns,
  type ExportManifest,
} from './export-format';
import { LineTree } from './line-tree';
import { beginSealedSnapshot, exportSealFor, type ExportSealing } from './export-sealing';

export type { ExportSealing } from './export-sealing';

/**
 * Rows per read. Small enough that a page (and the chunk of text made from it, ~0.5 MB)
 * dies young in the garbage collector instead of piling up in the old generation: peak
 * memory stays flat however long the log is.
 */
const PAGE_SIZE = 1_000;

/**
 * Restricts an export: stream ids and STORED type names (see storedTypesFor), and inclusive
 * recorded-at bounds: an ISO date-time, or a bare date for its whole UTC day (also written
 * as the date followed by U+FFFF, as handlers.toSnapshotFilter does for an end bound).
 */
export type SnapshotFilter = {
  readonly streamIds?: readonly string[];
  readonly types?: readonly string[];
  readonly fromTime?: string;
  readonly toTime?: string;
};

export async function exportJsonLines(
  ledgerPath: string,
  out: Writable,
  options: { filter?: SnapshotFilter; nativeBinding?: string; sealing?: ExportSealing } = {},
): Promise<ExportManifest> {
  const db = new Database(ledgerPath, {
    readonly: true,
    fileMustExist: true,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
  try {
    const filter = options.filter ?? {};
    const full = Object.values(filter).every((value) => value === undefined);
    // A read transaction: every page below sees the same snapshot, whose head is sealed first
    // when a key is given. The stored seals are read in it and checked against its lines.
    const stored = full ? beginSealedSnapshot(db, ledgerPath, options.sealing) : (db.exec('BEGIN'), []);
    const tree = new LineTree(stored.map((seal) => seal.treeSize));
    const conditions = ['position > @after'];
    if (filter.streamIds !== undefined) conditions.push('stream_id IN (SELECT value FROM json_each(@streamIds))');
    if (filter.types !== undefined) conditions.push('type IN (SELECT value FROM json_each(@types))');
    // Times are compared as instants in JavaScript, exactly as the audit view does, not as
    // text: legacy times carry their writer's offset ("…T01:00:00+02:00" is 23:00 UTC the day
    // before) and nanoseconds, so text order is not time order.
    const fromMs = filter.fromTime === undefined ? -Infinity : boundMs(filter.fromTime, 'start');
    const toMs = filter.toTime === undefined ? Infinity : boundMs(filter.toTime, 'end');
    const timed = filter.fromTime !== undefined || filter.toTime !== undefined;
    const page = db
      .prepare(`SELECT ${EVENT_LINE_COLUMNS} FROM events WHERE ${conditions.join(' AND ')} ORDER BY position LIMIT ${PAGE_SIZE}`)
      .raw();
    let first = 0;
    let last = 0;
    let count = 0;
    let head = GENESIS_HASH;
    for (let after = 0; ;) {
      const read = page.all(parameters(filter, after)) as EventLineColumns[];
      if (read.length === 0) break;
      const next = read[read.length - 1]![0];
      // Positions only grow; a page that does not move on is damage (read again, it would repeat forever).
      if (next <= after) throw damagedFile(ledgerPath);
      after = next;
      const rows = timed ? read.filter((row) => inRange(Date.parse(row[6]), fromMs, toMs)) : read;
      if (rows.length === 0) continue;
      let chunk = '';
      for (const row of rows) chunk += eventLineOf(row);
      await tree.writeLines(chunk, out);
      first ||= rows[0]![0];
      last = rows[rows.length - 1]![0];
      head = rows[rows.length - 1]![10];
      count += rows.length;
    }
    const filtered = Object.entries(filter)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, Array.isArray(value) ? value.join(',') : value]);
    const manifest: ExportManifest = {
      format: EXPORT_FORMAT_NAME,
      formatVersion: EXPORT_FORMAT_VERSION,
      appVersion: APP_VERSION,
      firstPosition: first,
      lastPosition: last,
      count,
      headHash: head,
      rootHash: tree.rootHex(),
      ...(filtered.length > 0 ? { filter: Object.fromEntries(filtered) as Record<string, string> } : {}),
      ...(full ? exportSealFor(ledgerPath, stored, tree, count, options.sealing?.key) : { seal: null, seals: [] as Seal[] }),
    };
    db.exec('COMMIT');
    out.write(manifestLine(manifest));
    return manifest;
  } finally {
    db.close();
  }
}

function parameters(filter: SnapshotFilter, after: number): Record<string, unknown> {
  return {
    after,
    ...(filter.streamIds === undefined ? {} : { streamIds: JSON.stringify(filter.streamIds) }),
    ...(filter.types === undefined ? {} : { types: JSON.stringify(filter.types) }),
  };
}

function inRange(time: number, fromMs: number, toMs: number): boolean {
  return time >= fromMs && time <= toMs;
}

/** Milliseconds of a bound; a bare date is its day's first (start) or last (end) millisecond, UTC. */
function boundMs(text: string, edge: 'start' | 'end'): number {
  const time = parseMoment(text, edge);
  if (time === undefined) throw new Error(`The export bound "${text}" is not a date or date-time`);
  return time;
}
