/**
 * The audit index's free-text and account filters against brute force on a real ledger file:
 * random memos (unicode, surrogate pairs, one- and two-character memos, repeats and distinct
 * references), queries of one to many characters cut from them or made up, owners and ids;
 * every page newest-first, paged with `before`, and the counts, must be exactly what a scan
 * of `ledger.events()` finds. Then accounts (as their own side and as the other side of
 * transfers and reversals), and a mention away from the account's own events (a "stray").
 */
import { describe, expect, it } from 'vitest';
import type { AuditFilter } from '#shared/audit';
import { counterpartyOf, memoOf, type LedgerEvent, type RecordedEvent } from '#shared/events';
import type { Ledger } from '#engine/ledger';
import { AuditIndex } from '#engine/audit/audit-index';
import { MEMO_MAYBE, MEMO_YES, MemoTextIndex } from '#engine/audit/memo-text-index';
import { newLedger, ok } from './helpers';
import { seededRandom } from '../../bench/workload';

const PIECES = ['a', 'b', 'ab', 'rent', 'Rent', 'é', 'É', 'ß', 'İ', 'Σ', 'ς', '🎉', '中文', 'x', '7', '2026-', 'café', 'ÉTÉ', 'aaa'];
const OWNERS = ['Ada Lovelace', 'Zoë Ärger', 'Σίσυφος', '🎉 Party Ltd', 'Bob'];

type Built = { ledger: Ledger; events: RecordedEvent[]; owners: Map<string, string>; accounts: string[] };

function build(seed: number, commands: number): Built {
  const next = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const { ledger } = newLedger();
  const accounts = Array.from({ length: 9 }, (_, index) => `acct-${index}`);
  const owners = new Map(accounts.map((account, index) => [account, OWNERS[index % OWNERS.length]!]));
  for (const account of accounts) {
    ok(ledger.execute({ name: 'open', input: { account, owner: owners.get(account)!, currency: 'EUR', initial: '1000.00' } }));
  }
  let reference = 0;
  const memo = (): { memo?: string } => {
    const roll = next();
    if (roll < 0.3) return {};
    if (roll < 0.45) return { memo: `invoice 2026-${String(++reference).padStart(5, '0')}` };
    const words = Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(PIECES));
    return { memo: words.join(next() < 0.5 ? ' ' : '') };
  };
  for (let command = 0; command < commands; command++) {
    const roll = next();
    const account = pick(accounts);
    if (roll < 0.4) {
      let to = pick(accounts);
      if (to === account) to = accounts[(accounts.indexOf(account) + 1) % accounts.length]!;
      ok(ledger.execute({ name: 'transfer', input: { from: account, to, amount: '1.00', ...memo() } }));
    } else if (roll < 0.9) {
      ok(ledger.execute({ name: 'deposit', input: { account, amount: '2.00', ...memo() } }));
    } else {
      // Reversals of anything not yet reversed: a transfer's reversal names the other side too.
      const position = 1 + Math.floor(next() * ledger.lastPosition);
      ledger.execute({ name: 'reverse', input: { position, reason: 'correction' } });
    }
  }
  return { ledger, events: ledger.events({ fromPosition: 1, limit: 100_000 }), owners, accounts };
}

/** Every page of the filter, `limit` rows at a time, newest-first. */
function allPages(ledger: Ledger, filter: AuditFilter, limit: number): number[] {
  const positions: number[] = [];
  let before: number | undefined;
  for (;;) {
    const page = ledger.audit.page(filter, before, limit);
    positions.push(...page.rows.map((row) => row.position));
    if (page.nextBefore === null) return positions;
    before = page.nextBefore;
  }
}

function bruteForceText(built: Built, text: string): number[] {
  const wanted = text.trim().toLowerCase();
  const named = (account: string | undefined) =>
    account !== undefined && (account.toLowerCase().includes(wanted) || (built.owners.get(account) ?? '').toLowerCase().includes(wanted));
  return built.events
    .filter((event) => (memoOf(event) ?? '').toLowerCase().includes(wanted) || named(event.streamId) || named(counterpartyOf(event)))
    .map((event) => event.position)
    .reverse();
}

