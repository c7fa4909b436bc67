/**
 * The BankAccount rules through the validated entry point (the handler table every host uses):
 * open, deposit, withdraw, transfer, close, and what each refusal says.
 */
import { describe, expect, it } from 'vitest';
import { failure, newLedger, ok } from './helpers';

function withAccounts() {
  const setup = newLedger();
  ok(setup.api.openAccount({ account: 'alice', owner: 'Alice', currency: 'EUR', initial: '12.00' }));
  ok(setup.api.openAccount({ account: 'bob', owner: 'Bob', currency: 'EUR' }));
  ok(setup.api.openAccount({ account: 'yuki', owner: 'Yuki', currency: 'JPY', initial: '500' }));
  return setup;
}

describe('open', () => {
  it('opens with a default initial balance of zero and with an explicit one', () => {
    const { api } = newLedger();
    const zero = ok(api.openAccount({ account: 'a1', owner: 'Zero', currency: 'EUR' }));
    expect(zero).toMatchObject({ position: 1, version: 1, account: 'a1', balance: '0.00', balanceMinor: 0, currency: 'EUR' });
    const funded = ok(api.openAccount({ account: 'a2', owner: 'Funded', currency: 'EUR', initial: '0.50' }));
    expect(funded).toMatchObject({ position: 2, version: 1, balanceMinor: 50 });
    expect(ok(api.openAccount({ account: 'a3', owner: 'Explicit zero', currency: 'EUR', initial: '0' })).balanceMinor).toBe(0);
  });

  it('refuses a negative or malformed initial amount and an existing id', () => {
    const { ledger, api } = newLedger();
    failure(api.openAccount({ account: 'a', owner: 'A', currency: 'EUR', initial: '-1' }), 'VALIDATION');
    failure(api.openAccount({ account: 'a', owner: 'A', currency: 'EUR', initial: '1.001' }), 'VALIDATION');
    failure(api.openAccount({ account: 'a', owner: 'A', currency: 'EUR', initial: 5 }), 'VALIDATION');
    expect(ledger.logHead().position).toBe(0);
    ok(api.openAccount({ account: 'a', owner: 'A', currency: 'EUR' }));
    expect(failure(api.openAccount({ account: 'a', owner: 'Other', currency: 'USD' }), 'ALREADY_EXISTS').message).toContain('a');
    expect(ledger.logHead().position).toBe(1);
  });

  it('refuses an unknown currency', () => {
    const { api } = newLedger();
    expect(failure(api.openAccount({ account: 'a', owner: 'A', currency: 'XXX' }), 'VALIDATION').message).toMatch(/currency/);
    failure(api.openAccount({ account: 'a', owner: 'A', currency: 'eur' }), 'VALIDATION');
  });
});

describe('deposit and withdraw', () => {
  it('move the balance and bump the version', () => {
    const { api } = withAccounts();
    expect(ok(api.deposit({ account: 'alice', amount: '3.50', memo: 'coffee refund' }))).toMatchObject({
      version: 2,
      balance: '15.50',
      balanceMinor: 1550,
      position: 4,
    });
    expect(ok(api.withdraw({ account: 'alice', amount: '15.50' }))).toMatchObject({ version: 3, balanceMinor: 0 });
  });

  it('need an amount greater than zero', () => {
    const { ledger, api } = withAccounts();
    const before = ledger.logHead().position;
    expect(failure(api.deposit({ account: 'alice', amount: '0' }), 'VALIDATION').message).toMatch(/greater than zero/);
    failure(api.deposit({ account: 'alice', amount: '0.00' }), 'VALIDATION');
    failure(api.withdraw({ account: 'alice', amount: '0' }), 'VALIDATION');
    failure(api.deposit({ account: 'alice', amount: '-5' }), 'VALIDATION');
    expect(ledger.logHead().position).toBe(before);
  });

  it('never take the balance below zero, and say so with the values', () => {
    const { ledger, api } = withAccounts();
    const before = ledger.logHead().position;
    const error = failure(api.withdraw({ account: 'alice', amount: '50' }), 'INSUFFICIENT_FUNDS');
    expect(error.message).toBe('Insufficient funds: balance 12.00 EUR, withdrawal 50.00 EUR');
    failure(api.withdraw({ account: 'alice', amount: '12.01' }), 'INSUFFICIENT_FUNDS');
    expect(ledger.logHead().position).toBe(before);
    expect(ok(api.withdraw({ account: 'alice', amount: '12' })).balanceMinor).toBe(0);
    expect(failure(api.withdraw({ account: 'yuki', amount: '501' }), 'INSUFFICIENT_FUNDS').message).toBe(
      'Insufficient funds: balance 500 JPY, withdrawal 501 JPY',
    );
  });

  it('refuse an unknown account with NOT_FOUND naming it', () => {
    const { api } = withAccounts();
    expect(failure(api.deposit({ account: 'carol', amount: '1' }), 'NOT_FOUND').message).toContain('carol');
    failure(api.withdraw({ account: 'carol', amount: '1' }), 'NOT_FOUND');
  });
});

