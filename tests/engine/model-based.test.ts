/**
 * Model-based property test: random sequences of open / deposit / withdraw / transfer / close /
 * reverse — many of them invalid (unknown accounts, overdrafts, wrong currencies, closed
 * accounts, bad amounts, stale versions, repeated commandIds, reversals of what cannot or can
 * no longer be reversed) — run against the real Ledger on a temp file
 * through the handler table, and against a small reference model written here from the rules
 * (plain Maps and BigInt). Every outcome (ok vs error code, balances, versions) must match,
 * then the final views, then the views after reopening the file (a rebuild).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HandlerTable } from '#engine/handlers';
import type { Ledger } from '#engine/ledger';
import { newLedger, openLedger } from './helpers';

// ── The reference model ─────────────────────────────────────────────────────────────────

const DIGITS: Readonly<Record<string, number>> = { EUR: 2, JPY: 0, KWD: 3 };
const MAX = BigInt(Number.MAX_SAFE_INTEGER);
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

type ModelAccount = { owner: string; currency: string; balance: bigint; version: number; count: number; status: 'open' | 'closed' };
type Summary = { account: string; balanceMinor: number; version: number; to?: { account: string; balanceMinor: number; version: number } };
type Outcome = { ok: true; receipt: Summary; replayed: boolean } | { ok: false; code: string };
/** One event of the model's log: its account, kind and signed effect; a transfer leg knows its partner's position. */
type ModelEvent = {
  account: string;
  kind: 'open' | 'movement' | 'sent' | 'received' | 'close' | 'reversal';
  effect: bigint;
  reversedBy?: number;
};

class Model {
  readonly accounts = new Map<string, ModelAccount>();
  readonly commands = new Map<string, { key: string; receipt: Summary }>();
  /** The log, by position - 1. */
  readonly log: ModelEvent[] = [];

  get events(): number {
    return this.log.length;
  }

  run(name: CommandName, input: Record<string, unknown>): Outcome {
    if (!this.validInput(name, input)) return { ok: false, code: 'VALIDATION' };
    const commandId = input.commandId as string | undefined;
    const key = fingerprint(name, input);
    if (commandId !== undefined) {
      const earlier = this.commands.get(commandId);
      if (earlier) return earlier.key === key ? { ok: true, receipt: earlier.receipt, replayed: true } : { ok: false, code: 'VALIDATION' };
    }
    const outcome = this.decide(name, input);
    if (outcome.ok && commandId !== undefined) this.commands.set(commandId, { key, receipt: outcome.receipt });
    return outcome;
  }

  /** Rule (1): what the request alone shows. */
  private validInput(name: CommandName, input: Record<string, unknown>): boolean {
    const text = (value: unknown, max: number) => typeof value === 'string' && [...value].length <= max;
    if ('expectedVersion' in input && !(Number.isInteger(input.expectedVersion) && (input.expectedVersion as number) >= 0)) return false;
    if ('commandId' in input && !(text(input.commandId, 128) && input.commandId !== '')) return false;
    if ('memo' in input && !text(input.memo, 500)) return false;
    const amountText = (value: unknown) => typeof value === 'string' && value.length <= 64;
    switch (name) {
      case 'open': {
        const owner = typeof input.owner === 'string' ? input.owner.trim() : undefined;
        return (
          typeof input.account === 'string' &&
          ID.test(input.account) &&
          owner !== undefined &&
          owner.length > 0 &&
          [...owner].length <= 200 &&
          typeof input.currency === 'string' &&
          input.currency in DIGITS &&
          (!('initial' in input) || amountText(input.initial))
        );
      }
      case 'deposit':
      case 'withdraw':
        return typeof input.account === 'string' && ID.test(input.account) && amountText(input.amount);
      case 'transfer':
        return (
          typeof input.from === 'string' &&
          ID.test(input.from) &&
          typeof input.to === 'string' &&
          ID.test(input.to) &&
          input.from !== input.to &&
          amountText(input.amount)
        );
      case 'close':
        return typeof input.account === 'string' && ID.test(input.account);
      case 'reverse':
        return (
          Number.isSafeInteger(input.position) &&
          (input.position as number) >= 1 &&
          text(input.reason, 500) &&
          (input.reason as string).trim() !== '' &&
          Object.keys(input).every((field) => ['position', 'reason', 'commandId'].includes(field))
        );
    }
  }

