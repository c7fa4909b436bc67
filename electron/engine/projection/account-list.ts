/**
 * The accounts list a page at a time (the Accounts screen's accountsPage query), answered
 * from the projection: searched by id or owner, sorted by any column, with per-currency totals
 * over every account, exact in BigInt. Filters narrow the rows to a currency, a status, a set
 * of ids or a whole id or owner (what the Account and Audit screens ask for), never the totals.
 *
 * It follows the projection lazily: each query first applies the positions appended since the
 * last one, re-reading only the accounts they touched. A sorted array per column is built the
 * first time that column is asked for, then kept sorted row by row as accounts change (moving
 * one row costs a binary search and a splice, not a sort). A search runs over one string of every id and owner (account-search.ts); the last
 * search's matches are kept until the next change.
 */
import type { IntegrityStatus } from '#shared/audit';
import { formatMinor } from '#shared/money';
import {
  DEFAULT_ACCOUNT_SORT,
  type AccountListRow,
  type AccountPage,
  type AccountSort,
  type AccountSortColumn,
  type AccountStatus,
  type CurrencyTotal,
} from '#shared/views';
import type { AuditIndex } from '../audit/audit-index';
import { toView, type AccountsProjection } from './accounts-projection';
import { AccountSearchText } from './account-search';
import { ACCOUNT_ORDERS, insertInSorted, moveInSorted, type ListedAccount } from './account-order';

export type AccountPageRequest = {
  readonly offset?: number;
  readonly limit?: number;
  readonly search?: string;
  readonly sort?: AccountSort;
  /** Just this account: its row, or none. */
  readonly account?: string;
  /** Only these accounts (the ones that exist), in the requested order. */
  readonly ids?: readonly string[];
  /** Only accounts of this currency. */
  readonly currency?: string;
  /** Only open, or only closed, accounts. */
  readonly status?: AccountStatus;
  /** The search is a whole id or owner (any case), not a part of one. */
  readonly exact?: boolean;
};

export const DEFAULT_ACCOUNT_PAGE_SIZE = 100;
/**
 * More changed accounts than this at once and the sorted arrays are dropped and rebuilt when
 * next asked for, instead of moving the rows one by one (each move splices the whole array).
 */
const MOST_ROWS_MOVED = 256;

type CurrencySum = { minor: bigint; openAccounts: number };

/** The accounts list of one projection, following it lazily (see the file comment). */
export class AccountList {
  private readonly listed = new Map<string, ListedAccount>();
  private readonly sorted = new Map<AccountSortColumn, ListedAccount[]>();
  private readonly sums = new Map<string, CurrencySum>();
  private searchText = new AccountSearchText();
  private closed = 0;
  private syncedThrough = 0;
  /** The projection's audit index when last synced: a rebuild of the projection replaces it. */
  private auditSeen: AuditIndex | undefined;
  /** Grows whenever any account changed: what the caches below were computed at. */
  private generation = 0;
  private lastSearch: { readonly key: string; readonly generation: number; readonly matches: ListedAccount[] } | undefined;
  private lastUnverified: { readonly from: number; readonly generation: number; readonly currencies: Set<string> } | undefined;

  constructor(private readonly projection: AccountsProjection) {}

  page(request: AccountPageRequest, unverifiedFrom: number | null): AccountPage {
    this.sync();
    const sort = request.sort ?? DEFAULT_ACCOUNT_SORT;
    const matches = request.account === undefined ? this.matching(sort.column, request) : this.only(request.account);
    const offset = request.offset ?? 0;
    const end = Math.min(matches.length, offset + (request.limit ?? DEFAULT_ACCOUNT_PAGE_SIZE));
    const rows: AccountListRow[] = [];
    for (let index = offset; index < end; index++) {
      const account = matches[sort.direction === 'ascending' ? index : matches.length - 1 - index]!;
      rows.push({ ...toView(account.state), unverified: unverifiedFrom !== null && account.lastPosition >= unverifiedFrom });
    }
    const unverifiedCurrencies = unverifiedFrom === null ? undefined : this.unverifiedCurrencies(unverifiedFrom);
    const totals: CurrencyTotal[] = [...this.sums]
      .filter(([, sum]) => sum.openAccounts > 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([currency, sum]) => ({
        currency,
        total: formatMinor(sum.minor, currency),
        totalMinor: sum.minor.toString(),
        openAccounts: sum.openAccounts,
        unverified: unverifiedCurrencies?.has(currency) ?? false,
      }));
    return {
      offset,
      rows,
      matches: matches.length,
      accounts: this.listed.size,
      closed: this.closed,
      totals,
      unverifiedFrom,
      lastPosition: this.syncedThrough,
    };
  }

