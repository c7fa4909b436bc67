/**
 * Importing the original exercise's log: the fixture gives exactly the expected balances,
 * counts and versions; events are stored verbatim as schema version 1 and upcast on read;
 * inexact floats and already-present accounts are refused with nothing imported.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-process';
import { failure, fixturesFolder, handlersFor, newLedger, ok, openLedger, readLedgerFile, tempFolder } from './helpers';

const fixtureText = readFileSync(join(fixturesFolder, 'legacy-seed-log.jsonl'), 'utf8');
const expected = JSON.parse(readFileSync(join(fixturesFolder, 'legacy-seed-log.expected.json'), 'utf8')) as {
  accounts: Array<{ ID: string; Owner: string; BalanceCents: number; TransactionCount: number; Version: number }>;
  events: number;
};
const fixtureLines = fixtureText.split('\n').filter((line) => line.trim() !== '');

type StoredRow = {
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: string;
  recorded_at: string;
};

describe('legacy import of the fixture', () => {
  it('gives exactly the expected balances, transaction counts and versions', () => {
    const { ledger } = newLedger();
    const summary = ok(ledger.importLegacy(fixtureText, 'EUR'));
    expect(summary).toEqual({ events: expected.events, accounts: expected.accounts.length });
    const views = ledger.listAccounts();
    expect(
      views.map((view) => ({
        ID: view.id,
        Owner: view.owner,
        BalanceCents: view.balanceMinor,
        TransactionCount: view.transactionCount,
        Version: view.version,
      })),
    ).toEqual(expected.accounts);
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
    const rows = readLedgerFile(ledger.path, (db) => db.prepare('SELECT * FROM events ORDER BY position').all()) as StoredRow[];
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
    expect(rows[0]).toMatchObject({
      type: 'AccountCreated',
      schema_version: 1,
      data: '{"initial_deposit":723.05,"owner":"Émilie du Châtelet"}',
    });

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
      '{"id":"v1","aggregate_id":"v","aggregate_type":"BankAccount","event_type":"AccountCreated","version":1,"data":{ "owner": "Vera {\\"x\\": \\"}\\"}",  "initial_deposit": 100.50 },"timestamp":"2020-01-01T00:00:00Z"}',
      '{"id":"v2","aggregate_id":"v","aggregate_type":"BankAccount","event_type":"MoneyDeposited","version":2,"data":{"amount":1.10},"timestamp":"2020-01-01T00:00:01Z"}',
    ];
    const { ledger } = newLedger();
    ok(ledger.importLegacy(lines.join('\n'), 'EUR'));
    const stored = readLedgerFile(ledger.path, (db) => db.prepare('SELECT data FROM events ORDER BY position').pluck().all()) as string[];
    expect(stored).toEqual(['{ "owner": "Vera {\\"x\\": \\"}\\"}",  "initial_deposit": 100.50 }', '{"amount":1.10}']);
    expect(ok(ledger.getAccount('v'))).toMatchObject({ owner: 'Vera {"x": "}"}', balanceMinor: 10_160 });
    expect(ledger.verify()).toMatchObject({ ok: true, events: 2 });
  });

  it('a repeated "data" key is read as JSON reads it (the last one), and stored as that text', () => {
    const line =
      '{"id":"d1","aggregate_id":"d","aggregate_type":"BankAccount","event_type":"AccountCreated","version":1,"data":{"owner":"Dee","initial_deposit":1},"timestamp":"2020-01-01T00:00:00Z","data":{"owner":"Dee","initial_deposit":1000}}';
    const { ledger } = newLedger();
    ok(ledger.importLegacy(line, 'EUR'));
    expect(readLedgerFile(ledger.path, (db) => db.prepare('SELECT data FROM events').pluck().get())).toBe(
      '{"owner":"Dee","initial_deposit":1000}',
    );
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
    expect(ledger.logHead().position).toBe(0);
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
    expect(ledger.logHead().position).toBe(0);
    expect(ledger.listAccounts()).toEqual([]);
  });

  it('an exponent float, a negative amount, a string amount and NaN-like values are refused', () => {
    for (const amount of ['1e-7', '-5', '"5.00"', '1e21', 'null']) {
      const lines = [...fixtureLines];
      lines[9] = lines[9]!.replace(/"amount":[0-9.]+/, `"amount":${amount}`);
      const { ledger } = newLedger();
      expect(failure(ledger.importLegacy(lines.join('\n'), 'EUR'), 'VALIDATION').message, amount).toMatch(/^Line 10: /);
      expect(ledger.logHead().position).toBe(0);
    }
  });

  it('importing into a ledger that already has the accounts is refused', () => {
    const { ledger } = newLedger();
    ok(ledger.importLegacy(fixtureText, 'EUR'));
    const views = ledger.listAccounts();
    const again = failure(ledger.importLegacy(fixtureText, 'EUR'), 'VALIDATION');
    expect(again.message).toMatch(/acc-000 already exists/);
    expect(ledger.logHead().position).toBe(expected.events);
    expect(ledger.listAccounts()).toEqual(views);
  });

  it('an account opened by a command blocks the import of the same id', () => {
    const { ledger } = newLedger();
    ok(handlersFor(ledger).openAccount({ account: 'acc-003', owner: 'Someone', currency: 'EUR' }));
    const error = ledger.importLegacy(fixtureText, 'EUR');
    expect(error.ok).toBe(false);
    if (!error.ok) expect(error.error.message).toMatch(/acc-003/);
    expect(ledger.logHead().position).toBe(1);
  });

  it('structural problems are refused by line: gaps, overdrafts, unknown types, bad JSON, unknown currency', () => {
    const created =
      '{"id":"e1","aggregate_id":"x","aggregate_type":"BankAccount","event_type":"AccountCreated","version":1,"data":{"initial_deposit":10,"owner":"X"},"timestamp":"2020-01-01T00:00:00Z"}';
    const line = (id: string, type: string, version: number, data: string) =>
      `{"id":"${id}","aggregate_id":"x","aggregate_type":"BankAccount","event_type":"${type}","version":${version},"data":${data},"timestamp":"2020-01-01T00:00:01Z"}`;
    const cases: Array<[string, string, RegExp]> = [
      [[created, line('e2', 'MoneyDeposited', 3, '{"amount":1}')].join('\n'), 'EUR', /^Line 2: .*version 3/],
      [
        [created, line('e2', 'MoneyWithdrawn', 2, '{"amount":10.01}')].join('\n'),
        'EUR',
        /^Line 2: Insufficient funds: balance 10\.00 EUR, withdrawal 10\.01 EUR; nothing was imported$/,
      ],
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
      expect(ledger.logHead().position).toBe(0);
    }
  });
});

/** A legacy line as the Go writer made it, with any field replaced. */
function hostileLine(fields: Record<string, unknown> = {}, dataText?: string): string {
  const line = JSON.stringify({
    id: 'h-3',
    aggregate_id: 'h',
    aggregate_type: 'BankAccount',
    event_type: 'MoneyDeposited',
    version: 3,
    data: { amount: 1.5 },
    timestamp: '2024-03-01T12:00:00Z',
    ...fields,
  });
  return dataText === undefined ? line : line.replace(/"data":\{[^}]*\}/, `"data":${dataText}`);
}

