/**
 * The audit index: for every global position, the facts the audit screen filters on, held in
 * typed columns (41 bytes an event: 41 MB for a million) instead of objects, and the memos in
 * a dictionary with a trigram index (see MemoTextIndex). A page walks only the positions that
 * can match: an account's own neighbourhood (see AccountCandidates), the stretch of the log a
 * date range covers (binary searches on the recorded times), the stretch between the first and
 * last event carrying a matching memo — never the whole log for a filter that narrows it. No
 * index or column is added to the events table: the write path stays lean.
 * It is part of the projection: rebuilt at startup, advanced on every append.
 */
import { EVENT_TYPES, balanceEffect, counterpartyOf, memoOf, type EventType, type LedgerEvent } from '#shared/events';
import { minorDigitsOf } from '#shared/money';
import { countAtOrBelow } from '../projection/count-at-or-below';
import { AccountCandidates, MergedCandidates, type OwnPositions } from './account-candidates';
import { parseRecordedAt } from './recorded-time';
import { MEMO_MAYBE, MEMO_NO, MEMO_YES, MemoTextIndex, type MemoMatch } from './memo-text-index';

const TYPE_CODE = new Map<EventType, number>(EVENT_TYPES.map((type, index) => [type, index]));
const NO_ACCOUNT = -1;

export class AuditIndex {
  private capacity = 1024;
  private count = 0;
  private typeCodes = new Uint8Array(this.capacity);
  private accountNumbers = new Int32Array(this.capacity);
  private counterpartyNumbers = new Int32Array(this.capacity);
  private amounts = new Float64Array(this.capacity);
  private times = new Float64Array(this.capacity);
  /** Running maximum of `times`: monotonic, so "as of a moment" is a binary search. */
  private timeHighWater = new Float64Array(this.capacity);
  private balancesAfter = new Float64Array(this.capacity);
  /** The id of each event's lower-cased memo in `memoTexts` (0: no memo). */
  private memoIds = new Int32Array(this.capacity);
  private readonly memoTexts = new MemoTextIndex();
  /**
   * The last position whose time is below an earlier one's (the clock went back), 0 if none:
   * past it every time equals the running maximum, so a date range's end is a binary search.
   */
  private lastOutOfOrder = 0;
  /** Lower-cased owners and account ids, for free text on accounts (the same trigram index as memos). */
  private readonly accountTexts = new MemoTextIndex();
  /** Per account number: its owner's and its id's ids in `accountTexts` (0: no owner recorded). */
  private readonly ownerTextIds: number[] = [];
  private readonly idTextIds: number[] = [];
  /** Per account number: ascending positions naming it as the other side away from its own events (see AccountCandidates). */
  private readonly strays = new Map<number, number[]>();

  /** Account number ↔ id; the number is the index into these arrays. */
  private readonly accountIds: string[] = [];
  private readonly accountCurrencies: string[] = [];
  private readonly accountNumberOf = new Map<string, number>();

  get size(): number {
    return this.count;
  }

  /** Makes room for `events` more at once (replay knows how many are coming): no doubling on the way. */
  reserve(events: number): void {
    if (this.capacity < this.count + events) this.grow(this.count + events);
  }

  /**
   * Records the event at `position` (which must be size + 1) of the account numbered
   * `accountNumber` (see accountNumber: the projection keeps each account's number, so replay
   * does not look it up again for every event).
   */
  record(position: number, accountNumber: number, event: LedgerEvent, recordedAt: string, balanceAfterMinor: number): void {
    if (position !== this.count + 1) throw new Error(`Audit index expected position ${this.count + 1}, got ${position}`);
    if (this.count === this.capacity) this.grow();
    const index = this.count;
    this.typeCodes[index] = TYPE_CODE.get(event.type)!;
    this.accountNumbers[index] = accountNumber;
    const counterparty = counterpartyOf(event);
    this.counterpartyNumbers[index] = counterparty === undefined ? NO_ACCOUNT : this.accountNumber(counterparty);
    this.amounts[index] = balanceEffect(event);
    const time = parseRecordedAt(recordedAt);
    this.times[index] = time;
    this.timeHighWater[index] = index === 0 ? time : Math.max(time, this.timeHighWater[index - 1]!);
    if (time < this.timeHighWater[index]!) this.lastOutOfOrder = position;
    this.balancesAfter[index] = balanceAfterMinor;
    const memo = memoOf(event);
    this.memoIds[index] = memo === undefined ? 0 : this.memoTexts.intern(memo.toLowerCase(), position);
    // An account's owner is set when it opens and never changes (no event renames an account).
    if (event.type === 'AccountOpened')
      this.ownerTextIds[accountNumber] = this.accountTexts.intern(event.data.owner.toLowerCase(), position);
    if (index > 0) this.settleNeighbourOf(index - 1);
    this.count += 1;
  }

