/**
 * Verifies a ledger file without opening it as a ledger: the store is opened and the chain
 * walked (ChainVerifier), but the projection is never replayed. Damage a replay would meet
 * first, and refuse the whole open over, is reported by the walk as a failure at the first
 * position it cannot read. Only a file that cannot be opened at all (its header destroyed, not
 * a ledger, missing) is answered as a refusal.
 */
import { succeed, type Result } from '#shared/errors';
import { EventStore } from './event-store';
import type { OpenOptions } from './open-database';
import { toStorageFailure, typedErrorOf } from './storage-errors';
import { ChainVerifier, type VerifyReport } from './verify';

/** Walks the chain of the ledger at `path`; read-only unless `options.readOnly` is false. */
export function verifyLedgerFile(path: string, options: OpenOptions = {}): Result<VerifyReport> {
  let store: EventStore;
  try {
    store = EventStore.open(path, { ...options, readOnly: options.readOnly ?? true });
  } catch (error) {
    return refusal(error, path);
  }
  try {
    return succeed(new ChainVerifier(store.db, path).run());
  } catch (error) {
    return refusal(error, path);
  } finally {
    store.close();
  }
}

function refusal(error: unknown, path: string): Result<never> {
  const typed = typedErrorOf(error, () => path);
  return typed === undefined ? toStorageFailure(error, path) : { ok: false, error: typed };
}
