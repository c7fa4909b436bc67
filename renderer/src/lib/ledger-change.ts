/**
 * What a change notification means for what a screen shows (pure, so tests read it without a
 * browser): whether it may concern one account, and the shell's ledger info after it. A
 * notification that does not list the accounts touched (another process's appends, another
 * file, a rebuild) may concern every one.
 */
import type { LedgerChange, LedgerInfo } from '#shared/ipc-contract';

/** True when the change may have touched `account`: its stream grew, or which streams grew is not known. */
export function touches(change: LedgerChange, account: string): boolean {
  return change.accounts === undefined || change.accounts.includes(account);
}

/** True when the change lists accounts touched, none of them `account`. */
export function touchesOthersOnly(change: LedgerChange, account: string): boolean {
  return change.accounts !== undefined && change.accounts.length > 0 && !change.accounts.includes(account);
}

/**
 * The shell's ledger info once `change` arrived: its position and read-only state come with
 * the notification, so nothing is asked. `refetch` says the info must be asked again too (the
 * file may be another one: only a notification listing its accounts is surely of the same file).
 */
export function infoAfter(info: LedgerInfo | undefined, change: LedgerChange): { info: LedgerInfo | undefined; refetch: boolean } {
  if (info === undefined) return { info, refetch: true };
  const { readOnlyReason: _previous, ...rest } = info;
  return {
    info: {
      ...rest,
      lastPosition: change.lastPosition,
      readOnly: change.readOnly,
      ...(change.readOnlyReason === undefined ? {} : { readOnlyReason: change.readOnlyReason }),
    },
    refetch: change.accounts === undefined,
  };
}
