/**
 * Issue 6, item 3 — hostile input, through the two doors a stranger's bytes come in by:
 * the IPC handler table (`dispatch`, which every host uses) and the `ledger` CLI.
 *
 * Every input here is invalid. Each must be answered with a typed error — a Result envelope
 * whose code is one of ERROR_CODES and whose message is a string — never an exception, and
 * the ledger file (with its -wal and head checkpoint) must be byte-for-byte unchanged.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_CHANNELS, CHANNEL_NAMES, QUERY_CHANNELS } from '#shared/ipc-contract';
import { createHandlers, dispatch, type HandlerTable } from '#engine/handlers';
import { Ledger } from '#engine/ledger';
import { count, isTypedFailure, ledgerFingerprint, recordFigures, removeFolder, runCli, scratchFolder } from './helpers';

const MEGABYTE = 'x'.repeat(1024 * 1024);
const MEGABYTE_DIGITS = '1'.repeat(1024 * 1024);

/** Amount texts (and non-texts) that must never be accepted as money. */
const BAD_AMOUNTS: readonly unknown[] = [
  '1e3',
  '1E3',
  '1e-2',
  '-1',
  '-1.00',
  '+1',
  '1,00',
  '1,000.00',
  ' 1',
  '1 ',
  '1\n',
  '\t1',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '0',
  '0.00',
  '0.001',
  '1.',
  '.5',
  '1..2',
  '0x10',
  '0b1',
  '1_000',
  '99999999999999999999',
  '90071992547409.92',
  '١٢',
  '１２',
  '1\u0000',
  '\u202E1',
  '',
  MEGABYTE_DIGITS,
  MEGABYTE,
  1,
  0.1,
  12.34,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1e21,
  2 ** 53,
  10n,
  null,
  true,
  [],
  ['1.00'],
  {},
  { valueOf: () => '1.00' },
  { toString: () => '1.00' },
];
/** Initial amounts: the same, less the zeros an opening may legitimately have. */
const BAD_INITIALS = BAD_AMOUNTS.filter((amount) => amount !== '0' && amount !== '0.00');