  private decide(name: CommandName, input: Record<string, unknown>): Outcome {
    const expected = input.expectedVersion as number | undefined;
    const refuse = (code: string): Outcome => ({ ok: false, code });
    switch (name) {
      case 'open': {
        const id = input.account as string;
        if (this.accounts.has(id)) return refuse('ALREADY_EXISTS');
        const currency = input.currency as string;
        const initial = parseMinor((input.initial as string | undefined) ?? '0', DIGITS[currency]!);
        if (initial === undefined) return refuse('VALIDATION');
        if (expected !== undefined && expected !== 0) return refuse('CONCURRENCY_CONFLICT');
        this.accounts.set(id, { owner: (input.owner as string).trim(), currency, balance: initial, version: 1, count: 1, status: 'open' });
        this.log.push({ account: id, kind: 'open', effect: initial });
        return this.receipt(id);
      }
      case 'deposit':
      case 'withdraw': {
        const id = input.account as string;
        const account = this.accounts.get(id);
        if (!account) return refuse('NOT_FOUND');
        const amount = parseMinor(input.amount as string, DIGITS[account.currency]!);
        if (amount === undefined || amount === 0n) return refuse('VALIDATION');
        if (account.status === 'closed') return refuse('ACCOUNT_CLOSED');
        if (expected !== undefined && expected !== account.version) return refuse('CONCURRENCY_CONFLICT');
        if (name === 'withdraw' && amount > account.balance) return refuse('INSUFFICIENT_FUNDS');
        if (name === 'deposit' && account.balance + amount > MAX) return refuse('VALIDATION');
        account.balance += name === 'deposit' ? amount : -amount;
        account.version += 1;
        account.count += 1;
        this.log.push({ account: id, kind: 'movement', effect: name === 'deposit' ? amount : -amount });
        return this.receipt(id);
      }
      case 'transfer': {
        const from = this.accounts.get(input.from as string);
        if (!from) return refuse('NOT_FOUND');
        const to = this.accounts.get(input.to as string);
        if (!to) return refuse('NOT_FOUND');
        const amount = parseMinor(input.amount as string, DIGITS[from.currency]!);
        if (amount === undefined || amount === 0n) return refuse('VALIDATION');
        if (from.status === 'closed' || to.status === 'closed') return refuse('ACCOUNT_CLOSED');
        if (expected !== undefined && expected !== from.version) return refuse('CONCURRENCY_CONFLICT');
        if (from.currency !== to.currency) return refuse('CURRENCY_MISMATCH');
        if (amount > from.balance) return refuse('INSUFFICIENT_FUNDS');
        if (to.balance + amount > MAX) return refuse('VALIDATION');
        from.balance -= amount;
        to.balance += amount;
        for (const account of [from, to]) {
          account.version += 1;
          account.count += 1;
        }
        this.log.push({ account: input.from as string, kind: 'sent', effect: -amount });
        this.log.push({ account: input.to as string, kind: 'received', effect: amount });
        return this.receipt(input.from as string, input.to as string);
      }
      case 'close': {
        const id = input.account as string;
        const account = this.accounts.get(id);
        if (!account) return refuse('NOT_FOUND');
        if (account.status === 'closed') return refuse('ACCOUNT_CLOSED');
        if (expected !== undefined && expected !== account.version) return refuse('CONCURRENCY_CONFLICT');
        if (account.balance !== 0n) return refuse('ACCOUNT_NOT_EMPTY');
        account.status = 'closed';
        account.version += 1;
        this.log.push({ account: id, kind: 'close', effect: 0n });
        return this.receipt(id);
      }
      case 'reverse': {
        const position = input.position as number;
        const asked = this.log[position - 1];
        if (!asked) return refuse('NOT_FOUND');
        if (asked.kind === 'open' || asked.kind === 'close' || asked.kind === 'reversal') return refuse('VALIDATION');
        // The whole command: a transfer's legs sit side by side, sender first.
        const first = asked.kind === 'received' ? position - 1 : position;
        const legs = asked.kind === 'sent' || asked.kind === 'received' ? [first, first + 1] : [first];
        if (legs.some((leg) => this.log[leg - 1]!.reversedBy !== undefined)) return refuse('ALREADY_REVERSED');
        const accounts = legs.map((leg) => this.accounts.get(this.log[leg - 1]!.account)!);
        if (accounts.some((account) => account.status === 'closed')) return refuse('ACCOUNT_CLOSED');
        if (legs.some((leg, index) => accounts[index]!.balance - this.log[leg - 1]!.effect < 0n)) return refuse('INSUFFICIENT_FUNDS');
        if (legs.some((leg, index) => accounts[index]!.balance - this.log[leg - 1]!.effect > MAX)) return refuse('VALIDATION');
        legs.forEach((leg, index) => {
          const original = this.log[leg - 1]!;
          const account = accounts[index]!;
          account.balance -= original.effect;
          account.version += 1;
          account.count += 1;
          this.log.push({ account: original.account, kind: 'reversal', effect: -original.effect });
          original.reversedBy = this.log.length;
        });
        return this.receipt(asked.account);
      }
    }
  }

