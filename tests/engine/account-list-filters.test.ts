/**
 * accountsPage's filters (what the Account and Audit screens ask instead of the whole list):
 * currency and status narrow the rows, ids picks the rows of a screen's owners, exact takes a
 * whole id or owner in any case; they combine with search and sort, leave the totals over every
 * account, follow changes, and bad values get typed errors.
 */
import { describe, expect, it } from 'vitest';
import type { AccountPage } from '#shared/views';
import type { HandlerTable } from '#engine/handlers';
import { failure, newLedger, ok } from './helpers';

function seed(api: HandlerTable): void {
  ok(api.openAccount({ account: 'EUR-1', owner: 'Alice Martin', currency: 'EUR', initial: '10.00' }));
  ok(api.openAccount({ account: 'EUR-2', owner: 'alice martin', currency: 'EUR' }));
  ok(api.openAccount({ account: 'EUR-3', owner: 'Alice Martinez', currency: 'EUR' }));
  ok(api.openAccount({ account: 'EUR-4', owner: 'Bob Stone', currency: 'EUR' }));
  ok(api.openAccount({ account: 'USD-1', owner: 'Alice Martin', currency: 'USD', initial: '3.00' }));
  ok(api.openAccount({ account: 'bob', owner: 'Carol', currency: 'JPY' }));
  ok(api.closeAccount({ account: 'EUR-4' }));
}

const ids = (page: AccountPage) => page.rows.map((row) => row.id);

describe('accountsPage filters', () => {
  it('narrows to a currency and a status, combined with search, and keeps the totals over every account', () => {
    const { api } = newLedger();
    seed(api);
    const everything = ok(api.accountsPage({}));
    const euros = ok(api.accountsPage({ currency: 'EUR', sort: { column: 'id', direction: 'ascending' } }));
    expect(ids(euros)).toEqual(['EUR-1', 'EUR-2', 'EUR-3', 'EUR-4']);
    expect(euros.matches).toBe(4);
    expect(euros.totals).toEqual(everything.totals);
    expect(euros.accounts).toBe(6);

    const openEuros = ok(api.accountsPage({ currency: 'EUR', status: 'open', sort: { column: 'id', direction: 'ascending' } }));
    expect(ids(openEuros)).toEqual(['EUR-1', 'EUR-2', 'EUR-3']);
    expect(ids(ok(api.accountsPage({ status: 'closed' })))).toEqual(['EUR-4']);
    expect(ids(ok(api.accountsPage({ currency: 'EUR', status: 'open', search: 'MARTINEZ' })))).toEqual(['EUR-3']);
    expect(ok(api.accountsPage({ currency: 'GBP' }))).toMatchObject({ rows: [], matches: 0 });
  });

  it('takes a whole id or owner in any case when exact, not a part of one', () => {
    const { api } = newLedger();
    seed(api);
    const sort = { column: 'id', direction: 'ascending' } as const;
    expect(ids(ok(api.accountsPage({ search: ' ALICE MARTIN ', exact: true, sort })))).toEqual(['EUR-1', 'EUR-2', 'USD-1']);
    expect(ids(ok(api.accountsPage({ search: 'alice martin', sort })))).toEqual(['EUR-1', 'EUR-2', 'EUR-3', 'USD-1']);
    expect(ids(ok(api.accountsPage({ search: 'eur-1', exact: true })))).toEqual(['EUR-1']);
    // An id and an owner are both whole fields: "bob" is an id, "Bob Stone" an owner.
    expect(ids(ok(api.accountsPage({ search: 'BOB', exact: true })))).toEqual(['bob']);
    expect(ids(ok(api.accountsPage({ search: 'alice', exact: true })))).toEqual([]);
    expect(ok(api.accountsPage({ search: '', exact: true })).matches).toBe(0);
  });

  it('answers only the ids asked for that exist, each once, in the requested order', () => {
    const { api } = newLedger();
    seed(api);
    const page = ok(
      api.accountsPage({ ids: ['USD-1', 'nobody', 'EUR-4', 'EUR-1', 'USD-1'], sort: { column: 'id', direction: 'descending' } }),
    );
    expect(ids(page)).toEqual(['USD-1', 'EUR-4', 'EUR-1']);
    expect(page.rows.map((row) => row.owner)).toEqual(['Alice Martin', 'Bob Stone', 'Alice Martin']);
    expect(ids(ok(api.accountsPage({ ids: ['EUR-1', 'EUR-4', 'USD-1'], status: 'open', currency: 'EUR' })))).toEqual(['EUR-1']);
    expect(ok(api.accountsPage({ ids: [] })).matches).toBe(0);
  });

  it('follows changes: a newly opened and a newly closed account move in and out of the filtered rows', () => {
    const { api } = newLedger();
    seed(api);
    const openEuros = () => ids(ok(api.accountsPage({ currency: 'EUR', status: 'open', sort: { column: 'id', direction: 'ascending' } })));
    expect(openEuros()).toEqual(['EUR-1', 'EUR-2', 'EUR-3']);
    ok(api.openAccount({ account: 'EUR-5', owner: 'Dan', currency: 'EUR' }));
    ok(api.closeAccount({ account: 'EUR-2' }));
    expect(openEuros()).toEqual(['EUR-1', 'EUR-3', 'EUR-5']);
  });

  it('refuses filters that are not valid with a typed error', () => {
    const { api } = newLedger();
    for (const request of [
      { currency: 'euro' },
      { currency: 'XYZ' },
      { status: 'frozen' },
      { exact: 'yes' },
      { ids: 'EUR-1' },
      { ids: ['not an id!'] },
      { ids: Array.from({ length: 501 }, (_, index) => `A-${index}`) },
    ]) {
      const error = failure(api.accountsPage(request as never), 'VALIDATION');
      expect(error.message, JSON.stringify(request).slice(0, 80)).toMatch(/\w/);
    }
  });
});
