/**
 * The audit screen's pure logic, without a browser: the filter form always becomes a filter the
 * engine's schema accepts (a half-typed field is left out with a sentence, never sent), stored
 * forms are read back defensively, and the virtual list's arithmetic reaches both ends of a
 * million rows although the scrollable height is capped.
 */
import { describe, expect, it } from 'vitest';
import { auditFilterSchema } from '#shared/audit';
import { EVENT_TYPES } from '#shared/events';
import type { AuditRow } from '#shared/audit';
import {
  compareAmounts,
  conditionCount,
  emptyFilterForm,
  invalidFiltersSentence,
  localDayBound,
  parseStoredForm,
  resolveAccountField,
  toAuditFilter,
  type FilterForm,
} from '../../renderer/src/lib/audit-filter';
import { describeMatch, matchReasons } from '../../renderer/src/lib/audit-match';
import { MAX_SCROLL_HEIGHT, scrollRatio, scrollTopToReveal, spacerHeight, visibleRows } from '../../renderer/src/lib/virtual-scroll';

const form = (patch: Partial<FilterForm>): FilterForm => ({ ...emptyFilterForm(), ...patch });

describe('audit filter form → AuditFilter', () => {
  it('sends nothing for an empty form: every event', () => {
    expect(toAuditFilter(emptyFilterForm())).toEqual({ filter: {}, errors: {} });
  });

  it('produces only filters the engine schema accepts, whatever is typed', () => {
    const texts = [
      '',
      ' ',
      'ACC-1',
      'bad id!',
      '12',
      '12.',
      '.5',
      '1e3',
      '10.005',
      '-1',
      'x'.repeat(201),
      '2026-11-26',
      '2026-02-30',
      'Тьюринг',
    ];
    for (const text of texts) {
      for (const field of ['text', 'account', 'minAmount', 'maxAmount', 'fromDate', 'toDate'] as const) {
        const { filter } = toAuditFilter(form({ [field]: text }));
        expect(auditFilterSchema.safeParse(filter).success, `${field} = ${JSON.stringify(text)}`).toBe(true);
      }
    }
  });

  it('explains a field it cannot use and leaves it out', () => {
    const result = toAuditFilter(form({ account: 'bad id!', minAmount: '12.', maxAmount: '5', text: 'rent' }));
    expect(result.filter).toEqual({ text: 'rent', maxAmount: '5' });
    expect(Object.keys(result.errors).sort()).toEqual(['account', 'minAmount']);
    const crossed = toAuditFilter(form({ minAmount: '10.50', maxAmount: '10.5' }));
    expect(crossed.errors).toEqual({});
    expect(toAuditFilter(form({ minAmount: '10.51', maxAmount: '10.5' })).errors.maxAmount).toBe('The maximum is below the minimum.');
    expect(toAuditFilter(form({ fromDate: '2026-11-27', toDate: '2026-11-26' })).errors.toDate).toBe(
      'The end date is before the start date.',
    );
  });

  it('treats no type and every type alike, and keeps the catalogue order', () => {
    expect(toAuditFilter(form({ types: [...EVENT_TYPES] })).filter).toEqual({});
    expect(toAuditFilter(form({ types: ['AccountClosed', 'MoneyDeposited'] })).filter).toEqual({
      types: ['MoneyDeposited', 'AccountClosed'],
    });
  });

  it('turns local calendar days into the first and last millisecond of that day', () => {
    const start = localDayBound('2026-11-26', 'start')!;
    const end = localDayBound('2026-11-26', 'end')!;
    expect(Date.parse(end) - Date.parse(start)).toBe(86_400_000 - 1);
    expect(new Date(start).getDate()).toBe(26);
    expect(new Date(end).getDate()).toBe(26);
    expect(localDayBound('2026-02-30', 'start')).toBeUndefined();
    expect(localDayBound('26.11.2026', 'start')).toBeUndefined();
  });

  it('compares amounts exactly, beyond float precision', () => {
    expect(compareAmounts('0.1', '0.10')).toBe(0);
    expect(compareAmounts('90071992547409.93', '90071992547409.92')).toBe(1);
    expect(compareAmounts('2', '10')).toBe(-1);
  });

  it('counts conditions, a range counting once', () => {
    expect(conditionCount(toAuditFilter(form({ minAmount: '1', maxAmount: '2', fromDate: '2026-01-01', text: 'a' })).filter)).toBe(3);
  });

  it('reads a stored form back defensively', () => {
    expect(parseStoredForm(null)).toEqual(emptyFilterForm());
    expect(parseStoredForm('not json')).toEqual(emptyFilterForm());
    expect(parseStoredForm(JSON.stringify({ text: 42, account: 'ACC-1', types: ['MoneyDeposited', 'Bogus'] }))).toEqual(
      form({ account: 'ACC-1', types: ['MoneyDeposited'] }),
    );
  });
});

