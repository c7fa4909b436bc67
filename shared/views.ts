/**
 * Read-model shapes: what queries answer. Amounts appear twice, as exact decimal text
 * with the currency's minor digits and as integer minor units.
 */
import type { EventType } from './events';

export type AccountStatus = 'open' | 'closed';

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