  /**
   * The event at `index` now has both neighbours recorded: if it names another side that has
   * no event of its own next to it, it is a stray (AccountCandidates cannot find it otherwise).
   */
  private settleNeighbourOf(index: number): void {
    const other = this.counterpartyNumbers[index]!;
    if (other === NO_ACCOUNT || this.accountNumbers[index + 1] === other || (index > 0 && this.accountNumbers[index - 1] === other)) return;
    let positions = this.strays.get(other);
    if (positions === undefined) this.strays.set(other, (positions = []));
    positions.push(index + 1);
  }

  /** Distinct memos held (each once, however many events carry it). */
  get distinctMemos(): number {
    return this.memoTexts.distinct;
  }

  typeAt(position: number): EventType {
    return EVENT_TYPES[this.typeCodes[position - 1]!]!;
  }
  accountAt(position: number): string {
    return this.accountIds[this.accountNumbers[position - 1]!]!;
  }
  currencyAt(position: number): string {
    return this.accountCurrencies[this.accountNumbers[position - 1]!]!;
  }
  amountAt(position: number): number {
    return this.amounts[position - 1]!;
  }
  balanceAfterAt(position: number): number {
    return this.balancesAfter[position - 1]!;
  }
  /** Recorded time in milliseconds since the epoch. */
  timeAt(position: number): number {
    return this.times[position - 1]!;
  }

  /** The last position whose events were all recorded at or before `timeMs` (0 if none). */
  lastPositionAtOrBefore(timeMs: number): number {
    return countAtOrBelow(this.timeHighWater, this.count, timeMs);
  }

  /**
   * The positions matching, newest-first from `before` (exclusive), at most `limit` of them.
   * Every condition is a typed-array read: no allocation per event.
   */
  scan(match: CompiledFilter, before: number, limit: number): number[] {
    const found: number[] = [];
    this.walk(match, before, limit, (position) => found.push(position));
    return found;
  }

  /** How many events match (every candidate position checked once). */
  countMatches(match: CompiledFilter): number {
    let total = 0;
    this.walk(match, this.count + 1, Infinity, () => total++);
    return total;
  }

  /** Calls `visit` on each matching position below `before`, newest-first, until `limit` of them. */
  private walk(match: CompiledFilter, before: number, limit: number, visit: (position: number) => void): void {
    let found = 0;
    if (match.accountSources) {
      // The accounts' own neighbourhoods: as many checks as those accounts have events, not the log's size.
      const candidates = new MergedCandidates(
        match.accountSources.map((source) => new AccountCandidates(source.own, source.strays, before, this.count)),
      );
      for (let position = candidates.next(); position !== 0 && found < limit; position = candidates.next()) {
        if (this.matches(match, position - 1)) {
          visit(position);
          found++;
        }
      }
      return;
    }
    // Positions outside [low, high] cannot match (see bounds).
    const high = Math.min(before - 1, this.count, match.highPosition);
    for (let index = high - 1; index >= match.lowPosition - 1 && found < limit; index--) {
      if (this.matches(match, index)) {
        visit(index + 1);
        found++;
      }
    }
  }

  private matches(match: CompiledFilter, index: number): boolean {
    if (match.typeMask !== ALL_TYPES && (match.typeMask & (1 << this.typeCodes[index]!)) === 0) return false;
    if (match.accounts) {
      if (!match.accounts.has(this.accountNumbers[index]!) && !match.accounts.has(this.counterpartyNumbers[index]!)) return false;
    }
    const time = this.times[index]!;
    if (time < match.fromMs || time > match.toMs) return false;
    if (match.amountBounds) {
      const magnitude = Math.abs(this.amounts[index]!);
      const bounds = match.amountBounds[this.accountNumbers[index]!]!;
      if (magnitude < bounds[0] || magnitude > bounds[1]) return false;
    }
    if (match.text !== undefined) {
      const byMemo = this.memoMatches(match.memos!, this.memoIds[index]!);
      const counterparty = this.counterpartyNumbers[index]!;
      const byAccount =
        match.textAccounts[this.accountNumbers[index]!] === 1 || (counterparty !== NO_ACCOUNT && match.textAccounts[counterparty] === 1);
      if (!byMemo && !byAccount && !match.textPositions.has(index + 1)) return false;
    }
    return true;
  }

