/**
 * Owners of the accounts a screen shows (history counterparties, audit rows), looked up a batch
 * at a time with accountsPage's ids filter and kept: an account's owner never changes once it
 * is opened. Never the whole accounts list. One instance per screen, forgotten when another
 * ledger file is opened.
 */
import { SvelteMap } from 'svelte/reactivity';
import { ACCOUNT_PAGE_LIMIT } from '#shared/views';
import { query } from './window-ledger';

export class AccountOwners {
  private readonly known = new SvelteMap<string, string>();
  /** Ids looked up or being looked up; an id whose lookup failed leaves it, to be asked again. */
  private readonly asked = new Set<string>();
  private waiting = new Set<string>();
  private scheduled = false;
  /** Grows on forget(), so answers about the previous file are dropped. */
  private generation = 0;

  /** The owner of `account`, once looked up (reactive). */
  ownerOf(account: string): string | undefined {
    return this.known.get(account);
  }

  /** Looks up the owners of those `accounts` not asked for yet, in one request per microtask. */
  want(accounts: Iterable<string>): void {
    for (const account of accounts) {
      if (this.asked.has(account)) continue;
      this.asked.add(account);
      this.waiting.add(account);
    }
    if (this.waiting.size === 0 || this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => void this.lookUp());
  }

  /** Drops every owner known (another ledger file is open). */
  forget(): void {
    this.generation += 1;
    this.known.clear();
    this.asked.clear();
    this.waiting.clear();
  }

  private async lookUp(): Promise<void> {
    this.scheduled = false;
    const accounts = [...this.waiting];
    this.waiting = new Set();
    const generation = this.generation;
    for (let start = 0; start < accounts.length; start += ACCOUNT_PAGE_LIMIT) {
      const batch = accounts.slice(start, start + ACCOUNT_PAGE_LIMIT);
      const result = await query((api) => api.accountsPage({ ids: batch, limit: ACCOUNT_PAGE_LIMIT }));
      if (generation !== this.generation) return;
      if (result.ok) for (const row of result.value.rows) this.known.set(row.id, row.owner);
      else for (const account of batch) this.asked.delete(account);
    }
  }
}
