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
import { fail, succeed, type Result } from '../../../shared/errors';
import { balanceEffect, memoOf, type RecordedEvent } from '../../../shared/events';
import { formatMinor } from '../../../shared/money';
import { parseMoment } from '../../../shared/moments';
import type { Statement, StatementLine, StatementRequest } from '../../../shared/statement';
import { decodeEvent } from '../events/decode';
import type { AccountsProjection } from '../projection/accounts-projection';
import type { EventStore } from '../store/event-store';

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
  const { store, projection } = source;
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
  const lines: StatementLine[] = [];
  if (lastVersion >= firstVersion) {
    const rows = store.readStream(request.account, firstVersion - 1, lastVersion - firstVersion + 1);
    let runningMinor = openingMinor;
    for (const row of rows) {
      const event = decodeEvent(row);
      runningMinor += balanceEffect(event);
      const balanceMinor = timeline.balanceAfterVersion(row.streamVersion);
      if (runningMinor !== balanceMinor || timeline.positionOfVersion(row.streamVersion) !== row.position) {
        throw new Error(`Statement of ${request.account}: version ${row.streamVersion} disagrees with the replayed timeline`);
      }
      lines.push(toLine(event, state.currency, runningMinor, projection.reversedBy(event.position)));
    }
    if (lines.length !== lastVersion - firstVersion + 1 || runningMinor !== closingMinor) {
      throw new Error(`Statement of ${request.account}: the stream does not hold versions ${firstVersion}–${lastVersion}`);
    }
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

function toLine(event: RecordedEvent, currency: string, balanceMinor: number, reversedBy: number | undefined): StatementLine {
  const reverses = event.type === 'EntryReversed' ? event.data.reversesPosition : undefined;
  const memo = event.type === 'EntryReversed' ? event.data.reason : (memoOf(event) ?? null);
  return {
    position: event.position,
    recordedAt: event.recordedAt,
    type: event.type,
    amount: formatMinor(balanceEffect(event), currency),
    balance: formatMinor(balanceMinor, currency),
    memo,
    ...(reverses === undefined ? {} : { reverses }),
    ...(reversedBy === undefined ? {} : { reversedBy }),
  };
}