const BAD_OWNERS: readonly unknown[] = [
  '',
  '   ',
  '\u202E',
  'Eve\u202Egnp.exe',
  'A\u202Db',
  'A\u2066b\u2069',
  'A\u0000b',
  'A\u0007b',
  'line\nbreak',
  'A\u001B[31mred',
  'A\u0085b',
  'A\u009Bb',
  'x'.repeat(201),
  MEGABYTE,
  42,
  null,
  [],
  {},
];
const BAD_MEMOS: readonly unknown[] = [
  '\u202E',
  'pay\u202Eevil',
  '\u2067x',
  'A\u0000b',
  'tab\there',
  'A\u001B]8;;http://evil\u0007',
  'A\u007Fb',
  'y'.repeat(501),
  MEGABYTE,
  7,
  null,
  {},
];
const BAD_ACCOUNT_IDS: readonly unknown[] = [
  '',
  ' a1',
  'a1 ',
  '../etc/passwd',
  'a/b',
  '__proto__',
  '-a',
  '.a',
  'a'.repeat(65),
  '\u202Ea1',
  'a1\u0000',
  'ä1',
  MEGABYTE,
  1,
  null,
  {},
];
const BAD_CURRENCIES: readonly unknown[] = [
  'XXX',
  'eur',
  'EUR ',
  ' EUR',
  'EU',
  'EURO',
  '',
  '€',
  'BTC',
  'XTS',
  '__proto__',
  'constructor',
  MEGABYTE,
  978,
  null,
  {},
];
const BAD_COMMAND_IDS: readonly unknown[] = ['', 'id\u0000', 'id\u202E', 'i'.repeat(129), MEGABYTE, 5, null, {}];
const BAD_VERSIONS: readonly unknown[] = [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1', 2 ** 53, null, {}];

/** Valid base requests per command channel, each field with its list of hostile replacements. */
const COMMAND_CASES: ReadonlyArray<{
  channel: keyof typeof COMMAND_CHANNELS;
  base: Record<string, unknown>;
  required: readonly string[];
  hostile: Readonly<Record<string, readonly unknown[]>>;
}> = [
  {
    channel: 'openAccount',
    base: { account: 'new-1', owner: 'New Owner', currency: 'EUR', initial: '1.00' },
    required: ['account', 'owner', 'currency'],
    hostile: {
      account: BAD_ACCOUNT_IDS,
      owner: BAD_OWNERS,
      currency: BAD_CURRENCIES,
      initial: BAD_INITIALS,
      commandId: BAD_COMMAND_IDS,
      expectedVersion: BAD_VERSIONS,
    },
  },
  {
    channel: 'deposit',
    base: { account: 'a1', amount: '1.00', memo: 'ok' },
    required: ['account', 'amount'],
    hostile: { account: BAD_ACCOUNT_IDS, amount: BAD_AMOUNTS, memo: BAD_MEMOS, commandId: BAD_COMMAND_IDS, expectedVersion: BAD_VERSIONS },
  },
  {
    channel: 'withdraw',
    base: { account: 'a1', amount: '1.00' },
    required: ['account', 'amount'],
    hostile: { account: BAD_ACCOUNT_IDS, amount: BAD_AMOUNTS, memo: BAD_MEMOS, commandId: BAD_COMMAND_IDS, expectedVersion: BAD_VERSIONS },
  },
  {
    channel: 'transfer',
    base: { from: 'a1', to: 'a2', amount: '1.00' },
    required: ['from', 'to', 'amount'],
    hostile: {
      from: BAD_ACCOUNT_IDS,
      to: [...BAD_ACCOUNT_IDS, 'a1'],
      amount: BAD_AMOUNTS,
      memo: BAD_MEMOS,
      commandId: BAD_COMMAND_IDS,
      expectedVersion: BAD_VERSIONS,
    },
  },
  {
    channel: 'closeAccount',
    base: { account: 'empty-1' },
    required: ['account'],
    hostile: { account: BAD_ACCOUNT_IDS, commandId: BAD_COMMAND_IDS, expectedVersion: BAD_VERSIONS },
  },
];

/** Keys no request has: extra fields, prototype keys, look-alikes of internal fields. */
const EXTRA_KEYS = [
  'extra',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'balanceMinor',
  'amountMinor',
  'position',
  'Account',
  'amount ',
];

/** Adds `key` as an OWN property, the way JSON.parse or structured clone would deliver it. */
function withOwnKey(base: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy = { ...base };
  Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
  return copy;
}

let folder: string;
let ledgerPath: string;
let ledger: Ledger;
let table: HandlerTable;
let tried = 0;
let accidentallyValid = 0;
const codes: Record<string, number> = {};

/** Calls a channel and checks the answer is a typed failure (or, for a query, a plain success). */
async function expectRefused(channel: string, request: unknown, label: string): Promise<void> {
  tried += 1;
  let answer: unknown;
  try {
    // Some handlers (export) answer a promise; a rejected one would be an exception too.
    answer = await dispatch(table, channel, request);
  } catch (error) {
    throw new Error(`${label}: dispatch threw ${String(error)}`);
  }
  const isQuery = Object.prototype.hasOwnProperty.call(QUERY_CHANNELS, channel);
  if (isQuery && (answer as { ok?: unknown }).ok === true) return;
  if (!isTypedFailure(answer)) throw new Error(`${label}: not a typed failure: ${JSON.stringify(answer)?.slice(0, 300)}`);
  const code = (answer as { error: { code: string } }).error.code;
  // An internal error dressed as STORAGE would be a handler bug, not a refusal of bad input.
  if (code === 'STORAGE' || code === 'INTEGRITY') throw new Error(`${label}: refused as ${code}: ${JSON.stringify(answer).slice(0, 300)}`);
  codes[code] = (codes[code] ?? 0) + 1;
}

/** Brings the files to rest: the WAL copied into the file, the head checkpoint written. */
function settle(): void {
  const db = new Database(ledger.path);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  ledger.flushCheckpoint();
}

function expectUnchanged(before: Record<string, string>, lastPosition: number): void {
  settle();
  expect(ledgerFingerprint(ledgerPath)).toEqual(before);
  expect(ledger.info().lastPosition).toBe(lastPosition);
}

beforeAll(() => {
  folder = scratchFolder('hostile');
  ledgerPath = join(folder, 'hostile.db');
  const opened = Ledger.open({ path: ledgerPath, actor: 'reliability-setup' });
  if (!opened.ok) throw new Error(JSON.stringify(opened.error));
  ledger = opened.value;
  for (const input of [
    { account: 'a1', owner: 'Alice', currency: 'EUR', initial: '100.00' },
    { account: 'a2', owner: 'Bob', currency: 'EUR', initial: '5.00' },
    { account: 'empty-1', owner: 'Empty', currency: 'EUR' },
  ]) {
    const result = ledger.execute({ name: 'open', input } as never);
    if (!result.ok) throw new Error(JSON.stringify(result.error));
  }
  table = createHandlers(() => ledger);
});

afterAll(async () => {
  ledger?.close();
  removeFolder(folder);
});

describe('hostile input through the IPC handler table', () => {
  it('refuses every crafted bad field, missing field and extra key with a typed error, writing nothing', async () => {
    settle();
    const before = ledgerFingerprint(ledgerPath);
    const lastPosition = ledger.info().lastPosition;
    const start = tried;
    for (const { channel, base, required, hostile } of COMMAND_CASES) {
      for (const [field, values] of Object.entries(hostile)) {
        for (const [index, value] of values.entries())
          await expectRefused(channel, { ...base, [field]: value }, `${channel}.${field}[${index}]`);
      }
      for (const field of required) {
        const { [field]: _removed, ...rest } = base;
        await expectRefused(channel, rest, `${channel} without ${field}`);
      }
      for (const key of EXTRA_KEYS) {
        await expectRefused(channel, withOwnKey(base, key, 1), `${channel} with extra ${key}`);
        await expectRefused(channel, withOwnKey(base, key, { polluted: true }), `${channel} with extra ${key} object`);
      }
      // What JSON.parse (the preview host, a CLI line) makes of prototype keys.
      await expectRefused(
        channel,
        JSON.parse(`{${JSON.stringify(base).slice(1, -1)},"__proto__":{"account":"a2","isAdmin":true}}`),
        `${channel} JSON __proto__`,
      );
      await expectRefused(
        channel,
        JSON.parse(`{${JSON.stringify(base).slice(1, -1)},"constructor":{"prototype":{"x":1}}}`),
        `${channel} JSON constructor`,
      );
      // Whole requests of the wrong shape.
      for (const request of [
        undefined,
        null,
        0,
        '',
        'deposit',
        [],
        [base],
        new Date(0),
        Object.create(null),
        JSON.parse('{"__proto__":{"x":1}}'),
      ]) {
        await expectRefused(channel, request, `${channel} request ${Object.prototype.toString.call(request)}`);
      }
    }
    // Query channels with hostile ids and shapes.
    for (const account of BAD_ACCOUNT_IDS) {
      await expectRefused('getAccount', { account }, `getAccount ${String(account).slice(0, 20)}`);
      await expectRefused('accountHistory', { account }, `accountHistory ${String(account).slice(0, 20)}`);
    }
    for (const value of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1', 1e9, null]) {
      await expectRefused('accountHistory', { account: 'a1', fromVersion: value }, `accountHistory fromVersion ${String(value)}`);
      await expectRefused('accountHistory', { account: 'a1', limit: value }, `accountHistory limit ${String(value)}`);
    }
    for (const channel of ['listAccounts', 'ledgerInfo']) {
      await expectRefused(channel, { extra: 1 }, `${channel} extra`);
      await expectRefused(channel, JSON.parse('{"__proto__":{"x":1}}'), `${channel} __proto__`);
    }
    // Unknown channels, prototype names among them.
    for (const channel of [
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'valueOf',
      'prototype',
      'Deposit',
      'deposit ',
      'ledger:deposit',
      'importLegacy',
      'close',
      'store',
      '',
      MEGABYTE,
    ]) {
      await expectRefused(channel, { account: 'a1', amount: '1.00' }, `channel ${channel.slice(0, 20)}`);
    }
    expectUnchanged(before, lastPosition);
    const crafted = tried - start;
    console.log(
      `hostile input (IPC, crafted): ${count(crafted)} inputs, ${count(crafted)} typed refusals, 0 exceptions, ledger file unchanged`,
    );
    await recordFigures('hostileInputIpcCrafted', { inputs: crafted, typedRefusals: crafted, exceptions: 0, fileUnchanged: true });
  });

  it('answers fast-check generated garbage on every channel with a typed error, writing nothing', async () => {
    settle();
    const before = ledgerFingerprint(ledgerPath);
    const lastPosition = ledger.info().lastPosition;
    const start = tried;
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      key: fc.oneof(
        fc.string(),
        fc.constantFrom('__proto__', 'constructor', 'prototype', 'account', 'amount', 'from', 'to', 'owner', 'currency', 'memo'),
      ),
    });
    const hostileText = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.constantFrom(...BAD_AMOUNTS.filter((value) => typeof value === 'string'), ...BAD_OWNERS, ...BAD_MEMOS),
      fc.string().map((text) => `${text}\u202E${text}`),
      fc.string().map((text) => `${text}\u0000`),
    );
    const hostileAmount = fc.oneof(
      fc.constantFrom(...BAD_AMOUNTS),
      fc
        .double()
        .map(String)
        .filter((text) => !/^\d+(\.\d{1,2})?$/.test(text)),
      fc.double(),
      fc.bigInt().map((value) => `${value}e${value % 5n}`),
      fc.string({ unit: 'binary' }).filter((text) => !/^\d+(\.\d{1,2})?$/.test(text)),
    );
    // Each generated request is checked to be invalid by construction (see the filters) or by its field.
    const requests = fc.oneof(
      fc.record({ channel: fc.constantFrom(...CHANNEL_NAMES, '__proto__', 'constructor', 'toString'), request: anything }),
      fc.record({
        channel: fc.constantFrom(...CHANNEL_NAMES, '__proto__', 'constructor', 'toString'),
        request: fc.object({
          key: fc.constantFrom(
            'account',
            'amount',
            'from',
            'to',
            'owner',
            'currency',
            'memo',
            '__proto__',
            'constructor',
            'commandId',
            'extra',
          ),
        }),
      }),
      fc.record({
        channel: fc.constantFrom('deposit', 'withdraw'),
        request: fc.record({ account: fc.constantFrom('a1', 'a2'), amount: hostileAmount }),
      }),
      fc.record({
        channel: fc.constant('transfer'),
        request: fc.record({ from: fc.constant('a1'), to: fc.constant('a2'), amount: hostileAmount }),
      }),
      fc.record({
        channel: fc.constant('openAccount'),
        request: fc.record({ account: fc.constant('fresh-1'), owner: hostileText.filter(isBadOwner), currency: fc.constant('EUR') }),
      }),
      fc.record({
        channel: fc.constant('openAccount'),
        request: fc.record({
          account: fc.constant('fresh-2'),
          owner: fc.constant('Ok'),
          currency: fc.string().filter((code) => !/^[A-Z]{3}$/.test(code)),
        }),
      }),
      fc.record({
        channel: fc.constantFrom('deposit', 'withdraw'),
        request: fc.record({ account: fc.constant('a1'), amount: fc.constant('1.00'), memo: hostileText.filter(isBadMemo) }),
      }),
      fc.record({ channel: fc.string(), request: anything }),
    );
    await fc.assert(
      fc.asyncProperty(requests, async ({ channel, request }) => {
        if (isAccidentallyValid(channel, request)) return;
        await expectRefused(channel, request, `generated ${channel}`);
      }),
      { numRuns: 3_000, seed: Number(process.env.RELIABILITY_SEED ?? Date.now() % 2 ** 31) },
    );
    expectUnchanged(before, lastPosition);
    const generated = tried - start;
    console.log(
      `hostile input (IPC, fast-check): ${count(generated)} generated inputs on ${CHANNEL_NAMES.length} channels and unknown ones ` +
        `(${accidentallyValid} valid-by-chance commands left out), 0 exceptions, ledger file unchanged`,
    );
    await recordFigures('hostileInputIpcGenerated', {
      inputs: generated,
      leftOutValidByChance: accidentallyValid,
      exceptions: 0,
      fileUnchanged: true,
    });
  });
});

