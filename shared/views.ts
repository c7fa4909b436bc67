/**
 * Read-model shapes: what queries answer. Amounts appear twice, as exact decimal text
 * with the currency's minor digits and as integer minor units.
 */
import type { EventType } from './events';

export const ACCOUNT_STATUSES = ['open', 'closed'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export type AccountView = {
  readonly id: string;
  readonly owner: string;
  readonly currency: string;
  readonly balance: string;
  readonly balanceMinor: number;
  /** Opening counts 1; each deposit, withdrawal and transfer leg adds 1; closing adds 0. */
  readonly transactionCount: number;
  readonly lastTransactionAt: string;
  readonly openedAt: string;
  /** The account stream's version: the number of events in it. */
  readonly version: number;
  readonly status: AccountStatus;
};

/** One event of an account's history with the balance right after it. */
export type HistoryEntry = {
  readonly position: number;
  readonly version: number;
  readonly type: EventType;
  readonly recordedAt: string;
  /** Signed change to this account's balance. */
  readonly amount: string;
  readonly amountMinor: number;
  readonly balance: string;
  readonly balanceMinor: number;
  readonly memo?: string;
  readonly counterparty?: string;
  readonly transferId?: string;
  readonly commandId?: string;
  /** On a reversal: the position of the event it takes back. */
  readonly reverses?: number;
  /** On a reversed event: the position of the reversal that took it back. */
  readonly reversedBy?: number;
};

/** Exact balances at sampled versions of one account, oldest first, always including the first and last. */
export type BalanceSeries = {
  readonly currency: string;
  /** How many events the account has; `points` is a sample of them when this is larger. */
  readonly total: number;
  readonly points: ReadonlyArray<{
    readonly version: number;
    readonly position: number;
    /** ISO-8601 UTC, millisecond precision. */
    readonly at: string;
    readonly balance: string;
    readonly balanceMinor: number;
  }>;
};

// ── The accounts list, a page at a time (the Accounts screen) ──

/** Columns the accounts list sorts by; every column of the Accounts table. */
export const ACCOUNT_SORT_COLUMNS = ['owner', 'id', 'currency', 'balance', 'transactions', 'lastActivity', 'status'] as const;
export type AccountSortColumn = (typeof ACCOUNT_SORT_COLUMNS)[number];
/** The same words as aria-sort, so a header states its order as it is. */
export const SORT_DIRECTIONS = ['ascending', 'descending'] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];
export type AccountSort = { readonly column: AccountSortColumn; readonly direction: SortDirection };
/** The order when none is asked for: owners A to Z. */
export const DEFAULT_ACCOUNT_SORT: AccountSort = { column: 'owner', direction: 'ascending' };

/** Most rows one accountsPage request answers. */
export const ACCOUNT_PAGE_LIMIT = 500;
/** Longest search text: an owner's name is at most 200 characters. */
export const ACCOUNT_SEARCH_MAX_LENGTH = 200;

export type AccountListRow = AccountView & {
  /** Its balance rests on an event at or after the first position the hash chain cannot vouch for. */
  readonly unverified: boolean;
};

/** Balances of one currency summed over every open account (not only the page), exactly. */
export type CurrencyTotal = {
  readonly currency: string;
  /** Exact decimal text with the currency's minor digits ("1234.50"). */
  readonly total: string;
  /** The same sum in integer minor units, as decimal text: a sum may exceed 2^53. */
  readonly totalMinor: string;
  readonly openAccounts: number;
  /** Some account of this currency is unverified (see AccountListRow), so the sum is too. */
  readonly unverified: boolean;
};

export type AccountPage = {
  /** Index of the first row within the matching accounts in the requested order. */
  readonly offset: number;
  readonly rows: AccountListRow[];
  /** Accounts matching the search and filters (all accounts without any). */
  readonly matches: number;
  /** Every account in the ledger, open or closed. */
  readonly accounts: number;
  readonly closed: number;
  /** Per currency, over every account regardless of search or page; currencies in code order. */
  readonly totals: CurrencyTotal[];
  /** The first position the hash chain cannot vouch for, while verification has failed; otherwise null. */
  readonly unverifiedFrom: number | null;
  /** The log position this answer reflects. */
  readonly lastPosition: number;
};
