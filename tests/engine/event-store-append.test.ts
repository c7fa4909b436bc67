/**
 * The event store on a real SQLite file: expectations, atomic multi-stream appends, reads,
 * immutability triggers, gap-free positions and versions, subscribers after commit only.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LedgerFailure } from '#shared/errors';
import { EventStore, type CommittedEvent, type NewEvent } from '#engine/store/event-store';
import { GENESIS_HASH } from '#engine/store/hash-chain';
import { tempLedgerPath } from './helpers';

const stores: EventStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function openStore(path = tempLedgerPath()): EventStore {
  const store = EventStore.open(path, { appVersion: 'test' });
  stores.push(store);
  return store;
}

function event(type = 'Noted', data: object = { n: 1 }): NewEvent {
  return { type, schemaVersion: 1, data, metadata: { actor: 'test' } };
}

/** Runs `work` and returns the LedgerFailure it throws. */
function conflictOf(work: () => unknown) {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(LedgerFailure);
    return (error as LedgerFailure).error;
  }
  throw new Error('expected a LedgerFailure');
}

function countRows(store: EventStore): number {
  return store.db.prepare('SELECT count(*) FROM events').pluck().get() as number;
}

describe('append expectations', () => {
  it('no_stream succeeds on a new stream and conflicts on an existing one, writing nothing', () => {
    const store = openStore();
    const first = store.append([{ streamId: 'a', expected: 'no_stream', events: [event()] }]);
    expect(first.events.map((row) => [row.position, row.streamVersion])).toEqual([[1, 1]]);
    expect(first.streamVersions.get('a')).toBe(1);

    const error = conflictOf(() => store.append([{ streamId: 'a', expected: 'no_stream', events: [event()] }]));
    expect(error.code).toBe('CONCURRENCY_CONFLICT');
    expect(error.details).toMatchObject({ stream: 'a', expected: 'no_stream', actual: 1 });
    expect(error.message).toContain('a');
    expect(countRows(store)).toBe(1);
    expect(store.streamVersion('a')).toBe(1);
  });

  it('stream_exists conflicts on a missing stream and succeeds on an existing one', () => {
    const store = openStore();
    const error = conflictOf(() => store.append([{ streamId: 'b', expected: 'stream_exists', events: [event()] }]));
    expect(error.code).toBe('CONCURRENCY_CONFLICT');
    expect(error.details).toMatchObject({ stream: 'b', expected: 'stream_exists', actual: 0 });
    expect(countRows(store)).toBe(0);
    expect(store.streamVersion('b')).toBe(0);

    store.append([{ streamId: 'b', expected: 'any', events: [event()] }]);
    const second = store.append([{ streamId: 'b', expected: 'stream_exists', events: [event(), event()] }]);
    expect(second.events.map((row) => row.streamVersion)).toEqual([2, 3]);
  });

  it('an exact version must match; a mismatch names stream, expected and actual and bumps nothing', () => {
    const store = openStore();
    store.append([{ streamId: 'c', expected: 0, events: [event(), event()] }]);
    const error = conflictOf(() => store.append([{ streamId: 'c', expected: 1, events: [event()] }]));
    expect(error.code).toBe('CONCURRENCY_CONFLICT');
    expect(error.details).toEqual({ stream: 'c', expected: 1, actual: 2 });
    expect(error.message).toMatch(/c.*1.*2/);
    expect(store.streamVersion('c')).toBe(2);
    expect(store.lastPosition()).toBe(2);

    // The next correct append continues at version 3 and position 3: no gap from the refusal.
    const next = store.append([{ streamId: 'c', expected: 2, events: [event()] }]);
    expect(next.events[0]).toMatchObject({ position: 3, streamVersion: 3 });
  });

  it('any appends whatever the stream holds', () => {
    const store = openStore();
    store.append([{ streamId: 'd', expected: 'any', events: [event()] }]);
    store.append([{ streamId: 'd', expected: 'any', events: [event()] }]);
    expect(store.streamVersion('d')).toBe(2);
  });

  it('appends to several streams in one transaction, all or nothing', () => {
    const store = openStore();
    store.append([{ streamId: 'x', expected: 'no_stream', events: [event()] }]);
    const both = store.append([
      { streamId: 'x', expected: 1, events: [event('Sent')] },
      { streamId: 'y', expected: 'no_stream', events: [event('Received')] },
    ]);
    expect(both.events.map((row) => [row.streamId, row.streamVersion, row.position])).toEqual([
      ['x', 2, 2],
      ['y', 1, 3],
    ]);

    // The second stream's expectation fails: the first stream gets nothing either.
    const error = conflictOf(() =>
      store.append([
        { streamId: 'x', expected: 2, events: [event('Sent')] },
        { streamId: 'y', expected: 5, events: [event('Received')] },
      ]),
    );
    expect(error.details).toEqual({ stream: 'y', expected: 5, actual: 1 });
    expect(countRows(store)).toBe(3);
    expect(store.streamVersion('x')).toBe(2);
    expect(store.streamVersion('y')).toBe(1);
  });

  it('two parts for the SAME stream in one append are checked one after the other', () => {
    const store = openStore();
    // Sequentially, the second part's no_stream is false once the first part wrote: refuse.
    const error = conflictOf(() =>
      store.append([
        { streamId: 'same', expected: 'no_stream', events: [event()] },
        { streamId: 'same', expected: 'no_stream', events: [event()] },
      ]),
    );
    expect(error.code).toBe('CONCURRENCY_CONFLICT');
    expect(countRows(store)).toBe(0);

    // Whereas an expectation that follows the first part holds.
    const result = store.append([
      { streamId: 'same', expected: 'no_stream', events: [event()] },
      { streamId: 'same', expected: 1, events: [event()] },
    ]);
    expect(result.events.map((row) => row.streamVersion)).toEqual([1, 2]);
    expect(result.streamVersions.get('same')).toBe(2);
  });
});