/** An owner the schema must refuse: empty after trimming, too long, or holding unsafe characters. */
function isBadOwner(owner: unknown): boolean {
  if (typeof owner !== 'string') return true;
  const trimmed = owner.trim();
  return trimmed.length === 0 || [...trimmed].length > 200 || /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u.test(trimmed);
}

function isBadMemo(memo: unknown): boolean {
  if (typeof memo !== 'string') return true;
  return [...memo].length > 500 || /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u.test(memo);
}

/**
 * A generator can by chance build a request that is valid (e.g. `{}` for listAccounts, or a
 * random object that happens to be a whole deposit). Queries may answer ok; a command that
 * passes the schema AND carries only well-formed amounts is left out rather than executed, so
 * every command tried is invalid and a success can only mean the ledger let something slip in.
 * (Shape-valid commands with a malformed amount ARE tried: the engine must refuse those.)
 */
function isAccidentallyValid(channel: string, request: unknown): boolean {
  if (!Object.prototype.hasOwnProperty.call(COMMAND_CHANNELS, channel)) return false;
  const parsed = COMMAND_CHANNELS[channel as keyof typeof COMMAND_CHANNELS].request.safeParse(request);
  if (!parsed.success) return false;
  const amounts = ['amount', 'initial']
    .map((field) => (parsed.data as Record<string, unknown>)[field])
    .filter((value) => value !== undefined);
  const valid = amounts.every((amount) => typeof amount === 'string' && /^\d{1,10}(\.\d{1,2})?$/.test(amount) && /[1-9]/.test(amount));
  if (valid) accidentallyValid += 1;
  return valid;
}

