/**
 * The ledger's reads of accounts and the log: each answers from the projection (the read
 * model), reading the log only for what the projection does not keep (an account's events,
 * a page of the log). Every read first catches up with what other processes appended.
 */
import { fail, succeed, type Result } from '#shared/errors';
import type { RecordedEvent } from '#shared/events';
import { formatMinor } from '#shared/money';
import type { Statement as AccountStatement, StatementRequest } from '#shared/statement';
import type { AccountPage, AccountView, BalanceSeries, HistoryEntry } from '#shared/views';
import { decodeEvent } from '../events/decode';
import { storedTypesFor } from '../events/upcasters';
import { AccountList, type AccountPageRequest } from '../projection/account-list';
import type { AccountsProjection } from '../projection/accounts-projection';
import { toHistoryEntry } from '../projection/history';
import { buildStatement } from '../statement/build-statement';
import type { EventStore, ReadFilter } from '../store/event-store';

/** What `events` filters on; `type` is a current type name (legacy rows match too). */
export type EventsFilter = { fromPosition?: number; limit?: number; streamId?: string; type?: string };

export class AccountQueries {
  private readonly list: AccountList;

  constructor(
    private readonly store: EventStore,
    private readonly projection: AccountsProjection,
    private readonly catchUp: () => void,
  ) {
    this.list = new AccountList(projection);
  }

  listAccounts(): AccountView[] {
    this.catchUp();
    return this.projection.list();
  }

  getAccount(accountId: string): Result<AccountView> {
    this.catchUp();
    const view = this.projection.account(accountId);
    return view ? succeed(view) : fail('NOT_FOUND', `Account ${accountId} does not exist`);
  }

  /** A page of the accounts list; `unverifiedFrom` is the first position the hash chain cannot vouch for, if any. */
  accountsPage(request: AccountPageRequest, unverifiedFrom: number | null): AccountPage {
    this.catchUp();
    return this.list.page(request, unverifiedFrom);
  }

  /** A page of an account's history, oldest first, each entry with the balance right after it. */
  history(accountId: string, fromVersion = 1, limit = 1_000): Result<{ entries: HistoryEntry[]; total: number }> {
    this.catchUp();
    const state = this.projection.accountState(accountId);
    if (!state) return fail('NOT_FOUND', `Account ${accountId} does not exist`);
    const rows = this.store.readStream(accountId, fromVersion - 1, limit);
    const entries = rows
      .filter((row) => row.position <= this.projection.lastPosition)
      .map((row) =>
        toHistoryEntry(
          decodeEvent(row),
          state.currency,
          this.projection.balanceAfter(accountId, row.streamVersion)!,
          this.projection.reversedBy(row.position),
        ),
      );
    return succeed({ entries, total: state.version });
  }

  /** One account over one period: opening balance, every line, closing balance (statement/build-statement.ts). */
  statement(request: StatementRequest): Result<AccountStatement> {
    this.catchUp();
    return buildStatement({ store: this.store, projection: this.projection }, request);
  }

  /** The account's balance at up to `points` evenly spread versions (first and last always included). */
  balanceSeries(accountId: string, points = 200): Result<BalanceSeries> {
    this.catchUp();
    const state = this.projection.accountState(accountId);
    const timeline = this.projection.timeline(accountId);
    if (!state || !timeline) return fail('NOT_FOUND', `Account ${accountId} does not exist`);
    const total = timeline.length;
    const count = Math.min(points, total);
    const versions = new Set<number>();
    for (let index = 0; index < count; index++) {
      versions.add(count === 1 ? total : 1 + Math.round((index * (total - 1)) / (count - 1)));
    }
    return succeed({
      currency: state.currency,
      total,
      points: [...versions].map((version) => {
        const position = timeline.positionOfVersion(version)!;
        const balanceMinor = timeline.balanceAfterVersion(version)!;
        return {
          version,
          position,
          at: new Date(this.projection.audit.timeAt(position)).toISOString(),
          balance: formatMinor(balanceMinor, state.currency),
          balanceMinor,
        };
      }),
    });
  }

  /** A page of the global log, decoded and upcast (read from the log as it is: no catching up needed). */
  events(filter: EventsFilter = {}): RecordedEvent[] {
    const { type, ...rest } = filter;
    const storeFilter: ReadFilter = type === undefined ? rest : { ...rest, types: storedTypesFor(type) };
    return this.store.readAll(storeFilter).map(decodeEvent);
  }

  /** The position of the reversal that reversed the event at `position`, if any, as the projection knows it. */
  reversedBy(position: number): number | undefined {
    return this.projection.reversedBy(position);
  }

  /** The event the reads are built up to (the projection's last position) with its hash; the log's tail when empty. */
  readHead(): { readonly position: number; readonly hash: string } {
    const position = this.projection.lastPosition;
    const [row] = position > 0 ? this.store.readPositions([position]) : [];
    return row === undefined ? this.store.readTail() : { position, hash: row.hash };
  }
}
