/**
 * One account over one period, built from the read model: the account's balance timeline says
 * which of its events fall in the period and what the balance was at each edge; only those
 * events are read from the store (the account's own stream, by version), so a statement of a
 * quiet month costs the same whether the account has ten events or a million.
 *
 * The period is a range of whole UTC days, both inclusive. An event belongs to it exactly as
 * "balances as of" counts it: the balance at a moment is the balance after the last position
 * whose events were all recorded at or before that moment (audit-index.ts, lastPositionAtOrBefore).
 * So the opening balance is the balance as of the instant before `from` starts, the closing
 * balance the balance as of the end of `to`, and the lines are the account's events between
 * those two positions: openingBalance + Σ amount = closingBalance holds by construction, and
 * is checked on every line against the timeline the projection replayed.
 *
 * How the account's own life shows: AccountOpened is a line like any other (its amount is the
 * initial deposit, possibly 0, and the opening balance of a period that starts before it is 0);
 * AccountClosed is a line of amount 0 (an account closes only at a zero balance); EntryReversed
 * is a line whose memo is the reversal's reason and which names the position it reverses.
 */
import { LedgerFailure, fail, succeed, type Result } from '#shared/errors';
import { balanceEffect, memoOf, type EventMetadata, type LedgerEvent } from '#shared/events';
import { formatMinor } from '#shared/money';
import { parseMoment } from '#shared/moments';
import type { Statement, StatementLine, StatementRequest } from '#shared/statement';
import { decodeEvent, parseStoredJson } from '../events/decode';
import { upcast } from '../events/upcasters';
import type { AccountsProjection } from '../projection/accounts-projection';
import type { EventStore, StoredEvent } from '../store/event-store';
import { damagedFile } from '../store/storage-errors';

export type StatementSource = {
  readonly store: EventStore;
  readonly projection: AccountsProjection;
};

/** The UTC day (YYYY-MM-DD) of a moment in milliseconds. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Builds the statement; `now` decides the default end of the period (the day the statement is made). */
export function buildStatement(source: StatementSource, request: StatementRequest, now: Date = new Date()): Result<Statement> {
  const { projection } = source;
  const state = projection.accountState(request.account);
  const timeline = projection.timeline(request.account);
  if (!state || !timeline) return fail('NOT_FOUND', `Account ${request.account} does not exist`);
  const from = request.from ?? utcDay(Date.parse(state.openedAt));
  const to = request.to ?? utcDay(now.getTime());
  if (to < from) {
    const fromWords = request.from === undefined ? `${from} (the day account ${request.account} was opened)` : from;
    return fail('VALIDATION', `The period must not end before it starts: it would run from ${fromWords} to ${to}`);
  }
  const audit = projection.audit;
  const last = projection.lastPosition;
  // Both edges come from the schema's calendar days, so parseMoment reads them.
  const startMs = parseMoment(from, 'start')!;
  const endMs = parseMoment(to, 'end')!;
  const before = Math.min(audit.lastPositionAtOrBefore(startMs - 1), last);
  const through = Math.min(audit.lastPositionAtOrBefore(endMs), last);
  const firstVersion = timeline.versionAtPosition(before) + 1;
  const lastVersion = timeline.versionAtPosition(through);
  const openingMinor = firstVersion > 1 ? timeline.balanceAfterVersion(firstVersion - 1)! : 0;
  const closingMinor = lastVersion > 0 ? timeline.balanceAfterVersion(lastVersion)! : 0;
  let lines: StatementLine[];
  try {
    lines = readLines(source, state.id, state.currency, firstVersion, lastVersion, openingMinor, closingMinor);
  } catch (error) {
    if (error instanceof LedgerFailure) return { ok: false, error: error.error };
    throw error;
  }
  return succeed({
    account: state.id,
    owner: state.owner,
    currency: state.currency,
    from,
    to,
    openingBalance: formatMinor(openingMinor, state.currency),
    closingBalance: formatMinor(closingMinor, state.currency),
    lines,
  });
}

