/**
 * Rule (1): input that needs no ledger state — account ids, owners, memos, command ids,
 * unknown fields and wrong types — refused as VALIDATION before the ledger is touched.
 */
import { describe, expect, it } from 'vitest';
import { dispatch } from '#engine/handlers';
import { failure, newLedger, ok } from './helpers';

describe('account ids', () => {
  it('take 1–64 of [A-Za-z0-9._-], starting with a letter or digit', () => {
    const { api } = newLedger();
    const valid = ['a', '7', 'A.b-c_d', 'x'.repeat(64), '0-0', 'acc-000', 'Z.'];
    for (const account of valid) ok(api.openAccount({ account, owner: 'O', currency: 'EUR' }));
    const invalid = ['', 'x'.repeat(65), '.a', '-a', '_a', 'a b', 'ä', 'a/b', 'a\u0000', 'émile', '🙂', 'a+b', ' a'];
    for (const account of invalid) {
      expect(failure(api.openAccount({ account, owner: 'O', currency: 'EUR' }), 'VALIDATION').message, account).toMatch(/account/);
      failure(api.deposit({ account, amount: '1' }), 'VALIDATION');
    }
    failure(api.openAccount({ account: 12, owner: 'O', currency: 'EUR' }), 'VALIDATION');
    expect(api.listAccounts(undefined)).toMatchObject({ ok: true, value: expect.any(Array) });
    expect(ok(api.listAccounts(undefined)).length).toBe(valid.length);
  });
});

describe('owners', () => {
  it('are 1–200 characters after trimming, stored trimmed, counting emoji as one character each', () => {
    const { api } = newLedger();
    ok(api.openAccount({ account: 'trim', owner: '  Ada Lovelace \t', currency: 'EUR' }));
    expect(ok(api.getAccount({ account: 'trim' })).owner).toBe('Ada Lovelace');

    const emoji = '😀'.repeat(200); // 400 UTF-16 units, 200 characters
    ok(api.openAccount({ account: 'emoji', owner: emoji, currency: 'EUR' }));
    expect(ok(api.getAccount({ account: 'emoji' })).owner).toBe(emoji);
    ok(api.openAccount({ account: 'mixed', owner: `${'李'.repeat(100)}${'🏦'.repeat(100)}`, currency: 'EUR' }));
    ok(api.openAccount({ account: 'max', owner: 'x'.repeat(200), currency: 'EUR' }));

    expect(failure(api.openAccount({ account: 'e201', owner: '😀'.repeat(201), currency: 'EUR' }), 'VALIDATION').message).toMatch(
      /owner.*200/,
    );
    failure(api.openAccount({ account: 'x201', owner: 'x'.repeat(201), currency: 'EUR' }), 'VALIDATION');
    failure(api.openAccount({ account: 'blank', owner: '   ', currency: 'EUR' }), 'VALIDATION');
    failure(api.openAccount({ account: 'empty', owner: '', currency: 'EUR' }), 'VALIDATION');
    failure(api.openAccount({ account: 'none', currency: 'EUR' }), 'VALIDATION');
    failure(api.openAccount({ account: 'ctrl', owner: 'Bad\u0007Bell', currency: 'EUR' }), 'VALIDATION');
    failure(api.openAccount({ account: 'bidi', owner: 'abc\u202Edef', currency: 'EUR' }), 'VALIDATION');
    // 200 characters surrounded by spaces: the limit applies after trimming.
    ok(api.openAccount({ account: 'padded', owner: `   ${'y'.repeat(200)}   `, currency: 'EUR' }));
    ok(api.openAccount({ account: 'wide', owner: `${' '.repeat(700)}${'😀'.repeat(200)}${' '.repeat(700)}`, currency: 'EUR' }));
    expect(ok(api.getAccount({ account: 'wide' })).owner).toBe('😀'.repeat(200));
  });
});

describe('memos', () => {
  it('take up to 500 characters, line breaks allowed', () => {
    const { api } = newLedger();
    ok(api.openAccount({ account: 'm', owner: 'M', currency: 'EUR' }));
    ok(api.deposit({ account: 'm', amount: '1', memo: 'x'.repeat(500) }));
    ok(api.deposit({ account: 'm', amount: '1', memo: '🎉'.repeat(500) }));
    ok(api.deposit({ account: 'm', amount: '1', memo: 'line one\nline two' }));
    ok(api.deposit({ account: 'm', amount: '1', memo: '' }));
    expect(failure(api.deposit({ account: 'm', amount: '1', memo: 'x'.repeat(501) }), 'VALIDATION').message).toMatch(/memo.*500/);
    failure(api.deposit({ account: 'm', amount: '1', memo: '🎉'.repeat(501) }), 'VALIDATION');
    failure(api.transfer({ from: 'm', to: 'n', amount: '1', memo: 'y'.repeat(501) }), 'VALIDATION');
    failure(api.deposit({ account: 'm', amount: '1', memo: 'tab\there' }), 'VALIDATION');
    const history = ok(api.accountHistory({ account: 'm' }));
    expect(history.entries.map((entry) => entry.memo?.length ?? null)).toEqual([null, 500, 1000, 17, 0]);
  });
});

describe('requests', () => {
  it('refuse unknown fields, wrong types and oversized command ids', () => {
    const { ledger, api } = newLedger();
    expect(failure(api.openAccount({ account: 'a', owner: 'A', currency: 'EUR', balance: '5' }), 'VALIDATION').message).toMatch(
      /Unknown field.*balance/,
    );
    failure(api.openAccount(null), 'VALIDATION');
    failure(api.openAccount('open a'), 'VALIDATION');
    failure(api.openAccount([]), 'VALIDATION');
    failure(api.deposit({ account: 'a', amount: '1', commandId: '' }), 'VALIDATION');
    failure(api.deposit({ account: 'a', amount: '1', commandId: 'c'.repeat(129) }), 'VALIDATION');
    failure(api.deposit({ account: 'a', amount: '1'.repeat(65) }), 'VALIDATION');
    expect(failure(api.deposit({ account: 'a' }), 'VALIDATION').message).toMatch(/amount.*required/);
    expect(ledger.logHead().position).toBe(0);
  });

  it('dispatch refuses channels that are not in the contract, including prototype names', async () => {
    const { api } = newLedger();
    for (const channel of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'dropTables']) {
      expect(failure(await dispatch(api, channel, {}), 'VALIDATION').message).toMatch(/Unknown request/);
    }
    expect(await dispatch(api, 'listAccounts', undefined)).toEqual({ ok: true, value: [] });
  });
});