describe('hostile input through the CLI', () => {
  it('refuses hostile flags and apply lines with exit code 1 or 2, writing nothing', async () => {
    settle();
    const before = ledgerFingerprint(ledgerPath);
    const lastPosition = ledger.info().lastPosition;
    const db = ['--db', ledgerPath];
    const argvCases: Array<{ args: string[]; exit: number[] }> = [
      { args: [...db, 'deposit', '--account', 'a1', '--amount', '1e3'], exit: [1] },
      { args: [...db, 'deposit', '--account', 'a1', '--amount=-1'], exit: [1] },
      { args: [...db, 'withdraw', '--account', 'a1', '--amount', 'NaN'], exit: [1] },
      { args: [...db, 'deposit', '--account', 'a1', '--amount', '99999999999999999999'], exit: [1] },
      { args: [...db, 'deposit', '--account', 'a1', '--amount', '1.00', '--memo', 'pay\u202Eevil'], exit: [1] },
      { args: [...db, 'open', '--account', 'x1', '--owner', '\u001B[2J\u001B[31mroot', '--currency', 'EUR'], exit: [1] },
      { args: [...db, 'open', '--account', 'x2', '--owner', 'Ok', '--currency', 'BTC'], exit: [1] },
      { args: [...db, 'deposit', '--account', 'a1', '--amount', '1.00', '--admin'], exit: [2] },
      { args: [...db, '__proto__', '--account', 'a1'], exit: [2] },
      { args: [...db, 'transfer', '--from', 'a1', '--to', 'a1', '--amount', '1.00'], exit: [1] },
      { args: [...db, 'history', '__proto__'], exit: [1] },
      // Issue 16/17: signs and typos in flags, targets that are not files on disk, input
      // files that are not there, and export targets that would overwrite the ledger.
      { args: [...db, 'deposit', '--account', 'a1', '--amount', '-5'], exit: [1] },
      { args: [...db, 'deposit', '--acount', 'a1', '--amount', '1.00'], exit: [2] },
      { args: [...db, 'deposit', '--account', 'a1', '--amount', '1.00', '--amount', '2.00'], exit: [2] },
      { args: ['--db', ':memory:', 'deposit', '--account', 'a1', '--amount', '1.00'], exit: [2] },
      { args: ['--db', `file:${ledgerPath}?mode=memory`, 'deposit', '--account', 'a1', '--amount', '1.00'], exit: [2] },
      { args: ['--db', `${ledgerPath}/`, 'accounts'], exit: [2] },
      { args: [...db, 'apply', '--file', join(folder, 'missing.jsonl')], exit: [1] },
      { args: [...db, 'apply', '--file', folder], exit: [1] },
      { args: [...db, 'import', '--file', join(folder, 'missing.jsonl')], exit: [1] },
      { args: [...db, 'export', '--out', ledgerPath, '--force'], exit: [1] },
      { args: [...db, 'export', '--out', `${ledgerPath}-wal`, '--force'], exit: [1] },
      { args: [...db, 'export', '--out', `${ledgerPath}.head.json`, '--force'], exit: [1] },
      { args: [...db, 'export', '--format', 'csv', '--out', '/dev/null', '--force'], exit: [1] },
    ];
    const hostileLines = [
      'not json',
      '[]',
      'null',
      '"deposit"',
      '{}',
      '{"command":"__proto__","account":"a1","amount":"1.00"}',
      '{"command":"constructor"}',
      '{"command":"toString"}',
      '{"command":"deposit","account":"a1","amount":1}',
      '{"command":"deposit","account":"a1","amount":"1e3"}',
      '{"command":"deposit","account":"a1","amount":"-0"}',
      '{"command":"deposit","account":"a1","amount":"NaN"}',
      '{"command":"deposit","account":"a1","amount":"Infinity"}',
      '{"command":"deposit","account":"a1","amount":"0.001"}',
      '{"command":"deposit","account":"a1","amount":"1.00","__proto__":{"isAdmin":true}}',
      '{"command":"deposit","account":"a1","amount":"1.00","constructor":{"prototype":{"x":1}}}',
      '{"__proto__":{"command":"deposit"},"account":"a1","amount":"1.00"}',
      '{"command":"deposit","account":"a1","amount":"1.00","commandId":"x\\u0000"}',
      '{"command":"open","account":"z1","owner":"\\u202Eevil","currency":"EUR"}',
      '{"command":"open","account":"z2","owner":"Ok","currency":"eur"}',
      '{"command":"withdraw","account":"a1","amount":"1.00","expectedVersion":1e400}',
      `{"command":"deposit","account":"a1","amount":"1.00","memo":"${MEGABYTE}"}`,
      `{"command":"deposit","account":"a1","amount":"${MEGABYTE_DIGITS}"}`,
      MEGABYTE,
      '\u0000\u0001\u0002',
    ];
    const runs = await Promise.all([
      ...argvCases.map(({ args }) => runCli(args)),
      runCli([...db, 'apply'], `${hostileLines.join('\n')}\n`),
    ]);
    argvCases.forEach(({ args, exit }, index) => {
      const run = runs[index]!;
      const label = `ledger ${args.slice(2).join(' ').slice(0, 80)}`;
      expect(exit, `${label} → exit ${run.code}: ${run.stdout}${run.stderr}`).toContain(run.code);
      const answer = JSON.parse(run.stdout.split('\n')[0]!);
      expect(isTypedFailure(answer), `${label}: ${run.stdout}`).toBe(true);
    });
    const apply = runs[runs.length - 1]!;
    expect(apply.code, apply.stderr).toBe(1);
    const answers = apply.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { ok: boolean; line: number });
    expect(answers.map((answer) => answer.line)).toEqual(hostileLines.map((_, index) => index + 1));
    for (const answer of answers) expect(isTypedFailure(answer), JSON.stringify(answer).slice(0, 300)).toBe(true);
    expect(apply.stderr).toBe('');

    // The CLI opened the file again and again and wrote nothing.
    ledger.refresh();
    expectUnchanged(before, lastPosition);
    const spawns = argvCases.length + 1;
    const inputs = argvCases.length + hostileLines.length;
    console.log(
      `hostile input (CLI): ${spawns} runs, ${inputs} hostile inputs (${argvCases.length} argv, ${hostileLines.length} apply lines), all typed refusals with exit 1/2, ledger file unchanged`,
    );
    await recordFigures('hostileInputCli', {
      runs: spawns,
      inputs,
      argvCases: argvCases.length,
      applyLines: hostileLines.length,
      typedRefusals: inputs,
      fileUnchanged: true,
    });
  }, 60_000);
});

