/**
 * The accounts list a page at a time (accountsPage): every sort order is total and right,
 * pages tile the list exactly, search finds ids and owners whatever their case, totals are
 * exact over every account (past 2^53), the rows kept sorted as accounts change equal a fresh
 * projection's, bad requests get typed errors, and a broken chain marks what it touches.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnyCommand } from '#shared/commands';
import { ACCOUNT_SORT_COLUMNS, type AccountPage, type AccountSort, type AccountView } from '#shared/views';
import type { HandlerTable } from '#engine/handlers';
import { failure, handlersFor, newLedger, ok, openLedger, tamper } from './helpers';

const DIRECTIONS = ['ascending', 'descending'] as const;
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The test's own statement of each order (ascending), written from the column's meaning. */
const REFERENCE: Record<AccountSort['column'], (a: AccountView, b: AccountView) => number> = {
  owner: (a, b) => collator.compare(a.owner, b.owner) || byCode(a.id, b.id),
  id: (a, b) => collator.compare(a.id, b.id) || byCode(a.id, b.id),
  currency: (a, b) => byCode(a.currency, b.currency) || collator.compare(a.owner, b.owner) || byCode(a.id, b.id),
  balance: (a, b) => byCode(a.currency, b.currency) || a.balanceMinor - b.balanceMinor || byCode(a.id, b.id),
  transactions: (a, b) => a.transactionCount - b.transactionCount || byCode(a.id, b.id),
  lastActivity: (a, b) => byCode(a.lastTransactionAt, b.lastTransactionAt) || byCode(a.id, b.id),
  status: (a, b) => (a.status === b.status ? 0 : a.status === 'open' ? -1 : 1) || collator.compare(a.owner, b.owner) || byCode(a.id, b.id),
};

/** Every row, read page by page. */
function readAll(api: HandlerTable, sort: AccountSort, search?: string, limit = 7): AccountPage['rows'] {
  const rows: AccountPage['rows'] = [];
  for (let offset = 0; ; offset += limit) {
    const page = ok(api.accountsPage({ offset, limit, sort, ...(search === undefined ? {} : { search }) }));
    expect(page.offset).toBe(offset);
    rows.push(...page.rows);
    if (offset + limit >= page.matches) return rows;
  }
}

function views(rows: AccountPage['rows']): AccountView[] {
  return rows.map(({ unverified: _unverified, ...view }) => view);
}

const OWNERS = ['Zoë Åberg', 'alice Martin', 'Alice martin', 'Émile Zola', 'Bob Stone', 'bob stone', 'Ödön', 'ACC 10', 'Yu', 'Ana'];

function seed(api: HandlerTable): void {
  OWNERS.forEach((owner, index) => {
    ok(api.openAccount({ account: `ACC-${index * 3}`, owner, currency: index % 3 === 0 ? 'JPY' : 'EUR', initial: `${(index * 37) % 11}` }));
  });
  ok(api.deposit({ account: 'ACC-3', amount: '4.50' }));
  ok(api.transfer({ from: 'ACC-3', to: 'ACC-6', amount: '1.25' }));
  ok(api.withdraw({ account: 'ACC-24', amount: '1' }));
  ok(api.withdraw({ account: 'ACC-12', amount: '5' }));
  ok(api.closeAccount({ account: 'ACC-12' }));
}

