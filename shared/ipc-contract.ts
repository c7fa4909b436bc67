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
  currencySchema,
  depositSchema,
  openAccountSchema,
  reverseSchema,
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
import {
  ACCOUNT_PAGE_LIMIT,
  ACCOUNT_SEARCH_MAX_LENGTH,
  ACCOUNT_SORT_COLUMNS,
  ACCOUNT_STATUSES,
  SORT_DIRECTIONS,
  type AccountPage,
  type AccountView,
  type BalanceSeries,
  type HistoryEntry,
} from './views';
import { STATEMENT_FORMATS, statementRequestSchema, type Statement, type StatementSaved } from './statement';
import { publicKeyTextSchema, type FileVerdict, type ProofSaved, type SealStatus, type SealView } from './seals';
import type { LedgerChange, LedgerChannel, Screen } from './ipc-channels';

export {
  CHANGE_NOTIFICATION_CHANNEL,
  CHANNEL_NAMES,
  NAVIGATE_CHANNEL,
  SCREENS,
  ipcChannelName,
  type LedgerChange,
  type LedgerChannel,
  type Screen,
} from './ipc-channels';

import { BALANCE_SERIES_MAX_POINTS, HISTORY_PAGE_LIMIT } from './rules';

export { HISTORY_PAGE_LIMIT };

const noInput = z.strictObject({}).optional();

export const COMMAND_CHANNELS = {
  openAccount: { command: 'open', request: openAccountSchema },
  deposit: { command: 'deposit', request: depositSchema },
  withdraw: { command: 'withdraw', request: withdrawSchema },
  transfer: { command: 'transfer', request: transferSchema },
  closeAccount: { command: 'close', request: closeAccountSchema },
  /** Takes back the whole command that recorded a position (both legs of a transfer). */
  reverse: { command: 'reverse', request: reverseSchema },
} as const satisfies Record<string, { command: CommandName; request: z.ZodType }>;

export const QUERY_CHANNELS = {
  listAccounts: { request: noInput },
  /** A window of the accounts list: searched by id or owner, sorted by any column, with exact totals over all accounts. */
  accountsPage: {
    request: z.strictObject({
      offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
      limit: z.number().int().min(1).max(ACCOUNT_PAGE_LIMIT).optional(),
      /** Case-insensitive text found in the account's id or owner. */
      search: z.string().max(ACCOUNT_SEARCH_MAX_LENGTH).optional(),
      sort: z.strictObject({ column: z.enum(ACCOUNT_SORT_COLUMNS), direction: z.enum(SORT_DIRECTIONS) }).optional(),
      /** Just this account (its row, or none): what the Account page asks while the chain is broken. */
      account: accountIdSchema.optional(),
      /** Only these accounts, those that exist (the owners of the rows a screen shows). */
      ids: z.array(accountIdSchema).max(ACCOUNT_PAGE_LIMIT).optional(),
      /** Only accounts of this currency (transfer targets). */
      currency: currencySchema.optional(),
      /** Only open, or only closed, accounts. */
      status: z.enum(ACCOUNT_STATUSES).optional(),
      /** The search must be a whole id or owner (any case), not a part of one. */
      exact: z.boolean().optional(),
    }),
  },
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
  /** The balance over time, sampled to at most `points` exact points (the account screen's chart). */
  balanceSeries: {
    request: z.strictObject({
      account: accountIdSchema,
      points: z.number().int().min(2).max(BALANCE_SERIES_MAX_POINTS).optional(),
    }),
  },
  // ── Audit review (read-only) ──
  /** A page of the log, newest first; `withCount` adds the matches and the total as of the same moment (one call per snapshot). */
  auditEvents: {
    request: z.strictObject({
      filter: auditFilterSchema.optional(),
      /** Keyset cursor: only events before this position (newest first). */
      before: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
      limit: z.number().int().min(1).max(AUDIT_PAGE_LIMIT).optional(),
      withCount: z.boolean().optional(),
    }),
  },
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
  /** One account over one period (the statement preview). */
  statement: { request: statementRequestSchema },
  /** Saves a statement; the host asks where (a save dialog in Electron), the renderer never names a path. */
  saveStatement: {
    request: z.strictObject({ statement: statementRequestSchema, format: z.enum(STATEMENT_FORMATS) }),
  },
  // ── Signed history (docs/signing.md); the signing key is the host's, never the page's ──
  /** The ledger's latest seal, this window's key (public half) and whether it can seal. */
  latestSeal: { request: noInput },
  /** Seals the head with this window's key (made on first use); answers the seal. */
  sealNow: { request: noInput },
  /** The host asks which file (an export or a proof) and checks it offline, against `publicKey` when given. */
  verifyFile: { request: z.strictObject({ publicKey: publicKeyTextSchema.optional() }).optional() },
  /** The inclusion proof of one event; the host asks where to save it. */
  saveInclusionProof: { request: z.strictObject({ position: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }) },
} as const satisfies Record<string, { request: z.ZodType }>;

/** What a page asked `withCount` carries: the events matching its filter and all events, as of the page. */
export type AuditCount = {
  readonly matches: number;
  /** The log's last position when the page was read: the top of a snapshot taken with it. */
  readonly total: number;
  /** The ledger file the page was read from (another one may be opened underneath the page). */
  readonly ledgerPath: string;
};

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
  reverse: CommandReceipt;
  listAccounts: AccountView[];
  accountsPage: AccountPage;
  getAccount: AccountView;
  accountHistory: { readonly entries: HistoryEntry[]; readonly total: number };
  ledgerInfo: LedgerInfo;
  balanceSeries: BalanceSeries;
  auditEvents: AuditPage & { readonly count?: AuditCount };
  eventDetail: EventDetail;
  integrityStatus: IntegrityStatus;
  balancesAsOf: BalancesAsOf;
  /** null when the person cancelled the save dialog. */
  exportEventLog: ExportSummary | null;
  statement: Statement;
  /** null when the person cancelled the save dialog. */
  saveStatement: StatementSaved | null;
  latestSeal: SealStatus;
  sealNow: SealView;
  /** null when the person cancelled the open dialog. */
  verifyFile: FileVerdict | null;
  /** null when the person cancelled the save dialog. */
  saveInclusionProof: ProofSaved | null;
};

export const LEDGER_CHANNELS = { ...COMMAND_CHANNELS, ...QUERY_CHANNELS };

/** Compile-time proof that the dependency-free name list (ipc-channels.ts) matches the schemas here. */
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const channelNamesMatchSchemas: SameKeys<keyof typeof LEDGER_CHANNELS, LedgerChannel> = true;
void channelNamesMatchSchemas;

export type ChannelRequest<Channel extends LedgerChannel> = z.input<(typeof LEDGER_CHANNELS)[Channel]['request']>;

/** Channels whose request may be left out entirely (queries without input) take an optional argument. */
type RequestArguments<Channel extends LedgerChannel> =
  undefined extends ChannelRequest<Channel> ? [request?: ChannelRequest<Channel>] : [request: ChannelRequest<Channel>];

/** The object the renderer sees as `window.ledger`, identical in Electron and the preview host. */
export type LedgerApi = {
  readonly [Channel in LedgerChannel]: (...request: RequestArguments<Channel>) => Promise<Result<LedgerResponses[Channel]>>;
} & {
  /** Subscribes to change notifications; returns the function that unsubscribes. */
  readonly onChanged: (listener: (change: LedgerChange) => void) => () => void;
  /** Subscribes to the host's requests to show a screen (never fires in the preview host). */
  readonly onNavigate: (listener: (screen: Screen) => void) => () => void;
};
