/**
 * A ledger's signed history as its hosts ask for it (the CLI now, the app later): seal the
 * head, list the seals, prove an event or the consistency of two seals. One SignedHistory per
 * open ledger, on its own connection; a ledger that is read-only (opened so, or found tampered
 * with) is never sealed.
 */
import { fail, type Result } from '#shared/errors';
import type { Ledger } from '../ledger';
import type { SigningKey } from '../signing/keys';
import type { ConsistencyProofFile, InclusionProofFile } from '../signing/proof-file';
import type { Seal } from '../signing/seal';
import type { SignedHistory } from './signed-history';

/** The ledger's SignedHistory (made once per ledger). */
export function historyOf(ledger: Ledger): SignedHistory {
  return ledger.signedHistory();
}

/** Seals the ledger's head with `key` (see SignedHistory.seal); INTEGRITY on a read-only ledger, naming why. */
export function sealLedger(ledger: Ledger, key: SigningKey, now?: Date): Result<Seal> {
  const info = ledger.info();
  if (info.readOnly) return fail('INTEGRITY', `The ledger ${ledger.path} is read-only (${info.readOnlyReason}); nothing was sealed`);
  return historyOf(ledger).seal(key, now);
}

/** Every seal stored in the ledger, in the order stored. */
export function ledgerSeals(ledger: Ledger): Result<Seal[]> {
  return historyOf(ledger).list();
}

/** The seal of the largest tree size, or null. */
export function latestLedgerSeal(ledger: Ledger): Result<Seal | null> {
  return historyOf(ledger).latest();
}

/** The inclusion proof of the event at `position` in the latest seal's tree. */
export function ledgerInclusionProof(ledger: Ledger, position: number): Result<InclusionProofFile> {
  return historyOf(ledger).inclusionProof(position);
}

/** The consistency proof from the seal of `fromSize` events to the latest seal. */
export function ledgerConsistencyProof(ledger: Ledger, fromSize: number): Result<ConsistencyProofFile> {
  return historyOf(ledger).consistencyProof(fromSize);
}
