/**
 * Opening a ledger file: the store opened (a refusal is a STORAGE failure naming the file),
 * the projection replayed, then the cheap part of verification, done at every open: the
 * immutability triggers must be in place, and the log must still reach the head checkpoint and
 * hold the same event there (and, when the checkpoint is sealed, the seal must hold). That
 * catches a cut-off tail or a rewritten chain at once; the full walk (Ledger.verify, or the
 * app's integrity monitor) catches edits in the middle.
 */
import { LedgerFailure, succeed, type Failure, type Result } from '#shared/errors';
import { APP_VERSION } from '../app-version';
import { checkpointSealProblem } from '../store/checkpoint-seal';
import { EventStore } from '../store/event-store';
import { readCheckpoint } from '../store/head-checkpoint';
import { triggerProblem } from '../store/immutability-triggers';
import { damagedFile, isDamage, toStorageFailure } from '../store/storage-errors';
import type { LedgerOptions } from './ledger-options';

/** Opens the file's event store and makes the ledger on it with `make`. */
export function openOnStore<T>(options: LedgerOptions, make: (store: EventStore) => T): Result<T> {
  try {
    const { readOnly, busyTimeoutMs, nativeBinding } = options;
    const appVersion = options.appVersion ?? APP_VERSION;
    return succeed(make(EventStore.open(options.path, { readOnly, appVersion, busyTimeoutMs, nativeBinding })));
  } catch (error) {
    if (error instanceof LedgerFailure) return { ok: false, error: error.error };
    return toStorageFailure(error, options.path);
  }
}

/**
 * What every open does once the store is open: `replay` builds the projection, then the cheap
 * checks run, a problem turning the ledger read-only. Damage met while replaying or checking
 * refuses the open as STORAGE, as it would while opening the file: the refusal is returned.
 */
export function replayAndCheck(store: EventStore, replay: () => void, markReadOnly: (reason: string) => void): Failure | undefined {
  try {
    replay();
    const problem = openingProblem(store);
    if (problem !== undefined) markReadOnly(problem);
    return undefined;
  } catch (error) {
    if (error instanceof LedgerFailure) return { ok: false, error: error.error };
    if (isDamage(error)) return { ok: false, error: damagedFile(store.path).error };
    throw error;
  }
}

/** Why the ledger must be read-only as opened (the checkpoint's problem first), or undefined when the cheap checks pass. */
export function openingProblem(store: EventStore): string | undefined {
  return headCheckpointProblem(store) ?? (store.readOnly ? undefined : triggerProblem(store.db));
}

function headCheckpointProblem(store: EventStore): string | undefined {
  const checkpoint = readCheckpoint(store.path);
  if (!checkpoint || checkpoint.position === 0) return undefined;
  const [atCheckpoint] = store.readAll({ fromPosition: checkpoint.position, limit: 1 });
  if (atCheckpoint?.position !== checkpoint.position) {
    return `the log ends before position ${checkpoint.position}, which the head checkpoint recorded: events were removed`;
  }
  if (atCheckpoint.hash !== checkpoint.hash) {
    return `the event at position ${checkpoint.position} differs from the head checkpoint: the chain was rewritten`;
  }
  return checkpointSealProblem(store, checkpoint, store.lastPosition());
}
