/**
 * The read model: account view fields, history with running balances, rebuild equals the
 * incrementally updated projection after a random workload, and appends by another
 * connection picked up by refresh().
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnyCommand } from '#shared/commands';
import type { LedgerChange } from '#shared/ipc-contract';
import { AccountsProjection } from '#engine/projection/accounts-projection';
import { connectionOf, handlersFor, newLedger, ok, openLedger, projectionOf, storeOf } from './helpers';

describe('account views', () => {
  it('count transactions (opening 1, each movement or leg +1, closing +0) and track versions and times', () => {
    const { ledger, api } = newLedger();
    ok(api.openAccount({ account: 'a', owner: 'Ann', currency: 'EUR', initial: '10' }));
    const afterOpen = ok(api.getAccount({ account: 'a' }));
    expect(afterOpen).toEqual({
      id: 'a',
      owner: 'Ann',
      currency: 'EUR',
      balance: '10.00',
      balanceMinor: 1000,
      transactionCount: 1,
      lastTransactionAt: afterOpen.openedAt,
      openedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      version: 1,
      status: 'open',
    });
    ok(api.openAccount({ account: 'b', owner: 'Bo', currency: 'EUR' }));
    ok(api.deposit({ account: 'a', amount: '5' }));
    ok(api.withdraw({ account: 'a', amount: '1' }));
    ok(api.transfer({ from: 'a', to: 'b', amount: '14' }));
    const a = ok(api.getAccount({ account: 'a' }));
    expect(a).toMatchObject({ balanceMinor: 0, transactionCount: 4, version: 4, status: 'open' });
    expect(ok(api.getAccount({ account: 'b' }))).toMatchObject({ balanceMinor: 1400, transactionCount: 2, version: 2 });

    const lastMovementAt = ledger.events({ streamId: 'a' }).at(-1)!.recordedAt;
    expect(a.lastTransactionAt).toBe(lastMovementAt);
    ok(api.closeAccount({ account: 'a' }));
    const closed = ok(api.getAccount({ account: 'a' }));
    expect(closed).toMatchObject({ status: 'closed', transactionCount: 4, version: 5, lastTransactionAt: lastMovementAt });
    expect(closed.openedAt).toBe(afterOpen.openedAt);
    expect(ledger.listAccounts().map((view) => view.id)).toEqual(['a', 'b']);
  });

  it('lists accounts ordered by id', () => {
    const { api } = newLedger();
    for (const account of ['m', 'B', 'a', 'z9', '0']) ok(api.openAccount({ account, owner: account, currency: 'EUR' }));
    expect(ok(api.listAccounts(undefined)).map((view) => view.id)).toEqual(['0', 'B', 'a', 'm', 'z9']);
  });
});

describe('history', () => {
  it('shows every event of the account with a signed amount and the running balance', () => {
    const { api } = newLedger();
    ok(api.openAccount({ account: 'a', owner: 'A', currency: 'EUR', initial: '10', commandId: 'open-a' }));
    ok(api.openAccount({ account: 'b', owner: 'B', currency: 'EUR' }));
    ok(api.deposit({ account: 'a', amount: '2.50', memo: 'tip' }));
    const transfer = ok(api.transfer({ from: 'a', to: 'b', amount: '7', memo: 'rent' }));
    ok(api.withdraw({ account: 'a', amount: '5.50' }));
    ok(api.closeAccount({ account: 'a' }));
    const history = ok(api.accountHistory({ account: 'a' }));
    expect(history.total).toBe(5);
    expect(history.entries.map((entry) => [entry.version, entry.type, entry.amount, entry.balance])).toEqual([
      [1, 'AccountOpened', '10.00', '10.00'],
      [2, 'MoneyDeposited', '2.50', '12.50'],
      [3, 'TransferSent', '-7.00', '5.50'],
      [4, 'MoneyWithdrawn', '-5.50', '0.00'],
      [5, 'AccountClosed', '0.00', '0.00'],
    ]);
    expect(history.entries[0]).toMatchObject({ commandId: 'open-a', position: 1 });
    expect(history.entries[1]).toMatchObject({ memo: 'tip', amountMinor: 250, balanceMinor: 1250 });
    expect(history.entries[2]).toMatchObject({ counterparty: 'b', transferId: transfer.transferId, memo: 'rent' });
    const received = ok(api.accountHistory({ account: 'b' })).entries[1]!;
    expect(received).toMatchObject({ type: 'TransferReceived', counterparty: 'a', amount: '7.00', balance: '7.00' });

    const page = ok(api.accountHistory({ account: 'a', fromVersion: 3, limit: 2 }));
    expect(page.entries.map((entry) => entry.version)).toEqual([3, 4]);
    expect(page.total).toBe(5);
    expect(api.accountHistory({ account: 'nobody' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

/** A random workload over a few accounts, including commands that are refused. */
const workload = fc.array(
  fc.oneof(
    fc.record({
      kind: fc.constant('open' as const),
      account: fc.constantFrom('a', 'b', 'c', 'd'),
      currency: fc.constantFrom('EUR', 'JPY'),
      initial: fc.integer({ min: 0, max: 500 }),
    }),
    fc.record({
      kind: fc.constantFrom('deposit' as const, 'withdraw' as const),
      account: fc.constantFrom('a', 'b', 'c', 'd'),
      amount: fc.integer({ min: 1, max: 300 }),
    }),
    fc.record({
      kind: fc.constant('transfer' as const),
      from: fc.constantFrom('a', 'b', 'c', 'd'),
      to: fc.constantFrom('a', 'b', 'c', 'd'),
      amount: fc.integer({ min: 1, max: 300 }),
    }),
    fc.record({ kind: fc.constant('close' as const), account: fc.constantFrom('a', 'b', 'c', 'd') }),
  ),
  { minLength: 1, maxLength: 40 },
);

