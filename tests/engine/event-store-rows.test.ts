/**
 * One order for a row's values (store/event-row.ts): the SQLite insert, the bulk writer's
 * thread and the export all take them from eventValues, so each value must land in the
 * column EVENT_COLUMNS names at its place.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EVENT_COLUMNS, VALUES_PER_EVENT, eventValues } from '#engine/store/event-row';
import { EventStore } from '#engine/store/event-store';
import { tempLedgerPath } from './helpers';

const stores: EventStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

describe('event row values', () => {
  it('land in the columns EVENT_COLUMNS names, and read back as the appended rows', () => {
    const store = EventStore.open(tempLedgerPath(), { appVersion: 'test' });
    stores.push(store);
    const metadata = { actor: 'test' };
    const { events } = store.append([
      { streamId: 'a', expected: 'no_stream', events: [{ type: 'Opened', schemaVersion: 2, data: { owner: 'Ada' }, metadata }] },
      {
        streamId: 'b',
        expected: 'any',
        events: [
          { type: 'Noted', schemaVersion: 1, data: {}, dataText: '{"kept":"verbatim"}', metadata, recordedAt: '2020-01-02T03:04:05.006Z' },
        ],
      },
    ]);
    expect(EVENT_COLUMNS.split(', ')).toHaveLength(VALUES_PER_EVENT);
    const raw = store.db.prepare(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY position`).raw().all();
    expect(raw).toEqual(events.map((row) => eventValues(row)));
    const stored = store.readAll();
    expect(stored).toEqual(events.map(({ payload: _, ...row }: (typeof events)[number] & { payload?: unknown }) => row));
    expect(stored[1]).toMatchObject({ data: '{"kept":"verbatim"}', recordedAt: '2020-01-02T03:04:05.006Z', previousHash: stored[0]!.hash });
  });
});
