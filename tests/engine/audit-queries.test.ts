/**
 * The audit queries against a brute-force model. Random workloads — legacy imports (schema
 * version 1, timestamps with offsets and nanoseconds, out of time order), accounts in EUR,
 * JPY and KWD, deposits, withdrawals, transfers, closes, awkward memos and owners — run on a
 * real ledger file; the model reads `ledger.events()` and filters it by the rules written
 * here from the contract (shared/audit.ts). Pages, counts, details and balances-as-of must
 * agree with it exactly. Then the boundaries by hand (amount bounds in each currency's minor
 * units, bare dates as whole days, free text and exact ids), and the integrity monitor.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditFilter, AuditRow, BalancesAsOf } from '#shared/audit';
import type { RecordedEvent } from '#shared/events';
import type { HandlerTable } from '#engine/handlers';
import type { Ledger } from '#engine/ledger';
import { IntegrityMonitor } from '#engine/audit/integrity-monitor';
import { failure, handlersFor, newLedger, ok, openLedger, tamper } from './helpers';
import { legacyLine } from './legacy-lines';

// ── The model ───────────────────────────────────────────────────────────────────────────

const DIGITS = { EUR: 2, JPY: 0, KWD: 3 } as const;
type Currency = keyof typeof DIGITS;
const CURRENCIES = Object.keys(DIGITS) as Currency[];
const TYPES = [
  'AccountOpened',
  'MoneyDeposited',
  'MoneyWithdrawn',
  'TransferSent',
  'TransferReceived',
  'AccountClosed',
  'EntryReversed',
] as const;
const DAY_MS = 86_400_000;

type ModelEvent = {
  position: number;
  eventId: string;
  recordedAt: string;
  timeMs: number;
  type: (typeof TYPES)[number];
  account: string;
  counterparty?: string;
  currency: Currency;
  amountMinor: number;
  balanceAfterMinor: number;
  memo?: string;
  commandId?: string;
  actor?: string;
  transferId?: string;
  correlationId?: string;
  storedSchemaVersion: number;
  /** Imported from the original exercise's log (stored as schema version 1, upcast on read). */
  legacy: boolean;
  data: unknown;
};

type Model = {
  events: ModelEvent[];
  owners: Map<string, string>;
  currencies: Map<string, Currency>;
};

/** Decimal text of minor units, written here rather than borrowed from the code under test. */
function money(minor: number, currency: Currency): string {
  const digits = DIGITS[currency];
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  const body = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return minor < 0 ? `-${body}` : body;
}

function allEvents(ledger: Ledger): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  for (;;) {
    const page = ledger.events({ fromPosition: events.length + 1, limit: 1_000 });
    events.push(...page);
    if (page.length < 1_000) return events;
  }
}

function buildModel(ledger: Ledger): Model {
  const owners = new Map<string, string>();
  const currencies = new Map<string, Currency>();
  const balances = new Map<string, number>();
  const events = allEvents(ledger).map((event, index): ModelEvent => {
    expect(event.position).toBe(index + 1);
    const data = event.data as Record<string, unknown>;
    if (event.type === 'AccountOpened') {
      owners.set(event.streamId, data.owner as string);
      currencies.set(event.streamId, data.currency as Currency);
    }
    const currency = currencies.get(event.streamId)!;
    const amount = (data.amountMinor as number | undefined) ?? 0;
    const amountMinor = {
      AccountOpened: data.initialMinor as number,
      MoneyDeposited: amount,
      TransferReceived: amount,
      MoneyWithdrawn: -amount,
      TransferSent: -amount,
      AccountClosed: 0,
      EntryReversed: (data.effectMinor as number | undefined) ?? 0,
    }[event.type];
    const balanceAfterMinor = (balances.get(event.streamId) ?? 0) + amountMinor;
    balances.set(event.streamId, balanceAfterMinor);
    const counterparty =
      event.type === 'TransferSent' ? (data.to as string) : event.type === 'TransferReceived' ? (data.from as string) : undefined;
    return {
      position: event.position,
      eventId: event.eventId,
      recordedAt: event.recordedAt,
      timeMs: Date.parse(event.recordedAt),
      type: event.type,
      account: event.streamId,
      counterparty,
      currency,
      amountMinor,
      balanceAfterMinor,
      memo: data.memo as string | undefined,
      commandId: event.metadata.commandId,
      actor: event.metadata.actor,
      transferId: data.transferId as string | undefined,
      correlationId: event.metadata.correlationId,
      storedSchemaVersion: event.storedSchemaVersion,
      legacy: event.metadata.legacyCurrency !== undefined,
      data: event.data,
    };
  });
  return { events, owners, currencies };
}

function expectedRow(event: ModelEvent): AuditRow {
  return {
    position: event.position,
    eventId: event.eventId,
    recordedAt: event.recordedAt,
    type: event.type,
    account: event.account,
    ...(event.counterparty === undefined ? {} : { counterparty: event.counterparty }),
    currency: event.currency,
    amount: money(event.amountMinor, event.currency),
    amountMinor: event.amountMinor,
    balanceAfter: money(event.balanceAfterMinor, event.currency),
    balanceAfterMinor: event.balanceAfterMinor,
    ...(event.memo === undefined ? {} : { memo: event.memo }),
    ...(event.commandId === undefined ? {} : { commandId: event.commandId }),
    ...(event.actor === undefined ? {} : { actor: event.actor }),
    storedSchemaVersion: event.storedSchemaVersion,
  };
}

/** A bare date is the whole UTC day: its first millisecond for `from`, its last for `to`. */
function momentMs(text: string, edge: 'start' | 'end'): number {
  const bare = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!bare) return Date.parse(text);
  const start = Date.UTC(Number(bare[1]), Number(bare[2]) - 1, Number(bare[3]));
  return edge === 'start' ? start : start + DAY_MS - 1;
}