/** The lines from `firstVersion` to `lastVersion`, each checked against the balance the projection replayed. */
function readLines(
  { store, projection }: StatementSource,
  account: string,
  currency: string,
  firstVersion: number,
  lastVersion: number,
  openingMinor: number,
  closingMinor: number,
): StatementLine[] {
  const timeline = projection.timeline(account)!;
  const lines: StatementLine[] = [];
  let runningMinor = openingMinor;
  for (const [position, version, type, schemaVersion, data, recordedAt] of periodRows(store, account, firstVersion, lastVersion)) {
    const event = readEvent(store, position, type, schemaVersion, data);
    runningMinor += balanceEffect(event);
    if (runningMinor !== timeline.balanceAfterVersion(version) || timeline.positionOfVersion(version) !== position) {
      throw alteredAfterOpening(position, store.path);
    }
    lines.push(toLine(event, position, recordedAt, currency, runningMinor, projection.reversedBy(position)));
  }
  if (lines.length !== Math.max(0, lastVersion - firstVersion + 1) || runningMinor !== closingMinor) {
    throw alteredAfterOpening(
      lines.length === 0 ? timeline.positionOfVersion(firstVersion)! : lines[lines.length - 1]!.position,
      store.path,
    );
  }
  return lines;
}

/**
 * The log no longer says what the projection replayed from it when the ledger was opened: a row
 * was changed, or removed, behind the engine's back. Never a statement that does not add up.
 */
function alteredAfterOpening(position: number, path: string): LedgerFailure {
  return new LedgerFailure({
    code: 'INTEGRITY',
    message: `The event at position ${position} of ${path} no longer matches what was read when the ledger was opened: the file was altered; no statement was made`,
  });
}

/** position, stream version, type, schema version, payload, recorded at. */
type PeriodRow = [number, number, string, number, string, string];

/**
 * The account's events from one version to another, only the columns a line needs, as arrays:
 * a statement of 100,000 lines reads no hashes or ids and builds no row objects.
 */
function periodRows(store: EventStore, account: string, firstVersion: number, lastVersion: number): PeriodRow[] {
  if (lastVersion < firstVersion) return [];
  return store.db
    .prepare(
      `SELECT position, stream_version, type, schema_version, data, recorded_at FROM events
       WHERE stream_id = ? AND stream_version BETWEEN ? AND ? ORDER BY stream_version`,
    )
    .raw()
    .all(account, firstVersion, lastVersion) as PeriodRow[];
}

/**
 * The event of a row, upcast; its metadata is read only when an upcaster asks (legacy events).
 * A row that does not read is answered as decodeEvent answers it (INTEGRITY naming the position).
 */
function readEvent(store: EventStore, position: number, type: string, schemaVersion: number, data: string): LedgerEvent {
  try {
    const payload = parseStoredJson(data, position, 'payload');
    return upcast(
      { type, schemaVersion, data: payload },
      () => parseStoredJson(storedRow(store, position).metadata, position, 'metadata') as EventMetadata,
    );
  } catch {
    return decodeEvent(storedRow(store, position));
  }
}

function storedRow(store: EventStore, position: number): StoredEvent {
  const [row] = store.readPositions([position]);
  if (row === undefined) throw damagedFile(store.path);
  return row;
}

function toLine(
  event: LedgerEvent,
  position: number,
  recordedAt: string,
  currency: string,
  balanceMinor: number,
  reversedBy: number | undefined,
): StatementLine {
  const reverses = event.type === 'EntryReversed' ? event.data.reversesPosition : undefined;
  const memo = event.type === 'EntryReversed' ? event.data.reason : (memoOf(event) ?? null);
  return {
    position,
    recordedAt,
    type: event.type,
    amount: formatMinor(balanceEffect(event), currency),
    balance: formatMinor(balanceMinor, currency),
    memo,
    ...(reverses === undefined ? {} : { reverses }),
    ...(reversedBy === undefined ? {} : { reversedBy }),
  };
}
