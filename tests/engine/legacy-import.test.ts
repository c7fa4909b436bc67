/**
 * Importing the original exercise's log: the fixture gives exactly the expected balances,
 * counts and versions; events are stored verbatim as schema version 1 and upcast on read;
 * inexact floats and already-present accounts are refused with nothing imported.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { failure, fixturesFolder, handlersFor, newLedger, ok, openLedger } from './helpers';

const fixtureText = readFileSync(join(fixturesFolder, 'legacy-seed-log.jsonl'), 'utf8');
const expected = JSON.parse(readFileSync(join(fixturesFolder, 'legacy-seed-log.expected.json'), 'utf8')) as {
  accounts: Array<{ ID: string; Owner: string; BalanceCents: number; TransactionCount: number; Version: number }>;
  events: number;
};
const fixtureLines = fixtureText.split('\n').filter((line) => line.trim() !== '');

type StoredRow = { event_id: string; stream_id: string; stream_version: number; type: string; schema_version: number; data: string; recorded_at: string };

describe('legacy import of the fixture', () => {
  it('gives exactly the expected balances, transaction counts and versions', () => {
    const { ledger } = newLedger();
    const summary = ok(ledger.importLegacy(fixtureText, 'EUR'));
    expect(summary).toEqual({ events: expected.events, accounts: expected.accounts.length });
    const views = ledger.listAccounts();
    expect(views.map((view) => ({ ID: view.id, Owner: view.owner, BalanceCents: view.balanceMinor, TransactionCount: view.transactionCount, Version: view.version }))).toEqual(
      expected.accounts,
    );
    for (const view of views) {
      expect(view.currency).toBe('EUR');
      expect(view.status).toBe('open');
      expect(view.balance).toBe((view.balanceMinor / 100).toFixed(2));
    }
    expect(ledger.verify()).toMatchObject({ ok: true, events: expected.events });
  });

  it('stores every line verbatim as schema version 1 and upcasts it on read', () => {
    const { ledger } = newLedger();
    ok(ledger.importLegacy(fixtureText, 'EUR'));
    const rows = ledger.store.db.prepare('SELECT * FROM events ORDER BY position').all() as StoredRow[];
    expect(rows).toHaveLength(fixtureLines.length);
    fixtureLines.forEach((text, index) => {
      const line = JSON.parse(text) as { id: string; aggregate_id: string; event_type: string; version: number; timestamp: string };
      const row = rows[index]!;
      expect(row).toMatchObject({
        event_id: line.id,
        stream_id: line.aggregate_id,
        stream_version: line.version,
        type: line.event_type,
        schema_version: 1,
        recorded_at: line.timestamp,
      });
      // The payload text is the line's own data text, not a converted one.
      expect(text).toContain(`"data":${row.data}`);
    });
    expect(rows[0]).toMatchObject({ type: 'AccountCreated', schema_version: 1, data: '{"initial_deposit":723.05,"owner":"Émilie du Châtelet"}' });

    const [opened] = ledger.events({ limit: 1 });
    expect(opened).toMatchObject({
      type: 'AccountOpened',
      storedSchemaVersion: 1,
      eventId: 'evt-1795724822252568864-1',
      recordedAt: '2026-11-26T20:27:02.252584193Z',
      data: { owner: 'Émilie du Châtelet', currency: 'EUR', initialMinor: 72305 },
      metadata: { legacyCurrency: 'EUR' },
    });
    // Filtering by the stored legacy type finds the six openings, upcast.
    const created = ledger.events({ type: 'AccountCreated' });
    expect(created.map((event) => [event.type, event.storedSchemaVersion])).toEqual(Array(6).fill(['AccountOpened', 1]));
    const stored = ledger.events({ streamId: 'acc-003' }).find((event) => event.streamVersion === 3)!;
    expect(stored).toMatchObject({ type: 'MoneyWithdrawn', storedSchemaVersion: 1, data: { amountMinor: 194053, currency: 'EUR' } });
  });

  it('the type filter of events() works on the upcast type', () => {
    const { ledger } = newLedger();
    ok(ledger.importLegacy(fixtureText, 'EUR'));
    expect(ledger.events({ type: 'AccountOpened' })).toHaveLength(6);
  });

  it('keeps the payload text byte for byte, even when it is not in canonical JSON form', () => {
    const lines = [
      '{"id":"v1","aggregate_id":"v","aggregate_type":"BankAccount","event_type":"AccountCreated","version":1,"data":{ "owner": "Vera",  "initial_deposit": 100.50 },"timestamp":"2020-01-01T00:00:00Z"}',
      '{"id":"v2","aggregate_id":"v","aggregate_type":"BankAccount","event_type":"MoneyDeposited","version":2,"data":{"amount":1.10,"note":"{\\"x\\": \\"}\\"}"},"timestamp":"2020-01-01T00:00:01Z"}',
    ];
    const { ledger } = newLedger();
    ok(ledger.importLegacy(lines.join('\n'), 'EUR'));
    const stored = ledger.store.db.prepare('SELECT data FROM events ORDER BY position').pluck().all() as string[];
    expect(stored).toEqual(['{ "owner": "Vera",  "initial_deposit": 100.50 }', '{"amount":1.10,"note":"{\\"x\\": \\"}\\"}"}']);
    expect(ok(ledger.getAccount('v'))).toMatchObject({ owner: 'Vera', balanceMinor: 10_160 });
    expect(ledger.verify()).toMatchObject({ ok: true, events: 2 });
  });

  it('a repeated "data" key is read as JSON reads it (the last one), and stored as that text', () => {
    const line =
      '{"id":"d1","aggregate_id":"d","aggregate_type":"BankAccount","event_type":"AccountCreated","version":1,"data":{"owner":"Dee","initial_deposit":1},"timestamp":"2020-01-01T00:00:00Z","data":{"owner":"Dee","initial_deposit":1000}}';
    const { ledger } = newLedger();
    ok(ledger.importLegacy(line, 'EUR'));
    expect(ledger.store.db.prepare('SELECT data FROM events').pluck().get()).toBe('{"owner":"Dee","initial_deposit":1000}');
    expect(ok(ledger.getAccount('d')).balanceMinor).toBe(100_000);
  });

  it('imported accounts take new commands and the views survive reopening', () => {
    const { path, ledger } = newLedger();
    ok(ledger.importLegacy(fixtureText, 'EUR'));
    const api = handlersFor(ledger);
    const receipt = ok(api.deposit({ account: 'acc-000', amount: '0.50' }));
    expect(receipt).toMatchObject({ version: 12, balanceMinor: 750300, position: 58 });
    const views = ledger.listAccounts();
    ledger.close();
    const reopened = openLedger(path);
    expect(reopened.listAccounts()).toEqual(views);
    expect(reopened.verify()).toMatchObject({ ok: true, events: 58 });
  });

  it('in JPY the same floats are refused (they have decimals), naming the first line', () => {
    const { ledger } = newLedger();
    const error = failure(ledger.importLegacy(fixtureText, 'JPY'), 'VALIDATION');
    expect(error.message).toMatch(/^Line 1: .*723\.05.*JPY/);
    expect(ledger.store.lastPosition()).toBe(0);
  });
});

describe('legacy import refusals (nothing imported)', () => {
  it('a float that is not exact in the currency names its line', () => {
    const lines = [...fixtureLines];
    lines[9] = lines[9]!.replace(/"amount":[0-9.]+/, '"amount":12.345');
    expect(lines[9]).toContain('12.345');
    const { ledger } = newLedger();
    const error = failure(ledger.importLegacy(lines.join('\n'), 'EUR'), 'VALIDATION');
    expect(error.message).toMatch(/^Line 10: .*12\.345.*EUR/);
    expect(error.message).toMatch(/nothing was imported/);
    expect(ledger.store.lastPosition()).toBe(0);
    expect(ledger.listAccounts()).toEqual([]);
  });

  it('an exponent float, a negative amount, a string amount and NaN-like values are refused', () => {
    for (const amount of ['1e-7', '-5', '"5.00"', '1e21', 'null']) {
      const lines = [...fixtureLines];
      lines[9] = lines[9]!.replace(/"amount":[0-9.]+/, `"amount":${amount}`);
      const { ledger } = newLedger();
      expect(failure(ledger.importLegacy(lines.join('\n'), 'EUR'), 'VALIDATION').message, amount).toMatch(/^Line 10: /);
      expect(ledger.store.lastPosition()).toBe(0);
    }
  });

  it('importing into a ledger that already has the accounts is refused', () => {
    const { ledger } = newLedger();
    ok(ledger.importLegacy(fixtureText, 'EUR'));
    const views = ledger.listAccounts();
    const again = failure(ledger.importLegacy(fixtureText, 'EUR'), 'VALIDATION');
    expect(again.message).toMatch(/acc-000 already exists/);
    expect(ledger.store.lastPosition()).toBe(expected.events);
    expect(ledger.listAccounts()).toEqual(views);
  });

  it('an account opened by a command blocks the import of the same id', () => {
    const { ledger } = newLedger();
    ok(handlersFor(ledger).openAccount({ account: 'acc-003', owner: 'Someone', currency: 'EUR' }));
    const error = ledger.importLegacy(fixtureText, 'EUR');
    expect(error.ok).toBe(false);
    if (!error.ok) expect(error.error.message).toMatch(/acc-003/);
    expect(ledger.store.lastPosition()).toBe(1);
  });

  it('structural problems are refused by line: gaps, overdrafts, unknown types, bad JSON, unknown currency', () => {
    const created = '{"id":"e1","aggregate_id":"x","aggregate_type":"BankAccount","event_type":"AccountCreated","version":1,"data":{"initial_deposit":10,"owner":"X"},"timestamp":"2020-01-01T00:00:00Z"}';
    const line = (id: string, type: string, version: number, data: string) =>
      `{"id":"${id}","aggregate_id":"x","aggregate_type":"BankAccount","event_type":"${type}","version":${version},"data":${data},"timestamp":"2020-01-01T00:00:01Z"}`;
    const cases: Array<[string, string, RegExp]> = [
      [[created, line('e2', 'MoneyDeposited', 3, '{"amount":1}')].join('\n'), 'EUR', /^Line 2: .*version 3/],
      [[created, line('e2', 'MoneyWithdrawn', 2, '{"amount":10.01}')].join('\n'), 'EUR', /^Line 2: .*below zero/],
      [[created, line('e2', 'MoneyStolen', 2, '{"amount":1}')].join('\n'), 'EUR', /^Line 2: /],
      [[created, '{not json'].join('\n'), 'EUR', /^Line 2: .*JSON/],
      [[created, line('e1', 'MoneyDeposited', 2, '{"amount":1}')].join('\n'), 'EUR', /^Line 2: .*twice/],
      [line('e2', 'MoneyDeposited', 1, '{"amount":1}'), 'EUR', /^Line 1: /],
      [created, 'EURO', /EURO/],
      ['\n\n', 'EUR', /empty/],
    ];
    for (const [text, currency, pattern] of cases) {
      const { ledger } = newLedger();
      expect(failure(ledger.importLegacy(text, currency), 'VALIDATION').message, text).toMatch(pattern);
      expect(ledger.store.lastPosition()).toBe(0);
    }
  });
});