describe('accountsPage', () => {
  it('sorts by every column both ways, and the pages tile the whole list exactly', () => {
    const { ledger, api } = newLedger();
    seed(api);
    const all = ledger.listAccounts();
    for (const column of ACCOUNT_SORT_COLUMNS) {
      const ascending = [...all].sort(REFERENCE[column]);
      for (const direction of DIRECTIONS) {
        const expected = direction === 'ascending' ? ascending : [...ascending].reverse();
        expect(views(readAll(api, { column, direction })), `${column} ${direction}`).toEqual(expected);
      }
    }
  });

  it('defaults to owners A to Z, 100 rows from the top; past the end answers no rows', () => {
    const { api } = newLedger();
    seed(api);
    const page = ok(api.accountsPage({}));
    expect(page.offset).toBe(0);
    // Case and accents weigh less than letters; equal names fall back to the id.
    expect(page.rows.map((row) => row.id)).toEqual([
      'ACC-21',
      'ACC-3',
      'ACC-6',
      'ACC-27',
      'ACC-12',
      'ACC-15',
      'ACC-9',
      'ACC-18',
      'ACC-24',
      'ACC-0',
    ]);
    expect(page).toMatchObject({ matches: 10, accounts: 10, closed: 1, unverifiedFrom: null, lastPosition: 16 });
    expect(ok(api.accountsPage({ offset: 50 })).rows).toEqual([]);
  });

  it('finds accounts by id or owner, whatever the case, and keeps the totals over every account', () => {
    const { api } = newLedger();
    seed(api);
    const everything = ok(api.accountsPage({}));
    const alice = ok(api.accountsPage({ search: '  ALICE ' }));
    expect(alice.rows.map((row) => row.owner).sort()).toEqual(['Alice martin', 'alice Martin']);
    expect(alice.matches).toBe(2);
    expect(alice.totals).toEqual(everything.totals);
    expect(alice.accounts).toBe(10);
    // Part of an id, in any case.
    expect(
      ok(api.accountsPage({ search: 'acc-2' }))
        .rows.map((row) => row.id)
        .sort(),
    ).toEqual(['ACC-21', 'ACC-24', 'ACC-27']);
    // Accents count: "Ödön" is not "Odon" (case is folded, letters are not changed).
    expect(ok(api.accountsPage({ search: 'ödön' })).rows.map((row) => row.id)).toEqual(['ACC-18']);
    // The text an owner and an id could form together matches neither.
    expect(ok(api.accountsPage({ search: 'ACC-0\u0000Zo' })).matches).toBe(0);
    expect(ok(api.accountsPage({ search: 'nobody' }))).toMatchObject({ rows: [], matches: 0, accounts: 10 });
    // A search sorted descending reads the same matches backwards.
    const down = ok(api.accountsPage({ search: 'b', sort: { column: 'owner', direction: 'descending' } }));
    const up = ok(api.accountsPage({ search: 'b', sort: { column: 'owner', direction: 'ascending' } }));
    expect(down.rows).toEqual([...up.rows].reverse());
  });

  it('sums balances per currency exactly in integer minor units, past 2^53, over open accounts only', () => {
    const { api } = newLedger();
    const largest = '90071992547409.91'; // Number.MAX_SAFE_INTEGER cents
    ok(api.openAccount({ account: 'big-1', owner: 'One', currency: 'EUR', initial: largest }));
    ok(api.openAccount({ account: 'big-2', owner: 'Two', currency: 'EUR', initial: largest }));
    ok(api.openAccount({ account: 'small', owner: 'Three', currency: 'EUR', initial: '0.10' }));
    ok(api.openAccount({ account: 'yen', owner: 'Four', currency: 'JPY', initial: '7' }));
    ok(api.openAccount({ account: 'gone', owner: 'Five', currency: 'KWD' }));
    ok(api.closeAccount({ account: 'gone' }));
    const page = ok(api.accountsPage({ limit: 1 }));
    expect(page.rows).toHaveLength(1);
    expect(page.totals).toEqual([
      { currency: 'EUR', total: '180143985094819.92', totalMinor: '18014398509481992', openAccounts: 3, unverified: false },
      { currency: 'JPY', total: '7', totalMinor: '7', openAccounts: 1, unverified: false },
    ]);
    expect(page.closed).toBe(1);
  });

  it('keeps its sorted rows right as accounts open, move and close, one by one or hundreds at once', () => {
    const ACCOUNTS = 40;
    const commandArbitrary = fc.oneof(
      fc.record({ name: fc.constant('deposit' as const), account: fc.nat(ACCOUNTS - 1), cents: fc.integer({ min: 1, max: 50_000 }) }),
      fc.record({ name: fc.constant('withdraw' as const), account: fc.nat(ACCOUNTS - 1), cents: fc.integer({ min: 1, max: 5_000 }) }),
      fc.record({
        name: fc.constant('transfer' as const),
        account: fc.nat(ACCOUNTS - 1),
        to: fc.nat(ACCOUNTS - 1),
        cents: fc.integer({ min: 1, max: 5_000 }),
      }),
      fc.record({ name: fc.constant('open' as const), account: fc.nat(ACCOUNTS * 2), cents: fc.nat(10_000) }),
      fc.record({ name: fc.constant('close' as const), account: fc.nat(ACCOUNTS - 1), cents: fc.constant(0) }),
    );
    const sorts = ACCOUNT_SORT_COLUMNS.flatMap((column) => DIRECTIONS.map((direction) => ({ column, direction })));
    /** The list as the sort states it, computed from scratch by the test. */
    const expectedOrder = (ledger: { listAccounts(): AccountView[] }, sort: AccountSort) => {
      const ascending = ledger.listAccounts().sort(REFERENCE[sort.column]);
      return sort.direction === 'ascending' ? ascending : ascending.reverse();
    };
    fc.assert(
      fc.property(fc.array(fc.array(commandArbitrary, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 }), (rounds) => {
        const { path, ledger, api } = newLedger();
        const openAll = (prefix: string, count: number, initial: (index: number) => string): AnyCommand[] =>
          Array.from({ length: count }, (_, index) => ({
            name: 'open',
            input: {
              account: `${prefix}-${index}`,
              owner: OWNERS[index % OWNERS.length]!,
              currency: index % 2 ? 'EUR' : 'USD',
              initial: initial(index),
            },
          }));
        ledger.executeBatch(openAll('acc', ACCOUNTS, (index) => `${(index * 7919) % 500}.${String(index % 100).padStart(2, '0')}`));
        // Every column's rows are built, then kept sorted from here on.
        for (const sort of sorts) ok(api.accountsPage({ sort, limit: 1 }));
        // More accounts at once than the list moves one by one (see account-list.ts): it re-sorts instead.
        ledger.executeBatch(openAll('bulk', 300, () => '1.00'));
        for (const sort of sorts) ok(api.accountsPage({ sort, limit: 1 }));
        for (const round of rounds) {
          for (const command of round) {
            const account = `acc-${command.account}`;
            const amount = (command.cents / 100).toFixed(2);
            if (command.name === 'open')
              api.openAccount({ account, owner: OWNERS[command.account % OWNERS.length]!, currency: 'EUR', initial: amount });
            else if (command.name === 'close') {
              const balance = ok(api.getAccount({ account })).balance;
              if (balance !== '0.00') api.withdraw({ account, amount: balance });
              api.closeAccount({ account });
            } else if (command.name === 'transfer') api.transfer({ from: account, to: `acc-${command.to}`, amount });
            else api[command.name]({ account, amount });
          }
          for (const sort of sorts)
            expect(views(readAll(api, sort, undefined, 200)), `${sort.column} ${sort.direction}`).toEqual(expectedOrder(ledger, sort));
        }
        const fresh = handlersFor(openLedger(path));
        for (const sort of sorts) {
          for (const search of ['ACC-1', 'bob'])
            expect(readAll(api, sort, search, 150), `${sort.column} ${search}`).toEqual(readAll(fresh, sort, search, 150));
        }
        const [kept, rebuilt] = [ok(api.accountsPage({})), ok(fresh.accountsPage({}))];
        expect(kept.totals).toEqual(rebuilt.totals);
        expect(kept.closed).toBe(rebuilt.closed);
      }),
      { numRuns: 6 },
    );
  });

  it('answers a bad request with a typed VALIDATION error', () => {
    const { api } = newLedger();
    for (const request of [
      { limit: 0 },
      { limit: 501 },
      { offset: -1 },
      { offset: 1.5 },
      { search: 'x'.repeat(201) },
      { search: 42 },
      { sort: { column: 'balanceMinor', direction: 'ascending' } },
      { sort: { column: 'owner', direction: 'up' } },
      { sort: { column: 'owner' } },
      { extra: true },
      { account: 'not an id!' },
      'owner',
    ]) {
      const error = failure(api.accountsPage(request as never), 'VALIDATION');
      expect(error.message, JSON.stringify(request)).toMatch(/\w/);
    }
  });

  it('marks the accounts a broken chain touches, and their currency’s total, as unverified', async () => {
    const { path, api } = newLedger();
    ok(api.openAccount({ account: 'early', owner: 'Early Bird', currency: 'EUR', initial: '5.00' }));
    ok(api.openAccount({ account: 'usd', owner: 'Dollar Account', currency: 'USD', initial: '5.00' }));
    ok(api.openAccount({ account: 'late', owner: 'Late Comer', currency: 'EUR', initial: '1.00' }));
    ok(api.deposit({ account: 'late', amount: '2.00' })); // position 4: the one edited below
    ok(api.deposit({ account: 'late', amount: '1.00' }));
    tamper(path, (db) => db.prepare("UPDATE events SET data = json_set(data, '$.amountMinor', 200000) WHERE position = 4").run());
    const ledger = openLedger(path, { verifyInBackground: true });
    const reopened = handlersFor(ledger);
    expect(await ledger.integrity.verify()).toMatchObject({ state: 'failed', firstBadPosition: 4 });
    const page = ok(reopened.accountsPage({ sort: { column: 'id', direction: 'ascending' } }));
    expect(page.unverifiedFrom).toBe(4);
    expect(page.rows.map((row) => [row.id, row.unverified])).toEqual([
      ['early', false],
      ['late', true],
      ['usd', false],
    ]);
    expect(page.totals.map((total) => [total.currency, total.total, total.unverified])).toEqual([
      ['EUR', '2007.00', true],
      ['USD', '5.00', false],
    ]);
    // One account on its own, as the Account page asks.
    expect(ok(reopened.accountsPage({ account: 'late' })).rows.map((row) => [row.id, row.balance, row.unverified])).toEqual([
      ['late', '2002.00', true],
    ]);
    expect(ok(reopened.accountsPage({ account: 'early' })).rows.map((row) => [row.id, row.unverified])).toEqual([['early', false]]);
    expect(ok(reopened.accountsPage({ account: 'nobody' }))).toMatchObject({ rows: [], matches: 0, accounts: 3 });
  });
});
