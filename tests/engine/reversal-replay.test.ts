/**
 * Reversal links are part of the projection: rebuilt on every replay — on the projection's own
 * thread and through the read thread alike — so "already reversed" holds after reopening; a
 * replayed reversal that does not hold together stops replay at its position; and the bulk
 * writer (`ledger apply`) answers reversals exactly as executeBatch does, also when they name
 * events of batches still in flight.
 */
import { describe, expect, it, vi } from 'vitest';
import type { AnyCommand, CommandReceipt } from '#shared/commands';
import type { Result } from '#shared/errors';
import { BulkStaging } from '#engine/ledger/bulk-staging';
import { PipelinedWriter } from '#engine/bulk/pipelined-writer';
import type { Ledger } from '#engine/ledger';
import { AccountsProjection } from '#engine/projection/accounts-projection';
import { REPLAY_PAGE_SIZE } from '#engine/projection/replay-sql';
import { ReplayThread } from '#engine/projection/replay-thread';
import type { EventStore } from '#engine/store/event-store';
import { failure, newLedger, ok, openLedger, projectionOf, storeOf, tamper } from './helpers';

/** Four accounts, then rounds of deposits and transfers with every third of them reversed: several replay pages. */
function ledgerWithReversals(ledger: Ledger, events: number): void {
  const accounts = ['a', 'b', 'c', 'd'];
  ledger.executeBatch(accounts.map((account) => ({ name: 'open', input: { account, owner: account, currency: 'EUR', initial: '1000' } })));
  let position = accounts.length;
  let batch: AnyCommand[] = [];
  for (let round = 0; position < events; round++) {
    const account = accounts[round % 4]!;
    const deposit = round % 2 === 0;
    batch.push(
      deposit
        ? { name: 'deposit', input: { account, amount: '1.00' } }
        : { name: 'transfer', input: { from: account, to: accounts[(round + 1) % 4]!, amount: '2.00' } },
    );
    position += deposit ? 1 : 2;
    if (round % 3 === 0) {
      // Named by the command's last position: a transfer's received leg.
      batch.push({ name: 'reverse', input: { position, reason: `round ${round}` } });
      position += deposit ? 1 : 2;
    }
    if (batch.length >= 200 || position >= events) {
      for (const result of ledger.executeBatch(batch)) ok(result);
      batch = [];
    }
  }
  expect(ledger.logHead().position).toBe(position);
}

/** Every position's link, as a projection holds it. */
function links(projection: AccountsProjection, last: number): Array<number | undefined> {
  return Array.from({ length: last }, (_, index) => projection.reversedBy(index + 1));
}

function replayed(store: EventStore, threaded: boolean): AccountsProjection {
  const projection = new AccountsProjection({ threadReplayFrom: threaded ? 0 : Number.POSITIVE_INFINITY });
  projection.rebuild(store);
  return projection;
}

describe('reversal links on replay', () => {
  it('are rebuilt alike by a one-thread replay, the read thread, and a reopen; refusals follow them', () => {
    const { path, ledger } = newLedger();
    ledgerWithReversals(ledger, 3 * REPLAY_PAGE_SIZE + 100);
    const last = ledger.logHead().position;
    const live = links(projectionOf(ledger), last);
    const reversed = live.filter((link) => link !== undefined).length;
    expect(reversed).toBeGreaterThan(500);

    // The read thread vouches for every page (reversals included) rather than leave them to the projection.
    const thread = ReplayThread.start(storeOf(ledger), 0)!;
    const pages: Array<number | 'irregular'> = [];
    for (let page = thread.next(); page !== undefined; page = thread.next()) pages.push(page === 'irregular' ? page : page.count);
    expect(pages).not.toContain('irregular');

    expect(links(replayed(storeOf(ledger), true), last)).toEqual(live);
    expect(links(replayed(storeOf(ledger), false), last)).toEqual(live);
    expect(ledger.rebuild().events).toBe(last);
    expect(links(projectionOf(ledger), last)).toEqual(live);
    const views = ledger.listAccounts();
    ledger.close();

    const reopened = openLedger(path);
    expect(links(projectionOf(reopened), last)).toEqual(live);
    expect(reopened.listAccounts()).toEqual(views);
    const firstReversed = live.findIndex((link) => link !== undefined) + 1;
    failure(reopened.execute({ name: 'reverse', input: { position: firstReversed, reason: 'again' } }), 'ALREADY_REVERSED');
  });

  it('a replayed reversal that names an event it cannot take back stops replay there, read-only', () => {
    const { path, ledger, api } = newLedger();
    ok(api.openAccount({ account: 'a', owner: 'Ada', currency: 'EUR', initial: '10.00' }));
    ok(api.deposit({ account: 'a', amount: '5.00' }));
    ok(api.reverse({ position: 2, reason: 'typo' }));
    ok(api.deposit({ account: 'a', amount: '1.00' }));
    ledger.close();
    const cases: Array<[string, RegExp]> = [
      ['{"reversesPosition":1,"reversesEventId":"x","effectMinor":-1000,"currency":"EUR","reason":"r"}', /position 1, a AccountOpened/],
      ['{"reversesPosition":3,"reversesEventId":"x","effectMinor":-500,"currency":"EUR","reason":"r"}', /not an earlier event/],
      ['{"reversesPosition":2,"reversesEventId":"x","effectMinor":-400,"currency":"EUR","reason":"r"}', /not exactly the opposite/],
    ];
    for (const [data, reason] of cases) {
      tamper(path, (db) => db.prepare('UPDATE events SET data = ? WHERE position = 3').run(data));
      // Read-only, so the dropped triggers (which the tampering needed) are not what it reports.
      const reopened = openLedger(path, { readOnly: true });
      expect(reopened.info()).toMatchObject({ readOnly: true, readOnlyReason: expect.stringMatching(reason) });
      expect(reopened.info().readOnlyReason).toContain('position 3');
      expect(reopened.lastPosition).toBe(2);
      reopened.close();
    }
  });
});

