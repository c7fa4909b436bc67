/**
 * The audit list's model: one filtered snapshot of the log, newest first, read in pages by
 * keyset on the global position (`before` = the previous page's nextBefore; never an OFFSET).
 *
 * A snapshot is pinned to the log's last position when it was taken (its first page comes with
 * its count in one call, auditEvents `withCount`, and later pages are asked for below that
 * top), so rows never shift under the reader while new events arrive; the screen offers
 * "N new events" instead and takes a new snapshot when asked (or by itself when the reader is
 * at the top).
 *
 * Row r of the list lives on page ⌊r / PAGE_SIZE⌋. A page can be fetched once its cursor is
 * known. Without a filter every position matches and positions are gap-free, so the cursor of
 * any page is arithmetic (top + 1 − page × PAGE_SIZE): the scrollbar jumps anywhere in a
 * million events at once. With a filter, the cursor of page p is the last position of page
 * p − 1, so a jump far down walks there page by page (loading rows show meanwhile); cursors
 * are kept (one number per page) and the rows of pages far from view are dropped, so memory
 * stays flat however far the reader scrolls.
 */
import { SvelteMap } from 'svelte/reactivity';
import type { AuditFilter, AuditRow } from '#shared/audit';
import type { LedgerError } from '#shared/errors';
import { AUDIT_PAGE_LIMIT } from '#shared/rules';
import { isEveryEvent } from './audit-filter';
import { query } from './window-ledger';

/** Rows per request: the contract's maximum, so a walk through a filtered list takes the fewest steps. */
export const PAGE_SIZE = AUDIT_PAGE_LIMIT;
/** Pages whose rows are kept; the farthest from view are dropped beyond this. */
const CACHED_PAGES = 12;
/** Requests for visible pages at once; the rest wait for these (a fast scrollbar drag asks for many). */
const PARALLEL_REQUESTS = 2;

export class AuditList {
  /** The filter of the snapshot on screen. */
  filter = $state.raw<AuditFilter>({});
  /** The log's last position when the snapshot was taken: nothing after it is shown. */
  top = $state(0);
  /** Events matching the filter, and all events, up to `top`. */
  matches = $state(0);
  total = $state(0);
  /** True once the first snapshot has arrived. */
  ready = $state(false);
  /** A new snapshot (another filter, or newer events) is on its way. */
  updating = $state(false);
  failure = $state<LedgerError | undefined>();
  /** Matching events recorded after `top`, found by `checkForNewer`. */
  newer = $state(0);
  /** Rows whose cursor is known, for "Loading… (reached row N)" during a walk. */
  reachedRow = $state(0);
  /** Bumped on each new snapshot, so views can scroll back to the top. */
  snapshot = $state(0);
  /**
   * The ledger file the snapshot was read from. The app can open another file underneath
   * (File → Open); then the snapshot belongs to a ledger that is no longer there.
   */
  ledgerPath: string | undefined = undefined;

  readonly pages = new SvelteMap<number, readonly AuditRow[]>();
  private cursors = new Map<number, number>();
  private inFlight = new Set<number>();
  private generation = 0;
  /** The filter of the last `show`, which may still be on its way (or have failed). */
  private wantedFilter: AuditFilter = {};
  private walking = false;
  /** Set when a walk ran out of pages before its target (the count and the pages disagree): no retry loop. */
  private walkExhausted = false;
  private wanted = { first: 0, last: 0 };

  /** The row at index `row` (0 = newest), when its page is loaded. */
  rowAt(row: number): AuditRow | undefined {
    const page = Math.floor(row / PAGE_SIZE);
    return this.pages.get(page)?.[row - page * PAGE_SIZE];
  }

  /** Index of a position among the loaded rows, or undefined. */
  indexOf(position: number): number | undefined {
    for (const [page, rows] of this.pages) {
      const offset = rows.findIndex((row) => row.position === position);
      if (offset >= 0) return page * PAGE_SIZE + offset;
    }
    return undefined;
  }

  /**
   * Takes a new snapshot for `filter`: the first page with its count, in one call. The one on
   * screen stays until it has arrived, so changing a filter never flashes an empty list.
   * Answers false when a later call overtook this one or the engine refused.
   */
  async show(filter: AuditFilter): Promise<boolean> {
    this.wantedFilter = filter;
    const generation = ++this.generation;
    this.updating = true;
    try {
      const first = await query((api) => api.auditEvents({ filter, limit: PAGE_SIZE, withCount: true }));
      if (generation !== this.generation) return false;
      if (!first.ok) {
        this.failure = first.error;
        return false;
      }
      const count = first.value.count;
      if (count === undefined) {
        this.failure = { code: 'STORAGE', message: 'The ledger answered the audit page without its count' };
        return false;
      }
      const top = count.total;
      this.filter = filter;
      this.ledgerPath = count.ledgerPath;
      this.top = top;
      this.matches = count.matches;
      this.total = count.total;
      this.pages.clear();
      this.cursors = new Map([[0, top + 1]]);
      this.inFlight = new Set();
      this.walking = false;
      this.walkExhausted = false;
      this.pages.set(0, first.value.rows);
      if (first.value.nextBefore !== null) this.cursors.set(1, first.value.nextBefore);
      this.reachedRow = this.randomAccess ? this.matches : Math.min(this.matches, PAGE_SIZE * this.cursors.size);
      this.newer = 0;
      this.failure = undefined;
      this.ready = true;
      this.snapshot += 1;
      return true;
    } finally {
      if (generation === this.generation) this.updating = false;
    }
  }

