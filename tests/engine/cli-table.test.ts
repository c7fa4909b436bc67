/**
 * Issue 17.2 — `--format table` prints accounts, account, history and events as aligned
 * tables with money formatted as the app shows it; JSON stays the default. `events --type`
 * takes the names the app shows ("Deposit", "Transfer in") as well as the stored ones.
 */
import { describe, expect, it } from 'vitest';
import { eventTypeNamed } from '#shared/event-labels';
import { EVENT_TYPES } from '#shared/events';
import { runCli } from './cli-process';
import { newLedger, ok } from './helpers';

const EN_US = { LC_ALL: 'en_US.UTF-8', LANG: 'en_US.UTF-8' };
const MOMENT = /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g;

function seeded(): string {
  const { path, ledger, api } = newLedger();
  ok(api.openAccount({ account: 'alice', owner: 'Alice Liddell', currency: 'EUR', initial: '1234.50' }));
  ok(api.openAccount({ account: 'bob', owner: 'Bob', currency: 'EUR' }));
  ok(api.openAccount({ account: 'yen', owner: 'Yoko', currency: 'JPY', initial: '5000' }));
  ok(api.transfer({ from: 'alice', to: 'bob', amount: '34.50', memo: 'rent\nMarch' }));
  ok(api.deposit({ account: 'bob', amount: '0.05' }));
  ledger.close();
  return path;
}

/** The table with every moment (which the clock decides) replaced by a fixed one of the same width. */
const masked = (text: string) => text.replace(MOMENT, '2025-01-02 03:04:05');

describe('event type names', () => {
  it('reads stored names and the labels the app shows, in any case', () => {
    expect(eventTypeNamed('Deposit')).toBe('MoneyDeposited');
    expect(eventTypeNamed('transfer in')).toBe('TransferReceived');
    expect(eventTypeNamed('TRANSFER-OUT')).toBe('TransferSent');
    expect(eventTypeNamed('moneywithdrawn')).toBe('MoneyWithdrawn');
    expect(eventTypeNamed('Wire')).toBeUndefined();
    for (const type of EVENT_TYPES) expect(eventTypeNamed(type)).toBe(type);
  });
});

describe('ledger --format table', () => {
  it('prints aligned tables with money formatted; JSON stays the default', async () => {
    const db = seeded();
    const [accounts, account, history, events, json] = await Promise.all([
      runCli(['--db', db, 'accounts', '--format', 'table'], '', { env: EN_US }),
      runCli(['--db', db, 'account', 'alice', '--format', 'table'], '', { env: EN_US }),
      runCli(['--db', db, 'history', 'bob', '--format', 'table'], '', { env: EN_US }),
      runCli(['--db', db, 'events', '--format', 'table', '--type', 'transfer in'], '', { env: EN_US }),
      runCli(['--db', db, 'accounts'], '', { env: EN_US }),
    ]);
    for (const run of [accounts, account, history, events, json]) expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(masked(accounts.stdout)).toBe(
      [
        'Account  Owner          Currency    Balance  Transactions  Last activity (UTC)  Status',
        '───────  ─────────────  ────────  ─────────  ────────────  ───────────────────  ──────',
        'alice    Alice Liddell  EUR       €1,200.00             2  2025-01-02 03:04:05  open',
        'bob      Bob            EUR          €34.55             3  2025-01-02 03:04:05  open',
        'yen      Yoko           JPY          ¥5,000             1  2025-01-02 03:04:05  open',
        '',
        'Total',
        '─────  ─────────',
        'EUR    €1,234.55',
        'JPY       ¥5,000',
        '',
      ].join('\n'),
    );
    expect(masked(account.stdout)).toBe(
      [
        'Account              alice',
        'Owner                Alice Liddell',
        'Currency             EUR',
        'Balance              €1,200.00',
        'Status               open',
        'Transactions         2',
        'Version              2',
        'Opened (UTC)         2025-01-02 03:04:05',
        'Last activity (UTC)  2025-01-02 03:04:05',
        '',
      ].join('\n'),
    );
    expect(masked(history.stdout)).toBe(
      [
        'Version  Position  Time (UTC)           Type             Amount  Balance  Counterparty  Memo',
        '───────  ────────  ───────────────────  ──────────────  ───────  ───────  ────────────  ──────────',
        '      1         2  2025-01-02 03:04:05  Account opened    €0.00    €0.00',
        '      2         5  2025-01-02 03:04:05  Transfer in     +€34.50   €34.50  alice         rent March',
        '      3         6  2025-01-02 03:04:05  Deposit          +€0.05   €34.55',
        '',
      ].join('\n'),
    );
    expect(masked(events.stdout)).toBe(
      [
        'Position  Time (UTC)           Account  Type         Amount  Details',
        '────────  ───────────────────  ───────  ───────────  ──────  ──────────────────────',
        '       5  2025-01-02 03:04:05  bob      Transfer in  €34.50  from alice: rent March',
        '',
      ].join('\n'),
    );
    expect(json.lines[0]).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'alice', balance: '1200.00', balanceMinor: 120_000 })]),
    );
  });

  it("events --type takes stored names and the app's names; an unknown one lists the accepted names", async () => {
    const db = seeded();
    const [label, stored, upper, unknown] = await Promise.all([
      runCli(['--db', db, 'events', '--type', 'Deposit']),
      runCli(['--db', db, 'events', '--type', 'MoneyDeposited']),
      runCli(['--db', db, 'events', '--type', 'TRANSFER OUT']),
      runCli(['--db', db, 'events', '--type', 'Wire']),
    ]);
    expect(label.lines).toEqual([expect.objectContaining({ type: 'MoneyDeposited', position: 6 })]);
    expect(stored.lines).toEqual(label.lines);
    expect(upper.lines).toEqual([expect.objectContaining({ type: 'TransferSent', position: 4 })]);
    expect(unknown.code).toBe(2);
    expect(unknown.lines).toEqual([
      {
        ok: false,
        error: {
          code: 'VALIDATION',
          message: expect.stringMatching(/^Unknown event type "Wire"; use one of .*"Transfer in" \(TransferReceived\)/),
        },
      },
    ]);
  });
});