describe('reads', () => {
  function seeded() {
    const store = openStore();
    store.append([{ streamId: 'a', expected: 'no_stream', events: [event('Opened'), event('Deposited', { n: 2 })] }]);
    store.append([{ streamId: 'b', expected: 'no_stream', events: [event('Opened')] }]);
    store.append([{ streamId: 'a', expected: 2, events: [event('Withdrawn', { n: 3 })] }]);
    store.append([{ streamId: 'b', expected: 1, events: [event('Deposited', { n: 4 })] }]);
    return store;
  }

  it('reads a whole stream and a stream since a version, in version order', () => {
    const store = seeded();
    expect(store.readStream('a').map((row) => [row.streamVersion, row.type])).toEqual([
      [1, 'Opened'],
      [2, 'Deposited'],
      [3, 'Withdrawn'],
    ]);
    expect(store.readStream('a', 2).map((row) => row.streamVersion)).toEqual([3]);
    expect(store.readStream('a', 3)).toEqual([]);
    expect(store.readStream('missing')).toEqual([]);
  });

  it('reads the log from a position with a limit and stream/type filters', () => {
    const store = seeded();
    expect(store.readAll().map((row) => row.position)).toEqual([1, 2, 3, 4, 5]);
    expect(store.readAll({ fromPosition: 3, limit: 2 }).map((row) => row.position)).toEqual([3, 4]);
    expect(store.readAll({ streamId: 'b' }).map((row) => row.position)).toEqual([3, 5]);
    expect(store.readAll({ types: ['Deposited'] }).map((row) => [row.position, row.streamId])).toEqual([
      [2, 'a'],
      [5, 'b'],
    ]);
    expect(store.readAll({ streamId: 'a', types: ['Deposited'], fromPosition: 3 })).toEqual([]);
    expect(store.readAll({ fromPosition: 6 })).toEqual([]);
  });

  it('stores the payload text exactly and hands it back unchanged', () => {
    const store = seeded();
    const [row] = store.readAll({ fromPosition: 2, limit: 1 });
    expect(row!.data).toBe('{"n":2}');
    expect(JSON.parse(row!.metadata)).toEqual({ actor: 'test' });
  });

  it('reports the last position and the head hash (genesis when empty)', () => {
    const empty = openStore();
    expect(empty.lastPosition()).toBe(0);
    expect(empty.headHash()).toBe(GENESIS_HASH);

    const store = seeded();
    const rows = store.readAll();
    expect(store.lastPosition()).toBe(5);
    expect(store.headHash()).toBe(rows[4]!.hash);
    expect(store.headHash()).toMatch(/^[0-9a-f]{64}$/);
    // Each row is chained to the one before it.
    rows.forEach((row, index) => expect(row.previousHash).toBe(index === 0 ? GENESIS_HASH : rows[index - 1]!.hash));
  });
});