describe('transfer', () => {
  it('appends TransferSent and TransferReceived with one transferId in one commit', () => {
    const { ledger, api } = withAccounts();
    const receipt = ok(api.transfer({ from: 'alice', to: 'bob', amount: '2.50', memo: 'lunch' }));
    expect(receipt).toMatchObject({
      account: 'alice',
      version: 2,
      balanceMinor: 950,
      position: 5,
      to: { account: 'bob', version: 2, balance: '2.50', balanceMinor: 250 },
    });
    const legs = ledger.events({ fromPosition: 4 });
    expect(legs.map((event) => [event.position, event.type, event.streamId, event.streamVersion])).toEqual([
      [4, 'TransferSent', 'alice', 2],
      [5, 'TransferReceived', 'bob', 2],
    ]);
    const [sent, received] = legs as [(typeof legs)[number], (typeof legs)[number]];
    expect(sent.type === 'TransferSent' && sent.data).toMatchObject({ to: 'bob', amountMinor: 250, currency: 'EUR', memo: 'lunch' });
    expect(received.type === 'TransferReceived' && received.data).toMatchObject({ from: 'alice', amountMinor: 250 });
    const transferId = receipt.transferId;
    expect(transferId).toMatch(/^[0-9a-f-]{36}$/);
    expect('transferId' in sent.data && sent.data.transferId).toBe(transferId);
    expect('transferId' in received.data && received.data.transferId).toBe(transferId);
    // Both legs carry the same correlation: they came from one command.
    expect(sent.metadata.correlationId).toBe(received.metadata.correlationId);
    expect(sent.recordedAt <= received.recordedAt).toBe(true);
  });

  it('refuses a transfer to the same account, across currencies, and beyond the balance', () => {
    const { ledger, api } = withAccounts();
    const before = ledger.logHead().position;
    expect(failure(api.transfer({ from: 'alice', to: 'alice', amount: '1' }), 'VALIDATION').message).toMatch(/two different accounts/);
    const mismatch = failure(api.transfer({ from: 'alice', to: 'yuki', amount: '1' }), 'CURRENCY_MISMATCH');
    expect(mismatch.message).toMatch(/EUR.*alice.*yuki.*JPY/);
    const short = failure(api.transfer({ from: 'alice', to: 'bob', amount: '12.01' }), 'INSUFFICIENT_FUNDS');
    expect(short.message).toBe('Insufficient funds: balance 12.00 EUR, transfer 12.01 EUR');
    failure(api.transfer({ from: 'alice', to: 'nobody', amount: '1' }), 'NOT_FOUND');
    failure(api.transfer({ from: 'nobody', to: 'alice', amount: '1' }), 'NOT_FOUND');
    expect(ledger.logHead().position).toBe(before);
    expect(ok(api.getAccount({ account: 'alice' })).balanceMinor).toBe(1200);
  });

  it('the amount is read in the source currency', () => {
    const { api } = withAccounts();
    ok(api.openAccount({ account: 'kenji', owner: 'Kenji', currency: 'JPY' }));
    failure(api.transfer({ from: 'yuki', to: 'kenji', amount: '1.5' }), 'VALIDATION');
    expect(ok(api.transfer({ from: 'yuki', to: 'kenji', amount: '500' })).to).toMatchObject({ balance: '500' });
  });
});

