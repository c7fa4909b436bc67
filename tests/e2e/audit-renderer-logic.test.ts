/**
 * The audit screen's pure logic, without a browser: the filter form always becomes a filter the
 * engine's schema accepts (a half-typed field is left out with a sentence, never sent), stored
 * forms are read back defensively, and the virtual list's arithmetic reaches both ends of a
 * million rows although the scrollable height is capped.
 */
import { describe, expect, it } from 'vitest';
import { auditFilterSchema } from '../../shared/audit';
import { EVENT_TYPES } from '../../shared/events';
import {
  compareAmounts,
  conditionCount,
  emptyFilterForm,
  localDayBound,
  parseStoredForm,
  toAuditFilter,
  type FilterForm,
} from '../../renderer/src/lib/audit-filter';
import { MAX_SCROLL_HEIGHT, scrollRatio, scrollTopToReveal, spacerHeight, visibleRows } from '../../renderer/src/lib/virtual-scroll';

const form = (patch: Partial<FilterForm>): FilterForm => ({ ...emptyFilterForm(), ...patch });

describe('audit filter form → AuditFilter', () => {
  it('sends nothing for an empty form: every event', () => {
    expect(toAuditFilter(emptyFilterForm())).toEqual({ filter: {}, errors: {} });
  });

  it('produces only filters the engine schema accepts, whatever is typed', () => {
    const texts = ['', ' ', 'ACC-1', 'bad id!', '12', '12.', '.5', '1e3', '10.005', '-1', 'x'.repeat(201), '2026-11-26', '2026-02-30', 'Тьюринг'];
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
    expect(toAuditFilter(form({ fromDate: '2026-11-27', toDate: '2026-11-26' })).errors.toDate).toBe('The end date is before the start date.');
  });

  it('treats no type and every type alike, and keeps the catalogue order', () => {
    expect(toAuditFilter(form({ types: [...EVENT_TYPES] })).filter).toEqual({});
    expect(toAuditFilter(form({ types: ['AccountClosed', 'MoneyDeposited'] })).filter).toEqual({ types: ['MoneyDeposited', 'AccountClosed'] });
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