  private memoMatches(memos: MemoMatch, id: number): boolean {
    return settledVerdict(this.memoTexts, memos, id);
  }

  private accountTextMatches(texts: MemoMatch, id: number): boolean {
    return settledVerdict(this.accountTexts, texts, id);
  }

  /** Turns a validated filter into the numbers `scan` compares against. */
  compile(filter: ResolvedFilter): CompiledFilter {
    let typeMask = ALL_TYPES;
    if (filter.types && filter.types.length > 0) {
      typeMask = 0;
      for (const type of filter.types) typeMask |= 1 << TYPE_CODE.get(type)!;
    }
    let accounts: Set<number> | undefined;
    if (filter.accounts && filter.accounts.length > 0) {
      accounts = new Set(filter.accounts.map((id) => this.accountNumberOf.get(id) ?? NO_ACCOUNT - 1));
    }
    const amountBounds =
      filter.minAmount === undefined && filter.maxAmount === undefined
        ? undefined
        : this.accountCurrencies.map((currency): [number, number] => [
            filter.minAmount === undefined ? 0 : scaledBound(filter.minAmount, minorDigitsOf(currency), 'ceil'),
            filter.maxAmount === undefined ? Infinity : scaledBound(filter.maxAmount, minorDigitsOf(currency), 'floor'),
          ]);
    const text = filter.text?.trim().toLowerCase() || undefined;
    const textAccounts = new Uint8Array(this.accountIds.length);
    let textAccountCount = 0;
    if (text !== undefined) {
      const accountTexts = this.accountTexts.match(text);
      for (let number = 0; number < this.accountIds.length; number++) {
        if (
          this.accountTextMatches(accountTexts, this.ownerTextIds[number] ?? 0) ||
          this.accountTextMatches(accountTexts, this.idTextIds[number]!)
        ) {
          textAccounts[number] = 1;
          textAccountCount++;
        }
      }
    }
    const fromMs = filter.fromMs ?? -Infinity;
    const toMs = filter.toMs ?? Infinity;
    const memos = text === undefined ? undefined : this.memoTexts.match(text);
    const [lowPosition, highPosition] = this.bounds(fromMs, toMs, memos, textAccountCount > 0, filter.idPositions);
    return {
      typeMask,
      accounts,
      accountSources:
        filter.accounts && filter.accounts.length > 0 && filter.ownPositions
          ? [...new Set(filter.accounts)].map((id) => {
              const number = this.accountNumberOf.get(id);
              return { own: filter.ownPositions!(id), strays: number === undefined ? [] : (this.strays.get(number) ?? []) };
            })
          : undefined,
      fromMs,
      toMs,
      amountBounds,
      text,
      memos,
      textAccounts,
      textPositions: new Set(filter.idPositions),
      lowPosition,
      highPosition,
    };
  }

  /**
   * Positions no match can lie outside of. Before the first running-maximum time at or after
   * `fromMs`, every time is earlier. After the last running maximum at or before `toMs`, every
   * time is later, but for events recorded out of order (up to lastOutOfOrder). A text matches
   * only between the first and last event of its memos, unless an owner or an id matches too.
   */
  private bounds(
    fromMs: number,
    toMs: number,
    memos: MemoMatch | undefined,
    byAccount: boolean,
    idPositions: readonly number[],
  ): [number, number] {
    let low = fromMs === -Infinity ? 1 : countBelow(this.timeHighWater, this.count, fromMs) + 1;
    let high = toMs === Infinity ? this.count : Math.max(this.lastPositionAtOrBefore(toMs), this.lastOutOfOrder);
    if (memos !== undefined && !byAccount) {
      let textLow = memos.low;
      let textHigh = memos.high;
      for (const position of idPositions) {
        textLow = Math.min(textLow, position);
        textHigh = Math.max(textHigh, position);
      }
      low = Math.max(low, textLow);
      high = Math.min(high, textHigh);
    }
    return [low, high];
  }

