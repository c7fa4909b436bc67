/** How a ledger is opened (Ledger.open, Ledger.openInSlices, Ledger.restore). */
import type { ReplayProgress } from '../projection/accounts-projection';
import type { SigningKey } from '../signing/keys';

export type LedgerOptions = {
  readonly path: string;
  readonly readOnly?: boolean;
  /** Who is acting, recorded in every event's metadata ("app", "cli:alice", …). */
  readonly actor?: string;
  readonly appVersion?: string;
  readonly onReplayProgress?: ReplayProgress;
  readonly busyTimeoutMs?: number;
  /** better_sqlite3.node built for Electron's ABI (the main process passes it). */
  readonly nativeBinding?: string;
  /**
   * Verify the whole chain in the background after opening, then each new event after every
   * change (the app and the preview host do; the CLI verifies only when asked). A broken chain
   * makes the ledger read-only; `integrity.status` and ledgerInfo tell why.
   */
  readonly verifyInBackground?: boolean;
  /** The user's signing key: each head checkpoint this ledger writes is then a seal (store/checkpoint-seal.ts). */
  readonly signingKey?: SigningKey;
};