describe('audit account filter, invalid fields and why a row matched', () => {
  const accounts = [
    { id: 'ACC-1', owner: 'Ada Lovelace' },
    { id: 'acc-2', owner: 'ada lovelace' },
    { id: 'Savings.9', owner: 'Grace Hopper' },
  ];

  it('finds an account by id or by owner, ignoring case', () => {
    expect(resolveAccountField('acc-1', accounts)).toEqual({ ids: ['ACC-1'] });
    expect(resolveAccountField('SAVINGS.9', accounts)).toEqual({ ids: ['Savings.9'] });
    expect(resolveAccountField('ADA LOVELACE', accounts)).toEqual({ ids: ['ACC-1', 'acc-2'] });
    expect(resolveAccountField('Nobody', accounts)).toEqual({ error: 'No account has the ID or owner “Nobody”.' });
    // Before the accounts are known, an id goes as typed (the engine answers), anything else is explained.
    expect(resolveAccountField('acc-1', undefined)).toEqual({ ids: ['acc-1'] });
    expect('error' in resolveAccountField('two words', undefined)).toBe(true);
    const many = Array.from({ length: 51 }, (_, index) => ({ id: `a${index}`, owner: 'Busy' }));
    expect('error' in resolveAccountField('busy', many)).toBe(true);
    const result = toAuditFilter(form({ account: 'grace hopper' }), { accounts });
    expect(result).toEqual({ filter: { accounts: ['Savings.9'] }, errors: {} });
    expect(auditFilterSchema.safeParse(toAuditFilter(form({ account: 'ada lovelace' }), { accounts }).filter).success).toBe(true);
  });

  it('reads amount bounds as the locale writes them', () => {
    expect(toAuditFilter(form({ minAmount: '1.000,50', maxAmount: '2.000' }), { locale: 'de-DE' })).toEqual({
      filter: { minAmount: '1000.50' },
      errors: { maxAmount: '“2.000” can be read two ways. Type 2000 for the whole number, or use the decimal comma: 2,000.' },
    });
    expect(toAuditFilter(form({ minAmount: '0,5' }), { locale: 'de-DE' }).filter).toEqual({ minAmount: '0.5' });
    expect(toAuditFilter(form({ minAmount: '1'.repeat(41) })).errors.minAmount).toBe('This amount is too long.');
  });

  it('names every invalid field, so the list can say why it is empty', () => {
    expect(invalidFiltersSentence({})).toBeUndefined();
    expect(invalidFiltersSentence({ maxAmount: 'x' })).toBe('The Max amount filter is not valid');
    expect(invalidFiltersSentence({ minAmount: 'x', account: 'y', toDate: 'z' })).toBe(
      'The Account, To date and Min amount filters are not valid',
    );
    const { errors } = toAuditFilter(form({ account: 'Nobody', minAmount: '12.' }), { accounts });
    expect(invalidFiltersSentence(errors)).toBe('The Account and Min amount filters are not valid');
  });

  it('says which part of a row the search text was found in', () => {
    const owners = new Map([
      ['ACC-1', 'Ada Lovelace'],
      ['acc-2', 'Charles Babbage'],
    ]);
    const ownerOf = (id: string) => owners.get(id);
    const row: AuditRow = {
      position: 7,
      eventId: 'evt-77',
      recordedAt: '2026-01-01T00:00:00.000Z',
      type: 'TransferSent',
      account: 'ACC-1',
      counterparty: 'acc-2',
      currency: 'EUR',
      amount: '-5.00',
      amountMinor: -500,
      balanceAfter: '5.00',
      balanceAfterMinor: 500,
      memo: 'Rent for Ada',
      commandId: 'cmd-9',
      storedSchemaVersion: 2,
    };
    expect(matchReasons(row, 'LOVELACE', ownerOf)).toEqual(['owner']);
    expect(matchReasons(row, 'ada', ownerOf)).toEqual(['owner', 'memo']);
    expect(matchReasons(row, 'babbage', ownerOf)).toEqual(['counterparty’s owner']);
    expect(matchReasons(row, 'acc-', ownerOf)).toEqual(['account ID', 'counterparty ID']);
    expect(matchReasons(row, 'evt-77', ownerOf)).toEqual(['event ID']);
    expect(matchReasons(row, ' cmd-9 ', ownerOf)).toEqual(['command ID']);
    expect(matchReasons(row, '0b7c1e6a-0000-4000-8000-000000000000', ownerOf)).toEqual(['transfer ID']);
    expect(matchReasons(row, '  ', ownerOf)).toEqual([]);
    expect(describeMatch(['owner', 'memo'])).toBe('matched owner, memo');
    expect(describeMatch([])).toBeUndefined();
  });
});

