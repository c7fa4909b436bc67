/**
 * Restores a full export into an EMPTY log of any engine through the store contract
 * (store/event-log.ts): the way a desk's SQLite ledger moves to a shared PostgreSQL one, and
 * back. The file is checked whole first (restorable-export.ts: chain, seal, filter, and the
 * rule of every event's command); then its rows are appended byte for byte in ONE transaction
 * that must end at the export's head hash. Any refusal or fault leaves the log empty.
 *
 * The engine keeps the texts and recomputes nothing it was not given, so the restored log
 * exports (event-log-export.ts, or jsonl-export.ts on SQLite) to the same bytes. Seals are not
 * carried by this path (a shared ledger keeps none yet): an export holding seals is refused
 * here, and restored into a SQLite ledger with its seals by export-restore.ts instead.
 */
import { fail, succeed, type Result } from '#shared/errors';
import type { EventLog } from '../store/event-log';
import type { StoredEvent } from '../store/event-store';
import { parseCanonicalEventLine, parseEventLine } from './export-format';
import { readExportLines } from './export-lines';
import { checkRestorable, type RestoreOptions, type RestoreSummary } from './restorable-export';

/** Rows per page handed to the engine (one multi-row insert each on PostgreSQL). */
const PAGE_ROWS = 1_000;

export async function restoreIntoEventLog(
  log: EventLog,
  exportPath: string,
  options: RestoreOptions = {},
): Promise<Result<RestoreSummary>> {
  const head = await log.head();
  if (!head.ok) return head;
  if (head.value.position > 0) {
    return fail('ALREADY_EXISTS', `The ledger ${log.display} is not empty; restore an export only into a new, empty ledger`);
  }
  const restorable = await checkRestorable(exportPath, options);
  if (!restorable.ok) return restorable;
  const checked = restorable.value;
  if (checked.seals.length > 0) {
    return fail(
      'VALIDATION',
      `The export ${exportPath} carries ${checked.seals.length} seal${checked.seals.length === 1 ? '' : 's'}, which a ledger on ${log.engine === 'postgres' ? 'PostgreSQL' : 'this path'} does not keep yet; restore it into a ledger file (ledger restore), which keeps them. Nothing was restored`,
    );
  }
  const appended = await log.appendRowPages(() => rowPagesOf(exportPath, checked.events), {
    position: checked.events,
    hash: checked.head,
  });
  if (!appended.ok) return appended;
  return succeed({
    events: checked.events,
    head: checked.head,
    seal: checked.seal,
    seals: 0,
    ...(checked.note === undefined ? {} : { note: checked.note }),
  });
}

/**
 * The export's event lines as rows, a page at a time, read again from the file (the first
 * pass checked it; the engine checks again that the rows continue, hold together and end at
 * the export's head). The manifest line after the last event is not a row.
 */
async function* rowPagesOf(exportPath: string, events: number): AsyncGenerator<StoredEvent[]> {
  let page: StoredEvent[] = [];
  let read = 0;
  lines: for await (const batch of readExportLines(exportPath)) {
    for (const text of batch.texts) {
      if (read === events) break lines;
      const row = parseCanonicalEventLine(text) ?? parseAnyEventLine(text);
      // The file changed since it was checked: stop here, and the rows will not end at the
      // export's head, so the engine writes none of them.
      if (row === undefined) return;
      read += 1;
      page.push(row);
      if (page.length === PAGE_ROWS) {
        yield page;
        page = [];
      }
    }
  }
  if (page.length > 0) yield page;
}

/** A line in any form the format's readers accept (a version 1 export's, say), or undefined. */
function parseAnyEventLine(text: string): StoredEvent | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? parseEventLine(text, parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
