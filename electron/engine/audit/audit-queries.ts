/**
 * Read-only audit queries: pages of the log newest-first (keyset on position, never OFFSET),
 * match counts, one event's full detail, and every balance as of a past position or moment.
 * Filters run on the in-memory audit index; only the page's own rows are read from SQLite.
 */
import type { AuditFilter, AuditPage, AuditRow, BalancesAsOf, EventDetail } from '#shared/audit';
import { fail, succeed, type Result } from '#shared/errors';
import { counterpartyOf, memoOf, type RecordedEvent } from '#shared/events';
import { formatMinor } from '#shared/money';
import { parseMoment } from '#shared/moments';
import { decodeEvent, parseStoredJson } from '../events/decode';
import type { AccountsProjection } from '../projection/accounts-projection';
import type { EventStore, StoredEvent } from '../store/event-store';
import { damagedFile } from '../store/storage-errors';
import type { CompiledFilter } from './audit-index';

/** A transfer id (a UUID): only text of this shape is looked for inside transfer payloads. */
const TRANSFER_ID = /^[0-9a-f-]{36}$/;

export class AuditQueries {
  constructor(
    private readonly store: EventStore,
    private readonly projection: AccountsProjection,
  ) {}

  page(filter: AuditFilter, before: number | undefined, limit: number): AuditPage {
    const compiled = this.compile(filter);
    const start = before ?? this.projection.lastPosition + 1;
    const positions = this.projection.audit.scan(compiled, start, limit);
    const rows = this.rowsAt(positions);
    const last = positions[positions.length - 1];
    return { rows, nextBefore: positions.length === limit && last !== undefined && last > 1 ? last : null };
  }

  count(filter: AuditFilter): { matches: number; total: number } {
    return { matches: this.projection.audit.countMatches(this.compile(filter)), total: this.projection.lastPosition };
  }

  /** Every matching position newest-first, page by page (for the CSV export). */
  *positions(filter: AuditFilter, pageSize = 1_000): Generator<number[]> {
    const compiled = this.compile(filter);
    let before = this.projection.lastPosition + 1;
    for (;;) {
      const positions = this.projection.audit.scan(compiled, before, pageSize);
      if (positions.length === 0) return;
      yield positions;
      before = positions[positions.length - 1]!;
    }
  }

  detail(position: number): Result<EventDetail> {
    if (position < 1 || position > this.projection.lastPosition) return fail('NOT_FOUND', `There is no event at position ${position}`);
    // A command's events are appended together in one transaction, so they sit side by side.
    const neighbours = this.store.readAll({ fromPosition: Math.max(1, position - 1), limit: 3 });
    const stored = neighbours.find((row) => row.position === position);
    if (!stored) return fail('NOT_FOUND', `There is no event at position ${position}`);
    const event = decodeEvent(stored);
    const correlationId = event.metadata.correlationId;
    const related = neighbours
      .filter((row) => row.position !== position && row.position <= this.projection.lastPosition)
      .map(decodeEvent)
      .filter((other) => correlationId !== undefined && other.metadata.correlationId === correlationId);
    const storedData = parseStoredJson(stored.data, stored.position, 'payload');
    const upcastChanged = stored.type !== event.type || JSON.stringify(storedData) !== JSON.stringify(event.data);
    return succeed({
      row: this.toRow(event),
      streamVersion: event.streamVersion,
      storedType: stored.type,
      storedData: stored.data,
      storedSchemaVersion: stored.schemaVersion,
      ...(upcastChanged ? { upcastData: event.data, upcastType: event.type } : {}),
      metadata: event.metadata,
      previousHash: stored.previousHash,
      hash: stored.hash,
      related: related.map((other) => this.toRow(other)),
      balanceChanges: [event, ...related].map((changed) => {
        const audit = this.projection.audit;
        const currency = audit.currencyAt(changed.position);
        const after = audit.balanceAfterAt(changed.position);
        return {
          account: changed.streamId,
          currency,
          before: formatMinor(after - audit.amountAt(changed.position), currency),
          after: formatMinor(after, currency),
        };
      }),
    });
  }

  /** Every account's balance after `position`, or after the last event recorded at or before `at`. */
  balancesAsOf(target: { position?: number; at?: string }): Result<BalancesAsOf> {
    const audit = this.projection.audit;
    let position = Math.min(target.position ?? this.projection.lastPosition, this.projection.lastPosition);
    if (target.at !== undefined) {
      const moment = parseMoment(target.at, 'end');
      if (moment === undefined) return fail('VALIDATION', `"${target.at}" is not a date or date-time`);
      position = audit.lastPositionAtOrBefore(moment);
    }
    position = this.endOfCommandAt(position);
    const balances: Array<BalancesAsOf['balances'][number]> = [];
    for (const accountId of this.projection.accountIds()) {
      const timeline = this.projection.timeline(accountId)!;
      const balanceMinor = timeline.balanceAtPosition(position);
      if (balanceMinor === undefined) continue;
      const state = this.projection.accountState(accountId)!;
      const version = timeline.versionAtPosition(position);
      balances.push({
        account: accountId,
        owner: state.owner,
        currency: state.currency,
        balance: formatMinor(balanceMinor, state.currency),
        balanceMinor,
        status: state.status === 'closed' && version === state.version ? 'closed' : 'open',
      });
    }
    balances.sort((a, b) => (a.account < b.account ? -1 : 1));
    const recordedAt = position > 0 ? (this.store.readAll({ fromPosition: position, limit: 1 })[0]?.recordedAt ?? null) : null;
    return succeed({ position, recordedAt, balances });
  }