  /** Takes a new snapshot with the filter last asked for (after newer events, or to retry). */
  refresh(): Promise<boolean> {
    return this.show(this.wantedFilter);
  }

  /**
   * Asks whether the log grew after the snapshot; answers how many of the new events match
   * (shown as "N new events"), or 'swapped' when another ledger file was opened meanwhile.
   * New events that do not match leave every row where it is, so the snapshot simply moves
   * its top past them.
   */
  async checkForNewer(): Promise<number | 'swapped'> {
    if (!this.ready) return 0;
    const generation = this.generation;
    const filter = this.filter;
    const newest = await query((api) => api.auditEvents({ filter, limit: 1, withCount: true }));
    if (generation !== this.generation || !newest.ok || newest.value.count === undefined) return this.newer;
    const { matches, total, ledgerPath } = newest.value.count;
    if (ledgerPath !== this.ledgerPath) return 'swapped';
    if (total < this.top) return 'swapped';
    if (total === this.top) return (this.newer = 0);
    const newer = matches - this.matches;
    if (newer <= 0 && !this.randomAccess) {
      this.top = total;
      this.total = total;
      return (this.newer = 0);
    }
    return (this.newer = Math.max(1, newer));
  }

  /** Tells the model which rows are on screen; it fetches what they need. */
  need(first: number, last: number): void {
    this.wanted = { first, last };
    if (!this.ready || this.failure || last < first) return;
    const firstPage = Math.floor(first / PAGE_SIZE);
    const lastPage = Math.floor(last / PAGE_SIZE);
    for (let page = firstPage; page <= lastPage; page++) {
      if (this.pages.has(page) || this.inFlight.has(page)) continue;
      const cursor = this.cursorOf(page);
      if (cursor === undefined) {
        if (!this.walkExhausted) void this.walk();
      } else if (this.inFlight.size < PARALLEL_REQUESTS) void this.fetch(page, cursor);
    }
  }

  /** Clears a failure and fetches again what is on screen. */
  retry(): void {
    this.failure = undefined;
    if (!this.ready || JSON.stringify(this.wantedFilter) !== JSON.stringify(this.filter)) void this.refresh();
    else this.need(this.wanted.first, this.wanted.last);
  }

  /** Without a filter, positions are gap-free: any page's cursor is arithmetic. */
  private get randomAccess(): boolean {
    return isEveryEvent(this.filter);
  }

  private cursorOf(page: number): number | undefined {
    if (page * PAGE_SIZE >= this.matches) return undefined;
    if (this.randomAccess) return this.top + 1 - page * PAGE_SIZE;
    return this.cursors.get(page);
  }

  private async fetch(page: number, cursor: number): Promise<void> {
    const generation = this.generation;
    const filter = this.filter;
    this.inFlight.add(page);
    const result = await query((api) => api.auditEvents({ filter, before: cursor, limit: PAGE_SIZE }));
    if (generation !== this.generation) return;
    this.inFlight.delete(page);
    if (!result.ok) {
      this.failure = result.error;
      return;
    }
    this.keep(page, result.value.rows, result.value.nextBefore);
    // Whatever scrolled into view meanwhile (a drag asks for many pages) is fetched now.
    this.need(this.wanted.first, this.wanted.last);
  }

  /** Walks page by page from the deepest known cursor to the deepest page on screen (filtered lists). */
  private async walk(): Promise<void> {
    if (this.walking) return;
    this.walking = true;
    const generation = this.generation;
    const filter = this.filter;
    try {
      for (;;) {
        const target = Math.min(Math.floor(this.wanted.last / PAGE_SIZE), Math.floor(Math.max(0, this.matches - 1) / PAGE_SIZE));
        if (this.cursors.has(target)) break;
        let known = target;
        while (known > 0 && !this.cursors.has(known)) known--;
        const cursor = this.cursors.get(known)!;
        const result = await query((api) => api.auditEvents({ filter, before: cursor, limit: PAGE_SIZE }));
        if (generation !== this.generation) return;
        if (!result.ok) {
          this.failure = result.error;
          return;
        }
        this.keep(known, result.value.rows, result.value.nextBefore);
        if (result.value.nextBefore === null) {
          this.walkExhausted = true;
          break;
        }
      }
    } finally {
      if (generation === this.generation) this.walking = false;
    }
    if (generation === this.generation) this.need(this.wanted.first, this.wanted.last);
  }

  private keep(page: number, rows: readonly AuditRow[], nextBefore: number | null): void {
    if (nextBefore !== null && !this.cursors.has(page + 1)) {
      this.cursors.set(page + 1, nextBefore);
      if (!this.randomAccess) this.reachedRow = Math.min(this.matches, (page + 2) * PAGE_SIZE);
    }
    const firstPage = Math.floor(this.wanted.first / PAGE_SIZE);
    const lastPage = Math.floor(this.wanted.last / PAGE_SIZE);
    // A page the walk passed on its way down is not kept: only its cursor is.
    if (page < firstPage - 1 || page > lastPage + 1) return;
    this.pages.set(page, rows);
    if (this.pages.size > CACHED_PAGES) {
      const middle = (firstPage + lastPage) / 2;
      const farthest = [...this.pages.keys()].sort((a, b) => Math.abs(b - middle) - Math.abs(a - middle));
      for (const drop of farthest.slice(0, this.pages.size - CACHED_PAGES)) this.pages.delete(drop);
    }
  }
}
