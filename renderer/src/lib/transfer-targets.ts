/**
 * Whether an account has anywhere to transfer to, asked of the engine in one small request
 * (accountsPage with a currency and status filter: its matches, and its totals' open-account
 * counts over every currency) instead of reading the whole accounts list.
 */
import type { Result } from '#shared/errors';
import type { AccountView } from '#shared/views';
import { query } from './window-ledger';

export type TransferTargets = {
  /** Open accounts other than this one, in any currency. */
  readonly open: number;
  /** Open accounts other than this one in its currency: the only ones a transfer may go to. */
  readonly sameCurrency: number;
};

export async function countTransferTargets(account: AccountView): Promise<Result<TransferTargets>> {
  const page = await query((api) => api.accountsPage({ currency: account.currency, status: 'open', limit: 1 }));
  if (!page.ok) return page;
  const self = account.status === 'open' ? 1 : 0;
  const open = page.value.totals.reduce((sum, total) => sum + total.openAccounts, 0);
  return { ok: true, value: { open: Math.max(0, open - self), sameCurrency: Math.max(0, page.value.matches - self) } };
}

/** Why no transfer can be made from `account`, or undefined when one can (or it is not known yet). */
export function noTransferTarget(targets: TransferTargets | undefined, currency: string): string | undefined {
  if (targets === undefined) return undefined;
  if (targets.open === 0) return 'No other open account to transfer to yet.';
  if (targets.sameCurrency === 0) return `No other ${currency} account to transfer to. A transfer stays in one currency.`;
  return undefined;
}
