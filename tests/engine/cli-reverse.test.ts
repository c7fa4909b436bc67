/**
 * `ledger reverse` through the real CLI in a child process: one JSON document and the exit
 * code a script branches on (0 done, 1 refused — ALREADY_REVERSED included —, 2 a mistake in
 * the command line); `history` and `events` lines carry the links; `apply` lines take reverse
 * like any other command.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-process';
import { tempLedgerPath } from './helpers';

describe('ledger reverse', () => {
  it('answers a receipt with reverses and positions; refusals are typed JSON with exit 1, usage mistakes exit 2', async () => {
    const db = tempLedgerPath();
    const setup = await runCli(
      ['--db', db, 'apply'],
      [
        '{"command":"open","account":"a","owner":"Ada","currency":"EUR","initial":"10.00"}',
        '{"command":"open","account":"b","owner":"Bob","currency":"EUR"}',
        '{"command":"deposit","account":"a","amount":"5.00","memo":"twice"}',
        '{"command":"transfer","from":"a","to":"b","amount":"3.00"}',
        '',
      ].join('\n'),
    );
    expect(setup.code).toBe(0);

    const reversed = await runCli(['--db', db, 'reverse', '--position', '3', '--reason', 'Booked twice', '--command-id', 'fix-1']);
    expect(reversed.code).toBe(0);
    expect(reversed.lines).toEqual([
      {
        ok: true,
        position: 6,
        version: 4,
        account: 'a',
        balance: '7.00',
        balanceMinor: 700,
        currency: 'EUR',
        reverses: 3,
        positions: [6],
        commandId: 'fix-1',
      },
    ]);
    const retried = await runCli(['--db', db, 'reverse', '--position', '3', '--reason', 'Booked twice', '--command-id', 'fix-1']);
    expect(retried.code).toBe(0);
    expect(retried.lines).toEqual([{ ...(reversed.lines[0] as object), replayed: true }]);

    const [again, missing, opening, empty, notNumber, noReason, unknownFlag] = await Promise.all([
      runCli(['--db', db, 'reverse', '--position', '3', '--reason', 'again']),
      runCli(['--db', db, 'reverse', '--position', '99', '--reason', 'x']),
      runCli(['--db', db, 'reverse', '--position', '1', '--reason', 'x']),
      runCli(['--db', db, 'reverse', '--position', '4', '--reason', '']),
      runCli(['--db', db, 'reverse', '--position', 'four', '--reason', 'x']),
      runCli(['--db', db, 'reverse', '--position', '4']),
      runCli(['--db', db, 'reverse', '--position', '4', '--reason', 'x', '--account', 'a']),
    ]);
    expect(again.code).toBe(1);
    expect(again.lines).toEqual([
      {
        ok: false,
        error: {
          code: 'ALREADY_REVERSED',
          message: 'The event at position 3 was already reversed, by position 6',
          details: { position: 3, reversedBy: 6 },
        },
      },
    ]);
    expect(missing).toMatchObject({ code: 1, lines: [{ ok: false, error: { code: 'NOT_FOUND' } }] });
    expect(opening).toMatchObject({ code: 1, lines: [{ ok: false, error: { code: 'VALIDATION' } }] });
    expect(empty).toMatchObject({
      code: 1,
      lines: [{ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/reason/) } }],
    });
    expect(notNumber).toMatchObject({
      code: 1,
      lines: [{ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/position/) } }],
    });
    expect(noReason).toMatchObject({
      code: 1,
      lines: [{ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/reason/) } }],
    });
    expect(unknownFlag.code).toBe(2);

    // Both legs of the transfer, named by its received leg.
    const transfer = await runCli(['--db', db, 'reverse', '--position', '5', '--reason', 'Wrong tenant']);
    expect(transfer.lines).toEqual([expect.objectContaining({ ok: true, account: 'b', balanceMinor: 0, reverses: 5, positions: [7, 8] })]);

    const [history, events, table] = await Promise.all([
      runCli(['--db', db, 'history', 'a']),
      runCli(['--db', db, 'events', '--from-position', '3']),
      runCli(['--db', db, 'events', '--format', 'table']),
    ]);
    expect(
      history.lines
        .map((line) => line as Record<string, unknown>)
        .map(({ position, reverses, reversedBy }) => [position, reverses, reversedBy]),
    ).toEqual([
      [1, undefined, undefined],
      [3, undefined, 6],
      [4, undefined, 7],
      [6, 3, undefined],
      [7, 4, undefined],
    ]);
    expect(events.lines).toEqual([
      expect.objectContaining({ position: 3, type: 'MoneyDeposited', reversedBy: 6 }),
      expect.objectContaining({ position: 4, type: 'TransferSent', reversedBy: 7 }),
      expect.objectContaining({ position: 5, type: 'TransferReceived', reversedBy: 8 }),
      expect.objectContaining({
        position: 6,
        type: 'EntryReversed',
        reverses: 3,
        data: expect.objectContaining({ reason: 'Booked twice' }),
      }),
      expect.objectContaining({ position: 7, type: 'EntryReversed', reverses: 4 }),
      expect.objectContaining({ position: 8, type: 'EntryReversed', reverses: 5 }),
    ]);
    expect(events.lines[0]).not.toHaveProperty('reverses');
    expect(events.lines[3]).not.toHaveProperty('reversedBy');
    expect(table.stdout).toMatch(/^ +6 .*Reversal +-€5\.00 +reverses position 3: Booked twice$/m);
    expect(table.stdout).toMatch(/^ +3 .*Deposit .*twice: reversed by position 6$/m);
  });

  it('apply takes reverse lines like any other command, also naming events of the same input', async () => {
    const db = tempLedgerPath();
    const run = await runCli(
      ['--db', db, 'apply'],
      [
        '{"command":"open","account":"a","owner":"Ada","currency":"EUR"}',
        '{"command":"deposit","account":"a","amount":"5.00"}',
        '{"command":"reverse","position":2,"reason":"oops"}',
        '{"command":"reverse","position":2,"reason":"oops"}',
        '{"command":"reverse","position":"2","reason":"oops"}',
        '',
      ].join('\n'),
    );
    expect(run.code).toBe(1);
    expect(run.lines).toEqual([
      expect.objectContaining({ ok: true, position: 1 }),
      expect.objectContaining({ ok: true, position: 2 }),
      expect.objectContaining({ ok: true, position: 3, reverses: 2, positions: [3], balanceMinor: 0 }),
      expect.objectContaining({ ok: false, line: 4, error: expect.objectContaining({ code: 'ALREADY_REVERSED' }) }),
      expect.objectContaining({ ok: false, line: 5, error: expect.objectContaining({ code: 'VALIDATION' }) }),
    ]);
  });

  it('`ledger reverse --help` prints its usage', async () => {
    const help = await runCli(['reverse', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: ledger \[--db FILE\] reverse --position P --reason TEXT \[--command-id ID\]/);
  });
});
