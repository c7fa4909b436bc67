/**
 * The contract's channel NAMES and IPC constants, with no dependencies. The sandboxed preload
 * builds `window.ledger` from this list alone, so it does not bundle zod; shared/ipc-contract.ts
 * checks at compile time that this list and its schemas name exactly the same channels.
 */
import type { IntegrityStatus } from './audit';

export const CHANNEL_NAMES = [
  'openAccount',
  'deposit',
  'withdraw',
  'transfer',
  'closeAccount',
  'reverse',
  'listAccounts',
  'accountsPage',
  'getAccount',
  'accountHistory',
  'ledgerInfo',
  'balanceSeries',
  'auditEvents',
  'eventDetail',
  'integrityStatus',
  'balancesAsOf',
  'exportEventLog',
  'statement',
  'saveStatement',
  'latestSeal',
  'sealNow',
  'verifyFile',
  'saveInclusionProof',
] as const;

export type LedgerChannel = (typeof CHANNEL_NAMES)[number];

/** IPC channel name for a contract channel; one prefix so the main process can refuse anything else. */
export function ipcChannelName(channel: LedgerChannel): string {
  return `ledger:${channel}`;
}

export const CHANGE_NOTIFICATION_CHANNEL = 'ledger:changed';
export const NAVIGATE_CHANNEL = 'app:navigate';

/**
 * What a change notification tells the renderer: what changed, so a screen refetches only what
 * it shows and nobody polls. Sent after each commit, after catching up with another process's
 * appends, after switching files, when the ledger turns read-only, and as the host's background
 * verification moves.
 */
export type LedgerChange = {
  /** The last position the projection holds. */
  readonly lastPosition: number;
  /** The accounts whose streams grew; absent when not known (a catch-up, a rebuild, another file): every view refetches. */
  readonly accounts?: readonly string[];
  /** True once the ledger refuses commands; the reason is the one ledgerInfo gives. */
  readonly readOnly: boolean;
  readonly readOnlyReason?: string;
  /** The background verification's status, in hosts that verify in the background. */
  readonly integrity?: IntegrityStatus;
};

/** Screens the host may ask the renderer to show (Electron's View menu; Account → Statement… for the account on screen). */
export const SCREENS = ['accounts', 'audit', 'statement'] as const;
export type Screen = (typeof SCREENS)[number];

const INTEGRITY_STATES: ReadonlySet<unknown> = new Set(['verifying', 'verified', 'failed']);

/**
 * A change notification as it arrives from the host, checked field by field (the preload and
 * the preview bridge hand the renderer nothing else); undefined when it is not one.
 */
export function readLedgerChange(value: unknown): LedgerChange | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { lastPosition, accounts, readOnly, readOnlyReason, integrity } = value as Record<string, unknown>;
  if (typeof lastPosition !== 'number' || !Number.isSafeInteger(lastPosition) || lastPosition < 0) return undefined;
  if (typeof readOnly !== 'boolean') return undefined;
  if (accounts !== undefined && !(Array.isArray(accounts) && accounts.every((account) => typeof account === 'string'))) return undefined;
  if (readOnlyReason !== undefined && typeof readOnlyReason !== 'string') return undefined;
  if (
    integrity !== undefined &&
    !(typeof integrity === 'object' && integrity !== null && INTEGRITY_STATES.has((integrity as { state?: unknown }).state))
  ) {
    return undefined;
  }
  return {
    lastPosition,
    readOnly,
    ...(accounts === undefined ? {} : { accounts: [...(accounts as string[])] }),
    ...(readOnlyReason === undefined ? {} : { readOnlyReason }),
    ...(integrity === undefined ? {} : { integrity: integrity as IntegrityStatus }),
  };
}