  /** The owner of an account (the CSV export shows it beside each row). */
  ownerOf(accountId: string): string | undefined {
    return this.projection.accountState(accountId)?.owner;
  }

  /**
   * A position between a command's events (a transfer's two legs) names a state that was never
   * committed — money in flight. Commands append their events side by side in one transaction,
   * so moving forward while the next event shares the correlation id lands on the command's end.
   */
  private endOfCommandAt(position: number): number {
    if (position < 1) return position;
    const rows = this.store.readAll({ fromPosition: position, limit: 4 }).filter((row) => row.position <= this.projection.lastPosition);
    const correlationOf = (row: StoredEvent) => parseStoredJson(row.metadata, row.position, 'metadata').correlationId;
    const correlation = rows[0] && correlationOf(rows[0]);
    let end = position;
    for (const row of rows.slice(1)) {
      if (correlation === undefined || row.position !== end + 1 || correlationOf(row) !== correlation) break;
      end = row.position;
    }
    return end;
  }

  rowsAt(positions: readonly number[]): AuditRow[] {
    const byPosition = new Map(this.store.readPositions(positions).map((row) => [row.position, row]));
    return positions.map((position) => {
      const row = byPosition.get(position);
      // The index named a position the events table does not give back: its pages disagree.
      if (row === undefined) throw damagedFile(this.store.path);
      return this.toRow(decodeEvent(row));
    });
  }

  private toRow(event: RecordedEvent): AuditRow {
    const audit = this.projection.audit;
    const currency = audit.currencyAt(event.position);
    const amountMinor = audit.amountAt(event.position);
    const balanceAfterMinor = audit.balanceAfterAt(event.position);
    const memo = memoOf(event);
    const counterparty = counterpartyOf(event);
    const { commandId, actor } = event.metadata;
    const reversedBy = this.projection.reversedBy(event.position);
    return {
      position: event.position,
      eventId: event.eventId,
      recordedAt: event.recordedAt,
      type: event.type,
      account: event.streamId,
      ...(counterparty === undefined ? {} : { counterparty }),
      currency,
      amount: formatMinor(amountMinor, currency),
      amountMinor,
      balanceAfter: formatMinor(balanceAfterMinor, currency),
      balanceAfterMinor,
      ...(memo === undefined ? {} : { memo }),
      ...(typeof commandId === 'string' ? { commandId } : {}),
      ...(typeof actor === 'string' ? { actor } : {}),
      storedSchemaVersion: event.storedSchemaVersion,
      ...(event.type === 'EntryReversed' ? { reverses: event.data.reversesPosition } : {}),
      ...(reversedBy === undefined ? {} : { reversedBy }),
    };
  }

  private compile(filter: AuditFilter): CompiledFilter {
    const audit = this.projection.audit;
    return audit.compile({
      ...filter,
      fromMs: filter.from === undefined ? undefined : parseMoment(filter.from, 'start'),
      toMs: filter.to === undefined ? undefined : parseMoment(filter.to, 'end'),
      idPositions: filter.text ? this.positionsForId(filter.text.trim()) : [],
      ownPositions: (accountId) => this.projection.timeline(accountId),
    });
  }

  /**
   * Exact id matches: an event id, a command id, or a transfer id. Event and command ids are
   * unique-index lookups, cheap for any text, so every text is tried: a command id may be as
   * short as one character and hold spaces or any letters (see commandIdSchema).
   */
  private positionsForId(text: string): number[] {
    if (text === '') return [];
    const db = this.store.db;
    const positions = db.prepare('SELECT position FROM events WHERE event_id = ?').pluck().all(text) as number[];
    const commandPosition = db.prepare('SELECT position FROM commands WHERE command_id = ?').pluck().get(text) as number | undefined;
    if (commandPosition !== undefined) {
      // The stored position is the command's last event; a transfer's first leg sits just before it.
      for (const row of this.store.readAll({ fromPosition: Math.max(1, commandPosition - 1), limit: 2 })) {
        if (parseStoredJson(row.metadata, row.position, 'metadata').commandId === text) positions.push(row.position);
      }
    }
    if (TRANSFER_ID.test(text)) {
      positions.push(
        ...(db
          .prepare(
            `SELECT position FROM events INDEXED BY events_by_type
             WHERE type IN ('TransferSent', 'TransferReceived') AND data LIKE ?`,
          )
          .pluck()
          .all(`%"transferId":"${text}"%`) as number[]),
      );
    }
    return positions;
  }
}
