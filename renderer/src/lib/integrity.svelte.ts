/**
 * The ledger's integrity status as the host reports it (shared/audit.ts IntegrityStatus), kept
 * app-wide: the audit screen's panel shows it, and screens mark balances unverified once it
 * failed. The host verifies in the background and its change notifications carry the status
 * (LedgerChange.integrity) whenever it moves; it is asked for once, at start, and never polled.
 * A host that does not verify in the background sends no status: the one answer stands.
 */
import type { IntegrityStatus } from '#shared/audit';
import type { LedgerError } from '#shared/errors';
import { query } from './window-ledger';
import { onLedgerChange } from './live.svelte';

let status = $state<IntegrityStatus | undefined>();
let failure = $state<LedgerError | undefined>();

export const integrity = {
  /** The host's last word; undefined until the first one arrives. */
  get status(): IntegrityStatus | undefined {
    return status;
  },
  /** Why the status could not be read, when it could not. */
  get failure(): LedgerError | undefined {
    return failure;
  },
};

/**
 * Starts following the status; `onFailed` runs once when it turns to 'failed'. Returns the
 * function that stops.
 */
export function startIntegrityWatch(onFailed: () => void = () => {}): () => void {
  let stopped = false;
  /** A notification arrived: the answer to the first question, if later, is older than it. */
  let notified = false;
  const take = (next: IntegrityStatus) => {
    const previous = status?.state;
    status = next;
    failure = undefined;
    if (next.state === 'failed' && previous !== 'failed') onFailed();
  };
  const unsubscribe = onLedgerChange((change) => {
    if (change.integrity === undefined) return;
    notified = true;
    take(change.integrity);
  });
  void query((api) => api.integrityStatus()).then((result) => {
    if (stopped || notified) return;
    if (result.ok) take(result.value);
    else failure = result.error;
  });
  return () => {
    stopped = true;
    unsubscribe();
  };
}