function bruteForceAccounts(built: Built, accounts: readonly string[], types?: readonly string[]): number[] {
  return built.events
    .filter((event) => accounts.includes(event.streamId) || accounts.includes(counterpartyOf(event) ?? '\u0000'))
    .filter((event) => types === undefined || types.includes(event.type))
    .map((event) => event.position)
    .reverse();
}

describe('free text on the audit index', () => {
  it('finds exactly what a scan of every memo, owner and account id finds, page by page', () => {
    for (const seed of [1, 2, 3]) {
      const built = build(seed, 260);
      const next = seededRandom(seed * 7919);
      const memos = built.events.map((event) => memoOf(event)).filter((memo): memo is string => memo !== undefined);
      const queries = [
        'mortgage',
        'a',
        'é',
        'É',
        '🎉',
        '\ud83c',
        'ß',
        'ς',
        'σ',
        'i̇',
        '  rent ',
        'RENT',
        'ada',
        'acct-3',
        'ct-',
        '2026-00007',
        'zz',
        'ab ab',
      ];
      for (let draw = 0; draw < 40; draw++) {
        // A piece of a memo actually held: one to eight code units from anywhere in it.
        const memo = memos[Math.floor(next() * memos.length)]!;
        const start = Math.floor(next() * memo.length);
        queries.push(memo.slice(start, start + 1 + Math.floor(next() * 8)));
      }
      for (const text of queries) {
        if (text.trim() === '') continue;
        const expected = bruteForceText(built, text);
        const limit = 1 + Math.floor(next() * 12);
        expect(allPages(built.ledger, { text }, limit), `text ${JSON.stringify(text)}, seed ${seed}`).toEqual(expected);
        expect(built.ledger.audit.count({ text }).matches).toBe(expected.length);
      }
    }
  });

  it('keeps up with appends after it was built: a memo added later is found at once', () => {
    const built = build(4, 80);
    expect(built.ledger.audit.page({ text: 'freshly added' }, undefined, 10).rows).toEqual([]);
    const receipt = ok(built.ledger.execute({ name: 'deposit', input: { account: 'acct-1', amount: '1.00', memo: 'Freshly Added ☕' } }));
    const found = built.ledger.audit.page({ text: 'freshly added' }, undefined, 10).rows.map((row) => row.position);
    expect(found).toEqual([receipt.position]);
    expect(built.ledger.audit.page({ text: 'y a' }, undefined, 10).rows.map((row) => row.position)).toContain(receipt.position);
  });
});

describe('account filters on the audit index', () => {
  it('pages of one or several accounts, with or without types, equal brute force', () => {
    const built = build(5, 300);
    const cases: Array<{ accounts: string[]; types?: Array<'TransferSent' | 'TransferReceived' | 'EntryReversed' | 'MoneyDeposited'> }> = [
      { accounts: ['acct-0'] },
      { accounts: ['acct-4'] },
      { accounts: ['acct-8', 'acct-2'] },
      { accounts: ['acct-1', 'acct-1'] },
      { accounts: ['acct-3'], types: ['TransferReceived', 'EntryReversed'] },
      { accounts: ['acct-6', 'acct-7'], types: ['MoneyDeposited'] },
      { accounts: ['nobody'] },
    ];
    for (const { accounts, types } of cases) {
      const expected = bruteForceAccounts(built, accounts, types);
      const filter: AuditFilter = { accounts, ...(types ? { types } : {}) };
      for (const limit of [1, 5, 100]) expect(allPages(built.ledger, filter, limit), `${accounts.join()} ${limit}`).toEqual(expected);
      expect(built.ledger.audit.count(filter).matches).toBe(expected.length);
    }
  });

  it('finds a mention of the account that is not next to any event of its own (a stray), and the newest event', () => {
    const index = new AuditIndex();
    const own = new Map<number, number[]>();
    const at = '2026-11-26T20:58:12.345Z';
    const record = (position: number, account: string, event: LedgerEvent) => {
      const number = index.accountNumber(account, 'EUR');
      index.record(position, number, event, at, 0);
      own.set(number, [...(own.get(number) ?? []), position]);
    };
    const opened = (owner: string): LedgerEvent => ({ type: 'AccountOpened', data: { owner, currency: 'EUR', initialMinor: 0 } });
    record(1, 'a', opened('A'));
    record(2, 'b', opened('B'));
    record(3, 'c', opened('C'));
    // Position 4 names b as its other side; b's own events are at 2 and 7: neither is next to it.
    record(4, 'a', { type: 'TransferSent', data: { to: 'b', amountMinor: 5, currency: 'EUR', transferId: 't-1' } } as LedgerEvent);
    record(5, 'c', { type: 'MoneyDeposited', data: { amountMinor: 5, currency: 'EUR' } });
    record(6, 'c', { type: 'MoneyDeposited', data: { amountMinor: 5, currency: 'EUR' } });
    record(7, 'b', { type: 'MoneyDeposited', data: { amountMinor: 5, currency: 'EUR' } });
    record(8, 'c', { type: 'MoneyDeposited', data: { amountMinor: 5, currency: 'EUR' } });
    // The newest position names b too: its next neighbour is not known yet.
    record(9, 'c', { type: 'TransferSent', data: { to: 'b', amountMinor: 5, currency: 'EUR', transferId: 't-2' } } as LedgerEvent);
    const ownPositions = (account: string) => {
      const positions = own.get(index.accountNumber(account)) ?? [];
      return {
        positionOfVersion: (version: number) => positions[version - 1],
        versionAtPosition: (position: number) => positions.filter((each) => each <= position).length,
      };
    };
    const filter = index.compile({ accounts: ['b'], idPositions: [], ownPositions });
    expect(index.scan(filter, 10, 100)).toEqual([9, 7, 4, 2]);
    expect(index.scan(filter, 7, 1)).toEqual([4]);
    expect(index.countMatches(filter)).toBe(4);
  });
});

