/**
 * The bare baselines of the export figures, run in the same bundled child as the engine's
 * export and verify (bench/export-child.ts), on the same files:
 *  - bareExport: the columns the export writes, read by ONE iterate() over the events table
 *    in position order, each row one line (its short columns JSON.stringify'd, its data and
 *    metadata texts embedded as they are stored), written in chunks of CHUNK_ROWS rows to a
 *    write stream that is waited on whenever it asks (backpressure) — the least any export
 *    of the log to a file does: no snapshot bookkeeping, no line tree, no seals, no manifest.
 *  - bareSha256: the export file through createReadStream piped into createHash('sha256'),
 *    the least `verify --file` can do (read every byte and hash it once).
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { EVENT_LINE_COLUMNS, type EventLineColumns } from '#engine/export/export-format';

/** Rows joined into one write: the engine's export writes pages of 1,000 rows too. */
const CHUNK_ROWS = 1_000;

/** Streams every row of the ledger to `outPath`, one line per row; returns the rows written. */
export async function bareExport(ledgerPath: string, outPath: string): Promise<number> {
  const db = new Database(ledgerPath, { readonly: true, fileMustExist: true });
  const out = createWriteStream(outPath);
  let rows = 0;
  try {
    const scan = db.prepare(`SELECT ${EVENT_LINE_COLUMNS} FROM events ORDER BY position`).raw();
    let chunk = '';
    let inChunk = 0;
    for (const row of scan.iterate() as IterableIterator<EventLineColumns>) {
      const [position, eventId, streamId, streamVersion, type, schemaVersion, recordedAt, data, metadata, previousHash, hash] = row;
      const short = JSON.stringify([position, eventId, streamId, streamVersion, type, schemaVersion, recordedAt, previousHash, hash]);
      chunk += `{"row":${short},"data":${data},"metadata":${metadata}}\n`;
      rows += 1;
      if (++inChunk === CHUNK_ROWS) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
        inChunk = 0;
      }
    }
    if (chunk !== '') out.write(chunk);
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
