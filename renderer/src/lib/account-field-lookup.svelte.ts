/**
 * The audit Account field's questions to the engine, asked about what is typed instead of over
 * the whole accounts list: which accounts the text names (a whole id or owner in any case:
 * accountsPage with exact), and which to suggest (accountsPage's search, a few). Only the
 * answer to the latest text is kept.
 */
import { ACCOUNT_PAGE_LIMIT, ACCOUNT_SEARCH_MAX_LENGTH, type AccountListRow } from '#shared/views';
import type { AccountRef } from './audit-filter';
import { query } from './window-ledger';

/** Suggestions offered under the Account field. */
export const MAX_ACCOUNT_SUGGESTIONS = 20;

export type NamedAccounts = {
  /** The text asked about, trimmed. */
  readonly text: string;
  /** The accounts whose whole id or owner it is (at most ACCOUNT_PAGE_LIMIT of them). */
  readonly accounts: readonly AccountRef[];
  /** How many accounts it names in all. */
  readonly matches: number;
};

export class AccountFieldLookup {
  named = $state.raw<NamedAccounts | undefined>();
  suggestions = $state.raw<readonly AccountListRow[]>([]);
  private ticket = 0;

  /** Asks both questions about `typed`; answers to an earlier text arriving late are dropped. */
  async lookUp(typed: string): Promise<void> {
    const ticket = ++this.ticket;
    const text = typed.trim();
    if (text.length > ACCOUNT_SEARCH_MAX_LENGTH) {
      // Longer than any id or owner: it names nobody and suggests nothing.
      this.named = { text, accounts: [], matches: 0 };
      this.suggestions = [];
      return;
    }
    const [exact, partial] = await Promise.all([
      text === '' ? undefined : query((api) => api.accountsPage({ search: text, exact: true, limit: ACCOUNT_PAGE_LIMIT })),
      query((api) => api.accountsPage({ limit: MAX_ACCOUNT_SUGGESTIONS, ...(text === '' ? {} : { search: text }) })),
    ]);
    if (ticket !== this.ticket) return;
    if (text === '') this.named = { text, accounts: [], matches: 0 };
    else if (exact?.ok) this.named = { text, accounts: exact.value.rows, matches: exact.value.matches };
    if (partial.ok) this.suggestions = partial.value.rows;
  }
}