  /** Applies what the projection applied since the last query. */
  private sync(): void {
    const last = this.projection.lastPosition;
    if (this.auditSeen !== this.projection.audit || last < this.syncedThrough) this.reset();
    if (last === this.syncedThrough) return;
    const changed = new Set<string>();
    if (last - this.syncedThrough > Math.max(this.listed.size, MOST_ROWS_MOVED)) {
      // Cheaper to visit every account than every event since (a first query after startup).
      for (const id of this.projection.accountIds()) changed.add(id);
    } else {
      const audit = this.projection.audit;
      for (let position = this.syncedThrough + 1; position <= last; position++) changed.add(audit.accountAt(position));
    }
    if (changed.size > MOST_ROWS_MOVED) this.sorted.clear();
    for (const id of changed) this.update(id);
    this.syncedThrough = last;
    this.generation += 1;
  }

  private reset(): void {
    this.listed.clear();
    this.sorted.clear();
    this.sums.clear();
    this.searchText = new AccountSearchText();
    this.closed = 0;
    this.syncedThrough = 0;
    this.auditSeen = this.projection.audit;
    this.generation += 1;
  }

  private update(id: string): void {
    const state = this.projection.accountState(id);
    const before = this.listed.get(id);
    if (!state || state === before?.state) return;
    const after: ListedAccount = {
      state,
      lastPosition: this.projection.timeline(id)!.positionOfVersion(state.version)!,
      // An owner never changes once opened.
      number: before?.number ?? this.searchText.add(id, state.owner),
    };
    this.listed.set(id, after);
    if (before) this.count(before, -1);
    this.count(after, 1);
    for (const [column, sorted] of this.sorted) {
      if (before) moveInSorted(sorted, before, after, ACCOUNT_ORDERS[column]);
      else insertInSorted(sorted, after, ACCOUNT_ORDERS[column]);
    }
  }

  /** Adds (`sign` 1) or removes (-1) an account's part of the totals. */
  private count(account: ListedAccount, sign: 1 | -1): void {
    const { state } = account;
    if (state.status === 'closed') {
      this.closed += sign;
      return;
    }
    let sum = this.sums.get(state.currency);
    if (!sum) this.sums.set(state.currency, (sum = { minor: 0n, openAccounts: 0 }));
    sum.minor += BigInt(sign * state.balanceMinor);
    sum.openAccounts += sign;
  }

  /** Every account in ascending `column` order. */
  private inOrder(column: AccountSortColumn): ListedAccount[] {
    let sorted = this.sorted.get(column);
    if (!sorted) {
      sorted = [...this.listed.values()].sort(ACCOUNT_ORDERS[column]);
      this.sorted.set(column, sorted);
    }
    return sorted;
  }

  /**
   * The accounts the request's search and filters keep, in ascending `column` order: those
   * whose id or owner holds the search (or is it, when exact), of its currency and status,
   * among its ids.
   */
  private matching(column: AccountSortColumn, request: AccountPageRequest): ListedAccount[] {
    const needle = normalizeSearch(request.search);
    const { currency, status, exact = false } = request;
    const ids = request.ids === undefined ? undefined : [...new Set(request.ids)];
    const narrowed = needle !== '' || exact || currency !== undefined || status !== undefined;
    if (ids === undefined && !narrowed) return this.inOrder(column);
    const key = JSON.stringify([column, needle, currency, status, exact, ids]);
    if (this.lastSearch?.key === key && this.lastSearch.generation === this.generation) return this.lastSearch.matches;
    const found = needle !== '' || exact ? this.searchText.find(needle) : undefined;
    const keep = (account: ListedAccount): boolean =>
      (found === undefined || found[account.number] === 1) &&
      (!exact || account.state.id.toLowerCase() === needle || account.state.owner.trim().toLowerCase() === needle) &&
      (currency === undefined || account.state.currency === currency) &&
      (status === undefined || account.state.status === status);
    const candidates =
      ids === undefined
        ? this.inOrder(column)
        : ids
            .map((id) => this.listed.get(id))
            .filter((account) => account !== undefined)
            .sort(ACCOUNT_ORDERS[column]);
    const matches = narrowed ? candidates.filter(keep) : candidates;
    this.lastSearch = { key, generation: this.generation, matches };
    return matches;
  }

  private only(accountId: string): ListedAccount[] {
    const account = this.listed.get(accountId);
    return account ? [account] : [];
  }

  /** Currencies holding an account whose last event is at or after `from`. */
  private unverifiedCurrencies(from: number): Set<string> {
    if (this.lastUnverified?.from === from && this.lastUnverified.generation === this.generation) return this.lastUnverified.currencies;
    const currencies = new Set<string>();
    for (const account of this.listed.values()) if (account.lastPosition >= from) currencies.add(account.state.currency);
    this.lastUnverified = { from, generation: this.generation, currencies };
    return currencies;
  }
}

/** Case-insensitive and blind to surrounding spaces. */
function normalizeSearch(search: string | undefined): string {
  return (search ?? '').trim().toLowerCase();
}

/** The first position the chain cannot vouch for while verification has failed; null otherwise. */
export function unverifiedFrom(status: IntegrityStatus): number | null {
  return status.state === 'failed' ? status.firstBadPosition : null;
}