describe('virtual list arithmetic', () => {
  const million = { rows: 1_000_000, rowHeight: 44, viewportHeight: 620 };

  it('is exact (ratio 1) while the list fits under the height cap', () => {
    const geometry = { rows: 100_000, rowHeight: 44, viewportHeight: 620 };
    expect(spacerHeight(geometry)).toBe(4_400_000);
    expect(scrollRatio(geometry)).toBe(1);
    expect(visibleRows(geometry, 44 * 500, 8)).toEqual({ first: 492, last: 523, shift: 0 });
  });

  it('caps the spacer for a million rows and still reaches the first and the last row', () => {
    expect(spacerHeight(million)).toBe(MAX_SCROLL_HEIGHT);
    const top = visibleRows(million, 0, 8);
    expect(top.first).toBe(0);
    const bottom = visibleRows(million, MAX_SCROLL_HEIGHT - million.viewportHeight, 8);
    expect(bottom.last).toBe(million.rows - 1);
    // The last row's bottom sits exactly at the viewport's bottom edge.
    const scrollTop = MAX_SCROLL_HEIGHT - million.viewportHeight;
    const lastTop = (million.rows - 1) * million.rowHeight - bottom.shift;
    expect(lastTop + million.rowHeight - scrollTop).toBeCloseTo(million.viewportHeight, 3);
  });

  it('never renders more than the viewport and the overscan', () => {
    for (const scrollTop of [0, 1, 12_345, 5_000_000, MAX_SCROLL_HEIGHT - 620]) {
      const { first, last } = visibleRows(million, scrollTop, 8);
      expect(last - first + 1).toBeLessThanOrEqual(Math.ceil(620 / 44) + 1 + 16 + 1);
    }
  });

  it('scrolls just enough to reveal a row', () => {
    const geometry = { rows: 1_000, rowHeight: 44, viewportHeight: 440 };
    expect(scrollTopToReveal(geometry, 0, 5)).toBeUndefined();
    expect(scrollTopToReveal(geometry, 0, 10)).toBe(44);
    expect(scrollTopToReveal(geometry, 4_400, 3)).toBe(132);
    const revealed = scrollTopToReveal(million, 0, 700_000)!;
    const view = visibleRows(million, revealed, 0);
    expect(view.first).toBeLessThanOrEqual(700_000);
    expect(view.last).toBeGreaterThanOrEqual(700_000);
  });
});