/** Sign of (minor units in `digits`) − (decimal text), exactly. */
function compareAmount(minor: number, digits: number, bound: string): number {
  const [whole, fraction = ''] = bound.split('.');
  const scale = Math.max(digits, fraction.length);
  const left = BigInt(minor) * 10n ** BigInt(scale - digits);
  const right = BigInt(whole! + fraction.padEnd(scale, '0'));
  return left === right ? 0 : left < right ? -1 : 1;
}

function matches(event: ModelEvent, filter: AuditFilter, model: Model): boolean {
  if (filter.accounts?.length && !filter.accounts.some((account) => account === event.account || account === event.counterparty))
    return false;
  if (filter.types?.length && !filter.types.includes(event.type)) return false;
  if (filter.from !== undefined && event.timeMs < momentMs(filter.from, 'start')) return false;
  if (filter.to !== undefined && event.timeMs > momentMs(filter.to, 'end')) return false;
  const magnitude = Math.abs(event.amountMinor);
  const digits = DIGITS[event.currency];
  if (filter.minAmount !== undefined && compareAmount(magnitude, digits, filter.minAmount) < 0) return false;
  if (filter.maxAmount !== undefined && compareAmount(magnitude, digits, filter.maxAmount) > 0) return false;
  const text = filter.text?.trim();
  if (text) {
    const lower = text.toLowerCase();
    const accounts = [event.account, event.counterparty].filter((account): account is string => account !== undefined);
    const words = [event.memo, ...accounts, ...accounts.map((account) => model.owners.get(account))];
    const byWords = words.some((word) => word !== undefined && word.toLowerCase().includes(lower));
    const byId = [event.eventId, event.commandId, event.transferId].includes(text);
    if (!byWords && !byId) return false;
  }
  return true;
}

/** Matching positions, newest first. */
function expectedPositions(model: Model, filter: AuditFilter): number[] {
  return model.events
    .filter((event) => matches(event, filter, model))
    .map((event) => event.position)
    .reverse();
}

function expectedBalances(model: Model, position: number): BalancesAsOf['balances'] {
  const state = new Map<string, { balanceMinor: number; closed: boolean }>();
  for (const event of model.events.slice(0, position)) {
    state.set(event.account, { balanceMinor: event.balanceAfterMinor, closed: event.type === 'AccountClosed' });
  }
  return [...state.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([account, { balanceMinor, closed }]) => {
      const currency = model.currencies.get(account)!;
      return {
        account,
        owner: model.owners.get(account)!,
        currency,
        balance: money(balanceMinor, currency),
        balanceMinor,
        status: closed ? 'closed' : 'open',
      };
    });
}

/** The last position whose events were ALL recorded at or before the moment (times need not be in position order). */
function expectedPositionAt(model: Model, atMs: number): number {
  let position = 0;
  for (const event of model.events) {
    if (event.timeMs > atMs) break;
    position = event.position;
  }
  return position;
}

/** Every page of a filter through the handler table, checking the keyset contract on the way. */
function walkPages(api: HandlerTable, filter: AuditFilter, limit: number): number[] {
  const positions: number[] = [];
  let before: number | undefined;
  for (let pages = 0; ; pages++) {
    expect(pages).toBeLessThan(10_000);
    const page = ok(api.auditEvents({ filter, limit, ...(before === undefined ? {} : { before }) }));
    expect(page.rows.length).toBeLessThanOrEqual(limit);
    for (const row of page.rows) if (before !== undefined) expect(row.position).toBeLessThan(before);
    positions.push(...page.rows.map((row) => row.position));
    if (page.nextBefore === null) return positions;
    expect(page.rows).toHaveLength(limit);
    expect(page.nextBefore).toBe(page.rows[page.rows.length - 1]!.position);
    before = page.nextBefore;
  }
}

// ── Random workloads ────────────────────────────────────────────────────────────────────

const OWNERS = ['Ada Lovelace', 'Lovelace, Ada', '李白', 'Алан Тьюринг', 'Émilie du Châtelet', 'Zoë 🦊 Fox', 'Grace "Amazing" Hopper'];
const MEMOS = [
  'Rent, March',
  'rent',
  'Coffee ☕',
  'Lunch with 李白',
  'ÉCOLE fees',
  'Алан paid back',
  'line one\nline two',
  '=SUM(A1)',
  'refund 10.005',
  'Salary 🎉',
];
/** Legacy timestamps as the Go writer made them: nanoseconds, offsets, a leap day, out of order. */
const LEGACY_MOMENTS = [
  '2024-02-27T12:00:00Z',
  '2024-02-28T23:59:59.999Z',
  '2024-02-29T00:00:00Z',
  '2024-02-29T00:00:00.000000001Z',
  '2024-02-29T01:30:00+02:00',
  '2024-02-29T12:34:56.789123456Z',
  '2024-02-29T23:59:59.999999999Z',
  '2024-03-01T00:00:00.000Z',
  '2024-03-01T01:00:00+02:00',
  '2024-03-02T10:00:00-05:00',
];
const DAYS = ['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01', '2024-03-02', '2024-03-03'];

const legacyImportArb = fc.record({
  currency: fc.constantFrom(...CURRENCIES),
  accounts: fc.array(fc.record({ owner: fc.constantFrom(...OWNERS), initial: fc.nat(100_000), at: fc.nat(LEGACY_MOMENTS.length - 1) }), {
    minLength: 1,
    maxLength: 3,
  }),
  operations: fc.array(
    fc.record({
      account: fc.nat(),
      deposit: fc.boolean(),
      amount: fc.integer({ min: 1, max: 50_000 }),
      at: fc.nat(LEGACY_MOMENTS.length - 1),
    }),
    { maxLength: 8 },
  ),
});

