/**
 * One history row: an account's event with its signed amount and the balance right after it,
 * and its reversal links: `reverses` on a reversal, `reversedBy` on an event taken back.
 */
import { balanceEffect, counterpartyOf, memoOf, type RecordedEvent } from '#shared/events';
import { formatMinor } from '#shared/money';
import type { HistoryEntry } from '#shared/views';

export function toHistoryEntry(
  event: RecordedEvent,
  currency: string,
  balanceAfterMinor: number,
  reversedBy: number | undefined,
): HistoryEntry {
  const amountMinor = balanceEffect(event);
  const memo = memoOf(event);
  const counterparty = counterpartyOf(event);
  const transferId = 'transferId' in event.data ? event.data.transferId : undefined;
  return {
    position: event.position,
    version: event.streamVersion,
    type: event.type,
    recordedAt: event.recordedAt,
    amount: formatMinor(amountMinor, currency),
    amountMinor,
    balance: formatMinor(balanceAfterMinor, currency),
    balanceMinor: balanceAfterMinor,
    ...(memo === undefined ? {} : { memo }),
    ...(counterparty === undefined ? {} : { counterparty }),
    ...(transferId === undefined ? {} : { transferId }),
    ...(event.metadata.commandId === undefined ? {} : { commandId: event.metadata.commandId }),
    ...(event.type === 'EntryReversed' ? { reverses: event.data.reversesPosition } : {}),
    ...(reversedBy === undefined ? {} : { reversedBy }),
  };
}
