/**
 * THE contract between the renderer and whatever hosts the engine (Electron main over IPC,
 * or the preview host over HTTP). One entry per channel: its request schema and, through
 * LedgerResponses, its response type. Main, preload, preview host and renderer all derive
 * from this file, so a drifting name or shape is a compile error, not a runtime surprise.
 */
import { z } from 'zod';
import {
  accountIdSchema,
  closeAccountSchema,
  depositSchema,
  openAccountSchema,
  transferSchema,
  withdrawSchema,
  type CommandName,
  type CommandReceipt,
} from './commands';
import type { Result } from './errors';
import {
  AUDIT_PAGE_LIMIT,
  EXPORT_FORMATS,
  auditFilterSchema,
  type AuditPage,
  type BalancesAsOf,
  type EventDetail,
  type ExportSummary,
  type IntegrityStatus,
} from './audit';
import type { AccountView, HistoryEntry } from './views';

/** Most history rows one request returns; the renderer pages through longer histories. */
export const HISTORY_PAGE_LIMIT = 1_000;

const noInput = z.strictObject({}).optional();

export const COMMAND_CHANNELS = {
  openAccount: { command: 'open', request: openAccountSchema },
  deposit: { command: 'deposit', request: depositSchema },
  withdraw: { command: 'withdraw', request: withdrawSchema },
  transfer: { command: 'transfer', request: transferSchema },
  closeAccount: { command: 'close', request: closeAccountSchema },
} as const satisfies Record<string, { command: CommandName; request: z.ZodType }>;

export const QUERY_CHANNELS = {
  listAccounts: { request: noInput },
  getAccount: { request: z.strictObject({ account: accountIdSchema }) },
  accountHistory: {
    request: z.strictObject({
      account: accountIdSchema,
      /** First stream version to return (1 = the opening). */
      fromVersion: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
      limit: z.number().int().min(1).max(HISTORY_PAGE_LIMIT).optional(),
    }),
  },
  ledgerInfo: { request: noInput },
  // ── Audit review (read-only) ──
  auditEvents: {
    request: z.strictObject({
      filter: auditFilterSchema.optional(),
      /** Keyset cursor: only events before this position (newest first). */
      before: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
      limit: z.number().int().min(1).max(AUDIT_PAGE_LIMIT).optional(),
    }),
  },
  auditCount: { request: z.strictObject({ filter: auditFilterSchema.optional() }) },
  eventDetail: { request: z.strictObject({ position: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }) },
  integrityStatus: { request: noInput },
  balancesAsOf: {
    request: z
      .strictObject({
        position: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
        at: auditFilterSchema.shape.from.optional(),
      })
      .refine((target) => target.position === undefined || target.at === undefined, {
        error: 'Give either a position or a moment, not both',
      }),
  },
  /** The host asks where to save (a save dialog in Electron); the renderer never names a path. */
  exportEventLog: {
    request: z.strictObject({ format: z.enum(EXPORT_FORMATS), filter: auditFilterSchema.optional() }),
  },
} as const satisfies Record<string, { request: z.ZodType }>;

export type LedgerInfo = {
  readonly path: string;
  readonly appVersion: string;
  readonly schemaVersion: number;
  readonly lastPosition: number;
  readonly readOnly: boolean;
  /** Why the ledger is read-only, in plain words, when it is. */
  readonly readOnlyReason?: string;
};

/** Response value of each channel (inside the Result envelope). */
export type LedgerResponses = {
  openAccount: CommandReceipt;
  deposit: CommandReceipt;
  withdraw: CommandReceipt;
  transfer: CommandReceipt;
  closeAccount: CommandReceipt;
  listAccounts: AccountView[];
  getAccount: AccountView;
  accountHistory: { readonly entries: HistoryEntry[]; readonly total: number };
  ledgerInfo: LedgerInfo;
  auditEvents: AuditPage;
  auditCount: { readonly matches: number; readonly total: number };
  eventDetail: EventDetail;
  integrityStatus: IntegrityStatus;
  balancesAsOf: BalancesAsOf;
  /** null when the person cancelled the save dialog. */
  exportEventLog: ExportSummary | null;
};

export const LEDGER_CHANNELS = { ...COMMAND_CHANNELS, ...QUERY_CHANNELS };
export type LedgerChannel = keyof typeof LEDGER_CHANNELS;
export const CHANNEL_NAMES = Object.keys(LEDGER_CHANNELS) as LedgerChannel[];

export type ChannelRequest<Channel extends LedgerChannel> = z.input<(typeof LEDGER_CHANNELS)[Channel]['request']>;

/** What a change notification tells the renderer: the log grew to this position. */
export type LedgerChange = { readonly lastPosition: number };

/** Screens the host may ask the renderer to show (Electron's View menu). */
export const SCREENS = ['accounts', 'audit'] as const;
export type Screen = (typeof SCREENS)[number];

/** The object the renderer sees as `window.ledger`, identical in Electron and the preview host. */
export type LedgerApi = {
  readonly [Channel in LedgerChannel]: (request: ChannelRequest<Channel>) => Promise<Result<LedgerResponses[Channel]>>;
} & {
  /** Subscribes to change notifications; returns the function that unsubscribes. */
  readonly onChanged: (listener: (change: LedgerChange) => void) => () => void;
  /** Subscribes to the host's requests to show a screen (never fires in the preview host). */
  readonly onNavigate: (listener: (screen: Screen) => void) => () => void;
};

/** IPC channel name for a contract channel; one prefix so the main process can refuse anything else. */
export function ipcChannelName(channel: LedgerChannel): string {
  return `ledger:${channel}`;
}

export const CHANGE_NOTIFICATION_CHANNEL = 'ledger:changed';
export const NAVIGATE_CHANNEL = 'app:navigate';
