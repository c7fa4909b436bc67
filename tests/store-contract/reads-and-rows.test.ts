/**
 * The store contract's reads and verbatim rows, on both engines (engines.ts): reads by stream,
 * by position, by type and in pages agree with each other; rows built elsewhere go in only
 * when they continue the log exactly, hold together and continue their streams, else nothing
 * is written.
 */
import { expect, it } from 'vitest';
import type { EventLog } from '#engine/store/event-log';
import type { StoredEvent } from '#engine/store/event-store';
import { event, failure, ok, request } from '../postgres/helpers';
import { describeOnEachEngine } from './engines';

/** Seven events over three streams, appended in three commits. */
async function seed(log: EventLog): Promise<StoredEvent[]> {
  ok(await log.append([request('a', 'no_stream', event('Opened', { n: 1 }), event('Moved', { n: 2 }))]));
  ok(await log.append([request('b', 'no_stream', event('Opened', { n: 3 })), request('a', 2, event('Moved', { n: 4 }))]));
  ok(
    await log.append([
      request('c', 'no_stream', event('Opened', { n: 5 })),
      request('b', 'stream_exists', event('Moved', { n: 6 }), event('Closed', { n: 7 })),
    ]),
  );
  return ok(await log.readLog());
}

describeOnEachEngine('The store contract: reads and verbatim rows', ({ newLedger }) => {
  it('reads by stream, by position, by type and in pages agree with the whole log', async () => {
    const { log } = await newLedger();
    const all = await seed(log);
    expect(all.map((row) => row.position)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(all.map((row) => JSON.parse(row.data).n)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(ok(await log.readStream('a')).map((row) => row.position)).toEqual([1, 2, 4]);
    expect(ok(await log.readStream('b', 1)).map((row) => row.streamVersion)).toEqual([2, 3]);
    expect(ok(await log.readStream('b', 0, 2)).map((row) => row.position)).toEqual([3, 6]);
    expect(ok(await log.readStream('nobody'))).toEqual([]);
    expect(ok(await log.readLog({ fromPosition: 3, limit: 2 }))).toEqual(all.slice(2, 4));
    expect(ok(await log.readLog({ streamId: 'b' })).map((row) => row.position)).toEqual([3, 6, 7]);
    expect(ok(await log.readLog({ types: ['Opened', 'Closed'] })).map((row) => row.position)).toEqual([1, 3, 5, 7]);
    const pages: number[][] = [];
    for await (const page of log.readLogPages(2, 3)) pages.push(ok(page).map((row) => row.position));
    expect(pages).toEqual([
      [2, 3, 4],
      [5, 6, 7],
    ]);
    expect(ok(await log.head())).toEqual({ position: 7, hash: all[6]!.hash });
    expect(ok(await log.findCommandRecord('never-used'))).toBeUndefined();
  });

  it('takes rows that continue the log exactly and refuses the rest, writing nothing', async () => {
    const { log: source } = await newLedger();
    const rows = await seed(source);
    const { log } = await newLedger();

    // Not at the head: the first row must be position 1 after the genesis hash.
    failure(await log.appendRows(rows.slice(1)), 'CONCURRENCY_CONFLICT');
    // A row whose text changed no longer matches its hash.
    const edited = rows.map((row, index) => (index === 3 ? { ...row, data: row.data.replace('4', '40') } : row));
    failure(await log.appendRows(edited), 'INTEGRITY');
    expect(ok(await log.head()).position).toBe(0);

    expect(ok(await log.appendRows(rows.slice(0, 4))).events).toEqual(rows.slice(0, 4));
    // The same rows again do not continue the log any more.
    failure(await log.appendRows(rows.slice(0, 4)), 'CONCURRENCY_CONFLICT');
    ok(await log.appendRows(rows.slice(4)));
    expect(ok(await log.readLog())).toEqual(rows);
  });
});