/** Two good lines, the hostile one as line 3, and a good one after it. */
function fileWith(third: string): string {
  return [
    hostileLine({ id: 'h-1', event_type: 'AccountCreated', version: 1, data: { initial_deposit: 10, owner: 'Hedy Lamarr' } }),
    hostileLine({ id: 'h-2', version: 2 }),
    third,
    hostileLine({ id: 'h-4', aggregate_id: 'k', event_type: 'AccountCreated', version: 1, data: { initial_deposit: 1, owner: 'Kay' } }),
  ].join('\n');
}

const created = (owner: unknown) =>
  hostileLine({ aggregate_id: 'n', event_type: 'AccountCreated', version: 1, data: { initial_deposit: 1, owner } });

describe('legacy import holds every line to the command rules (issue 16, item 6)', () => {
  const refusals: Array<[label: string, line: string, message: RegExp]> = [
    ['a bidi override in the owner', created('Eve\u202Egnp.exe'), /The field "owner" must not contain control characters/],
    ['an isolate in the owner', created('A\u2066b\u2069'), /The field "owner" must not contain control characters/],
    ['NUL in the owner', created('A\u0000b'), /The field "owner" must not contain control characters/],
    ['ESC in the owner', created('\u001B[31mred'), /The field "owner" must not contain control characters/],
    ['BEL in the owner', created('ring\u0007'), /The field "owner" must not contain control characters/],
    ['a line break in the owner', created('two\nlines'), /The field "owner" must not contain control characters/],
    ['an RLM mark in the owner', created('Bob\u200F'), /The field "owner" must not contain control characters, text-direction marks/],
    ['a 100,000-character owner', created('x'.repeat(100_000)), /The field "owner" must be at most 200 characters/],
    ['a 201-character owner', created('é'.repeat(201)), /The field "owner" must be at most 200 characters/],
    ['an owner that shows nothing', created('\u3164\u200B'), /The field "owner" must contain at least one visible character/],
    ['an empty owner', created(''), /The field "owner" must not be empty/],
    ['an owner of spaces', created('   '), /The field "owner" must not be empty/],
    ['an owner with spaces around it', created(' Ada '), /The owner has spaces around it/],
    ['a number as owner', created(42), /The field "owner" must be text/],
    [
      'no owner',
      hostileLine({ aggregate_id: 'n', event_type: 'AccountCreated', version: 1, data: { initial_deposit: 1 } }),
      /The field "owner" is required/,
    ],
    [
      'an extra payload field with a control character',
      hostileLine({}, '{"amount":1.5,"note":"\\u0007\\u001b[2J"}'),
      /MoneyDeposited data has a field the legacy format does not have: "note"/,
    ],
    ['an extra payload field of plain text', hostileLine({}, '{"amount":1.5,"memo":"rent"}'), /does not have: "memo"/],
    [
      'an extra field on an opening',
      created('Ada').replace('"owner":"Ada"', '"owner":"Ada","currency":"USD"'),
      /AccountCreated data has a field the legacy format does not have: "currency"/,
    ],
    [
      'a repeated payload field hiding a control character',
      hostileLine({}, '{"amount":"\\u0000","amount":1.5}'),
      /MoneyDeposited data repeats the field "amount"/,
    ],
    [
      'a repeated owner hiding an override',
      created('Ada').replace('"owner":"Ada"', '"owner":"\\u202Eevil","owner":"Ada"'),
      /repeats the field "owner"/,
    ],
    ['a deposit of zero', hostileLine({ data: { amount: 0 } }), /The amount must be greater than zero/],
    [
      'month 13',
      hostileLine({ timestamp: '2024-13-01T00:00:00Z' }),
      /the timestamp "2024-13-01T00:00:00Z" names a date that does not exist/,
    ],
    ['month 0', hostileLine({ timestamp: '2024-00-10T00:00:00Z' }), /names a date that does not exist/],
    ['30 February', hostileLine({ timestamp: '2024-02-30T00:00:00Z' }), /names a date that does not exist/],
    ['29 February of a common year', hostileLine({ timestamp: '2023-02-29T00:00:00Z' }), /names a date that does not exist/],
    ['29 February 1900', hostileLine({ timestamp: '1900-02-29T00:00:00Z' }), /names a date that does not exist/],
    ['31 April', hostileLine({ timestamp: '2024-04-31T00:00:00Z' }), /names a date that does not exist/],
    ['day 0', hostileLine({ timestamp: '2024-04-00T00:00:00Z' }), /names a date that does not exist/],
    ['hour 24', hostileLine({ timestamp: '2024-01-01T24:00:00Z' }), /names a time of day that does not exist/],
    ['minute 60', hostileLine({ timestamp: '2024-01-01T00:60:00Z' }), /names a time of day that does not exist/],
    ['a leap second', hostileLine({ timestamp: '2016-12-31T23:59:60Z' }), /names a time of day that does not exist/],
    ['offset +99:99', hostileLine({ timestamp: '2024-01-01T00:00:00+99:99' }), /has an offset beyond ±14:00/],
    ['offset +14:01', hostileLine({ timestamp: '2024-01-01T00:00:00+14:01' }), /has an offset beyond ±14:00/],
    ['offset -15:00', hostileLine({ timestamp: '2024-01-01T00:00:00-15:00' }), /has an offset beyond ±14:00/],
    ['offset minutes 60', hostileLine({ timestamp: '2024-01-01T00:00:00+05:60' }), /has an offset beyond ±14:00/],
    ['no offset', hostileLine({ timestamp: '2024-01-01T00:00:00' }), /is not an RFC 3339 time/],
    ['a lower-case t and z', hostileLine({ timestamp: '2024-01-01t00:00:00z' }), /is not an RFC 3339 time/],
    ['a space for the T', hostileLine({ timestamp: '2024-01-01 00:00:00Z' }), /is not an RFC 3339 time/],
    ['ten fractional digits', hostileLine({ timestamp: '2024-01-01T00:00:00.0123456789Z' }), /is not an RFC 3339 time/],
    ['a five-digit year', hostileLine({ timestamp: '+02024-01-01T00:00:00Z' }), /is not an RFC 3339 time/],
    ['a date alone', hostileLine({ timestamp: '2024-01-01' }), /is not an RFC 3339 time/],
    ['a megabyte of timestamp', hostileLine({ timestamp: '2'.repeat(1_000_000) }), /field "timestamp" is not an RFC 3339 timestamp/],
    ['a number for a timestamp', hostileLine({ timestamp: 1_700_000_000 }), /field "timestamp"/],
  ];

  it.each(refusals)('refuses the whole file for %s, naming line 3, writing nothing', (_label, line, message) => {
    const { ledger } = newLedger();
    const error = failure(ledger.importLegacy(fileWith(line), 'EUR'), 'VALIDATION');
    expect(error.message).toMatch(/^Line 3: /);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/; nothing was imported$/);
    expect(error.message.length).toBeLessThan(400);
    expect(ledger.logHead().position).toBe(0);
    expect(ledger.listAccounts()).toEqual([]);
  });

  it('the same file without the hostile line imports (the cases above fail for their line alone)', () => {
    const { ledger } = newLedger();
    expect(ok(ledger.importLegacy(fileWith(hostileLine()), 'EUR'))).toEqual({ events: 4, accounts: 2 });
  });

  it('accepts real moments at the edges (leap day, ±14:00, -00:00, nine fractional digits, an opening of zero) and every view reads them', () => {
    const { ledger, api } = newLedger();
    const lines = [
      hostileLine({
        id: 'e-1',
        aggregate_id: 'edge',
        event_type: 'AccountCreated',
        version: 1,
        data: { initial_deposit: 0, owner: 'Edge Case' },
        timestamp: '2024-02-29T23:59:59.999999999+14:00',
      }),
      hostileLine({ id: 'e-2', aggregate_id: 'edge', version: 2, timestamp: '2024-02-29T00:00:00-14:00' }),
      hostileLine({ id: 'e-3', aggregate_id: 'edge', version: 3, timestamp: '2000-02-29T12:00:00-00:00' }),
      hostileLine({
        id: 'e-4',
        aggregate_id: 'edge',
        event_type: 'MoneyWithdrawn',
        version: 4,
        data: { amount: 0.5 },
        timestamp: '2024-12-31T23:59:59.5Z',
      }),
    ];
    expect(ok(ledger.importLegacy(lines.join('\n'), 'EUR'))).toEqual({ events: 4, accounts: 1 });
    const series = ok(api.balanceSeries({ account: 'edge' }));
    expect(series.points.map((point) => point.at)).toEqual([
      '2024-02-29T09:59:59.999Z',
      '2024-02-29T14:00:00.000Z',
      '2000-02-29T12:00:00.000Z',
      '2024-12-31T23:59:59.500Z',
    ]);
    expect(ok(api.balancesAsOf({ at: '2025-01-01' })).balances).toEqual([expect.objectContaining({ account: 'edge', balanceMinor: 250 })]);
  });

  it('the CLI answers a hostile legacy file with a typed error naming the line, exit 1, and an empty ledger', async () => {
    const folder = tempFolder();
    const file = join(folder, 'hostile.jsonl');
    writeFileSync(file, fileWith(created('Eve\u202Egnp.exe')));
    const db = join(folder, 'ledger.db');
    const run = await runCli(['--db', db, 'import', '--legacy', '--currency', 'EUR', '--file', file]);
    expect(run.code).toBe(1);
    expect(run.lines[0]).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', message: expect.stringMatching(/^Line 3: The field "owner" must not contain/) },
    });
    const listed = await runCli(['--db', db, 'accounts']);
    expect(listed.lines[0]).toEqual([]);
  });
});