type WorkloadStep = typeof workload extends fc.Arbitrary<Array<infer Step>> ? Step : never;

function toCommand(step: WorkloadStep): AnyCommand | undefined {
  switch (step.kind) {
    case 'open':
      return {
        name: 'open',
        input: { account: step.account, owner: `Owner ${step.account}`, currency: step.currency, initial: String(step.initial) },
      };
    case 'deposit':
    case 'withdraw':
      return { name: step.kind, input: { account: step.account, amount: String(step.amount) } };
    case 'transfer':
      return step.from === step.to ? undefined : { name: 'transfer', input: { from: step.from, to: step.to, amount: String(step.amount) } };
    case 'close':
      return { name: 'close', input: { account: step.account } };
  }
}

describe('rebuild', () => {
  it('property: a projection rebuilt from scratch deep-equals the incrementally updated one', () => {
    fc.assert(
      fc.property(workload, fc.boolean(), (steps, batched) => {
        const { ledger } = newLedger();
        const commands = steps.map(toCommand).filter((command): command is AnyCommand => command !== undefined);
        if (batched) ledger.executeBatch(commands);
        else for (const command of commands) ledger.execute(command);

        const incremental = ledger.listAccounts();
        const incrementalHistories = incremental.map((view) => ok(ledger.history(view.id)).entries);
        const fresh = new AccountsProjection();
        fresh.rebuild(storeOf(ledger));
        expect(fresh.list()).toEqual(incremental);
        expect(fresh.lastPosition).toBe(ledger.logHead().position);
        for (const view of incremental) {
          const timeline = fresh.timeline(view.id)!;
          expect(timeline.length).toBe(view.version);
        }

        expect(ledger.rebuild()).toEqual({ events: ledger.logHead().position, accounts: incremental.length });
        expect(ledger.listAccounts()).toEqual(incremental);
        expect(incremental.map((view) => ok(ledger.history(view.id)).entries)).toEqual(incrementalHistories);
        ledger.close();
      }),
      { numRuns: 40 },
    );
  });

  it('reopening the file gives the same views (the rebuild at open)', () => {
    const { path, ledger, api } = newLedger();
    ok(api.openAccount({ account: 'a', owner: 'A', currency: 'KWD', initial: '1.001' }));
    ok(api.openAccount({ account: 'b', owner: 'B', currency: 'KWD' }));
    ok(api.transfer({ from: 'a', to: 'b', amount: '0.5' }));
    const views = ledger.listAccounts();
    ledger.close();
    const progress: Array<[number, number]> = [];
    const reopened = openLedger(path, { onReplayProgress: (applied, total) => progress.push([applied, total]) });
    expect(reopened.listAccounts()).toEqual(views);
    expect(progress.at(-1)).toEqual([4, 4]);
  });
});

