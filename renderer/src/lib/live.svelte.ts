/**
 * Live updates: the host tells the renderer what changed (shared/ipc-channels.ts LedgerChange:
 * the position, the accounts whose streams grew, read-only, the integrity status) after a
 * command from this window, the CLI or another process. Screens either read `live.changes` in
 * an effect or subscribe with onLedgerChange and refetch only what the change concerns
 * (ledger-change.ts); the append-only log means nothing already shown can change otherwise.
 */
import type { LedgerChange } from '#shared/ipc-contract';
import { ledgerApi } from './window-ledger';

let lastPosition = $state(0);
let changes = $state(0);
let latest = $state.raw<LedgerChange | undefined>();
const listeners = new Set<(change: LedgerChange) => void>();

export const live = {
  /** The log's last position as last announced by the host. */
  get lastPosition(): number {
    return lastPosition;
  },
  /**
   * Grows by one per notification that may change what is shown, so even a repeated position
   * triggers a reload; not for one that only moves the integrity status (no account touched,
   * same position, same read-only state), which the integrity module takes by itself.
   */
  get changes(): number {
    return changes;
  },
  /** The last notification, whole; undefined until the first. */
  get change(): LedgerChange | undefined {
    return latest;
  },
};

/** Subscribes to the host's change notifications; returns the unsubscribe function. */
export function startLiveUpdates(): () => void {
  const api = ledgerApi();
  if (!api) return () => {};
  return api.onChanged((change) => {
    const statusOnly =
      latest !== undefined &&
      change.accounts?.length === 0 &&
      change.lastPosition === latest.lastPosition &&
      change.readOnly === latest.readOnly;
    lastPosition = change.lastPosition;
    latest = change;
    if (!statusOnly) changes += 1;
    for (const listener of listeners) listener(change);
  });
}

/**
 * Calls `listener` with each notification from now on (startLiveUpdates relays them); returns
 * the function that stops. For `$effect(() => onLedgerChange(…))` in a screen.
 */
export function onLedgerChange(listener: (change: LedgerChange) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Wraps a loader so that triggers arriving while it runs collapse into one more run:
 * a burst of 1,000 CLI appends costs two reloads, not 1,000.
 */
export function coalesce(load: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await load();
      } while (again);
    } finally {
      running = false;
    }
  };
  return () => void run();
}