  /** The account's number in this index, registering it (with its currency, when known) the first time. */
  accountNumber(accountId: string, currency?: string): number {
    let number = this.accountNumberOf.get(accountId);
    if (number === undefined) {
      number = this.accountIds.length;
      this.accountIds.push(accountId);
      this.accountCurrencies.push(currency ?? 'XXX');
      this.accountNumberOf.set(accountId, number);
      this.idTextIds.push(this.accountTexts.intern(accountId.toLowerCase(), this.count + 1));
    }
    return number;
  }

  private grow(capacity = this.capacity * 2): void {
    this.capacity = capacity;
    this.typeCodes = resized(this.typeCodes, new Uint8Array(this.capacity));
    this.accountNumbers = resized(this.accountNumbers, new Int32Array(this.capacity));
    this.counterpartyNumbers = resized(this.counterpartyNumbers, new Int32Array(this.capacity));
    this.amounts = resized(this.amounts, new Float64Array(this.capacity));
    this.times = resized(this.times, new Float64Array(this.capacity));
    this.timeHighWater = resized(this.timeHighWater, new Float64Array(this.capacity));
    this.balancesAfter = resized(this.balancesAfter, new Float64Array(this.capacity));
    this.memoIds = resized(this.memoIds, new Int32Array(this.capacity));
  }
}

const ALL_TYPES = (1 << EVENT_TYPES.length) - 1;

/** A filter with its dates parsed and its id matches looked up (by the caller, in SQL). */
export type ResolvedFilter = {
  readonly types?: readonly EventType[];
  readonly accounts?: readonly string[];
  readonly fromMs?: number;
  readonly toMs?: number;
  readonly minAmount?: string;
  readonly maxAmount?: string;
  readonly text?: string;
  readonly idPositions: readonly number[];
  /** An account's own positions (its balance timeline): an account filter walks these instead of the log. */
  readonly ownPositions?: (accountId: string) => OwnPositions | undefined;
};

export type CompiledFilter = {
  readonly typeMask: number;
  readonly accounts: ReadonlySet<number> | undefined;
  /** With an account filter: where each account's candidates come from (see AccountCandidates). */
  readonly accountSources: ReadonlyArray<{ readonly own: OwnPositions | undefined; readonly strays: readonly number[] }> | undefined;
  readonly fromMs: number;
  readonly toMs: number;
  /** Per account number: [lowest, highest] magnitude in that account's minor units. */
  readonly amountBounds: ReadonlyArray<readonly [number, number]> | undefined;
  readonly text: string | undefined;
  /** With a text: which memos hold it (settled as the walk meets them). */
  readonly memos: MemoMatch | undefined;
  /** Per account number: 1 where the text matches its owner or id. */
  readonly textAccounts: Uint8Array;
  readonly textPositions: ReadonlySet<number>;
  /** Inclusive: positions outside cannot match (see AuditIndex.bounds). */
  readonly lowPosition: number;
  readonly highPosition: number;
};

/**
 * A decimal bound in a currency's minor units, exactly (BigInt), rounded inward so that
 * "at least 10.005" in EUR means 1001 cents and "at most 10.005" means 1000.
 */
function scaledBound(text: string, digits: number, rounding: 'ceil' | 'floor'): number {
  const [whole, fraction = ''] = text.split('.');
  const kept = fraction.slice(0, digits).padEnd(digits, '0');
  let minor = BigInt(whole! + kept);
  if (rounding === 'ceil' && /[1-9]/.test(fraction.slice(digits))) minor += 1n;
  return Number(minor);
}

/** Whether memo (or account text) `id` holds the text, settling a MAYBE on first meeting it. */
function settledVerdict(texts: MemoTextIndex, match: MemoMatch, id: number): boolean {
  if (id === 0) return false;
  let verdict = match.verdicts[id]!;
  if (verdict === MEMO_MAYBE) {
    verdict = texts.textOf(id).includes(match.text) ? MEMO_YES : MEMO_NO;
    match.verdicts[id] = verdict;
  }
  return verdict === MEMO_YES;
}

/** How many of the first `length` entries of an ascending array are below `value`. */
function countBelow(sorted: Float64Array, length: number, value: number): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

function resized<T extends Uint8Array | Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
