/**
 * The `ledger` CLI as a script sees it: JSON out, exit codes 0 (ok), 1 (domain error),
 * 2 (usage), 3 (integrity); `apply` answers one line per command, in order; legacy import.
 * Few spawns: each costs about half a second.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-process';
import { fixturesFolder, newLedger, ok, openLedger, tamper, tempLedgerPath } from './helpers';

describe('ledger CLI', () => {
  it('commands answer one JSON document with exit 0, 1 or 2', async () => {
    const db = tempLedgerPath();
    const opened = await runCli(['--db', db, 'open', '--account', 'alice', '--owner', 'Alice', '--currency', 'EUR', '--initial', '12.00']);
    expect(opened.code).toBe(0);
    expect(opened.lines).toEqual([
      { ok: true, position: 1, version: 1, account: 'alice', balance: '12.00', balanceMinor: 1200, currency: 'EUR' },
    ]);

    const [refused, usage, unknown] = await Promise.all([
      runCli(['--db', db, 'withdraw', '--account', 'alice', '--amount', '50']),
      runCli(['--db', db, 'deposit', '--account', 'alice', '--amount', '1', '--colour', 'red']),
      runCli(['--db', db, 'frobnicate']),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.lines).toEqual([
      {
        ok: false,
        error: {
          code: 'INSUFFICIENT_FUNDS',
          message: 'Insufficient funds: balance 12.00 EUR, withdrawal 50.00 EUR',
          details: expect.any(Object),
        },
      },
    ]);
    expect(usage.code).toBe(2);
    expect(usage.lines[0]).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/colour/) } });
    expect(unknown.code).toBe(2);
    expect(unknown.lines[0]).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/frobnicate/) } });

    // Nothing but the opening was recorded.
    const ledger = openLedger(db);
    expect(ok(ledger.getAccount('alice'))).toMatchObject({ balanceMinor: 1200, version: 1 });
  });

  it('apply answers one line per command in order; bad lines get an error line and the rest go on', async () => {
    const db = tempLedgerPath();
    const input = [
      JSON.stringify({ command: 'open', account: 'a', owner: 'A', currency: 'EUR', initial: '10' }),
      JSON.stringify({ command: 'open', account: 'b', owner: 'B', currency: 'EUR' }),
      '{not json',
      '',
      JSON.stringify({ command: 'teleport', account: 'a' }),
      JSON.stringify({ command: 'deposit', account: 'a', amount: '1.234' }),
      JSON.stringify({ command: 'withdraw', account: 'a', amount: '100' }),
      JSON.stringify({ command: 'transfer', from: 'a', to: 'b', amount: '4', commandId: 't1' }),
      JSON.stringify({ command: 'transfer', from: 'a', to: 'b', amount: '4', commandId: 't1' }),
      JSON.stringify({ command: 'deposit', account: 'b', amount: '0.5', extra: true }),
      JSON.stringify({ command: 'deposit', account: 'b', amount: '0.5' }),
    ].join('\n');
    const run = await runCli(['--db', db, 'apply'], `${input}\n`);
    expect(run.code).toBe(1);
    const summary = (
      run.lines as Array<{ ok: boolean; line: number; error?: { code: string }; balanceMinor?: number; replayed?: boolean }>
    ).map((answer) => [answer.line, answer.ok ? 'ok' : answer.error!.code]);
    expect(summary).toEqual([
      [1, 'ok'],
      [2, 'ok'],
      [3, 'VALIDATION'],
      [5, 'VALIDATION'],
      [6, 'VALIDATION'],
      [7, 'INSUFFICIENT_FUNDS'],
      [8, 'ok'],
      [9, 'ok'],
      [10, 'VALIDATION'],
      [11, 'ok'],
    ]);
    expect(run.lines[6]).toMatchObject({ ok: true, line: 8, account: 'a', balanceMinor: 600, to: { account: 'b', balanceMinor: 400 } });
    expect(run.lines[7]).toMatchObject({ ok: true, line: 9, replayed: true, balanceMinor: 600 });
    expect(run.lines[9]).toMatchObject({ ok: true, line: 11, position: 5, version: 3, balance: '4.50' });

    const ledger = openLedger(db);
    expect(ledger.listAccounts().map((view) => [view.id, view.balanceMinor])).toEqual([
      ['a', 600],
      ['b', 450],
    ]);
  });

  it('apply of only good lines exits 0', async () => {
    const db = tempLedgerPath();
    const run = await runCli(
      ['--db', db, 'apply'],
      `${JSON.stringify({ command: 'open', account: 'x', owner: 'X', currency: 'JPY', initial: '100' })}\n`,
    );
    expect(run.code).toBe(0);
    expect(run.lines).toEqual([
      { ok: true, line: 1, position: 1, version: 1, account: 'x', balance: '100', balanceMinor: 100, currency: 'JPY' },
    ]);
  });

  it('verify exits 0 on an intact file and 3 with firstBadPosition on a tampered one', async () => {
    const { path, ledger, api } = newLedger();
    ok(api.openAccount({ account: 'a', owner: 'A', currency: 'EUR', initial: '10' }));
    ok(api.deposit({ account: 'a', amount: '5' }));
    ok(api.deposit({ account: 'a', amount: '6' }));
    ledger.close();
    const intact = await runCli(['--db', path, 'verify']);
    expect(intact.code).toBe(0);
    expect(intact.lines).toEqual([{ ok: true, events: 3, head: expect.stringMatching(/^[0-9a-f]{64}$/) }]);

    tamper(path, (db) => db.prepare(`UPDATE events SET data = replace(data, '500', '50000') WHERE position = 2`).run());
    const tampered = await runCli(['--db', path, 'verify']);
    expect(tampered.code).toBe(3);
    expect(tampered.lines).toEqual([{ ok: false, firstBadPosition: 2, reason: expect.stringMatching(/hash/) }]);
  });

  // Regression test: before 798a329 the CLI crashed here with evolve()'s stack trace and exit 1.
  it('verify exits 3 on a reordered log that cannot even be replayed', async () => {
    const { path, ledger, api } = newLedger();
    ok(api.openAccount({ account: 'a', owner: 'A', currency: 'EUR', initial: '10' }));
    ok(api.deposit({ account: 'a', amount: '5' }));
    ledger.close();
    tamper(path, (db) =>
      db.exec(`UPDATE events SET position = -1 WHERE position = 1;
               UPDATE events SET position = 1 WHERE position = 2;
               UPDATE events SET position = 2 WHERE position = -1;`),
    );
    const run = await runCli(['--db', path, 'verify']);
    expect(run.lines).toEqual([{ ok: false, firstBadPosition: 1, reason: expect.any(String) }]);
    expect(run.code).toBe(3);
  });

  it('import --legacy --currency EUR gives the expected accounts', async () => {
    const db = tempLedgerPath();
    const file = join(fixturesFolder, 'legacy-seed-log.jsonl');
    const imported = await runCli(['--db', db, 'import', '--legacy', '--currency', 'EUR', '--file', file]);
    expect(imported.code).toBe(0);
    expect(imported.lines).toEqual([{ ok: true, events: 57, accounts: 6 }]);

    const expected = JSON.parse(readFileSync(join(fixturesFolder, 'legacy-seed-log.expected.json'), 'utf8')) as {
      accounts: Array<{ ID: string; BalanceCents: number; TransactionCount: number; Version: number }>;
    };
    const [listed, again] = await Promise.all([
      runCli(['--db', db, 'accounts']),
      runCli(['--db', db, 'import', '--legacy', '--currency', 'EUR', '--file', file]),
    ]);
    expect(listed.code).toBe(0);
    const views = listed.lines[0] as Array<{ id: string; balanceMinor: number; transactionCount: number; version: number }>;
    expect(
      views.map((view) => ({
        ID: view.id,
        BalanceCents: view.balanceMinor,
        TransactionCount: view.transactionCount,
        Version: view.version,
      })),
    ).toEqual(
      expected.accounts.map(({ ID, BalanceCents, TransactionCount, Version }) => ({ ID, BalanceCents, TransactionCount, Version })),
    );
    // Importing again is refused (the accounts exist) and changes nothing.
    expect(again.code).toBe(1);
    expect(again.lines[0]).toMatchObject({ ok: false, error: { message: expect.stringMatching(/already exists/) } });
    expect(openLedger(db).logHead().position).toBe(57);
  });
});
