/**
 * Live updates: the host tells the renderer whenever the ledger's log grew (a command from
 * this window, the CLI, another process). Screens read `live.lastPosition` in an effect and
 * reload what they show; the append-only log means nothing already shown can change.
 */
import { ledgerApi } from './ledger-host';

let lastPosition = $state(0);
let changes = $state(0);

export const live = {
  /** The log's last position as last announced by the host. */
  get lastPosition(): number {
    return lastPosition;
  },
  /** Grows by one per notification, so even a repeated position triggers a reload. */
  get changes(): number {
    return changes;
  },
};

/** Subscribes to the host's change notifications; returns the unsubscribe function. */
export function startLiveUpdates(): () => void {
  const api = ledgerApi();
  if (!api) return () => {};
  return api.onChanged((change) => {
    lastPosition = change.lastPosition;
    changes += 1;
  });
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