describe('immutability and ordering', () => {
  it('refuses UPDATE and DELETE on events through triggers, even from another connection', () => {
    const path = tempLedgerPath();
    const store = openStore(path);
    store.append([{ streamId: 'a', expected: 'no_stream', events: [event()] }]);
    expect(() => store.db.prepare("UPDATE events SET data = '{}' WHERE position = 1").run()).toThrow(/immutable/);
    expect(() => store.db.prepare('DELETE FROM events').run()).toThrow(/immutable/);

    const other = new Database(path);
    try {
      expect(() => other.prepare("UPDATE events SET type = 'X'").run()).toThrow(/immutable/);
      expect(() => other.prepare('DELETE FROM events WHERE position = 1').run()).toThrow(/immutable/);
    } finally {
      other.close();
    }
    expect(store.readAll()[0]!.data).toBe('{"n":1}');
  });

  it('keeps positions gap-free in commit order and stream versions 1-based and gap-free across refusals and rollbacks', () => {
    const store = openStore();
    const streams = ['s1', 's2', 's3'];
    for (let i = 0; i < 30; i++) {
      const streamId = streams[i % 3]!;
      // Every third round a refused append and a rolled-back transaction in between.
      if (i % 3 === 0) {
        expect(() => store.append([{ streamId, expected: 99, events: [event()] }])).toThrow(LedgerFailure);
        expect(() =>
          store.writeTransaction(() => {
            store.append([{ streamId, expected: 'any', events: [event()] }]);
            throw new Error('roll back');
          }),
        ).toThrow('roll back');
      }
      store.append([{ streamId, expected: store.streamVersion(streamId), events: [event()] }]);
    }
    const rows = store.readAll();
    expect(rows.map((row) => row.position)).toEqual(Array.from({ length: 30 }, (_, index) => index + 1));
    for (const streamId of streams) {
      expect(store.readStream(streamId).map((row) => row.streamVersion)).toEqual(Array.from({ length: 10 }, (_, index) => index + 1));
    }
  });
});

