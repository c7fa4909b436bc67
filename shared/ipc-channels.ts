/**
 * The contract's channel NAMES and IPC constants, with no dependencies. The sandboxed preload
 * builds `window.ledger` from this list alone, so it does not bundle zod; shared/ipc-contract.ts
 * checks at compile time that this list and its schemas name exactly the same channels.
 */

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
  'auditCount',
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

/** What a change notification tells the renderer: the log grew (or, after switching files, changed) to this position. */
export type LedgerChange = { readonly lastPosition: number };

/** Screens the host may ask the renderer to show (Electron's View menu; Account → Statement… for the account on screen). */
export const SCREENS = ['accounts', 'audit', 'statement'] as const;
export type Screen = (typeof SCREENS)[number];
