/**
 * A full JSON Lines export of any engine's log through the store contract (store/event-log.ts),
 * in the very format and bytes of jsonl-export.ts: the same event lines, the same Merkle root,
 * the same manifest. A ledger with no seals exports to the same file from SQLite and from
 * PostgreSQL, which is what makes a log movable between them (export, restore elsewhere,
 * export again: the same bytes).
 *
 * The export is the log up to the head read when it starts: positions are gap-free and in
 * commit order, so every page read after that is a prefix of the same log, whatever desks
 * append meanwhile. It carries no seals (PostgreSQL keeps none yet); a ledger that holds seals
 * is exported by jsonl-export.ts, which checks and carries them.
 */
import type { Writable } from 'node:stream';
import { fail, succeed, type Result } from '#shared/errors';
import { APP_VERSION } from '../app-version';
import type { EventLog } from '../store/event-log';
import { GENESIS_HASH } from '../store/hash-chain';
import { EXPORT_FORMAT_NAME, EXPORT_FORMAT_VERSION, eventLine, manifestLine, type ExportManifest } from './export-format';
import { LineTree } from './line-tree';

/** Rows per read: a page and its text stay small, so memory stays flat however long the log is. */
const PAGE_SIZE = 1_000;

export async function exportEventLog(log: EventLog, out: Writable): Promise<Result<ExportManifest>> {
  const head = await log.head();
  if (!head.ok) return head;
  const tree = new LineTree();
  let count = 0;
  let last = { position: 0, hash: GENESIS_HASH };
  for await (const page of log.readLogPages(1, PAGE_SIZE)) {
    if (!page.ok) return page;
    const rows = page.value.filter((row) => row.position <= head.value.position);
    if (rows.length === 0) break;
    let chunk = '';
    for (const row of rows) chunk += eventLine(row);
    await tree.writeLines(chunk, out);
    count += rows.length;
    last = rows[rows.length - 1]!;
    if (last.position === head.value.position) break;
  }
  if (last.position !== head.value.position || count !== head.value.position) {
    return fail(
      'INTEGRITY',
      `The log at ${log.display} did not read back whole up to position ${head.value.position}; the export is incomplete`,
    );
  }
  const manifest: ExportManifest = {
    format: EXPORT_FORMAT_NAME,
    formatVersion: EXPORT_FORMAT_VERSION,
    appVersion: APP_VERSION,
    firstPosition: count === 0 ? 0 : 1,
    lastPosition: last.position,
    count,
    headHash: last.hash,
    rootHash: tree.rootHex(),
    seal: null,
    seals: [],
  };
  out.write(manifestLine(manifest));
  return succeed(manifest);
}