describe('subscribers', () => {
  it('are told after the commit, with the committed rows, and never about a rollback or a refused append', () => {
    const path = tempLedgerPath();
    const store = openStore(path);
    const heard: Array<{ positions: number[]; inTransaction: boolean; visibleElsewhere: number }> = [];
    const observer = new Database(path, { readonly: true });
    try {
      store.subscribe((events: readonly CommittedEvent[]) =>
        heard.push({
          positions: events.map((row) => row.position),
          inTransaction: store.db.inTransaction,
          // Another connection sees the rows already: they are committed, not pending.
          visibleElsewhere: observer.prepare('SELECT count(*) FROM events').pluck().get() as number,
        }),
      );

      expect(() => store.append([{ streamId: 'a', expected: 3, events: [event()] }])).toThrow(LedgerFailure);
      expect(() =>
        store.writeTransaction(() => {
          store.append([{ streamId: 'a', expected: 'no_stream', events: [event()] }]);
          throw new Error('roll back');
        }),
      ).toThrow('roll back');
      expect(heard).toEqual([]);

      store.writeTransaction(() => {
        store.append([{ streamId: 'a', expected: 'no_stream', events: [event()] }]);
        store.append([{ streamId: 'b', expected: 'no_stream', events: [event()] }]);
        // Nothing announced while the transaction is still open.
        expect(heard).toEqual([]);
      });
      expect(heard).toEqual([{ positions: [1, 2], inTransaction: false, visibleElsewhere: 2 }]);

      // A nested part that rolls back is left out of the announcement; its sibling is announced.
      store.writeTransaction(() => {
        store.append([{ streamId: 'a', expected: 1, events: [event()] }]);
        try {
          store.writeTransaction(() => {
            store.append([{ streamId: 'b', expected: 1, events: [event()] }]);
            throw new Error('inner');
          });
        } catch {
          // the savepoint rolled back
        }
      });
      expect(heard[1]).toEqual({ positions: [3], inTransaction: false, visibleElsewhere: 3 });
      expect(store.streamVersion('b')).toBe(1);
    } finally {
      observer.close();
    }
  });
});

describe('stream versions known without a query', () => {
  it('are dropped when another connection commits between our transactions', () => {
    const path = tempLedgerPath();
    const store = openStore(path);
    const other = openStore(path);
    store.append([{ streamId: 'a', expected: 'no_stream', events: [event()] }]);
    store.writeTransaction(() => expect(store.knownStreamVersion('a')).toBe(1));

    other.append([{ streamId: 'a', expected: 1, events: [event(), event()] }]);

    store.writeTransaction(() => expect(store.knownStreamVersion('a')).toBeUndefined());
    // The stale version 1 must not pass: the check sees the other writer's events.
    const error = conflictOf(() => store.append([{ streamId: 'a', expected: 1, events: [event()] }]));
    expect(error.details).toMatchObject({ expected: 1, actual: 3 });
    expect(store.append([{ streamId: 'a', expected: 3, events: [event()] }]).streamVersions.get('a')).toBe(4);
    expect(countRows(store)).toBe(4);
  });

  it('are never trusted outside a write transaction', () => {
    const store = openStore();
    store.append([{ streamId: 'a', expected: 'no_stream', events: [event()] }]);
    expect(store.knownStreamVersion('a')).toBeUndefined();
    expect(store.streamVersion('a')).toBe(1);
  });

  it('forget what a rolled-back savepoint wrote', () => {
    const store = openStore();
    store.writeTransaction(() => {
      store.append([{ streamId: 'a', expected: 'no_stream', events: [event()] }]);
      expect(() =>
        store.writeTransaction(() => {
          store.append([{ streamId: 'a', expected: 1, events: [event(), event()] }]);
          expect(store.knownStreamVersion('a')).toBe(3);
          throw new Error('inner');
        }),
      ).toThrow('inner');
      expect(store.knownStreamVersion('a')).toBeUndefined();
      expect(store.streamVersion('a')).toBe(1);
      store.append([{ streamId: 'a', expected: 1, events: [event()] }]);
    });
    expect(store.streamVersion('a')).toBe(2);
    expect(countRows(store)).toBe(2);
  });

  it('forget what a rolled-back transaction wrote', () => {
    const store = openStore();
    store.append([{ streamId: 'a', expected: 'no_stream', events: [event()] }]);
    expect(() =>
      store.writeTransaction(() => {
        store.append([{ streamId: 'a', expected: 1, events: [event()] }]);
        throw new Error('roll back');
      }),
    ).toThrow('roll back');
    store.writeTransaction(() => expect(store.knownStreamVersion('a')).toBeUndefined());
    expect(store.append([{ streamId: 'a', expected: 1, events: [event()] }]).streamVersions.get('a')).toBe(2);
  });
});
