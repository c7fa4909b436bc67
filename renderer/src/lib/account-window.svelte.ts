/**
 * The Accounts screen's window onto the accounts list: one accountsPage request answers the
 * rows around the visible ones for the current search and sort, plus the counts and exact
 * totals over every account. Scrolling past the window, a new search or sort, and a change
 * of the ledger each cost one request (requests arriving meanwhile collapse into one more).
 */
import type { LedgerError } from '#shared/errors';
import { DEFAULT_ACCOUNT_SORT, type AccountListRow, type AccountPage, type AccountSort } from '#shared/views';
import { query } from './window-ledger';
import { coalesce } from './live.svelte';

/** Rows per request: a tall screen's worth and more either side. */
export const WINDOW_ROWS = 150;
/** The window starts on a multiple of this, so small scrolls stay inside it. */
const WINDOW_STEP = 50;

type Query = { readonly search: string; readonly sort: AccountSort };

const sameQuery = (a: Query, b: Query) => a.search === b.search && a.sort.column === b.sort.column && a.sort.direction === b.sort.direction;

export class AccountWindow {
  /** The last answer, kept on screen while the next one is on its way. */
  page = $state<AccountPage | undefined>();
  failure = $state<LedgerError | undefined>();
  /** What the person asked for; `page` may still answer an earlier query. */
  search = $state('');
  sort = $state<AccountSort>(DEFAULT_ACCOUNT_SORT);
  /** The query `page` answers. */
  private answered: Query | undefined;
  private start = 0;
  private visible = { first: 0, last: 0 };
  /** The log position the host last announced; undefined until it announces one. */
  private announced: number | undefined;
  private forced = true;

  private readonly load = coalesce(async () => {
    if (!this.forced && this.isCurrent()) return;
    this.forced = false;
    const asked: Query = { search: this.search, sort: this.sort };
    const result = await query((api) =>
      api.accountsPage({
        offset: this.start,
        limit: WINDOW_ROWS,
        sort: { ...asked.sort },
        ...(asked.search ? { search: asked.search } : {}),
      }),
    );
    if (result.ok) {
      this.page = result.value;
      this.answered = asked;
      this.failure = undefined;
    } else {
      this.failure = result.error;
    }
  });

  /** The row at `index` in the current order, when the shown page holds it. */
  row(index: number): AccountListRow | undefined {
    const page = this.page;
    if (!page || !this.answersCurrentQuery()) return undefined;
    return page.rows[index - page.offset];
  }

  /** The rows the table shows changed: fetch a new window if they are not all in this one. */
  show(first: number, last: number): void {
    this.visible = { first, last };
    if (this.covers()) return;
    this.start = Math.max(0, Math.floor(first / WINDOW_STEP) * WINDOW_STEP - WINDOW_STEP);
    this.load();
  }

  /** A new search or sort starts again from the top. */
  ask(search: string, sort: AccountSort): void {
    if (sameQuery({ search, sort }, { search: this.search, sort: this.sort })) return;
    this.search = search;
    this.sort = sort;
    this.start = 0;
    this.visible = { first: 0, last: 0 };
    this.load();
  }

  /**
   * The host announced the log's position (on connecting, and after every change). A position
   * the shown page already reflects asks for nothing: the preview host's greeting on connect
   * would otherwise fetch the list a second time.
   */
  changed(position: number | undefined): void {
    this.announced = position;
    this.load();
  }

  /** Asks again whatever is shown (the "Try again" button). */
  retry(): void {
    this.forced = true;
    this.load();
  }

  private answersCurrentQuery(): boolean {
    return this.answered !== undefined && sameQuery(this.answered, { search: this.search, sort: this.sort });
  }

  private covers(): boolean {
    const page = this.page;
    if (!page || !this.answersCurrentQuery()) return false;
    const last = Math.min(this.visible.last, page.matches - 1);
    return this.visible.first >= page.offset && last < page.offset + page.rows.length;
  }

  /** The shown page answers the current query, holds the visible rows, and is as new as the last announcement. */
  private isCurrent(): boolean {
    return this.covers() && (this.announced === undefined || this.announced === this.page!.lastPosition);
  }
}
