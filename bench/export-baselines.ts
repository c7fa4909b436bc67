/**
 * The bare baselines of the export figures, run in the same bundled child as the engine's
 * export and verify (bench/export-child.ts), on the same files:
 *  - bareExport: the columns the export writes, read in position order a keyset page at a
 *    time, each row one line (its short columns JSON.stringify'd, its data and metadata texts
 *    embedded as they are stored), each page one write to a write stream that is waited on
 *    whenever it asks (backpressure) — the least any export of the log to a file does: no
 *    snapshot bookkeeping, no line tree, no seals, no manifest.
 *  - bareSha256: the export file through createReadStream piped into createHash('sha256'),
 *    the least `verify --file` can do (read every byte and hash it once).
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { EVENT_LINE_COLUMNS, type EventLineColumns } from '#engine/export/export-format';

/** Rows per keyset page, each page one write: the engine's export reads and writes pages of 1,000 rows too. */
const PAGE_ROWS = 1_000;

/**
 * Streams every row of the ledger to `outPath`, one line per row; returns the rows written.
 * Keyset pages (position > last, LIMIT) read with all(), not one iterate() over the table:
 * in A/B runs the pages were the faster bare read, and the bar is the faster one.
 */
export async function bareExport(ledgerPath: string, outPath: string): Promise<number> {
  const db = new Database(ledgerPath, { readonly: true, fileMustExist: true });
  const out = createWriteStream(outPath);
  let rows = 0;
  try {
    const page = db.prepare(`SELECT ${EVENT_LINE_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ${PAGE_ROWS}`).raw();
    for (let after = 0; ;) {
      const read = page.all(after) as EventLineColumns[];
      if (read.length === 0) break;
      after = read[read.length - 1]![0];
      let chunk = '';
      for (const [
        position,
        eventId,
        streamId,
        streamVersion,
        type,
        schemaVersion,
        recordedAt,
        data,
        metadata,
        previousHash,
        hash,
      ] of read) {
        const short = JSON.stringify([position, eventId, streamId, streamVersion, type, schemaVersion, recordedAt, previousHash, hash]);
        chunk += `{"row":${short},"data":${data},"metadata":${metadata}}\n`;
      }
      rows += read.length;
      if (!out.write(chunk)) await once(out, 'drain');
    }
  } finally {
    db.close();
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return rows;
}

/** SHA-256 of a whole file, streamed (hex digest). */
export async function bareSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}