const memoArb = fc.option(fc.oneof(fc.constantFrom(...MEMOS), fc.string({ maxLength: 6 })), { nil: undefined });
const commandArb = fc.oneof(
  fc.record({
    kind: fc.constant('open' as const),
    currency: fc.constantFrom(...CURRENCIES),
    owner: fc.constantFrom(...OWNERS),
    initial: fc.nat(100_000),
    commandId: fc.boolean(),
  }),
  fc.record({
    kind: fc.constantFrom('deposit' as const, 'withdraw' as const),
    account: fc.nat(),
    amount: fc.integer({ min: 1, max: 50_000 }),
    memo: memoArb,
    commandId: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('transfer' as const),
    from: fc.nat(),
    to: fc.nat(),
    amount: fc.integer({ min: 1, max: 50_000 }),
    memo: memoArb,
    commandId: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('closeOut' as const), account: fc.nat() }),
);
const workloadArb = fc.record({
  legacy: fc.array(legacyImportArb, { maxLength: 2 }),
  commands: fc.array(commandArb, { minLength: 5, maxLength: 50, size: 'max' }),
});
type Workload = typeof workloadArb extends fc.Arbitrary<infer T> ? T : never;

/** Runs a workload; refused commands (a rare overdraft, say) simply leave no events. */
function runWorkload(ledger: Ledger, api: HandlerTable, workload: Workload): void {
  const accounts: Array<{ id: string; currency: Currency }> = [];
  workload.legacy.forEach((spec, importIndex) => {
    const digits = DIGITS[spec.currency];
    const float = (minor: number) => minor / 10 ** digits;
    const lines: string[] = [];
    const state = spec.accounts.map((account, index) => ({ id: `legacy-${importIndex}-${index}`, balance: account.initial, version: 1 }));
    spec.accounts.forEach((account, index) =>
      lines.push(
        legacyLine(
          `evt-${importIndex}-${lines.length}`,
          state[index]!.id,
          'AccountCreated',
          1,
          { initial_deposit: float(account.initial), owner: account.owner },
          LEGACY_MOMENTS[account.at]!,
        ),
      ),
    );
    for (const operation of spec.operations) {
      const account = state[operation.account % state.length]!;
      const deposit = operation.deposit || operation.amount > account.balance;
      account.balance += deposit ? operation.amount : -operation.amount;
      account.version += 1;
      lines.push(
        legacyLine(
          `evt-${importIndex}-${lines.length}`,
          account.id,
          deposit ? 'MoneyDeposited' : 'MoneyWithdrawn',
          account.version,
          { amount: float(operation.amount) },
          LEGACY_MOMENTS[operation.at]!,
        ),
      );
    }
    ok(ledger.importLegacy(lines.join('\n'), spec.currency));
    accounts.push(...state.map((account) => ({ id: account.id, currency: spec.currency })));
  });
  let commandNumber = 0;
  // Command ids in the shapes the schema allows: long, one short word, spaces and non-ASCII letters.
  const commandIdShapes = [(n: number) => `Cmd_${n}.${accounts.length}`, (n: number) => `c${n}`, (n: number) => `pay ${n} ü`];
  const commandId = (wanted: boolean) => (wanted ? { commandId: commandIdShapes[commandNumber % 3]!(commandNumber) } : {});
  for (const command of workload.commands) {
    commandNumber += 1;
    if (command.kind === 'open') {
      const id = `n${accounts.length}`;
      ok(
        api.openAccount({
          account: id,
          owner: command.owner,
          currency: command.currency,
          initial: money(command.initial, command.currency),
          ...commandId(command.commandId),
        }),
      );
      accounts.push({ id, currency: command.currency });
      continue;
    }
    if (accounts.length === 0) continue;
    if (command.kind === 'transfer') {
      const from = accounts[command.from % accounts.length]!;
      const targets = accounts.filter((account) => account.currency === from.currency && account.id !== from.id);
      if (targets.length === 0) continue;
      const to = targets[command.to % targets.length]!;
      const balance = api.getAccount({ account: from.id });
      if (!balance.ok || balance.value.balanceMinor === 0) continue;
      const amount = Math.min(command.amount, balance.value.balanceMinor);
      api.transfer({
        from: from.id,
        to: to.id,
        amount: money(amount, from.currency),
        ...(command.memo === undefined ? {} : { memo: command.memo }),
        ...commandId(command.commandId),
      });
      continue;
    }
    const account = accounts[command.account % accounts.length]!;
    if (command.kind === 'closeOut') {
      const view = api.getAccount({ account: account.id });
      if (!view.ok || view.value.status === 'closed') continue;
      if (view.value.balanceMinor > 0) ok(api.withdraw({ account: account.id, amount: view.value.balance, memo: 'closing' }));
      ok(api.closeAccount({ account: account.id }));
      continue;
    }
    // Withdrawals are kept within the balance, so most of them happen.
    const balance = api.getAccount({ account: account.id });
    const amount = command.kind === 'withdraw' && balance.ok ? Math.min(command.amount, balance.value.balanceMinor) : command.amount;
    if (amount === 0) continue;
    const input = {
      account: account.id,
      amount: money(amount, account.currency),
      ...(command.memo === undefined ? {} : { memo: command.memo }),
      ...commandId(command.commandId),
    };
    if (command.kind === 'deposit') api.deposit(input);
    else api.withdraw(input);
  }
}

// ── Random filters, resolved against the workload's own events ─────────────────────────