describe('reversals through the bulk writer', () => {
  /** Batches where reversals name events of the same batch, of batches still in flight, and of each other. */
  const batches: AnyCommand[][] = [
    [
      { name: 'open', input: { account: 'a', owner: 'A', currency: 'EUR', initial: '50.00' } },
      { name: 'open', input: { account: 'b', owner: 'B', currency: 'EUR' } },
      { name: 'deposit', input: { account: 'a', amount: '1.00' } },
    ],
    [
      { name: 'transfer', input: { from: 'a', to: 'b', amount: '5.00' } },
      { name: 'deposit', input: { account: 'b', amount: '2.00' } },
    ],
    [
      { name: 'reverse', input: { position: 3, reason: 'in flight before' } },
      { name: 'reverse', input: { position: 5, reason: 'a transfer in flight', commandId: 'r-1' } },
      { name: 'deposit', input: { account: 'a', amount: '3.00' } },
    ],
    [
      { name: 'reverse', input: { position: 4, reason: 'again' } },
      { name: 'reverse', input: { position: 5, reason: 'a transfer in flight', commandId: 'r-1' } },
      { name: 'reverse', input: { position: 9, reason: 'a reversal' } },
      { name: 'reverse', input: { position: 10, reason: 'the deposit of the batch before' } },
    ],
    [{ name: 'withdraw', input: { account: 'a', amount: '1.00' } }],
  ];

  function shape(results: Result<CommandReceipt>[][]): unknown {
    return results.map((batch) => batch.map((result) => (result.ok ? { ...result.value, transferId: undefined } : result.error.code)));
  }

  it('answers as executeBatch does and writes the same log', async () => {
    const plain = newLedger().ledger;
    const expected = batches.map((batch) => plain.executeBatch(batch));

    const { ledger } = newLedger();
    const staging = vi.spyOn(BulkStaging.prototype, 'stage');
    const writer = new PipelinedWriter(ledger);
    // Submitted back to back: each is staged while the ones before are still being committed.
    const answers = await Promise.all(batches.map((batch) => writer.submit(batch)));
    await writer.close();
    // Batches without a reversal were staged; those with one went down the plain path.
    const staged = staging.mock.calls.map(([commands], index) => [
      commands.some((command) => !('ok' in command) && command.name === 'reverse'),
      staging.mock.results[index]!.value !== undefined,
    ]);
    staging.mockRestore();
    expect(staged).toContainEqual([false, true]);
    expect(staged.filter(([reversing]) => reversing)).toEqual([
      [true, false],
      [true, false],
    ]);
    expect(shape(answers)).toEqual(shape(expected));
    expect(shape(answers)).toMatchObject([
      [{}, {}, {}],
      [{}, {}],
      [{ reverses: 3, positions: [7] }, { reverses: 5, positions: [8, 9] }, {}],
      ['ALREADY_REVERSED', { replayed: true }, 'VALIDATION', { reverses: 10, positions: [11] }],
      [{}],
    ]);
    const log = (of: Ledger) => of.events({ limit: 100 }).map(({ type, streamId, streamVersion }) => [type, streamId, streamVersion]);
    expect(log(ledger)).toEqual(log(plain));
    expect(ledger.listAccounts().map(({ id, balanceMinor }) => [id, balanceMinor])).toEqual([
      ['a', 4_900],
      ['b', 200],
    ]);
  });
});
