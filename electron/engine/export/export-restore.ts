/**
 * Restores a full export into an EMPTY ledger. The file is verified first (a whole pass),
 * then written in one transaction in a second pass: the store recomputes every hash from the
 * restored content and the original positions, so the restored chain is the original chain —
 * exporting it again gives a byte-identical file. Any failure leaves the ledger empty.
 *
 * A sealed export (manifest version 2) must also have a seal that holds over its lines (and,
 * when a key is expected, by that key): one that does not is refused unless the caller says to
 * ignore it, and then only the carried seals that hold are restored. The ledger's seals are
 * restored with its events, byte for byte, so the restored ledger exports to the same bytes.
 * An export without a seal (version 1, or written without a key) is restored with a note.
 *
 * A verified export is not necessarily a restorable one: whoever can edit an unsealed export
 * can recompute every hash, and one written by a newer version may hold events this version
 * cannot read. So the first pass also holds every event to the rules of the command
 * that would have recorded it (import/event-rules.ts, the legacy import's check): a file with
 * one event no command could have recorded is refused whole, naming its line, before anything
 * is written. The restored log is also replayed before it is committed; an event that cannot
 * be applied refuses the whole restore instead of leaving a ledger whose projection stops
 * there (and that would take commands on top of it).
 */
import { existsSync, renameSync } from 'node:fs';
import { LedgerFailure, fail, succeed, type Result } from '#shared/errors';
import { AccountsProjection, ReplayError } from '../projection/accounts-projection';
import type { EventStore, StoredEvent } from '../store/event-store';
import { checkpointPathFor } from '../store/head-checkpoint';
import { checkSideFiles } from '../store/side-files';
import { publishWithoutReplacing, removeLeftoverSiblings, removeWithSideFiles, temporarySibling } from '../store/staged-file';
import { toStorageFailure } from '../store/storage-errors';
import { verifyChain } from '../store/verify';
import { verbatimAppend } from '../import/verbatim-append';
import { verifyExportFile } from './export-verify';
import { checkRestorable, type RestoreOptions, type RestoreSummary } from './restorable-export';
import { SealStore } from '../history/seal-store';

export type { RestoreOptions, RestoreSummary } from './restorable-export';

/** A ledger opened on the temporary file a restore writes. */
export type OpenedForRestore = { readonly store: EventStore; readonly close: () => void };

/**
 * Restores an export into a new ledger at `path` without ever leaving a ledger there that is
 * not complete: the restore writes a temporary file in the same folder, which gets the name
 * `path` only once it is restored, closed (its WAL folded into the file) and its chain
 * verified. Any failure, or a kill, leaves at most the temporary, which the next run removes.
 */
export async function restoreIntoNewFile(
  exportPath: string,
  path: string,
  open: (temporaryPath: string) => Result<OpenedForRestore>,
  options: RestoreOptions = {},
): Promise<Result<RestoreSummary>> {
  // Whatever sits under the new ledger's side-file names must be ours to replace (a stale checkpoint).
  try {
    checkSideFiles(path);
  } catch (error) {
    if (error instanceof LedgerFailure) return { ok: false, error: error.error };
    throw error;
  }
  removeLeftoverSiblings(path, ['restoring']);
  const temporary = temporarySibling(path, 'restoring');
  try {
    const opened = open(temporary);
    if (!opened.ok) return opened;
    const { store } = opened.value;
    let restored: Result<RestoreSummary>;
    try {
      restored = await restoreExport(store, exportPath, options).catch((error: unknown) => toStorageFailure(error, path));
      if (restored.ok) {
        store.flushCheckpoint();
        const report = verifyChain(store.db, temporary);
        if (!report.ok)
          restored = fail('INTEGRITY', `The restored ledger fails verification at position ${report.firstBadPosition}: ${report.reason}`);
      }
    } finally {
      opened.value.close();
    }
    if (!restored.ok) return restored;
    if (!publishWithoutReplacing(temporary, path)) {
      return fail('ALREADY_EXISTS', `The file ${path} appeared while the export was restored; nothing was replaced`);
    }
    if (existsSync(checkpointPathFor(temporary))) renameSync(checkpointPathFor(temporary), checkpointPathFor(path));
    return restored;
  } finally {
    removeWithSideFiles(temporary);
  }
}

export async function restoreExport(store: EventStore, exportPath: string, options: RestoreOptions = {}): Promise<Result<RestoreSummary>> {
  if (store.lastPosition() > 0) {
    return fail('ALREADY_EXISTS', `The ledger ${store.path} is not empty; restore an export only into a new, empty ledger`);
  }
  // First pass: the chain verifies, and every event is one its command could have recorded.
  const restorable = await checkRestorable(exportPath, options);
  if (!restorable.ok) return restorable;
  const checked = restorable.value;
  const rows: StoredEvent[] = [];
  const flush = () => {
    for (const row of rows.splice(0)) store.append([verbatimAppend(row)]);
  };
  try {
    // Second pass: verified rows are appended in chunks inside one transaction.
    await store.writeTransactionAsync(async () => {
      // An append that fails inside the reader's callback would be reported by the reader as
      // an unreadable file: keep the real error and raise it once the reader has stopped.
      let appendError: unknown;
      const written = await verifyExportFile(exportPath, {
        onEvent: (row) => {
          rows.push(row);
          if (rows.length < 1_000) return;
          try {
            flush();
          } catch (error) {
            appendError = error;
            throw error;
          }
        },
      });
      if (appendError !== undefined) throw appendError;
      flush();
      if (!written.ok && written.sealFailure === undefined) {
        throw new LedgerFailure({ code: 'INTEGRITY', message: `The export changed while it was restored (line ${written.firstBadLine})` });
      }
      if (store.headHash() !== checked.head) {
        throw new LedgerFailure({ code: 'INTEGRITY', message: "The restored chain does not reproduce the export's head hash" });
      }
      // The seals, in the order the ledger stored them, each as its one text.
      const seals = new SealStore(store.db, store.path);
      for (const seal of checked.seals) seals.store(seal);
      try {
        new AccountsProjection().rebuild(store);
      } catch (error) {
        if (!(error instanceof ReplayError)) throw error;
        throw new LedgerFailure({ code: 'INTEGRITY', message: `The export ${exportPath} cannot be restored: ${error.message}` });
      }
    });
  } catch (error) {
    if (error instanceof LedgerFailure) return { ok: false, error: error.error };
    if (isDuplicateEventId(error)) {
      return fail('INTEGRITY', `The export ${exportPath} cannot be restored: it holds the same event id twice`);
    }
    throw error;
  }
  return succeed({
    events: checked.events,
    head: checked.head,
    seal: checked.seal,
    seals: checked.seals.length,
    ...(checked.note === undefined ? {} : { note: checked.note }),
  });
}

function isDuplicateEventId(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_UNIQUE' && /events\.event_id/.test((error as Error).message);
}
