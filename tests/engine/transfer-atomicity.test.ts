/**
 * A transfer is all or nothing: when the second leg cannot be written (a trigger installed by
 * a second connection makes SQLite refuse TransferReceived), neither leg is stored, no
 * balance moves, no listener is told, and the log stays gap-free and verifiable.
 */
import { describe, expect, it } from 'vitest';
import type { LedgerChange } from '#shared/ipc-contract';
import { newLedger, ok, readLedgerFile, withConnection } from './helpers';

const REFUSE_RECEIVED = `CREATE TRIGGER test_refuse_received BEFORE INSERT ON events WHEN NEW.type = 'TransferReceived'
  BEGIN SELECT RAISE(ABORT, 'disk refused the second leg'); END;`;

function withTwoAccounts() {
  const setup = newLedger();
  ok(setup.api.openAccount({ account: 'from', owner: 'From', currency: 'EUR', initial: '100' }));
  ok(setup.api.openAccount({ account: 'to', owner: 'To', currency: 'EUR' }));
  return setup;
}

describe('transfer atomicity', () => {
  it('when the second leg fails, neither leg is stored and nothing moves', () => {
    // (The immutability triggers stay in place: this is a refusing disk, not tampering.)
    const { path, ledger, api } = withTwoAccounts();
    const changes: LedgerChange[] = [];
    ledger.onChange((change) => changes.push(change));
    const viewsBefore = ledger.listAccounts();
    const headBefore = ledger.logHead().hash;
    withConnection(path, (db) => db.exec(REFUSE_RECEIVED));

    const result = api.transfer({ from: 'from', to: 'to', amount: '30', commandId: 'fails-once' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('STORAGE');
    expect(result.error.message).toContain(path);

    expect(ledger.logHead().position).toBe(2);
    expect(ledger.logHead().hash).toBe(headBefore);
    expect(ledger.events({ type: 'TransferSent' })).toEqual([]);
    expect(ok(ledger.getAccount('from')).version).toBe(1);
    expect(ledger.listAccounts()).toEqual(viewsBefore);
    expect(changes).toEqual([]);
    // The failed command's id was not remembered either.
    expect(readLedgerFile(ledger.path, (db) => db.prepare('SELECT count(*) FROM commands').pluck().get())).toBe(0);

    // Once the disk "recovers" the same command goes through, continuing the log without a gap.
    withConnection(path, (db) => db.exec('DROP TRIGGER test_refuse_received'));
    const receipt = ok(api.transfer({ from: 'from', to: 'to', amount: '30', commandId: 'fails-once' }));
    expect(receipt.replayed).toBeUndefined();
    expect(receipt).toMatchObject({ position: 4, version: 2, balanceMinor: 7000, to: { version: 2, balanceMinor: 3000 } });
    expect(ledger.events().map((event) => event.position)).toEqual([1, 2, 3, 4]);
    expect(changes).toEqual([{ lastPosition: 4, accounts: ['from', 'to'], readOnly: false }]);
    expect(ledger.verify()).toMatchObject({ ok: true, events: 4 });
  });

  it('in a batch, a storage failure of one transfer leaves no partial write of any command', () => {
    const { path, ledger } = withTwoAccounts();
    withConnection(path, (db) => db.exec(REFUSE_RECEIVED));
    const results = ledger.executeBatch([
      { name: 'deposit', input: { account: 'from', amount: '1' } },
      { name: 'transfer', input: { from: 'from', to: 'to', amount: '5' } },
      { name: 'deposit', input: { account: 'to', amount: '1' } },
    ]);
    expect(results.map((result) => (result.ok ? 'ok' : result.error.code))).toEqual(['STORAGE', 'STORAGE', 'STORAGE']);
    expect(ledger.logHead().position).toBe(2);
    expect(ledger.listAccounts().map((view) => view.balanceMinor)).toEqual([10000, 0]);

    // The same batch without the failure commits every command.
    withConnection(path, (db) => db.exec('DROP TRIGGER test_refuse_received'));
    const retried = ledger.executeBatch([
      { name: 'deposit', input: { account: 'from', amount: '1' } },
      { name: 'transfer', input: { from: 'from', to: 'to', amount: '5' } },
      { name: 'deposit', input: { account: 'to', amount: '1' } },
    ]);
    expect(retried.every((result) => result.ok)).toBe(true);
    expect(ledger.listAccounts().map((view) => view.balanceMinor)).toEqual([9600, 600]);
    expect(ledger.verify()).toMatchObject({ ok: true, events: 6 });
  });

  it('a refused command in a batch leaves its neighbours intact', () => {
    const { ledger } = withTwoAccounts();
    const results = ledger.executeBatch([
      { name: 'transfer', input: { from: 'from', to: 'to', amount: '60' } },
      { name: 'transfer', input: { from: 'from', to: 'to', amount: '60' } }, // only 40 left
      { name: 'transfer', input: { from: 'to', to: 'from', amount: '10' } },
    ]);
    expect(results.map((result) => (result.ok ? 'ok' : result.error.code))).toEqual(['ok', 'INSUFFICIENT_FUNDS', 'ok']);
    expect(ledger.listAccounts().map((view) => [view.id, view.balanceMinor, view.version])).toEqual([
      ['from', 5000, 3],
      ['to', 5000, 3],
    ]);
    expect(ledger.events().map((event) => event.position)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('even an unvalidated same-account transfer given straight to execute() cannot write two legs to one stream', () => {
    const { ledger } = withTwoAccounts();
    // The schema refuses from === to at every entry point; execute() trusts its caller, and
    // the store still refuses the second part for the same stream (its expectation is stale).
    const result = ledger.execute({ name: 'transfer', input: { from: 'from', to: 'from', amount: '1' } });
    expect(result.ok).toBe(false);
    expect(ledger.logHead().position).toBe(2);
    expect(ok(ledger.getAccount('from'))).toMatchObject({ balanceMinor: 10000, version: 1 });
  });
});