describe('close', () => {
  it('only at zero; closing keeps the view and refuses later movements with ACCOUNT_CLOSED', () => {
    const { ledger, api } = withAccounts();
    const notEmpty = failure(api.closeAccount({ account: 'alice' }), 'ACCOUNT_NOT_EMPTY');
    expect(notEmpty.message).toMatch(/alice.*12\.00 EUR/);
    ok(api.withdraw({ account: 'alice', amount: '12' }));
    const closed = ok(api.closeAccount({ account: 'alice' }));
    expect(closed).toMatchObject({ account: 'alice', version: 3, balanceMinor: 0 });
    expect(ok(api.getAccount({ account: 'alice' }))).toMatchObject({ status: 'closed', version: 3, transactionCount: 2 });

    const before = ledger.logHead().position;
    expect(failure(api.deposit({ account: 'alice', amount: '1' }), 'ACCOUNT_CLOSED').message).toContain('alice');
    failure(api.withdraw({ account: 'alice', amount: '1' }), 'ACCOUNT_CLOSED');
    failure(api.transfer({ from: 'alice', to: 'bob', amount: '1' }), 'ACCOUNT_CLOSED');
    failure(api.transfer({ from: 'bob', to: 'alice', amount: '1' }), 'ACCOUNT_CLOSED');
    failure(api.closeAccount({ account: 'alice' }), 'ACCOUNT_CLOSED');
    failure(api.openAccount({ account: 'alice', owner: 'Again', currency: 'EUR' }), 'ALREADY_EXISTS');
    failure(api.closeAccount({ account: 'ghost' }), 'NOT_FOUND');
    expect(ledger.logHead().position).toBe(before);
  });
});

describe('expectedVersion', () => {
  it('is checked exactly on every command, naming stream, expected and actual', () => {
    const { ledger, api } = withAccounts();
    const before = ledger.logHead().position;
    const conflict = failure(api.deposit({ account: 'alice', amount: '1', expectedVersion: 0 }), 'CONCURRENCY_CONFLICT');
    expect(conflict.details).toMatchObject({ stream: 'alice', expected: 0, actual: 1 });
    expect(conflict.message).toMatch(/alice.*1.*0/);
    failure(api.withdraw({ account: 'alice', amount: '1', expectedVersion: 2 }), 'CONCURRENCY_CONFLICT');
    failure(api.transfer({ from: 'alice', to: 'bob', amount: '1', expectedVersion: 5 }), 'CONCURRENCY_CONFLICT');
    failure(api.closeAccount({ account: 'bob', expectedVersion: 3 }), 'CONCURRENCY_CONFLICT');
    failure(api.openAccount({ account: 'carol', owner: 'C', currency: 'EUR', expectedVersion: 1 }), 'CONCURRENCY_CONFLICT');
    expect(ledger.logHead().position).toBe(before);

    expect(ok(api.deposit({ account: 'alice', amount: '1', expectedVersion: 1 })).version).toBe(2);
    expect(ok(api.transfer({ from: 'alice', to: 'bob', amount: '1', expectedVersion: 2 })).version).toBe(3);
    ok(api.openAccount({ account: 'carol', owner: 'C', currency: 'EUR', expectedVersion: 0 }));
    expect(ok(api.closeAccount({ account: 'carol', expectedVersion: 1 })).version).toBe(2);
    failure(api.deposit({ account: 'alice', amount: '1', expectedVersion: -1 }), 'VALIDATION');
    failure(api.deposit({ account: 'alice', amount: '1', expectedVersion: 1.5 }), 'VALIDATION');
  });
});