describe('the memo dictionary', () => {
  it('answers exactly, whether it checks candidates up front or as the walk meets them, with common trigrams dropped or not', () => {
    const next = seededRandom(99);
    const texts: string[] = [];
    const eager = new MemoTextIndex();
    const lazy = new MemoTextIndex(0);
    // Trigrams in 8 memos or more and in over a quarter of them are dropped: queries fall back on the walk.
    const commonDropped = new MemoTextIndex(20_000, 8);
    const both = new MemoTextIndex(0, 8);
    const indexes = [eager, lazy, commonDropped, both];
    for (let position = 1; position <= 600; position++) {
      // Most memos start alike, so "ref" and its neighbours are common trigrams.
      const text =
        (next() < 0.6 ? 'Ref ' : '') +
        Array.from({ length: 1 + Math.floor(next() * 4) }, () => PIECES[Math.floor(next() * PIECES.length)]!)
          .join('')
          .toLowerCase();
      texts.push(text);
      const id = eager.intern(text, position);
      for (const other of indexes.slice(1)) expect(other.intern(text, position)).toBe(id);
    }
    let everyMemoChecked = 0;
    for (const query of [
      'a',
      'ab',
      'aaa',
      'rent',
      'é',
      '🎉',
      '\udf89',
      'ς',
      '2026-',
      'none here',
      'bab',
      'ßx',
      'aab',
      'ba',
      'ref',
      're',
      'f a',
      'ref ab',
    ]) {
      const expected = texts.map((text, index) => (text.includes(query) ? index + 1 : 0)).filter((position) => position > 0);
      for (const index of indexes) {
        const match = index.match(query);
        if (Array.from(match.verdicts.subarray(1)).every((verdict) => verdict === MEMO_MAYBE)) everyMemoChecked++;
        const settled = (id: number) =>
          match.verdicts[id] === MEMO_YES || (match.verdicts[id] === MEMO_MAYBE && index.textOf(id).includes(query));
        const found = texts
          .map((text, position) => (settled(index.intern(text, position + 1)) ? position + 1 : 0))
          .filter((position) => position > 0);
        expect(found, query).toEqual(expected);
        if (expected.length > 0 && !Array.from(match.verdicts).includes(MEMO_MAYBE)) {
          expect(match.low).toBeLessThanOrEqual(expected[0]!);
          expect(match.high).toBeGreaterThanOrEqual(expected[expected.length - 1]!);
        }
      }
    }
    // The common trigrams were dropped (a query met only common ones), and the answers above stayed exact.
    expect(everyMemoChecked).toBeGreaterThan(0);
  });
});
