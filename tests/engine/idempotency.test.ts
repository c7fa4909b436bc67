/**
 * commandId idempotency: a repeat of a succeeded command answers its first result and appends
 * nothing — in a batch, after reopening the file, and from another connection — while the same
 * id with a different command is refused.
 */
import { describe, expect, it } from 'vitest';
import { failure, handlersFor, newLedger, ok, openLedger } from './helpers';

describe('commandId', () => {
  it('a repeat returns the first result and appends nothing', () => {
    const { ledger, api } = newLedger();
    const opened = ok(api.openAccount({ account: 'a', owner: 'A', currency: 'EUR', initial: '10', commandId: 'open-a' }));
    expect(opened.commandId).toBe('open-a');
    const first = ok(api.deposit({ account: 'a', amount: '2.50', commandId: 'dep-1' }));
    const position = ledger.logHead().position;

    const repeat = ok(api.deposit({ account: 'a', amount: '2.50', commandId: 'dep-1' }));
    expect(repeat.replayed).toBe(true);
    const { replayed: _replayed, ...withoutFlag } = repeat;
    expect(withoutFlag).toEqual(first);
    expect(ledger.logHead().position).toBe(position);
    expect(ok(api.getAccount({ account: 'a' })).balanceMinor).toBe(1250);

    // The repeat of the open answers the open's receipt, even though the account now exists.
    expect(ok(api.openAccount({ account: 'a', owner: 'A', currency: 'EUR', initial: '10', commandId: 'open-a' }))).toMatchObject({
      replayed: true,
      position: 1,
      balanceMinor: 1000,
    });
  });

  it('a repeat of a transfer returns the same transferId and moves no money', () => {
    const { ledger, api } = newLedger();
    ok(api.openAccount({ account: 'a', owner: 'A', currency: 'EUR', initial: '10' }));
    ok(api.openAccount({ account: 'b', owner: 'B', currency: 'EUR' }));
    const first = ok(api.transfer({ from: 'a', to: 'b', amount: '4', commandId: 't-1' }));
    const again = ok(api.transfer({ from: 'a', to: 'b', amount: '4', commandId: 't-1' }));
    expect(again.transferId).toBe(first.transferId);
    expect(ok(api.getAccount({ account: 'b' })).balanceMinor).toBe(400);
    expect(ledger.events({ type: 'TransferSent' })).toHaveLength(1);
  });

  it('the same id with a different command is refused with VALIDATION and writes nothing', () => {
    const { ledger, api } = newLedger();
    ok(api.openAccount({ account: 'a', owner: 'A', currency: 'EUR', initial: '10' }));
    ok(api.deposit({ account: 'a', amount: '1', commandId: 'x' }));
    const position = ledger.logHead().position;
    expect(failure(api.deposit({ account: 'a', amount: '2', commandId: 'x' }), 'VALIDATION').message).toMatch(/x.*different command/);
    failure(api.withdraw({ account: 'a', amount: '1', commandId: 'x' }), 'VALIDATION');
    failure(api.deposit({ account: 'a', amount: '1', memo: 'note', commandId: 'x' }), 'VALIDATION');
    failure(api.closeAccount({ account: 'a', commandId: 'x' }), 'VALIDATION');
    expect(ledger.logHead().position).toBe(position);
  });

  it('a failed command is not remembered: the same id may succeed later', () => {
    const { api } = newLedger();
    ok(api.openAccount({ account: 'a', owner: 'A', currency: 'EUR' }));
    failure(api.withdraw({ account: 'a', amount: '5', commandId: 'w' }), 'INSUFFICIENT_FUNDS');
    ok(api.deposit({ account: 'a', amount: '5' }));
    const later = ok(api.withdraw({ account: 'a', amount: '5', commandId: 'w' }));
    expect(later.replayed).toBeUndefined();
    expect(later.balanceMinor).toBe(0);
  });

  it('survives reopening the file and holds across two connections', () => {
    const { path, ledger, api } = newLedger();
    ok(api.openAccount({ account: 'a', owner: 'A', currency: 'EUR' }));
    const first = ok(api.deposit({ account: 'a', amount: '7', commandId: 'persist' }));
    ledger.close();

    const reopened = openLedger(path);
    const again = ok(handlersFor(reopened).deposit({ account: 'a', amount: '7', commandId: 'persist' }));
    expect(again).toEqual({ ...first, replayed: true });
    expect(ok(reopened.getAccount('a')).balanceMinor).toBe(700);

    const second = openLedger(path);
    ok(handlersFor(second).deposit({ account: 'a', amount: '1', commandId: 'from-second' }));
    expect(ok(handlersFor(reopened).deposit({ account: 'a', amount: '1', commandId: 'from-second' })).replayed).toBe(true);
    expect(ok(reopened.getAccount('a')).balanceMinor).toBe(800);
  });

  it('a repeat inside one batch answers the first result of that batch', () => {
    const { ledger, api } = newLedger();
    ok(api.openAccount({ account: 'a', owner: 'A', currency: 'EUR' }));
    const deposit = { name: 'deposit' as const, input: { account: 'a', amount: '3', commandId: 'batch' } };
    const [first, second, third] = ledger.executeBatch([
      deposit,
      deposit,
      { name: 'deposit', input: { account: 'a', amount: '4', commandId: 'batch' } },
    ]);
    expect(first).toMatchObject({ ok: true, value: { balanceMinor: 300 } });
    expect(second).toMatchObject({ ok: true, value: { balanceMinor: 300, replayed: true } });
    expect(third).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(ok(ledger.getAccount('a')).balanceMinor).toBe(300);
  });

  it('an owner that differs only in surrounding spaces is the same command (validated input is compared)', () => {
    const { ledger, api } = newLedger();
    ok(api.openAccount({ account: 'a', owner: 'Ann', currency: 'EUR', commandId: 'o' }));
    expect(ok(api.openAccount({ account: 'a', owner: '  Ann ', currency: 'EUR', commandId: 'o' })).replayed).toBe(true);
    expect(ledger.logHead().position).toBe(1);
  });
});