const momentSeedArb = fc.oneof(
  fc.record({ kind: fc.constant('day' as const), day: fc.nat(DAYS.length - 1) }),
  fc.record({ kind: fc.constant('eventDay' as const), event: fc.nat() }),
  fc.record({ kind: fc.constant('event' as const), event: fc.nat(), deltaMs: fc.constantFrom(-1, 0, 1) }),
  fc.record({ kind: fc.constant('offset' as const), event: fc.nat(), hours: fc.constantFrom(-5, 2, 9) }),
);
const amountSeedArb = fc.oneof(
  fc.record({
    kind: fc.constant('event' as const),
    event: fc.nat(),
    extra: fc.constantFrom('', '0', '5', '001', '999'),
    bump: fc.constantFrom(-1, 0, 1),
  }),
  fc.record({ kind: fc.constant('raw' as const), whole: fc.nat(600), fraction: fc.constantFrom('', '5', '05', '005', '0005', '999') }),
);
const textSeedArb = fc.oneof(
  fc.record({
    kind: fc.constantFrom('memo' as const, 'owner' as const, 'account' as const),
    event: fc.nat(),
    start: fc.nat(8),
    length: fc.integer({ min: 1, max: 6 }),
    upper: fc.boolean(),
  }),
  fc.record({ kind: fc.constantFrom('eventId' as const, 'commandId' as const, 'transferId' as const), event: fc.nat(), pad: fc.boolean() }),
  fc.record({
    kind: fc.constant('words' as const),
    text: fc.constantFrom('rent', 'RENT', '李', 'алан', 'é', '🦊', '"', ',', '   ', 'n1', 'legacy', 'no such words'),
  }),
);
const conditionsArb = fc.record({
  accounts: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
  unknownAccount: fc.boolean(),
  types: fc.subarray([...TYPES], { minLength: 1 }),
  from: momentSeedArb,
  to: momentSeedArb,
  minAmount: amountSeedArb,
  maxAmount: amountSeedArb,
  text: textSeedArb,
});
const CONDITIONS = ['accounts', 'types', 'from', 'to', 'minAmount', 'maxAmount', 'text'] as const;
/** Mostly one or two conditions at a time (all of them together almost never match anything). */
const filterSeedArb = fc
  .tuple(conditionsArb, fc.subarray([...CONDITIONS], { minLength: 1, maxLength: 3 }))
  .map(([conditions, chosen]): Partial<typeof conditions> => {
    const seed: Partial<typeof conditions> = { unknownAccount: conditions.unknownAccount };
    for (const key of chosen) Object.assign(seed, { [key]: conditions[key] });
    return seed;
  });
type FilterSeed = typeof filterSeedArb extends fc.Arbitrary<infer T> ? T : never;

