/**
 * Which entries a person may reverse, and the reason's rules, as the engine decides them
 * (shared/commands.ts reverseSchema; the engine's answer stays authoritative). Pure, so the
 * history row, the event details and the tests read one rule.
 */
import type { EventType } from '#shared/events';
import { MEMO_MAX_CHARACTERS, SHOWS_NOTHING, memoProblem } from '#shared/rules';

/** Money movements: an opening, a closing and a reversal are never reversed. */
const REVERSIBLE_TYPES: ReadonlySet<EventType> = new Set(['MoneyDeposited', 'MoneyWithdrawn', 'TransferSent', 'TransferReceived']);

/** What the reverse form shows of the entry it takes back. */
export type ReversibleEntry = {
  readonly position: number;
  readonly type: EventType;
  readonly account: string;
  /** Signed change the entry made to its account, as decimal text. */
  readonly amount: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly recordedAt: string;
  readonly counterparty?: string;
};

export type ReversalCandidate = { readonly type: EventType; readonly reversedBy?: number };

/**
 * Whether "Reverse…" is offered on an entry: a money movement not reversed yet, in a ledger
 * that can record. A closed account is not offered it either (the engine answers
 * ACCOUNT_CLOSED); a transfer whose other account is closed is refused by the engine, in words.
 */
export function canReverse(entry: ReversalCandidate, options: { readOnly: boolean; accountOpen: boolean }): boolean {
  return !options.readOnly && options.accountOpen && REVERSIBLE_TYPES.has(entry.type) && entry.reversedBy === undefined;
}

/** The reason as sent: trimmed, as a memo is. */
export function reasonToSend(text: string): string {
  return text.trim();
}

/** Why the typed reason cannot be sent yet, in the form's words; undefined when it can. */
export function checkReason(text: string): string | undefined {
  const reason = reasonToSend(text);
  if (reason === '' || SHOWS_NOTHING.test(reason)) return 'Enter the reason for this reversal.';
  switch (memoProblem(reason)) {
    case 'too-long':
      return `Use at most ${MEMO_MAX_CHARACTERS} characters.`;
    case 'unsafe':
      return 'Remove control characters and text-direction marks or overrides.';
    default:
      return undefined;
  }
}
