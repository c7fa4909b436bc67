/**
 * The benchmark's workload: a deterministic stream of raw command requests (exactly what a
 * `ledger apply` line or an IPC call carries, before validation) that appends EXACTLY a
 * given number of events, spread over many accounts.
 *
 * Mix per command: 40% deposits, 25% withdrawals, 35% transfers (two events each), ~30% with
 * a memo. Memos look like a firm's: two in three repeat (rent, salary, …), one in three carries
 * its own invoice reference that no other memo holds, so a dictionary of distinct memos grows
 * with the log as it would in use. Balances are tracked here so no command is refused (a refused command appends
 * nothing, which would make the event count drift).
 */
import type { CommandName } from '#shared/commands';
import { formatMinor } from '#shared/money';

export type RawCommand = { readonly name: CommandName; readonly input: Record<string, unknown> };

export type WorkloadOptions = {
  readonly events: number;
  readonly accounts: number;
  readonly seed?: number;
};

/** The memos that repeat. */
const MEMOS = [
  'groceries',
  'rent',
  'office rent',
  'coffee with Sam',
  'salary',
  'salary advance',
  'electricity bill',
  'water bill',
  'birthday gift',
  'refund',
  'train tickets',
  'book club',
  'insurance premium',
  'dinner split',
  'payroll tax',
  'VAT return',
  'cleaning services',
  'software licence',
  'travel expenses',
  'Büromaterial',
  'café au lait',
  'quarterly bonus',
  'bank charges',
  'supplier deposit',
];
/** Of the memos, the share that carries a reference of its own (see invoiceMemo). */
const REFERENCE_SHARE = 1 / 3;
/**
 * The reference the audit bench looks for: the thousandth invoice, held by one command's memo
 * only (its two events if the command is a transfer). A workload too small to reach it has none.
 */
export const PROBED_INVOICE = 1_000;
const OWNERS = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Edsger Dijkstra', 'Barbara Liskov', 'Donald Knuth', 'Frances Allen'];

/** Every account opens with this much (minor units), so withdrawals and transfers rarely run dry. */
const INITIAL_MINOR = 500_000;
const MEMO_SHARE = 0.3;
const CURRENCY = 'EUR';

/**
 * Mulberry32: a tiny seeded PRNG, so every run appends the same commands (the reliability
 * tests use it too, so a failing run can be replayed from its seed).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** Events a workload command records (a transfer records one on each side). */
export function eventCount(command: RawCommand): number {
  return command.name === 'transfer' ? 2 : 1;
}

/** The memo of the workload's `number`th invoice: "invoice 2026-0000042" (no other memo holds it). */
export function invoiceMemo(number: number): string {
  return `invoice 2026-${String(number).padStart(7, '0')}`;
}

export function accountId(index: number): string {
  return `acct-${String(index).padStart(5, '0')}`;
}

/**
 * Yields batches of raw commands (at most `batchSize` each) whose events add up to exactly
 * `options.events`. The first commands open the accounts.
 */
export function* workload(options: WorkloadOptions, batchSize: number): Generator<RawCommand[]> {
  const next = seededRandom(options.seed ?? 20_261_126);
  const accounts = Math.max(2, Math.min(options.accounts, options.events));
  const balances = new Float64Array(accounts);
  const pick = () => Math.floor(next() * accounts);
  let invoices = 0;
  const memo = (): { memo?: string } => {
    if (next() >= MEMO_SHARE) return {};
    if (next() < REFERENCE_SHARE) return { memo: invoiceMemo(++invoices) };
    return { memo: MEMOS[Math.floor(next() * MEMOS.length)]! };
  };
  let remaining = options.events;
  let batch: RawCommand[] = [];
  const push = (command: RawCommand): RawCommand[] | undefined => {
    batch.push(command);
    remaining -= eventCount(command);
    if (batch.length < batchSize) return undefined;
    const full = batch;
    batch = [];
    return full;
  };

  for (let index = 0; index < accounts && remaining > 0; index++) {
    balances[index] = INITIAL_MINOR;
    const full = push({
      name: 'open',
      input: {
        account: accountId(index),
        owner: OWNERS[index % OWNERS.length]!,
        currency: CURRENCY,
        initial: formatMinor(INITIAL_MINOR, CURRENCY),
      },
    });
    if (full) yield full;
  }
  while (remaining > 0) {
    const roll = next();
    const account = pick();
    const amount = 1 + Math.floor(next() * 20_000);
    let full: RawCommand[] | undefined;
    if (roll < 0.35 && remaining >= 2) {
      let to = pick();
      if (to === account) to = (account + 1) % accounts;
      if (balances[account]! >= amount) {
        balances[account]! -= amount;
        balances[to]! += amount;
        full = push({
          name: 'transfer',
          input: { from: accountId(account), to: accountId(to), amount: formatMinor(amount, CURRENCY), ...memo() },
        });
      } else {
        balances[account]! += amount;
        full = push({ name: 'deposit', input: { account: accountId(account), amount: formatMinor(amount, CURRENCY), ...memo() } });
      }
    } else if (roll < 0.6 && balances[account]! >= amount) {
      balances[account]! -= amount;
      full = push({ name: 'withdraw', input: { account: accountId(account), amount: formatMinor(amount, CURRENCY), ...memo() } });
    } else {
      balances[account]! += amount;
      full = push({ name: 'deposit', input: { account: accountId(account), amount: formatMinor(amount, CURRENCY), ...memo() } });
    }
    if (full) yield full;
  }
  if (batch.length > 0) yield batch;
}