function pick<T>(items: readonly T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

function resolveMoment(seed: NonNullable<FilterSeed['from']>, model: Model): string | undefined {
  if (seed.kind === 'day') return DAYS[seed.day];
  const event = pick(model.events, seed.event);
  if (!event) return undefined;
  if (seed.kind === 'eventDay') return new Date(event.timeMs).toISOString().slice(0, 10);
  if (seed.kind === 'event') return new Date(event.timeMs + seed.deltaMs).toISOString();
  // The same instant written with another offset.
  const local = new Date(event.timeMs + seed.hours * 3_600_000).toISOString().slice(0, 23);
  const sign = seed.hours < 0 ? '-' : '+';
  return `${local}${sign}${String(Math.abs(seed.hours)).padStart(2, '0')}:00`;
}

function resolveAmount(seed: NonNullable<FilterSeed['minAmount']>, model: Model): string | undefined {
  if (seed.kind === 'raw') return seed.fraction === '' ? String(seed.whole) : `${seed.whole}.${seed.fraction}`;
  const event = pick(model.events, seed.event);
  if (!event) return undefined;
  const text = money(Math.max(0, Math.abs(event.amountMinor) + seed.bump), event.currency);
  if (seed.extra === '') return text;
  return text.includes('.') ? `${text}${seed.extra}` : `${text}.${seed.extra}`;
}

function resolveText(seed: NonNullable<FilterSeed['text']>, model: Model): string | undefined {
  if (seed.kind === 'words') return seed.text;
  const candidates = model.events.filter((event) =>
    seed.kind === 'memo' ? event.memo : seed.kind === 'commandId' ? event.commandId : seed.kind === 'transferId' ? event.transferId : true,
  );
  const event = pick(candidates, seed.event);
  if (!event) return undefined;
  if ('pad' in seed) {
    const id = (seed.kind === 'eventId' ? event.eventId : seed.kind === 'commandId' ? event.commandId : event.transferId)!;
    return seed.pad ? `  ${id} ` : id;
  }
  const source = seed.kind === 'memo' ? event.memo! : seed.kind === 'owner' ? model.owners.get(event.account)! : event.account;
  const characters = [...source];
  const start = seed.start % characters.length;
  const piece = characters.slice(start, start + seed.length).join('');
  return seed.upper ? piece.toUpperCase() : piece;
}

function resolveFilter(seed: FilterSeed, model: Model): AuditFilter {
  const accountIds = [...model.currencies.keys()];
  const filter: Record<string, unknown> = {};
  if (seed.accounts && accountIds.length > 0) {
    filter.accounts = [...new Set(seed.accounts.map((index) => accountIds[index % accountIds.length]!))];
    if (seed.unknownAccount) (filter.accounts as string[]).push('nobody-here');
  }
  if (seed.types) filter.types = seed.types;
  const from = seed.from && resolveMoment(seed.from, model);
  if (from !== undefined) filter.from = from;
  const to = seed.to && resolveMoment(seed.to, model);
  if (to !== undefined) filter.to = to;
  const minAmount = seed.minAmount && resolveAmount(seed.minAmount, model);
  if (minAmount !== undefined) filter.minAmount = minAmount;
  const maxAmount = seed.maxAmount && resolveAmount(seed.maxAmount, model);
  if (maxAmount !== undefined) filter.maxAmount = maxAmount;
  const text = seed.text && resolveText(seed.text, model);
  if (text !== undefined && text.length > 0) filter.text = text;
  return filter as AuditFilter;
}

// ── The property ────────────────────────────────────────────────────────────────────────

describe('audit queries against a brute-force model', () => {
  it('pages, counts, details and balances as of a position or a moment agree with the model', () => {
    fc.assert(
      fc.property(
        workloadArb,
        fc.array(fc.tuple(filterSeedArb, fc.integer({ min: 1, max: 12 })), { minLength: 4, maxLength: 10 }),
        fc.array(fc.nat(), { minLength: 3, maxLength: 6 }),
        fc.array(momentSeedArb, { minLength: 2, maxLength: 5 }),
        (workload, filters, positions, moments) => {
          const { ledger, api } = newLedger();
          try {
            runWorkload(ledger, api, workload);
            const model = buildModel(ledger);
            const total = model.events.length;

            // Everything, newest first, row by row.
            const everything = walkPages(api, {}, 500);
            expect(everything).toEqual(model.events.map((event) => event.position).reverse());
            expect(ok(api.auditEvents({})).rows).toEqual([...model.events].reverse().slice(0, 100).map(expectedRow));

            for (const [seed, limit] of filters) {
              const filter = resolveFilter(seed, model);
              const expected = expectedPositions(model, filter);
              const paged = walkPages(api, filter, limit);
              expect(paged, JSON.stringify(filter)).toEqual(expected);
              expect(new Set(paged).size).toBe(paged.length);
              const firstPage = ok(api.auditEvents({ filter, limit, withCount: true }));
              expect(firstPage.count).toMatchObject({ matches: expected.length, total });
              expect(firstPage.rows).toEqual(expected.slice(0, limit).map((position) => expectedRow(model.events[position - 1]!)));
            }

            for (const seed of positions) {
              const position = seed % (total + 1);
              const asOf = ok(api.balancesAsOf({ position }));
              // A position between a command's events resolves to the command's last event.
              const resolved = endOfCommand(model, position);
              expect(asOf).toEqual({
                position: resolved,
                recordedAt: resolved === 0 ? null : model.events[resolved - 1]!.recordedAt,
                balances: expectedBalances(model, resolved),
              });
              if (position === 0) continue;
              const event = model.events[position - 1]!;
              const detail = ok(api.eventDetail({ position }));
              const related = model.events.filter(
                (other) => other.position !== position && event.correlationId !== undefined && other.correlationId === event.correlationId,
              );
              expect(detail.row).toEqual(expectedRow(event));
              expect(detail.related).toEqual(related.map(expectedRow));
              if (event.transferId) expect(related.map((other) => other.transferId)).toEqual([event.transferId]);
              expect(detail.balanceChanges).toEqual(
                [event, ...related].map((changed) => ({
                  account: changed.account,
                  currency: changed.currency,
                  before: money(changed.balanceAfterMinor - changed.amountMinor, changed.currency),
                  after: money(changed.balanceAfterMinor, changed.currency),
                })),
              );
              if (event.legacy) {
                expect(detail).toMatchObject({ storedSchemaVersion: 1, upcastType: event.type, upcastData: event.data });
              } else {
                expect('upcastData' in detail || 'upcastType' in detail).toBe(false);
                expect(JSON.parse(detail.storedData)).toEqual(event.data);
              }
            }

            for (const seed of moments) {
              const at = resolveMoment(seed, model);
              if (at === undefined) continue;
              const position = endOfCommand(model, expectedPositionAt(model, momentMs(at, 'end')));
              expect(ok(api.balancesAsOf({ at })), at).toEqual({
                position,
                recordedAt: position === 0 ? null : model.events[position - 1]!.recordedAt,
                balances: expectedBalances(model, position),
              });
            }
          } finally {
            ledger.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

// ── Boundaries by hand ──────────────────────────────────────────────────────────────────

function positionsFor(api: HandlerTable, filter: AuditFilter): number[] {
  return ok(api.auditEvents({ filter, limit: 500 })).rows.map((row) => row.position);
}

describe("amount bounds are exact in each currency's minor units", () => {
  it('EUR (2 digits), JPY (0) and KWD (3): a bound between two minor units rounds inward', () => {
    const { api } = newLedger();
    ok(api.openAccount({ account: 'eur', owner: 'E', currency: 'EUR' })); // 1
    ok(api.openAccount({ account: 'jpy', owner: 'J', currency: 'JPY' })); // 2
    ok(api.openAccount({ account: 'kwd', owner: 'K', currency: 'KWD' })); // 3
    ok(api.deposit({ account: 'eur', amount: '10.00' })); // 4
    ok(api.deposit({ account: 'eur', amount: '10.01' })); // 5
    ok(api.deposit({ account: 'jpy', amount: '10' })); // 6
    ok(api.deposit({ account: 'jpy', amount: '11' })); // 7
    ok(api.deposit({ account: 'kwd', amount: '10.004' })); // 8
    ok(api.deposit({ account: 'kwd', amount: '10.005' })); // 9
    ok(api.withdraw({ account: 'eur', amount: '10.01' })); // 10: the size counts, not the sign
    const types: AuditFilter['types'] = ['MoneyDeposited', 'MoneyWithdrawn'];

    // min 10.005 EUR means 1001 cents; max 10.005 EUR means 1000 cents.
    expect(positionsFor(api, { types, accounts: ['eur'], minAmount: '10.005' })).toEqual([10, 5]);
    expect(positionsFor(api, { types, accounts: ['eur'], maxAmount: '10.005' })).toEqual([4]);
    expect(positionsFor(api, { types, accounts: ['eur'], minAmount: '10.01', maxAmount: '10.01' })).toEqual([10, 5]);
    expect(positionsFor(api, { types, accounts: ['eur'], minAmount: '10.010000', maxAmount: '10.0100' })).toEqual([10, 5]);
    expect(positionsFor(api, { types, accounts: ['eur'], minAmount: '10.0001', maxAmount: '10.0099' })).toEqual([]);
    // JPY has no minor unit: 10.5 yen lies between 10 and 11.
    expect(positionsFor(api, { types, accounts: ['jpy'], minAmount: '10.5' })).toEqual([7]);
    expect(positionsFor(api, { types, accounts: ['jpy'], maxAmount: '10.5' })).toEqual([6]);
    expect(positionsFor(api, { types, accounts: ['jpy'], minAmount: '10', maxAmount: '10.000' })).toEqual([6]);
    expect(positionsFor(api, { types, accounts: ['jpy'], minAmount: '10.0000001' })).toEqual([7]);
    // KWD has three digits: 10.0045 lies between 10.004 and 10.005.
    expect(positionsFor(api, { types, accounts: ['kwd'], minAmount: '10.0045' })).toEqual([9]);
    expect(positionsFor(api, { types, accounts: ['kwd'], maxAmount: '10.0045' })).toEqual([8]);
    expect(positionsFor(api, { types, accounts: ['kwd'], minAmount: '10.005', maxAmount: '10.005' })).toEqual([9]);
    // One bound across currencies: each event is judged in its own currency.
    expect(positionsFor(api, { types, minAmount: '10.005', maxAmount: '10.5' })).toEqual([10, 9, 5]);
    // Zero-amount events (an opening without money) meet a maximum of 0.
    expect(positionsFor(api, { maxAmount: '0' })).toEqual([3, 2, 1]);
  });
});

describe('date ranges', () => {
  const legacy = [
    legacyLine('evt-day-1', 'old', 'AccountCreated', 1, { initial_deposit: 1, owner: 'Old' }, '2024-02-28T23:59:59.999Z'),
    legacyLine('evt-day-2', 'old', 'MoneyDeposited', 2, { amount: 1 }, '2024-02-29T00:00:00Z'),
    legacyLine('evt-day-3', 'old', 'MoneyDeposited', 3, { amount: 1 }, '2024-02-29T23:59:59.999999999Z'),
    legacyLine('evt-day-4', 'old', 'MoneyDeposited', 4, { amount: 1 }, '2024-03-01T00:00:00.000Z'),
    legacyLine('evt-day-5', 'old', 'MoneyDeposited', 5, { amount: 1 }, '2024-03-01T01:00:00+02:00'),
    legacyLine('evt-day-6', 'old', 'MoneyDeposited', 6, { amount: 1 }, '2024-02-29T12:00:00.5-01:00'),
  ].join('\n');

  it('a bare date covers its whole UTC day, both ends inclusive; offsets count by the instant', () => {
    const { ledger, api } = newLedger();
    ok(ledger.importLegacy(legacy, 'EUR'));
    // Position 5 (01:00+02:00) is 23:00 on 29 February UTC; position 6 is 13:00:00.5 UTC.
    expect(positionsFor(api, { from: '2024-02-29', to: '2024-02-29' })).toEqual([6, 5, 3, 2]);
    expect(positionsFor(api, { from: '2024-02-29' })).toEqual([6, 5, 4, 3, 2]);
    expect(positionsFor(api, { to: '2024-02-28' })).toEqual([1]);
    expect(positionsFor(api, { from: '2024-03-01', to: '2024-03-01' })).toEqual([4]);
    expect(positionsFor(api, { from: '2024-02-28T23:59:59.999Z', to: '2024-02-29T00:00:00.000Z' })).toEqual([2, 1]);
    expect(positionsFor(api, { from: '2024-02-29T00:00:00.001Z', to: '2024-02-29T23:59:59.998Z' })).toEqual([6, 5]);
    expect(positionsFor(api, { from: '2024-02-29T14:00:00+01:00', to: '2024-02-29T14:00:00+01:00' })).toEqual([]);
    expect(positionsFor(api, { from: '2024-02-29T14:00:00.500+01:00', to: '2024-02-29T14:00:00.500+01:00' })).toEqual([6]);
    expect(positionsFor(api, { from: '2024-03-02', to: '2024-02-27' })).toEqual([]);
  });

  it('balances as of a moment: after the last event up to which every event was recorded by then', () => {
    const { ledger, api } = newLedger();
    ok(ledger.importLegacy(legacy, 'EUR'));
    const at = (moment: string) => ok(api.balancesAsOf({ at: moment }));
    expect(at('2024-02-28')).toMatchObject({
      position: 1,
      recordedAt: '2024-02-28T23:59:59.999Z',
      balances: [{ account: 'old', balanceMinor: 100, status: 'open' }],
    });
    // Position 6 is earlier in time than positions 4 and 5, so it is not yet "as of" 29 February.
    expect(at('2024-02-29')).toMatchObject({ position: 3, balances: [{ balanceMinor: 300 }] });
    expect(at('2024-02-29T23:59:59.998Z')).toMatchObject({ position: 2, balances: [{ balanceMinor: 200 }] });
    expect(at('2024-03-01T00:00:00Z')).toMatchObject({
      position: 6,
      recordedAt: '2024-02-29T12:00:00.5-01:00',
      balances: [{ balanceMinor: 600 }],
    });
    expect(at('2024-01-01')).toEqual({ position: 0, recordedAt: null, balances: [] });
    failure(api.balancesAsOf({ at: 'yesterday' }), 'VALIDATION');
  });
});

describe('free text', () => {
  function seeded() {
    const { ledger, api } = newLedger();
    ok(
      ledger.importLegacy(
        legacyLine(
          'evt-legacy-0001',
          'old',
          'AccountCreated',
          1,
          { initial_deposit: 5, owner: 'Émilie du Châtelet' },
          '2024-02-29T00:00:00Z',
        ),
        'EUR',
      ),
    );
    ok(api.openAccount({ account: 'ada-1', owner: 'Lovelace, Ada', currency: 'EUR', initial: '100.00' })); // 2
    ok(api.openAccount({ account: 'li-2', owner: '李白', currency: 'EUR' })); // 3
    ok(api.deposit({ account: 'ada-1', amount: '1.00', memo: 'Rent, MARCH', commandId: 'deposit-rent-march' })); // 4
    const transfer = ok(api.transfer({ from: 'ada-1', to: 'li-2', amount: '2.00', memo: 'Poems 诗', commandId: 'pay-the-poet' })); // 5, 6
    ok(api.deposit({ account: 'li-2', amount: '3.00' })); // 7
    ok(api.transfer({ from: 'li-2', to: 'ada-1', amount: '1.00' })); // 8, 9
    return { ledger, api, transferId: transfer.transferId! };
  }

  it('finds memos case-insensitively, owners and account ids by substring, on either side of a transfer', () => {
    const { api } = seeded();
    expect(positionsFor(api, { text: 'rent, march' })).toEqual([4]);
    expect(positionsFor(api, { text: '  MARCH ' })).toEqual([4]);
    expect(positionsFor(api, { text: '诗' })).toEqual([6, 5]);
    expect(positionsFor(api, { text: '李' })).toEqual([9, 8, 7, 6, 5, 3]);
    expect(positionsFor(api, { text: 'lovelace, a' })).toEqual([9, 8, 6, 5, 4, 2]);
    expect(positionsFor(api, { text: 'CHÂTELET' })).toEqual([1]);
    expect(positionsFor(api, { text: 'li-' })).toEqual([9, 8, 7, 6, 5, 3]);
    expect(positionsFor(api, { text: 'nothing like this' })).toEqual([]);
    // Blank text is no filter at all.
    expect(positionsFor(api, { text: '   ' })).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('finds an exact event id, command id or transfer id', () => {
    const { ledger, api, transferId } = seeded();
    const eventId = ledger.events({ fromPosition: 7, limit: 1 })[0]!.eventId;
    expect(positionsFor(api, { text: eventId })).toEqual([7]);
    expect(positionsFor(api, { text: ` ${eventId} ` })).toEqual([7]);
    expect(positionsFor(api, { text: 'evt-legacy-0001' })).toEqual([1]);
    expect(positionsFor(api, { text: 'deposit-rent-march' })).toEqual([4]);
    expect(positionsFor(api, { text: 'pay-the-poet' })).toEqual([6, 5]);
    expect(positionsFor(api, { text: transferId })).toEqual([6, 5]);
    // Exact means exact: a part of an id that no memo, owner or account holds finds nothing.
    expect(positionsFor(api, { text: transferId.slice(0, 20) })).toEqual([]);
    expect(positionsFor(api, { text: 'pay-the-poe' })).toEqual([]);
    // Combined with other conditions, an id match still has to meet them.
    expect(positionsFor(api, { text: transferId, types: ['TransferReceived'] })).toEqual([6]);
    expect(ok(api.auditEvents({ filter: { text: transferId }, withCount: true })).count).toMatchObject({ matches: 2, total: 9 });
  });
});

describe('free text: any valid command id', () => {
  it('is found exactly, however short, spaced or non-ASCII it is (the command schema allows all of these)', () => {
    const { api } = newLedger();
    ok(api.openAccount({ account: 'acc-a', owner: 'A', currency: 'EUR', initial: '10.00' })); // 1
    ok(api.openAccount({ account: 'acc-b', owner: 'B', currency: 'EUR' })); // 2
    ok(api.deposit({ account: 'acc-a', amount: '1.00', commandId: 'c1' })); // 3
    ok(api.deposit({ account: 'acc-a', amount: '1.00', commandId: 'pay rent 2024' })); // 4
    ok(api.transfer({ from: 'acc-a', to: 'acc-b', amount: '1.00', commandId: 'zahlung-ü-1' })); // 5, 6
    ok(api.deposit({ account: 'acc-b', amount: '1.00', commandId: 'Überweisung Nr. 7' })); // 7
    expect(positionsFor(api, { text: 'c1' })).toEqual([3]);
    expect(positionsFor(api, { text: 'pay rent 2024' })).toEqual([4]);
    expect(positionsFor(api, { text: 'zahlung-ü-1' })).toEqual([6, 5]);
    expect(positionsFor(api, { text: 'Überweisung Nr. 7' })).toEqual([7]);
    // Still exact: a part of one finds nothing.
    expect(positionsFor(api, { text: 'pay rent' })).toEqual([]);
  });
});

describe('event detail', () => {
  it('a transfer leg shows its other leg and both balances before → after; a legacy event shows its upcast payload', () => {
    const { ledger, api } = newLedger();
    ok(
      ledger.importLegacy(
        legacyLine('evt-legacy-0001', 'old', 'AccountCreated', 1, { initial_deposit: 12.3, owner: 'Old One' }, '2024-02-29T00:00:00Z'),
        'EUR',
      ),
    );
    ok(api.openAccount({ account: 'new', owner: 'New One', currency: 'EUR', initial: '1.00' }));
    const transfer = ok(api.transfer({ from: 'old', to: 'new', amount: '0.30', memo: 'split' }));

    const received = ok(api.eventDetail({ position: 4 }));
    expect(received.row).toMatchObject({
      type: 'TransferReceived',
      account: 'new',
      counterparty: 'old',
      amount: '0.30',
      balanceAfter: '1.30',
      memo: 'split',
    });
    expect(received.related).toEqual([
      expect.objectContaining({
        position: 3,
        type: 'TransferSent',
        account: 'old',
        counterparty: 'new',
        amount: '-0.30',
        balanceAfter: '12.00',
      }),
    ]);
    expect(received.balanceChanges).toEqual([
      { account: 'new', currency: 'EUR', before: '1.00', after: '1.30' },
      { account: 'old', currency: 'EUR', before: '12.30', after: '12.00' },
    ]);
    expect(JSON.parse(received.storedData)).toEqual({
      transferId: transfer.transferId,
      from: 'old',
      amountMinor: 30,
      currency: 'EUR',
      memo: 'split',
    });
    expect(received).not.toHaveProperty('upcastData');
    expect(received).not.toHaveProperty('upcastType');
    expect(received.previousHash).toBe(ok(api.eventDetail({ position: 3 })).hash);

    const legacy = ok(api.eventDetail({ position: 1 }));
    expect(legacy).toMatchObject({
      storedType: 'AccountCreated',
      storedSchemaVersion: 1,
      storedData: '{"initial_deposit":12.3,"owner":"Old One"}',
      upcastType: 'AccountOpened',
      upcastData: { owner: 'Old One', currency: 'EUR', initialMinor: 1230 },
      related: [],
      balanceChanges: [{ account: 'old', currency: 'EUR', before: '0.00', after: '12.30' }],
    });
    expect(legacy.row).toMatchObject({ type: 'AccountOpened', storedSchemaVersion: 1, amount: '12.30' });

    failure(api.eventDetail({ position: 5 }), 'NOT_FOUND');
  });
});

// ── The integrity monitor ───────────────────────────────────────────────────────────────

describe('integrity monitor', () => {
  function ledgerWithEvents(options = {}) {
    const created = newLedger(options);
    ok(created.api.openAccount({ account: 'a', owner: 'A', currency: 'EUR', initial: '10.00' }));
    ok(created.api.openAccount({ account: 'b', owner: 'B', currency: 'EUR' }));
    for (let index = 0; index < 5; index++) ok(created.api.transfer({ from: 'a', to: 'b', amount: '1.00', memo: `t${index}` }));
    return created;
  }

  it('reports verified with the head, then after appends verifies only the new events and reports the new head', async () => {
    const { ledger, api, path } = ledgerWithEvents();
    const statuses: string[] = [];
    const monitor = new IntegrityMonitor(ledger, (status) => statuses.push(status.state));
    expect(monitor.status).toMatchObject({ state: 'verifying' });
    expect(await monitor.verify()).toMatchObject({ state: 'verified', verifiedThrough: 12, head: ledger.logHead().hash });
    expect(statuses.at(-1)).toBe('verified');

    // An edit to an event the monitor has ALREADY verified is not walked again: the next
    // verification starts from the verified head and checks only what is new.
    tamper(path, (db) =>
      db.prepare(`UPDATE events SET metadata = replace(metadata, '"actor":"test"', '"actor":"mallory"') WHERE position = 3`).run(),
    );
    ok(api.deposit({ account: 'a', amount: '1.00' }));
    ok(api.deposit({ account: 'b', amount: '1.00' }));
    expect(await monitor.verify()).toMatchObject({ state: 'verified', verifiedThrough: 14, head: ledger.logHead().hash });
    expect(ledger.info().readOnly).toBe(false);
    // A full walk (a fresh monitor, as at the next start) does find it.
    expect(await new IntegrityMonitor(ledger).verify()).toMatchObject({ state: 'failed', firstBadPosition: 3 });
  });

  it('with verifyInBackground, follows every append', async () => {
    const { ledger, api } = ledgerWithEvents({ verifyInBackground: true });
    expect(await ledger.integrity.verify()).toMatchObject({ state: 'verified', verifiedThrough: 12, head: ledger.logHead().hash });
    ok(api.deposit({ account: 'a', amount: '1.00' }));
    expect(await ledger.integrity.verify()).toMatchObject({ state: 'verified', verifiedThrough: 13, head: ledger.logHead().hash });
    expect(ok(api.integrityStatus(undefined))).toMatchObject({ state: 'verified', verifiedThrough: 13 });
  });

  it('after tampering (trigger dropped, a payload edited), a ledger reopened with verifyInBackground fails at the first bad position and turns read-only', async () => {
    const { ledger, path } = ledgerWithEvents();
    ledger.close();
    // A replayable edit (a memo), so only the chain walk can notice it — not the replay.
    tamper(path, (db) => {
      db.prepare(`UPDATE events SET data = replace(data, '"memo":"t1"', '"memo":"t9"') WHERE position = 6`).run();
      db.prepare(`UPDATE events SET data = replace(data, '"memo":"t3"', '"memo":"t8"') WHERE position = 10`).run();
    });
    const reopened = openLedger(path, { verifyInBackground: true });
    const status = await reopened.integrity.verify();
    expect(status).toMatchObject({ state: 'failed', firstBadPosition: 6, reason: expect.stringMatching(/hash/) });
    expect(reopened.integrity.status).toEqual(status);
    const api = handlersFor(reopened);
    expect(ok(api.ledgerInfo(undefined))).toMatchObject({ readOnly: true, readOnlyReason: expect.stringContaining('position 6') });
    const refused = failure(api.deposit({ account: 'a', amount: '1.00' }), 'INTEGRITY');
    expect(refused.message).toMatch(/read-only/);
    failure(api.openAccount({ account: 'c', owner: 'C', currency: 'EUR' }), 'INTEGRITY');
    expect(reopened.logHead().position).toBe(12);
    // Reads still work: the auditor can look at what is there.
    expect(ok(api.auditEvents({ filter: { text: 't9' } })).rows.map((row) => row.position)).toEqual([6]);
    // It stays failed: verifying again does not clear it.
    expect(await reopened.integrity.verify()).toMatchObject({ state: 'failed', firstBadPosition: 6 });
  });
});

/** The last event of the command the event at `position` belongs to (commands append side by side). */
function endOfCommand(model: { events: ReadonlyArray<{ position: number; correlationId?: string }> }, position: number): number {
  if (position === 0) return 0;
  let end = position;
  const correlation = model.events[position - 1]!.correlationId;
  while (correlation !== undefined && model.events[end]?.correlationId === correlation) end += 1;
  return end;
}