/** Owners that display as empty or carry direction marks (issue 16, item 8): shared/rules.ts refuses them. */
const INVISIBLE_OR_MARKED_OWNERS = [
  '\u3164',
  '\u115F',
  '\u1160',
  '\uFFA0',
  '\u2800',
  '\u200B',
  '\u200B\u200C\u200D',
  '\u2060',
  '\uFEFF\u200B',
  '\u0301',
  '\u0301\u0302',
  '\u034F',
  '\uFE0F',
  '\u00AD',
  '\u{E0020}',
  '\u3164\u2800\u200B',
  ' \u3164 ',
  'Ada\u200E',
  '\u200FEve',
  'A\u061Cb',
  '\u200E',
  'A\uD800',
];
const MARKED_MEMOS = ['pay\u200Eback', '\u200F', 'A\u061Cb', 'x\uDBFF'];

describe('hostile text through the IPC handler table: owners that show nothing, direction marks', () => {
  it('refuses each crafted owner and memo with VALIDATION, writing nothing', async () => {
    settle();
    const before = ledgerFingerprint(ledgerPath);
    const lastPosition = ledger.info().lastPosition;
    const start = tried;
    const validationBefore = codes.VALIDATION ?? 0;
    for (const [index, owner] of INVISIBLE_OR_MARKED_OWNERS.entries()) {
      await expectRefused('openAccount', { account: 'shown-1', owner, currency: 'EUR' }, `openAccount owner[${index}]`);
    }
    for (const [index, memo] of MARKED_MEMOS.entries()) {
      await expectRefused('deposit', { account: 'a1', amount: '1.00', memo }, `deposit memo[${index}]`);
      await expectRefused('transfer', { from: 'a1', to: 'a2', amount: '1.00', memo }, `transfer memo[${index}]`);
    }
    expect((codes.VALIDATION ?? 0) - validationBefore).toBe(tried - start);
    expectUnchanged(before, lastPosition);
  });
});

