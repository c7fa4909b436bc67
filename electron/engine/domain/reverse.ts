/**
 * Reversal (a "Storno"): takes back the WHOLE command that recorded a position. A deposit or a
 * withdrawal is one event; a transfer is two legs, side by side in the log, and both are
 * reversed in one decision (one append). Each reversed event gets an EntryReversed on its own
 * account with exactly the opposite effect, pointing at it by position and event id.
 *
 * Rule order for reverse (the first broken rule is the one reported):
 *   (1) input needing no ledger state (reverseSchema: position ≥ 1, a reason by the memo rules);
 *   (2) NOT_FOUND: no event at the position; then VALIDATION: the event is an opening, a closing
 *       or itself a reversal; then ALREADY_REVERSED: a reversed event is never reversed twice;
 *   (4) ACCOUNT_CLOSED: any account of the command is closed (the sender's first);
 *   (6) INSUFFICIENT_FUNDS: taking the money back would overdraw an account (a deposit already
 *       spent); then the balance overflow (VALIDATION), as a deposit reports it.
 * There is no (3) (the amount is the original's) and no (5) (no expectedVersion: a reversal
 * names the event it corrects, and a second one is refused with ALREADY_REVERSED).
 *
 * Pure apart from the lookups the caller passes: the engine reads the log and its reversal
 * links inside the write transaction; the restore's rules (import/event-rules.ts) pass what
 * they have checked so far.
 */
import type { ValidCommand } from '#shared/commands';
import { fail, succeed, type Result } from '#shared/errors';
import { balanceEffect, counterpartyOf, type EntryReversed, type LedgerEvent } from '#shared/events';
import { describeMoney } from '#shared/money';
import { checkOverflow, requireOpen, type AccountState, type Decision } from './bank-account';

/** One stored event, as a reversal needs to know it. */
export type LoggedEvent = {
  readonly position: number;
  readonly eventId: string;
  readonly streamId: string;
  readonly event: LedgerEvent;
};

export type ReversalLookups = {
  /** The event at a position, or undefined when the log has none there. */
  readonly eventAt: (position: number) => LoggedEvent | undefined;
  /** The position of the reversal that took back the event at `position`, if one did. */
  readonly reversedBy: (position: number) => number | undefined;
  /** An account's current state. */
  readonly load: (accountId: string) => AccountState | undefined;
};

/** A decided reversal: its events, and the account of the position asked for (the receipt's). */
export type DecidedReversal = { readonly decision: Decision; readonly account: string };

const NOT_REVERSIBLE: Partial<Record<LedgerEvent['type'], string>> = {
  AccountOpened: 'an account opening',
  AccountClosed: 'an account closing',
  EntryReversed: 'itself a reversal',
};

export function decideReverse(command: ValidCommand<'reverse'>, lookups: ReversalLookups): Result<DecidedReversal> {
  const asked = lookups.eventAt(command.position);
  if (asked === undefined) return fail('NOT_FOUND', `There is no event at position ${command.position}`);
  const kind = NOT_REVERSIBLE[asked.event.type];
  if (kind !== undefined) {
    const advice = asked.event.type === 'EntryReversed' ? 'record a new command to correct it' : 'it cannot be reversed';
    return fail('VALIDATION', `The event at position ${command.position} is ${kind} (${asked.event.type}); ${advice}`);
  }
  const legs = commandLegs(asked, lookups.eventAt);
  if (!legs.ok) return legs;
  // The position asked for first: its own reversal is the one to name.
  for (const leg of [asked, ...legs.value.filter((other) => other.position !== asked.position)]) {
    const reversal = lookups.reversedBy(leg.position);
    if (reversal !== undefined) {
      return fail('ALREADY_REVERSED', `The event at position ${leg.position} was already reversed, by position ${reversal}`, {
        position: leg.position,
        reversedBy: reversal,
      });
    }
  }
  // A command's legs are on different accounts (a transfer needs two), so each is judged on its own account's state.
  const states: AccountState[] = [];
  for (const leg of legs.value) {
    const state = lookups.load(leg.streamId);
    if (state === undefined) return fail('NOT_FOUND', `Account ${leg.streamId} does not exist`);
    const open = requireOpen(state);
    if (!open.ok) return open;
    states.push(state);
  }
  const events = legs.value.map((leg) => reversalOf(leg, command.reason));
  for (const [index, state] of states.entries()) {
    const effect = events[index]!.data.effectMinor;
    if (state.balanceMinor + effect < 0) {
      return fail(
        'INSUFFICIENT_FUNDS',
        `Insufficient funds to reverse position ${legs.value[index]!.position}: ${state.id} holds ${describeMoney(state.balanceMinor, state.currency)} and the reversal takes ${describeMoney(-effect, state.currency)}`,
        { account: state.id, balanceMinor: state.balanceMinor, amountMinor: -effect },
      );
    }
  }
  for (const [index, state] of states.entries()) {
    const overflow = checkOverflow(state, Math.max(0, events[index]!.data.effectMinor));
    if (overflow) return overflow;
  }
  return succeed({
    decision: states.map((state, index) => ({ streamId: state.id, basedOnVersion: state.version, events: [events[index]!] })),
    account: asked.streamId,
  });
}

/**
 * Every event of the command that recorded `asked`, in log order. A transfer's two legs are
 * appended together, sender first, so the other leg is the very next (or previous) position
 * and carries the same transfer id; a log where it does not was not written by a command.
 */
export function commandLegs(asked: LoggedEvent, eventAt: ReversalLookups['eventAt']): Result<LoggedEvent[]> {
  const event = asked.event;
  if (event.type !== 'TransferSent' && event.type !== 'TransferReceived') return succeed([asked]);
  const sent = event.type === 'TransferSent';
  const other = eventAt(sent ? asked.position + 1 : asked.position - 1);
  const expected = sent ? 'TransferReceived' : 'TransferSent';
  if (other === undefined || other.event.type !== expected || other.event.data.transferId !== event.data.transferId) {
    return fail(
      'INTEGRITY',
      `The transfer at position ${asked.position} has no ${expected} event beside it with the same transfer id; the log was altered`,
    );
  }
  return succeed(sent ? [asked, other] : [other, asked]);
}

/** The EntryReversed that takes back `leg`: the opposite effect, on the same account, naming it. */
function reversalOf(leg: LoggedEvent, reason: string): EntryReversed {
  const original = leg.event as Exclude<LedgerEvent, { type: 'AccountOpened' | 'AccountClosed' | 'EntryReversed' }>;
  const counterparty = counterpartyOf(original);
  return {
    type: 'EntryReversed',
    // Field order is the stored order: the restore compares a reversal's text with this one's.
    data: {
      reversesPosition: leg.position,
      reversesEventId: leg.eventId,
      // 0 - x, not -x: never a negative zero.
      effectMinor: 0 - balanceEffect(original),
      currency: original.data.currency,
      reason,
      ...(counterparty === undefined ? {} : { counterparty }),
    },
  };
}
