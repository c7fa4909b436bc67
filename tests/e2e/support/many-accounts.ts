/**
 * A ledger of 10,001 accounts for the scale tests, opened through the engine in batches before
 * any host opens the file: ACC-0 … ACC-9999 owned by "First Last 00042" (index zero-padded),
 * in EUR, EUR, EUR, USD, JPY by turns, plus one EUR account with the longest owner allowed.
 */
import type { AnyCommand } from '#shared/commands';
import { formatMinor } from '#shared/money';
import { Ledger } from '#engine/ledger';

export const ACCOUNTS = 10_000;
const FIRST_NAMES = ['Grace', 'Ada', 'Émile', 'zoë', 'Linus', 'Barbara', 'Alan', 'Katherine', 'Édith', 'Tim'];
const LAST_NAMES = ['Hopper', 'Lovelace', 'Zola', 'Åberg', 'Torvalds', 'Liskov', 'Turing', 'Johnson', 'Piaf', 'Berners-Lee'];
const CURRENCIES = ['EUR', 'EUR', 'EUR', 'USD', 'JPY'] as const;
/** The longest owner the rules allow: 200 characters, no spaces to break at. */
export const LONG_OWNER = `Maximilian${'-Alexander'.repeat(19)}`.slice(0, 200);
export const LONG_ID = 'LONG-OWNER-1';

export function ownerOf(index: number): string {
  return `${FIRST_NAMES[index % 10]} ${LAST_NAMES[Math.floor(index / 10) % 10]} ${String(index).padStart(5, '0')}`;
}

export function currencyOf(index: number): string {
  return CURRENCIES[index % CURRENCIES.length]!;
}

/** Opens the accounts; answers the expected total per currency in minor units. */
export function seedManyAccounts(database: string): Map<string, bigint> {
  const opened = Ledger.open({ path: database, actor: 'test-seed' });
  if (!opened.ok) throw new Error(opened.error.message);
  const ledger = opened.value;
  const totals = new Map<string, bigint>();
  try {
    const commands: AnyCommand[] = [];
    for (let index = 0; index < ACCOUNTS; index++) {
      const currency = currencyOf(index);
      const minor = (index * 7919) % 1_000_000;
      const initial = currency === 'JPY' ? String(minor) : formatMinor(minor, currency);
      commands.push({ name: 'open', input: { account: `ACC-${index}`, owner: ownerOf(index), currency, initial } });
      totals.set(currency, (totals.get(currency) ?? 0n) + BigInt(minor));
    }
    commands.push({ name: 'open', input: { account: LONG_ID, owner: LONG_OWNER, currency: 'EUR', initial: '1.00' } });
    totals.set('EUR', totals.get('EUR')! + 100n);
    for (let start = 0; start < commands.length; start += 1_000) {
      const failed = ledger.executeBatch(commands.slice(start, start + 1_000)).find((result) => !result.ok);
      if (failed && !failed.ok) throw new Error(failed.error.message);
    }
  } finally {
    ledger.close();
  }
  return totals;
}
