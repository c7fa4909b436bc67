/**
 * Why a row matches the audit search, in the person's words ("matched owner, memo"). The same
 * rules as the engine's free-text match (electron/engine/audit/audit-index.ts): case-insensitive
 * words in the memo, in the owner or the id of the account or its transfer counterparty; or an
 * exact event, command or transfer id. Pure: no runes, no DOM.
 */
import type { AuditRow } from '#shared/audit';

/** The parts of a row the search text was found in, in reading order; empty when `text` is blank. */
export function matchReasons(row: AuditRow, text: string, ownerOf: (account: string) => string | undefined): string[] {
  const exact = text.trim();
  const words = exact.toLowerCase();
  if (words === '') return [];
  const holds = (value: string | undefined) => value !== undefined && value.toLowerCase().includes(words);
  const reasons: string[] = [];
  if (holds(ownerOf(row.account))) reasons.push('owner');
  if (holds(row.account)) reasons.push('account ID');
  if (row.counterparty !== undefined) {
    if (holds(ownerOf(row.counterparty))) reasons.push('counterparty’s owner');
    if (holds(row.counterparty)) reasons.push('counterparty ID');
  }
  if (holds(row.memo)) reasons.push('memo');
  if (row.eventId === exact) reasons.push('event ID');
  if (row.commandId === exact) reasons.push('command ID');
  // The engine also finds a transfer by its id, which rows do not carry: the one reason left.
  if (reasons.length === 0 && (row.type === 'TransferSent' || row.type === 'TransferReceived')) reasons.push('transfer ID');
  return reasons;
}

/** "matched owner, memo", or undefined when there is nothing to say. */
export function describeMatch(reasons: readonly string[]): string | undefined {
  return reasons.length === 0 ? undefined : `matched ${reasons.join(', ')}`;
}
