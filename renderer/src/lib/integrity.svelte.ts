/**
 * The ledger's integrity status as the host reports it (shared/audit.ts IntegrityStatus), kept
 * app-wide: the audit screen's panel shows it, and the shell re-reads ledgerInfo the moment a
 * verification fails, so the read-only banner appears without waiting for another change.
 * The host verifies in the background; this only polls its answer, every POLL_MS while a walk
 * is under way and once after each change notification.
 */
import type { IntegrityStatus } from '#shared/audit';
import type { LedgerError } from '#shared/errors';
import { ledgerApi, query } from './ledger-host';

/** How often the status is asked for while the host is still walking the chain. */
const POLL_MS = 500;
/** After a failed request, wait longer before asking again. */
const RETRY_MS = 5_000;

let status = $state<IntegrityStatus | undefined>();
let failure = $state<LedgerError | undefined>();

export const integrity = {
  /** The host's last answer; undefined until the first one arrives. */
  get status(): IntegrityStatus | undefined {
    return status;
  },
  /** Why the status could not be read, when it could not. */
  get failure(): LedgerError | undefined {
    return failure;
  },
};

/**
 * Starts watching; `onFailed` runs once when the status turns to 'failed'. Returns the
 * function that stops watching.
 */
export function startIntegrityWatch(onFailed: () => void = () => {}): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** The newest position the host announced: a 'verified' status short of it is about to move on. */
  let announced = 0;
  let running = false;
  let again = false;

  const poll = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    clearTimeout(timer);
    try {
      const result = await query((api) => api.integrityStatus());
      if (stopped) return;
      let next: number | undefined;
      if (result.ok) {
        const previous = status?.state;
        status = result.value;
        failure = undefined;
        if (result.value.state === 'failed' && previous !== 'failed') onFailed();
        if (result.value.state === 'verifying') next = POLL_MS;
        if (result.value.state === 'verified' && result.value.verifiedThrough < announced) next = POLL_MS;
      } else {
        failure = result.error;
        next = RETRY_MS;
      }
      if (next !== undefined) timer = setTimeout(() => void poll(), next);
    } finally {
      running = false;
    }
    if (again && !stopped) {
      again = false;
      void poll();
    }
  };

  void poll();
  const unsubscribe = ledgerApi()?.onChanged((change) => {
    announced = Math.max(announced, change.lastPosition);
    void poll();
  });
  return () => {
    stopped = true;
    clearTimeout(timer);
    unsubscribe?.();
  };
}
