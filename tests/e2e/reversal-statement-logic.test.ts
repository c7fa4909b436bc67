/**
 * The pure rules behind the reversal and statement screens, without a browser: which entries
 * offer "Reverse…", the reason check against the engine's reverseSchema, finding a position's
 * history row by binary search over pages, the statement period presets and checks, the
 * exact statement totals, and where Account → Statement… leads.
 */
import { describe, expect, it } from 'vitest';
import { reverseSchema } from '#shared/commands';
import { EVENT_TYPES } from '#shared/events';
import { statementRequestSchema, type Statement } from '#shared/statement';
import { findVersion, type PagedEntry } from '../../renderer/src/lib/find-version';
import { canReverse, checkReason, reasonToSend } from '../../renderer/src/lib/reversal';
import { hrefFor, parseRoute, routeForScreen, type Route } from '../../renderer/src/lib/routes';
import { checkPeriod, presetOf, presetPeriod } from '../../renderer/src/lib/statement-period';
import { decimalToMinor, statementTotals } from '../../renderer/src/lib/statement-totals';

describe('Reverse… is offered', () => {
  const open = { readOnly: false, accountOpen: true };

  it('on money movements not reversed yet, never on an opening, a closing or a reversal', () => {
    const offered = EVENT_TYPES.filter((type) => canReverse({ type }, open));
    expect(offered.sort()).toEqual(['MoneyDeposited', 'MoneyWithdrawn', 'TransferReceived', 'TransferSent']);
  });

  it('not on an entry already reversed, nor in a read-only ledger, nor on a closed account', () => {
    expect(canReverse({ type: 'MoneyDeposited', reversedBy: 9 }, open)).toBe(false);
    expect(canReverse({ type: 'MoneyDeposited' }, { readOnly: true, accountOpen: true })).toBe(false);
    expect(canReverse({ type: 'MoneyDeposited' }, { readOnly: false, accountOpen: false })).toBe(false);
  });
});

describe('the reason', () => {
  const reasons = [
    '',
    '   ',
    '\u200b\u200b',
    'Typo',
    '  Wrong account  ',
    'x'.repeat(500),
    'x'.repeat(501),
    'a\u202Eb',
    'line\nbreak',
    '李白',
  ];

  it('is refused when empty, too long or unsafe, with a sentence', () => {
    expect(checkReason('')).toBe('Enter the reason for this reversal.');
    expect(checkReason('\u200b')).toBe('Enter the reason for this reversal.');
    expect(checkReason('x'.repeat(501))).toBe('Use at most 500 characters.');
    expect(checkReason('a\u202Eb')).toMatch(/text-direction/);
    expect(checkReason('Booked twice')).toBeUndefined();
  });

  it('is never accepted by the form when the engine would refuse it', () => {
    for (const reason of reasons) {
      if (checkReason(reason) !== undefined) continue;
      expect(reverseSchema.safeParse({ position: 1, reason: reasonToSend(reason) }).success, JSON.stringify(reason)).toBe(true);
    }
  });
});

describe('finding the history row of a position', () => {
  /** An account's history: versions 1..count at growing (not contiguous) positions, pages of `size`. */
  function history(count: number, size: number) {
    const entries: PagedEntry[] = Array.from({ length: count }, (_, index) => ({ version: index + 1, position: 3 * index + 2 }));
    const asked: number[] = [];
    const page = async (index: number) => {
      asked.push(index);
      return entries.slice(index * size, (index + 1) * size);
    };
    return { entries, asked, page, pages: Math.ceil(count / size) };
  }

  it('finds every position, in at most log2(pages) + 1 page reads', async () => {
    const { entries, asked, page, pages } = history(1_000, 25);
    for (const entry of entries) {
      asked.length = 0;
      expect(await findVersion(entry.position, pages, page)).toBe(entry.version);
      expect(asked.length).toBeLessThanOrEqual(Math.ceil(Math.log2(pages)) + 1);
    }
  });

  it('answers undefined for a position on another account, before the first or after the last', async () => {
    const { page, pages } = history(100, 25);
    for (const position of [1, 3, 4, 1_000]) expect(await findVersion(position, pages, page)).toBeUndefined();
    expect(await findVersion(2, pages, async () => undefined)).toBeUndefined();
  });
});