describe('large transactions', () => {
  it('one transaction of more than 10,000 events still reaches the projection and the listeners', () => {
    const { ledger, api } = newLedger();
    ok(api.openAccount({ account: 'bulk', owner: 'Bulk', currency: 'JPY' }));
    const changes: LedgerChange[] = [];
    ledger.onChange((change) => changes.push(change));
    const deposits = Array.from({ length: 10_050 }, () => ({ name: 'deposit' as const, input: { account: 'bulk', amount: '2' } }));
    const results = ledger.executeBatch(deposits);
    expect(results.every((result) => result.ok)).toBe(true);
    expect(ok(ledger.getAccount('bulk'))).toMatchObject({ balanceMinor: 20_100, version: 10_051, transactionCount: 10_051 });
    expect(ledger.lastPosition).toBe(10_051);
    // Too many events to list the accounts they touched: `accounts` is left out (every view refetches).
    expect(changes.at(-1)).toEqual({ lastPosition: 10_051, readOnly: false });
    const fresh = new AccountsProjection();
    fresh.rebuild(storeOf(ledger));
    expect(fresh.list()).toEqual(ledger.listAccounts());
  });
});

describe('another connection', () => {
  it("refresh() picks up another Ledger instance's appends on the same file and notifies listeners", () => {
    const { path, ledger, api } = newLedger();
    ok(api.openAccount({ account: 'a', owner: 'A', currency: 'EUR' }));
    const other = openLedger(path);
    const otherApi = handlersFor(other);
    const changes: LedgerChange[] = [];
    ledger.onChange((change) => changes.push(change));

    expect(ledger.refresh()).toBe(false);
    ok(otherApi.deposit({ account: 'a', amount: '3' }));
    ok(otherApi.openAccount({ account: 'b', owner: 'B', currency: 'EUR' }));
    // Until refresh the in-memory projection still holds the old state.
    expect(projectionOf(ledger).account('a')!.balanceMinor).toBe(0);
    expect(ledger.refresh()).toBe(true);
    expect(projectionOf(ledger).account('a')!.balanceMinor).toBe(300);
    expect(ledger.lastPosition).toBe(3);
    expect(changes).toEqual([{ lastPosition: 3, readOnly: false }]);
    expect(ledger.refresh()).toBe(false);

    // Queries refresh by themselves.
    ok(otherApi.withdraw({ account: 'a', amount: '1' }));
    expect(ok(ledger.getAccount('a')).balanceMinor).toBe(200);
    expect(ledger.listAccounts().map((view) => view.id)).toEqual(['a', 'b']);

    // A command on the first instance decides on top of the other's appends.
    ok(otherApi.deposit({ account: 'a', amount: '10' }));
    const receipt = ok(api.withdraw({ account: 'a', amount: '12', expectedVersion: 4 }));
    expect(receipt).toMatchObject({ balanceMinor: 0, version: 5 });
    expect(ok(other.getAccount('a'))).toMatchObject({ balanceMinor: 0, version: 5 });
    expect(other.listAccounts()).toEqual(ledger.listAccounts());
  });

  it('own commands notify listeners after the commit with the new last position', () => {
    const { ledger, api } = newLedger();
    const changes: LedgerChange[] = [];
    const unsubscribe = ledger.onChange((change) => {
      changes.push(change);
      expect(connectionOf(ledger).inTransaction).toBe(false);
    });
    ok(api.openAccount({ account: 'a', owner: 'A', currency: 'EUR' }));
    api.withdraw({ account: 'a', amount: '1' }); // refused: no notification
    ok(api.deposit({ account: 'a', amount: '1' }));
    unsubscribe();
    ok(api.deposit({ account: 'a', amount: '1' }));
    expect(changes).toEqual([
      { lastPosition: 1, accounts: ['a'], readOnly: false },
      { lastPosition: 2, accounts: ['a'], readOnly: false },
    ]);
  });
});
