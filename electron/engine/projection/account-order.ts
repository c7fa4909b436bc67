/**
 * The orders the accounts list sorts by: one ascending comparator per column, each ending in
 * the account id (by code unit), so every order is total and a row's place in a sorted array
 * is found by binary search. Descending is the ascending order read backwards.
 */
import type { AccountSortColumn } from '#shared/views';
import type { AccountState } from '../domain/bank-account';

/** What the list knows of one account: its state, where its last event sits, its number in the search text. */
export type ListedAccount = {
  readonly state: AccountState;
  /** Global position of the account's last event. */
  readonly lastPosition: number;
  /** Its number in AccountSearchText (see account-search.ts). */
  readonly number: number;
};

export type AccountComparator = (a: ListedAccount, b: ListedAccount) => number;

/** Names and ids as people sort them: letters before accents are weighed, "ACC-2" before "ACC-10". */
const names = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function byId(a: ListedAccount, b: ListedAccount): number {
  return a.state.id < b.state.id ? -1 : a.state.id > b.state.id ? 1 : 0;
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Open before closed. */
const STATUS_RANK = { open: 0, closed: 1 } as const;

export const ACCOUNT_ORDERS: { readonly [Column in AccountSortColumn]: AccountComparator } = {
  owner: (a, b) => names.compare(a.state.owner, b.state.owner) || byId(a, b),
  id: (a, b) => names.compare(a.state.id, b.state.id) || byId(a, b),
  currency: (a, b) => byText(a.state.currency, b.state.currency) || names.compare(a.state.owner, b.state.owner) || byId(a, b),
  // Amounts of different currencies do not compare: balances sort within their currency.
  balance: (a, b) => byText(a.state.currency, b.state.currency) || a.state.balanceMinor - b.state.balanceMinor || byId(a, b),
  transactions: (a, b) => a.state.transactionCount - b.state.transactionCount || byId(a, b),
  // Recorded times are ISO-8601 UTC text, which orders as the moments do (to the second at
  // least: imported logs may give fractions of another length).
  lastActivity: (a, b) => byText(a.state.lastTransactionAt, b.state.lastTransactionAt) || byId(a, b),
  status: (a, b) => STATUS_RANK[a.state.status] - STATUS_RANK[b.state.status] || names.compare(a.state.owner, b.state.owner) || byId(a, b),
};

/** Index of the first element not before `item` in an array sorted by `compare`. */
export function lowerBound(sorted: readonly ListedAccount[], item: ListedAccount, compare: AccountComparator): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(sorted[middle]!, item) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Replaces `before` (which the array holds) by `after` and keeps the array sorted: a splice
 * out and one in, or an overwrite when the row keeps its place (most changes keep the owner).
 */
export function moveInSorted(sorted: ListedAccount[], before: ListedAccount, after: ListedAccount, compare: AccountComparator): void {
  const from = lowerBound(sorted, before, compare);
  if (sorted[from] !== before) throw new Error(`account ${before.state.id} is missing from a sorted list`);
  const stays =
    (from === 0 || compare(sorted[from - 1]!, after) < 0) && (from === sorted.length - 1 || compare(after, sorted[from + 1]!) < 0);
  if (stays) {
    sorted[from] = after;
    return;
  }
  sorted.splice(from, 1);
  sorted.splice(lowerBound(sorted, after, compare), 0, after);
}

export function insertInSorted(sorted: ListedAccount[], item: ListedAccount, compare: AccountComparator): void {
  sorted.splice(lowerBound(sorted, item, compare), 0, item);
}