describe('statement period', () => {
  const at = (iso: string) => new Date(iso);

  it('presets: this month and this year end today; last month across a year end and in a leap year', () => {
    expect(presetPeriod('this-month', at('2026-12-02T10:00:00Z'))).toEqual({ from: '2026-12-01', to: '2026-12-02' });
    expect(presetPeriod('last-month', at('2026-12-02T10:00:00Z'))).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    expect(presetPeriod('last-month', at('2027-01-15T00:00:00Z'))).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(presetPeriod('last-month', at('2028-03-31T23:59:59Z'))).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(presetPeriod('this-year', at('2026-12-02T10:00:00Z'))).toEqual({ from: '2026-01-01', to: '2026-12-02' });
    expect(presetPeriod('all-time', at('2026-12-02T10:00:00Z'))).toEqual({ from: '', to: '' });
    expect(presetOf({ from: '2026-11-01', to: '2026-11-30' }, at('2026-12-02T10:00:00Z'))).toBe('last-month');
    expect(presetOf({ from: '2026-11-02', to: '2026-11-30' }, at('2026-12-02T10:00:00Z'))).toBeUndefined();
  });

  it('sends only periods the engine accepts, and says what is wrong with the others', () => {
    const forms = [
      { from: '', to: '' },
      { from: '2026-12-01', to: '' },
      { from: '2026-12-01', to: '2026-12-01' },
      { from: '2026-12-02', to: '2026-12-01' },
      { from: '2026-02-30', to: '' },
      { from: '', to: 'soon' },
    ];
    for (const form of forms) {
      const checked = checkPeriod(form);
      const engine = statementRequestSchema.safeParse({ account: 'ACC-1', ...(checked.ok ? checked.request : form) });
      if (checked.ok) expect(engine.success, JSON.stringify(form)).toBe(true);
    }
    expect(checkPeriod({ from: '2026-12-02', to: '2026-12-01' })).toEqual({
      ok: false,
      errors: { to: 'The end date is before the start date.' },
    });
    expect(checkPeriod({ from: '2026-02-30', to: '' })).toEqual({ ok: false, errors: { from: 'Pick a date.' } });
    expect(checkPeriod({ from: '', to: '' })).toEqual({ ok: true, request: {} });
  });
});

describe('statement totals', () => {
  const statement = (lines: Array<[string, string]>, opening: string, closing: string, currency = 'EUR'): Statement => ({
    account: 'ACC-1',
    owner: 'Ada',
    currency,
    from: '2026-12-01',
    to: '2026-12-31',
    openingBalance: opening,
    closingBalance: closing,
    lines: lines.map(([amount, balance], index) => ({
      position: index + 1,
      recordedAt: '2026-12-01T00:00:00.000Z',
      type: 'MoneyDeposited',
      amount,
      balance,
      memo: null,
    })),
  });

  it('sums credits and debits exactly, beyond 2^53 minor units', () => {
    expect(decimalToMinor('-12.3', 'EUR')).toBe(-1230n);
    expect(decimalToMinor('7', 'JPY')).toBe(7n);
    expect(decimalToMinor('0.005', 'KWD')).toBe(5n);
    const big = '90071992547409.93';
    const totals = statementTotals(
      statement(
        [
          [big, big],
          [big, '180143985094819.86'],
          ['-0.01', '180143985094819.85'],
        ],
        '0.00',
        '180143985094819.85',
      ),
    );
    expect(totals.credits).toBe(18014398509481986n);
    expect(totals.debits).toBe(-1n);
    expect([totals.creditCount, totals.debitCount]).toEqual([2, 1]);
    expect(totals.balances).toBe(true);
  });

  it('says when the lines do not add up to the closing balance', () => {
    expect(statementTotals(statement([['10.00', '10.00']], '0.00', '10.01')).balances).toBe(false);
    expect(statementTotals(statement([], '5.00', '5.00')).balances).toBe(true);
  });
});

describe('Account → Statement… and the statement routes', () => {
  it('opens the statement of the account on screen, or asks which when none is', () => {
    expect(routeForScreen('statement', { screen: 'account', account: 'ACC-7' })).toEqual({ screen: 'statement', account: 'ACC-7' });
    expect(routeForScreen('statement', { screen: 'statement', account: 'ACC-7' })).toEqual({ screen: 'statement', account: 'ACC-7' });
    expect(routeForScreen('statement', { screen: 'audit' })).toEqual({ screen: 'statement' });
    expect(routeForScreen('statement', { screen: 'accounts' })).toEqual({ screen: 'statement' });
    expect(routeForScreen('audit', { screen: 'account', account: 'ACC-7' })).toEqual({ screen: 'audit' });
  });

  it('reads back every route it writes', () => {
    const routes: Route[] = [
      { screen: 'accounts' },
      { screen: 'audit' },
      { screen: 'account', account: 'a.b_c-1' },
      { screen: 'statement' },
      { screen: 'statement', account: 'ACC/1 ü' },
    ];
    for (const route of routes) expect(parseRoute(hrefFor(route))).toEqual(route);
    expect(parseRoute('#/statement/%E0%A4%A')).toEqual({ screen: 'statement' });
  });
});
