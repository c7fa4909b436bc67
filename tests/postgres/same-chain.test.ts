/**
 * The same events appended to the SQLite store and to the PostgreSQL store (same ids, same
 * times, same batches) are stored as the same rows, byte for byte: texts, positions, stream
 * versions, previous hashes and hashes. Rows read from one engine can be appended verbatim to
 * the other, and a forged or misplaced row is refused.
 */
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { EventStore, type AppendRequest, type StoredEvent } from '#engine/store/event-store';
import type { PostgresEventLog } from '#engine/store/postgres/event-log';
import { tempFolder } from '../engine/helpers';
import { describeWithPostgres } from '../support/postgres-cluster';
import { event, failure, newLedgerDatabase, ok, request } from './helpers';

const stores: EventStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function sqliteStore(): EventStore {
  const store = EventStore.open(join(tempFolder('postgres-same-chain-'), 'ledger.db'));
  stores.push(store);
  return store;
}

let counter = 0;
/** An event with a fixed id and time, so both engines are given exactly the same thing. */
function fixed(type: string, data: object, extra: Parameters<typeof event>[2] = {}) {
  counter += 1;
  return event(type, data, {
    eventId: `0190c0de-0000-7000-8000-${String(counter).padStart(12, '0')}`,
    recordedAt: `2025-03-0${1 + (counter % 9)}T10:00:00.${String(counter).padStart(3, '0')}Z`,
    ...extra,
  });
}

/** Batches covering one and several streams, several events per stream, odd texts, and texts kept verbatim. */
function batches(): AppendRequest[][] {
  return [
    [request('account-1', 'no_stream', fixed('AccountOpened', { owner: 'Ada', currency: 'EUR', initialMinor: 0 }))],
    [
      request('account-1', 1, fixed('MoneyDeposited', { amountMinor: 1250, note: 'Zoë 😀 "quoted" back\\slash \u2028 tab\t end' })),
      request('account-2', 'no_stream', fixed('AccountOpened', { owner: '李雷', currency: 'JPY', initialMinor: 7 })),
    ],
    [
      request(
        'account-1',
        'stream_exists',
        fixed(
          'TransferSent',
          { amountMinor: 1 },
          { dataText: '{ "amountMinor" : 1 ,"kept":"as written"}', metadataText: '{"actor":"imported",  "x":[1, 2]}' },
        ),
        fixed('MoneyWithdrawn', { amountMinor: 2 }),
      ),
    ],
    [request('stream-ünïcode-𝄞', 'any', fixed('Tick', { nothing: null, list: [1, 'two', { three: 3 }] }, { schemaVersion: 2 }))],
  ];
}

async function pgRows(log: PostgresEventLog): Promise<StoredEvent[]> {
  const rows: StoredEvent[] = [];
  for await (const page of log.readLogPages()) rows.push(...ok(page));
  return rows;
}

describeWithPostgres('PostgreSQL and SQLite store the same chain', (cluster) => {
  it('appending the same events to both engines stores the same rows byte for byte', async () => {
    counter = 0;
    const sqliteBatches = batches();
    counter = 0;
    const postgresBatches = batches();
    const sqlite = sqliteStore();
    const { log } = await newLedgerDatabase(cluster());
    for (const [index, batch] of sqliteBatches.entries()) {
      const fromSqlite = sqlite.append(batch);
      const fromPostgres = ok(await log.append(postgresBatches[index]!));
      if (fromPostgres.kind !== 'appended') throw new Error('expected an append');
      expect(fromPostgres.appended.events).toEqual(fromSqlite.events.map(storedColumns));
      expect([...fromPostgres.appended.streamVersions]).toEqual([...fromSqlite.streamVersions]);
    }
    const sqliteRows = sqlite.readAll().map(storedColumns);
    const postgresRows = await pgRows(log);
    expect(postgresRows).toHaveLength(6);
    expect(Buffer.from(JSON.stringify(postgresRows))).toEqual(Buffer.from(JSON.stringify(sqliteRows)));
    expect(postgresRows.map((row) => row.hash)).toEqual(sqliteRows.map((row) => row.hash));
    expect(ok(await log.head())).toEqual({ position: sqlite.lastPosition(), hash: sqlite.headHash() });
    // The verbatim texts were not re-serialised on either side.
    expect(postgresRows[3]!.data).toBe('{ "amountMinor" : 1 ,"kept":"as written"}');
  });

  it('rows read from SQLite append verbatim to PostgreSQL and back, identical on every engine', async () => {
    counter = 0;
    const sqlite = sqliteStore();
    for (const batch of batches()) sqlite.append(batch);
    const original = sqlite.readAll().map(storedColumns);

    const { log } = await newLedgerDatabase(cluster());
    const copied = ok(await log.appendRows(original.slice(0, 2)));
    expect(copied.events).toHaveLength(2);
    ok(await log.appendRows(original.slice(2)));
    const postgresRows = await pgRows(log);
    expect(postgresRows).toEqual(original);

    const back = sqliteStore();
    back.append(postgresRows.map((row) => ({ streamId: row.streamId, expected: row.streamVersion - 1, events: [verbatim(row)] })));
    expect(back.readAll().map(storedColumns)).toEqual(original);
  });

  it('refuses rows that do not continue the log or do not hold together, writing nothing', async () => {
    counter = 0;
    const sqlite = sqliteStore();
    for (const batch of batches()) sqlite.append(batch);
    const original = sqlite.readAll().map(storedColumns);
    const { log } = await newLedgerDatabase(cluster());

    const misplaced = failure(await log.appendRows(original.slice(1)), 'CONCURRENCY_CONFLICT');
    expect(misplaced.details).toEqual({ expected: 1, actual: 0 });
    const forged = original.map((row, index) => (index === 2 ? { ...row, data: row.data.replace('李雷', 'Mallory') } : row));
    const broken = failure(await log.appendRows(forged), 'INTEGRITY');
    expect(broken.message).toContain('position 3');
    expect(ok(await log.head()).position).toBe(0);
  });
});

/** Only the stored columns (the SQLite store's append result also carries the payload object). */
function storedColumns(row: StoredEvent): StoredEvent {
  const { position, eventId, streamId, streamVersion, type, schemaVersion, data, metadata, recordedAt, previousHash, hash } = row;
  return { position, eventId, streamId, streamVersion, type, schemaVersion, data, metadata, recordedAt, previousHash, hash };
}

/** A stored row as an event to append verbatim (its id, time and texts kept). */
function verbatim(row: StoredEvent) {
  return {
    type: row.type,
    schemaVersion: row.schemaVersion,
    data: {},
    metadata: {},
    eventId: row.eventId,
    recordedAt: row.recordedAt,
    dataText: row.data,
    metadataText: row.metadata,
  };
}
