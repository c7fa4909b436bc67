/**
 * The Accounts screen's queries at scale: a ledger of N accounts (100,000 by default), opened
 * through the engine in batches, then accountsPage through the IPC handler (validation +
 * refresh + query) exactly as the screen asks:
 *  - the first page after opening the file (the list's sorted array is built then: once);
 *  - a page anywhere in the list while the ledger changes (a deposit before each sample, so
 *    every sample also keeps the sorted rows up to date);
 *  - an owner search (a different surname fragment each sample, so no answer is reused).
 */
import { join } from 'node:path';
import type { AnyCommand } from '#shared/commands';
import { createHandlers, dispatch } from '#engine/handlers';
import { Ledger } from '#engine/ledger';
import { atMost, custom, percentile, type Figure } from './figures';

const BATCH = 1_000;
const RUNS = 200;
const PAGE = 150;
const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Émile', 'Zoë', 'Katherine'];
const SURNAMES = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Zola', 'Åberg', 'Johnson'];

function ownerOf(index: number): string {
  return `${FIRST_NAMES[index % 10]} ${SURNAMES[Math.floor(index / 10) % 10]}-${Math.floor(index / 100)}`;
}

function openLedger(path: string): Ledger {
  const opened = Ledger.open({ path, actor: 'bench' });
  if (!opened.ok) throw new Error(`cannot open ${path}: ${opened.error.message}`);
  return opened.value;
}

/** Opens `accounts` accounts on a new ledger file through the engine, a batch at a time. */
export function openAccounts(path: string, accounts: number): void {
  const ledger = openLedger(path);
  try {
    for (let start = 0; start < accounts; start += BATCH) {
      const commands = Array.from({ length: Math.min(BATCH, accounts - start) }, (_, offset): AnyCommand => {
        const index = start + offset;
        return {
          name: 'open',
          input: {
            account: `ACC-${index}`,
            owner: ownerOf(index),
            currency: index % 4 === 0 ? 'USD' : 'EUR',
            initial: `${index % 9973}.${String(index % 100).padStart(2, '0')}`,
          },
        };
      });
      const refused = ledger.executeBatch(commands).find((result) => !result.ok);
      if (refused && !refused.ok) throw new Error(`opening accounts was refused: ${refused.error.message}`);
    }
  } finally {
    ledger.close();
  }
}

export function measureAccountList(folder: string, accounts: number, log: (message: string) => void): Figure[] {
  const path = join(folder, 'accounts.db');
  openAccounts(path, accounts);
  const ledger = openLedger(path);
  try {
    const handlers = createHandlers(() => ledger);
    const ask = (request: Record<string, unknown>): number => {
      const started = performance.now();
      const answer = dispatch(handlers, 'accountsPage', request) as { ok: boolean };
      const ms = performance.now() - started;
      if (!answer.ok) throw new Error(`accountsPage failed: ${JSON.stringify(answer)}`);
      return ms;
    };
    const firstMs = ask({ limit: PAGE });
    const pages: number[] = [];
    const searches: number[] = [];
    for (let run = -10; run < RUNS; run++) {
      const deposit = dispatch(handlers, 'deposit', { account: `ACC-${((run + 10) * 7919) % accounts}`, amount: '1.00' }) as {
        ok: boolean;
      };
      if (!deposit.ok) throw new Error(`deposit failed: ${JSON.stringify(deposit)}`);
      const pageMs = ask({ offset: Math.floor(((run + 10) * accounts) / (RUNS + 10)) % Math.max(1, accounts - PAGE), limit: PAGE });
      // "hopper-12", "turing-345"…: a surname and part of a number, typed in lower case.
      const fragment = `${SURNAMES[(run + 10) % 10]!.toLowerCase()}-${(run + 10) % Math.max(1, Math.floor(accounts / 100))}`;
      const searchMs = ask({ limit: PAGE, search: fragment });
      if (run >= 0) {
        pages.push(pageMs);
        searches.push(searchMs);
      }
    }
    const label = `${accounts.toLocaleString('en-US')} accounts`;
    log(
      `accounts list at ${label}: first page ${firstMs.toFixed(0)} ms; page p50 ${percentile(pages, 50).toFixed(2)} ms, ` +
        `p99 ${percentile(pages, 99).toFixed(2)} ms; owner search p50 ${percentile(searches, 50).toFixed(2)} ms, p99 ${percentile(searches, 99).toFixed(2)} ms`,
    );
    return [
      custom(`accounts list: first page after opening (${label})`, firstMs, 'ms', null, 'reported (builds the sorted list once)', true),
      atMost(`accounts list: page while changing (${label}), p99`, percentile(pages, 99), 'ms', 20),
      atMost(`accounts list: owner search (${label}), p99`, percentile(searches, 99), 'ms', 20),
    ];
  } finally {
    ledger.close();
  }
}
