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
import { EventRules } from '../import/event-rules';
import { verbatimAppend } from '../import/verbatim-append';
import type { Seal } from '../signing/seal';
import { verifyExportFile, type ExportSealFacts } from './export-verify';
import { SealStore } from '../history/seal-store';

export type RestoreOptions = {
  /** The public key (keys.ts text) the export must be sealed by. */
  readonly expectedPublicKey?: string;
  /** Restore the events even though the export's seal does not hold; only the seals that hold are kept. */
  readonly ignoreSeal?: boolean;
};

export type RestoreSummary = {
  readonly events: number;
  readonly head: string;
  /** Who sealed the export, or null (unsealed, or its seal ignored). */
  readonly seal: ExportSealFacts | null;
  /** The seals restored into the ledger. */
  readonly seals: number;
  /** Said when nothing vouches for the export beyond its own hashes. */
  readonly note?: string;
};

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
  const rules = new EventRules();
  let lines = 0;
  let broken: { readonly line: number; readonly position: number; readonly problem: string } | undefined;
  const verified = await verifyExportFile(exportPath, {
    expectedPublicKey: options.expectedPublicKey,
    onEvent: (row) => {
      lines += 1;
      if (broken !== undefined) return;
      const problem = rules.check(row);
      if (problem !== undefined) broken = { line: lines, position: row.position, problem };
    },
  });
  const sealing = sealsToRestore(exportPath, verified, options);
  if (!sealing.ok) return sealing;
  const checked = sealing.value;
  if (checked.manifest.filter) return fail('VALIDATION', `The export ${exportPath} is restricted by a filter and cannot be restored`);
  const unfinished = broken === undefined ? rules.unfinished() : undefined;
  if (unfinished !== undefined) broken = { line: lines, position: checked.manifest.lastPosition, problem: unfinished };
  if (broken !== undefined) {
    return fail(
      'INTEGRITY',
      `The export ${exportPath} cannot be restored: line ${broken.line} (position ${broken.position}) is not what a command records: ${broken.problem}; nothing was restored`,
    );
  }
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

type Checked = {
  readonly events: number;
  readonly head: string;
  readonly manifest: { readonly filter?: unknown; readonly lastPosition: number };
  readonly seal: ExportSealFacts | null;
  readonly seals: readonly Seal[];
  readonly note?: string;
};

/** What the first pass's verdict lets a restore do: go on (with the seals to store), or refuse. */
function sealsToRestore(
  exportPath: string,
  verified: Awaited<ReturnType<typeof verifyExportFile>>,
  options: RestoreOptions,
): Result<Checked> {
  if (verified.ok) {
    const { events, head, manifest, seal } = verified;
    const note =
      seal === null && manifest.filter === undefined
        ? `The export carries no seal (${manifest.formatVersion === 1 ? 'a version 1 export' : 'it was written without a signing key'}): only its own hashes vouch for it, and anyone who could edit it could have recomputed them.`
        : undefined;
    return succeed({ events, head, manifest, seal, seals: manifest.seals ?? [], ...(note ? { note } : {}) });
  }
  const failure = verified.sealFailure;
  if (failure === undefined) {
    return fail('INTEGRITY', `The export ${exportPath} fails verification at line ${verified.firstBadLine}: ${verified.reason}`);
  }
  if (!options.ignoreSeal) {
    return fail(
      'INTEGRITY',
      `The seal of the export ${exportPath} does not hold: ${verified.reason}. Nothing was restored; restore it anyway only if you trust the file (--ignore-seal)`,
      {
        ...(failure.reason === undefined ? {} : { reason: failure.reason }),
        ...(failure.fingerprint ? { fingerprint: failure.fingerprint } : {}),
        ...(failure.expectedFingerprint ? { expectedFingerprint: failure.expectedFingerprint } : {}),
      },
    );
  }
  const dropped = (failure.manifest.seals?.length ?? 0) - failure.sealsThatHold.length;
  return succeed({
    events: failure.events,
    head: failure.head,
    manifest: failure.manifest,
    seal: null,
    seals: failure.sealsThatHold,
    note: `The export's seal does not hold (${verified.reason}); its events were restored because the seal was to be ignored${
      dropped > 0 ? `, without the ${dropped} seal${dropped === 1 ? '' : 's'} that do not hold` : ''
    }.`,
  });
}

function isDuplicateEventId(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_UNIQUE' && /events\.event_id/.test((error as Error).message);
}