  private receipt(id: string, toId?: string): Outcome {
    const summary = (accountId: string) => {
      const account = this.accounts.get(accountId)!;
      return { account: accountId, balanceMinor: Number(account.balance), version: account.version };
    };
    return { ok: true, replayed: false, receipt: toId === undefined ? summary(id) : { ...summary(id), to: summary(toId) } };
  }

  /** The views listAccounts must show, ordered by id. */
  views() {
    return [...this.accounts.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, account]) => ({
        id,
        owner: account.owner,
        currency: account.currency,
        balance: formatMinor(account.balance, DIGITS[account.currency]!),
        balanceMinor: Number(account.balance),
        transactionCount: account.count,
        version: account.version,
        status: account.status,
      }));
  }
}

function parseMinor(text: string, digits: number): bigint | undefined {
  const match = /^([0-9]+)(?:\.([0-9]+))?$/.exec(text);
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return undefined;
  const value = BigInt(match[1]! + fraction.padEnd(digits, '0'));
  return value > MAX ? undefined : value;
}

function formatMinor(value: bigint, digits: number): string {
  const text = value.toString().padStart(digits + 1, '0');
  return digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** Same command = same name and fields, ignoring commandId and expectedVersion; owners compare trimmed. */
function fingerprint(name: CommandName, input: Record<string, unknown>): string {
  const fields = Object.entries(input)
    .filter(([field]) => field !== 'commandId' && field !== 'expectedVersion')
    .map(([field, value]) => [field, field === 'owner' && typeof value === 'string' ? value.trim() : value] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([name, fields]);
}

// ── Random commands ─────────────────────────────────────────────────────────────────────

type CommandName = 'open' | 'deposit' | 'withdraw' | 'transfer' | 'close' | 'reverse';
type ExpectedVersion = 'current' | number;
/** Stands for "the account's whole balance" until the command runs. */
const WHOLE_BALANCE = '<whole balance>';
type GeneratedCommand = { name: CommandName; fields: Record<string, unknown>; expected?: ExpectedVersion };
/** Stands for a position this many events before the log's end, until the command runs (most reversals name a recent event). */
const POSITION_BACK = '<positions back>';

const accountArb = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom('a', 'b', 'c') },
  { weight: 1, arbitrary: fc.constantFrom('ghost', '-bad', '') },
);
const amountArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 1, max: 3_000 }).map(String) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 300 }), fc.stringMatching(/^[0-9]{1,4}$/))
      .map(([whole, fraction]) => `${whole}.${fraction}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('0', '0.00') },
  { weight: 1, arbitrary: fc.constantFrom('-5', '1e3', 'abc', '', ' 1', '1,5', 'NaN', '.5') },
  { weight: 1, arbitrary: fc.constantFrom('90071992547409.91', '9007199254740991', '9007199254740992', '1'.repeat(70)) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(5, null) },
);
const ownerArb = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('Ann', '  Bo  ', '李白', '🏦'.repeat(200)) },
  { weight: 1, arbitrary: fc.constantFrom('', '   ', '🏦'.repeat(201)) },
);
const currencyArb = fc.oneof(
  { weight: 15, arbitrary: fc.constantFrom('EUR', 'EUR', 'JPY', 'KWD') },
  { weight: 1, arbitrary: fc.constant('XXX') },
);
const transferPairArb: fc.Arbitrary<[string, string]> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom<[string, string]>(['a', 'b'], ['b', 'a'], ['a', 'c'], ['c', 'a'], ['b', 'c'], ['c', 'b']) },
  { weight: 1, arbitrary: fc.constantFrom<[string, string]>(['a', 'a'], ['ghost', 'a'], ['b', 'ghost'], ['-bad', 'c']) },
);
/** Present about one time in three; rarely too long. */
const memoArb = fc.option(
  fc.oneof({ weight: 5, arbitrary: fc.constantFrom('rent', '') }, { weight: 1, arbitrary: fc.constant('x'.repeat(501)) }),
  { nil: undefined, freq: 2 },
);
const commandIdArb = fc.option(fc.constantFrom('k1', 'k2', 'k3', 'k4'), { nil: undefined, freq: 2 });
const expectedArb = fc.option(
  fc.oneof({ weight: 3, arbitrary: fc.constant<ExpectedVersion>('current') }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 5 }) }),
  { nil: undefined, freq: 2 },
);
const optionalArb = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 3 });

/** Most runs start by opening the three accounts (in random currencies), so later commands have something to act on. */
const openingsArb = fc
  .tuple(
    ...['a', 'b', 'c'].map((account) =>
      fc.record({ account: fc.constant(account), currency: currencyArb, initial: fc.integer({ min: 0, max: 5_000 }).map(String) }),
    ),
  )
  .map((openings) => openings.map((fields) => build('open', { ...fields, owner: `Owner ${fields.account}` }, undefined)));

const commandArb: fc.Arbitrary<GeneratedCommand> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .record({
        account: accountArb,
        owner: ownerArb,
        currency: currencyArb,
        initial: optionalArb(amountArb),
        commandId: commandIdArb,
        expected: expectedArb,
      })
      .map(({ expected, ...fields }) => build('open', fields, expected)),
  },
  {
    weight: 5,
    arbitrary: fc
      .record({
        name: fc.constantFrom<CommandName>('deposit', 'withdraw'),
        account: accountArb,
        amount: amountArb,
        memo: memoArb,
        commandId: commandIdArb,
        expected: expectedArb,
      })
      .map(({ name, expected, ...fields }) => build(name, fields, expected)),
  },
  {
    weight: 4,
    arbitrary: fc
      .record({ pair: transferPairArb, amount: amountArb, memo: memoArb, commandId: commandIdArb, expected: expectedArb })
      .map(({ pair: [from, to], expected, ...fields }) => build('transfer', { from, to, ...fields }, expected)),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ account: accountArb, commandId: commandIdArb, expected: expectedArb })
      .map(({ expected, ...fields }) => build('close', fields, expected)),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({
        position: fc.oneof(
          { weight: 8, arbitrary: fc.nat(5).map((back) => ({ [POSITION_BACK]: back })) },
          { weight: 2, arbitrary: fc.integer({ min: 1, max: 90 }) },
          { weight: 1, arbitrary: fc.constantFrom<unknown>(0, -1, 1.5, '3', null) },
        ),
        reason: fc.oneof(
          { weight: 12, arbitrary: fc.constantFrom('booked twice', 'wrong account', '李白') },
          { weight: 1, arbitrary: fc.constantFrom('', '   ', 'x'.repeat(501)) },
        ),
        commandId: commandIdArb,
        // A reversal takes no expected version: sent anyway, the request is refused as a whole.
        expectedVersion: fc.integer({ min: 0, max: 11 }).map((draw) => (draw === 0 ? 1 : undefined)),
      })
      .map((fields) => build('reverse', fields, undefined)),
  },
  {
    // Empties an account (the amount is its balance when the command runs), so closing can succeed.
    weight: 1,
    arbitrary: accountArb.map((account) => build('withdraw', { account, amount: WHOLE_BALANCE }, undefined)),
  },
);

/** Drops absent (undefined) fields: a client leaves them out. */
function build(name: CommandName, fields: Record<string, unknown>, expected: ExpectedVersion | undefined): GeneratedCommand {
  const present = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  return { name, fields: present, ...(expected === undefined ? {} : { expected }) };
}

/** The request as a client would send it; 'current' becomes the version the model holds now. */
function requestFor(command: GeneratedCommand, model: Model): Record<string, unknown> {
  const position = command.fields.position;
  if (typeof position === 'object' && position !== null && POSITION_BACK in position) {
    // Past the three openings most runs begin with, when the log is long enough.
    const back = Math.min((position as Record<string, number>)[POSITION_BACK]!, Math.max(0, model.events - 4));
    return { ...command.fields, position: model.events - back };
  }
  if (command.fields.amount === WHOLE_BALANCE) {
    const account = model.accounts.get(command.fields.account as string);
    const amount = account ? formatMinor(account.balance, DIGITS[account.currency]!) : '1';
    return { ...command.fields, amount };
  }
  if (command.expected === undefined) return command.fields;
  let expectedVersion = command.expected;
  if (expectedVersion === 'current') {
    const primary = (command.name === 'transfer' ? command.fields.from : command.fields.account) as string;
    expectedVersion = command.name === 'open' ? 0 : (model.accounts.get(primary)?.version ?? 0);
  }
  return { ...command.fields, expectedVersion };
}

function callLedger(api: HandlerTable, name: CommandName, request: Record<string, unknown>) {
  switch (name) {
    case 'open':
      return api.openAccount(request);
    case 'deposit':
      return api.deposit(request);
    case 'withdraw':
      return api.withdraw(request);
    case 'transfer':
      return api.transfer(request);
    case 'close':
      return api.closeAccount(request);
    case 'reverse':
      return api.reverse(request);
  }
}

function realOutcome(result: ReturnType<typeof callLedger>): Outcome {
  if (!result.ok) return { ok: false, code: result.error.code };
  const receipt = result.value;
  const summary: Summary = { account: receipt.account, balanceMinor: receipt.balanceMinor, version: receipt.version };
  if (receipt.to) summary.to = { account: receipt.to.account, balanceMinor: receipt.to.balanceMinor, version: receipt.to.version };
  return { ok: true, receipt: summary, replayed: receipt.replayed === true };
}

function realViews(ledger: Ledger) {
  return ledger.listAccounts().map(({ lastTransactionAt: _last, openedAt: _opened, ...view }) => view);
}

// ── The property ────────────────────────────────────────────────────────────────────────

describe('model-based', () => {
  it('property: the ledger agrees with the reference model on every outcome and on the final views', () => {
    let commandsRun = 0;
    let successes = 0;
    let reversals = 0;
    const codes = new Set<string>();
    fc.assert(
      fc.property(openingsArb, fc.array(commandArb, { minLength: 1, maxLength: 45, size: 'medium' }), (openings, rest) => {
        const commands = [...openings, ...rest];
        const { path, ledger, api } = newLedger();
        const model = new Model();
        const firstReceipts = new Map<string, unknown>();
        commands.forEach((command, index) => {
          const request = requestFor(command, model);
          const expected = model.run(command.name, request);
          const result = callLedger(api, command.name, request);
          const actual = realOutcome(result);
          expect(
            actual,
            `step ${index}: ${command.name} ${JSON.stringify(request)}${result.ok ? '' : ` → ${result.error.message}`}`,
          ).toEqual(expected);
          expect(ledger.logHead().position, `events after step ${index}`).toBe(model.events);
          commandsRun += 1;
          if (result.ok) {
            successes += 1;
            if (command.name === 'reverse' && !result.value.replayed) reversals += 1;
            // A replay answers the very first receipt, transferId and position included.
            const commandId = request.commandId as string | undefined;
            if (commandId !== undefined) {
              const { replayed: _replayed, ...receipt } = result.value;
              if (actual.ok && actual.replayed) expect(receipt).toEqual(firstReceipts.get(commandId));
              else firstReceipts.set(commandId, receipt);
            }
          } else {
            codes.add(result.error.code);
          }
        });
        const views = model.views();
        expect(realViews(ledger)).toEqual(views);
        ledger.close();

        const reopened = openLedger(path);
        expect(realViews(reopened)).toEqual(views);
        // The reversal links, rebuilt by the replay, are the model's.
        model.log.forEach((event, index) => expect(reopened.reversedBy(index + 1), `position ${index + 1}`).toBe(event.reversedBy));
        expect(reopened.verify()).toMatchObject({ ok: true, events: model.events });
        reopened.close();
      }),
      { numRuns: 80 },
    );
    // The generator really reaches the interesting cases.
    expect(successes).toBeGreaterThan(commandsRun / 5);
    expect(reversals).toBeGreaterThan(25);
    for (const code of [
      'VALIDATION',
      'NOT_FOUND',
      'ALREADY_EXISTS',
      'INSUFFICIENT_FUNDS',
      'CURRENCY_MISMATCH',
      'ACCOUNT_CLOSED',
      'ACCOUNT_NOT_EMPTY',
      'CONCURRENCY_CONFLICT',
      'ALREADY_REVERSED',
    ]) {
      expect(codes, code).toContain(code);
    }
  });
});