describe('hostile legacy logs (import --legacy): the rules of open, real moments, only the legacy fields', () => {
  it('refuses each hostile file whole, naming its line, writing nothing', async () => {
    const line = (fields: Record<string, unknown>) =>
      JSON.stringify({
        id: 'l-1',
        aggregate_id: 'legacy-1',
        aggregate_type: 'BankAccount',
        event_type: 'AccountCreated',
        version: 1,
        data: { initial_deposit: 1, owner: 'Lee' },
        timestamp: '2024-01-01T00:00:00Z',
        ...fields,
      });
    const opening = (owner: unknown) => line({ data: { initial_deposit: 1, owner } });
    const good = line({ id: 'l-0', aggregate_id: 'legacy-0' });
    const hostile = [
      opening('Eve\u202Egnp.exe'),
      opening('A\u0000b'),
      opening('\u001B[2J'),
      opening('bell\u0007'),
      opening('x'.repeat(100_000)),
      opening('\u3164'),
      opening('\u2800\u200B'),
      opening('Ada\u200E'),
      opening('A\uD800'),
      opening(' padded '),
      line({ data: { initial_deposit: 1, owner: 'Lee', note: '\u0007' } }),
      line({ timestamp: '2024-13-01T00:00:00Z' }),
      line({ timestamp: '2024-01-01T00:00:00+99:99' }),
      line({ timestamp: '2023-02-29T10:00:00Z' }),
    ];
    settle();
    const before = ledgerFingerprint(ledgerPath);
    const lastPosition = ledger.info().lastPosition;
    for (const [index, bad] of hostile.entries()) {
      const answer = ledger.importLegacy(`${good}\n${bad}\n`, 'EUR');
      expect(isTypedFailure(answer), `hostile legacy line ${index}`).toBe(true);
      expect(answer.ok ? '' : `${answer.error.code} ${answer.error.message}`, `hostile legacy line ${index}`).toMatch(
        /^VALIDATION Line 2: .*; nothing was imported$/,
      );
    }
    expectUnchanged(before, lastPosition);
  });
});
