/**
 * The store contract's appends, on both engines (engines.ts): gap-free positions in commit
 * order under four desks at once, typed expected-version conflicts, failed transactions that
 * burn no position, idempotent command ids across desks, and waking a listener after a commit
 * (tests/postgres/faults.test.ts has PostgreSQL's faults).
 */
import { expect, it, vi } from 'vitest';
import type { EventLog } from '#engine/store/event-log';
import type { StoredEvent } from '#engine/store/event-store';
import { GENESIS_HASH, checkChainLink } from '#engine/store/hash-chain';
import { event, failure, ok, request } from '../postgres/helpers';
import { describeOnEachEngine } from './engines';

/** Every row continues the chain from the genesis hash, at positions 1, 2, 3, … */
function expectWholeChain(rows: readonly StoredEvent[]): void {
  let previous = { position: 0, hash: GENESIS_HASH };
  for (const row of rows) {
    expect(checkChainLink(row, previous.position + 1, previous.hash)).toBeUndefined();
    previous = row;
  }
}

async function wholeLog(log: EventLog): Promise<StoredEvent[]> {
  const rows: StoredEvent[] = [];
  for await (const page of log.readLogPages(1, 7)) rows.push(...ok(page));
  return rows;
}

describeOnEachEngine('The store contract: append', ({ engine, newLedger }) => {
  it('appends to several streams at once, reads them back by stream, by position and as the head', async () => {
    const { log } = await newLedger();
    const first = ok(
      await log.append([
        request('account-1', 'no_stream', event('AccountOpened', { owner: 'Ada' }), event('MoneyDeposited', { amountMinor: 500 })),
        request('account-2', 'no_stream', event('AccountOpened', { owner: 'Ben' })),
      ]),
    );
    if (first.kind !== 'appended') throw new Error('expected an append');
    expect(first.appended.events.map((row) => [row.position, row.streamId, row.streamVersion])).toEqual([
      [1, 'account-1', 1],
      [2, 'account-1', 2],
      [3, 'account-2', 1],
    ]);
    expect([...first.appended.streamVersions]).toEqual([
      ['account-1', 2],
      ['account-2', 1],
    ]);
    expect(ok(await log.readStream('account-1')).map((row) => row.data)).toEqual(['{"owner":"Ada"}', '{"amountMinor":500}']);
    expect(ok(await log.readStream('account-1', 1)).map((row) => row.streamVersion)).toEqual([2]);
    const rows = ok(await log.readLog({ fromPosition: 2 }));
    expect(rows).toEqual(first.appended.events.slice(1));
    expect(ok(await log.readLog({ types: ['AccountOpened'] })).map((row) => row.position)).toEqual([1, 3]);
    expect(ok(await log.head())).toEqual({ position: 3, hash: first.appended.events[2]!.hash });
    expectWholeChain(await wholeLog(log));
  });

  it('answers expected-version conflicts as CONCURRENCY_CONFLICT with expected and actual, writing nothing', async () => {
    const { log } = await newLedger();
    ok(await log.append([request('account-1', 'no_stream', event('AccountOpened', { owner: 'Ada' }))]));
    const head = ok(await log.head());
    const stale = failure(await log.append([request('account-1', 0, event('MoneyDeposited', { amountMinor: 1 }))]), 'CONCURRENCY_CONFLICT');
    expect(stale.details).toEqual({ stream: 'account-1', expected: 0, actual: 1 });
    expect(stale.message).toBe('Stream account-1 was expected at version 0 but is at version 1; reload and try again');
    failure(await log.append([request('account-1', 'no_stream', event('AccountOpened', { owner: 'Ada' }))]), 'CONCURRENCY_CONFLICT');
    failure(await log.append([request('account-9', 'stream_exists', event('MoneyDeposited', { amountMinor: 1 }))]), 'CONCURRENCY_CONFLICT');
    // A later part for the same stream sees what the earlier part leaves; the whole append is refused.
    const twice = await log.append([
      request('account-2', 'no_stream', event('AccountOpened', { owner: 'Ben' })),
      request('account-2', 'no_stream', event('AccountOpened', { owner: 'Ben' })),
    ]);
    expect(failure(twice, 'CONCURRENCY_CONFLICT').details).toEqual({ stream: 'account-2', expected: 'no_stream', actual: 1 });
    expect(ok(await log.head())).toEqual(head);
  });

  it('a transaction that fails after inserting rolls back whole and burns no position', async () => {
    const { log } = await newLedger();
    ok(await log.append([request('account-1', 'no_stream', event('AccountOpened', { owner: 'Ada' }, { eventId: 'event-1' }))]));
    // The second event repeats an event id: its INSERT fails after the first row went in.
    const refused = failure(
      await log.append([
        request(
          'account-2',
          'no_stream',
          event('AccountOpened', { owner: 'Ben' }, { eventId: 'event-2' }),
          event('X', {}, { eventId: 'event-1' }),
        ),
      ]),
      'STORAGE',
    );
    // Each engine names its own cause; neither passes on a raw driver error.
    if (engine === 'postgres') expect(refused.message).toContain('23505');
    else expect(refused.details).toEqual({ sqliteCode: 'SQLITE_CONSTRAINT_UNIQUE' });
    ok(await log.append([request('account-3', 'no_stream', event('AccountOpened', { owner: 'Cy' }))]));
    const rows = await wholeLog(log);
    expect(rows.map((row) => [row.position, row.streamId])).toEqual([
      [1, 'account-1'],
      [2, 'account-3'],
    ]);
    expectWholeChain(rows);
  });

  it('four desks appending at once get gap-free positions in commit order; a reader that remembers the last position never skips one', async () => {
    const { log, openDesk } = await newLedger();
    const desks = await Promise.all([0, 1, 2, 3].map(() => openDesk()));
    const perDesk = 15;
    const seen: number[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        const page = ok(await log.readLog({ fromPosition: (seen.at(-1) ?? 0) + 1 }));
        seen.push(...page.map((row) => row.position));
      }
    })();
    const conflicts: number[] = [];
    const work = desks.map(async (desk, index) => {
      const positions: number[] = [];
      for (let round = 0; round < perDesk; round++) {
        // Desks 0 and 1 share one stream ('any'); desks 2 and 3 each keep their own with exact versions.
        const stream = index < 2 ? 'shared' : `own-${index}`;
        const expected = index < 2 ? 'any' : round === 0 ? 'no_stream' : round;
        const appended = ok(await desk.append([request(stream, expected, event('Tick', { desk: index, round }))]));
        if (appended.kind === 'appended') positions.push(appended.appended.events[0]!.position);
        // A stale expectation from every desk, interleaved: refused, burning nothing.
        const stale = await desk.append([request(`own-${index}`, 99, event('Tick', {}))]);
        if (!stale.ok) conflicts.push(index);
      }
      return positions;
    });
    let positionsByDesk: number[][];
    try {
      positionsByDesk = await Promise.all(work);
    } finally {
      reading = false;
      await reader;
    }
    const total = 4 * perDesk;
    for (const positions of positionsByDesk) expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(positionsByDesk.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, index) => index + 1));
    expect(conflicts).toHaveLength(total);
    const rows = await wholeLog(log);
    expect(rows).toHaveLength(total);
    expectWholeChain(rows);
    expect(rows.filter((row) => row.streamId === 'shared').map((row) => row.streamVersion)).toEqual(
      Array.from({ length: 2 * perDesk }, (_, index) => index + 1),
    );
    const finalPage = ok(await log.readLog({ fromPosition: (seen.at(-1) ?? 0) + 1 }));
    expect([...seen, ...finalPage.map((row) => row.position)]).toEqual(Array.from({ length: total }, (_, index) => index + 1));
  });

  it('a command id is recorded once across desks: a repeat from another desk answers the first receipt and writes nothing', async () => {
    const { log, openDesk } = await newLedger();
    const other = await openDesk();
    const command = {
      commandId: 'command-1',
      fingerprint: 'deposit:account-1:500',
      receipt: (appended: { events: readonly StoredEvent[] }) => ({
        position: appended.events.at(-1)!.position,
        text: JSON.stringify({ position: appended.events.at(-1)!.position }),
      }),
    };
    const first = ok(await log.append([request('account-1', 'any', event('MoneyDeposited', { amountMinor: 500 }))], command));
    expect(first.kind).toBe('appended');
    const repeat = ok(await other.append([request('account-1', 'any', event('MoneyDeposited', { amountMinor: 500 }))], command));
    expect(repeat).toEqual({
      kind: 'recorded-before',
      record: { fingerprint: 'deposit:account-1:500', receipt: '{"position":1}', position: 1 },
    });
    expect(ok(await other.findCommandRecord('command-1'))?.receipt).toBe('{"position":1}');
    expect(ok(await log.head()).position).toBe(1);
  });

  it('a listener wakes within a second of a commit; a refused append wakes nobody', async () => {
    const { log, openDesk } = await newLedger();
    const other = await openDesk();
    const wakes: number[] = [];
    const listener = ok(
      await other.listen(
        () => wakes.push(performance.now()),
        () => undefined,
      ),
    );
    try {
      const sent = performance.now();
      ok(await log.append([request('account-1', 'no_stream', event('AccountOpened', { owner: 'Ada' }))]));
      await vi.waitFor(() => expect(wakes).toHaveLength(1), { timeout: 1_000, interval: 5 });
      expect(wakes[0]! - sent).toBeLessThan(1_000);
      failure(await log.append([request('account-1', 'no_stream', event('AccountOpened', { owner: 'Ada' }))]), 'CONCURRENCY_CONFLICT');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(wakes).toHaveLength(1);
    } finally {
      await listener.close();
    }
  });
});
