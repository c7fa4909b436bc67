/**
 * The names people see for event types ("Deposit", "Transfer in"), and reading a type name a
 * person typed back into the stored one. Pure: the renderer, the CLI and the engine share it.
 */
import { EVENT_TYPES, type EventType } from './events';

export const EVENT_LABELS: Readonly<Record<EventType, string>> = {
  AccountOpened: 'Account opened',
  MoneyDeposited: 'Deposit',
  MoneyWithdrawn: 'Withdrawal',
  TransferSent: 'Transfer out',
  TransferReceived: 'Transfer in',
  AccountClosed: 'Account closed',
  EntryReversed: 'Reversal',
};

/** "Deposit", "Transfer out", … for an event type. */
export function eventLabel(type: EventType): string {
  return EVENT_LABELS[type] ?? type;
}

/** Case, spaces, dashes and underscores do not matter: "transfer in", "TRANSFER-IN", "transferreceived". */
function normalized(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

const TYPES_BY_NAME: ReadonlyMap<string, EventType> = new Map(
  EVENT_TYPES.flatMap((type) => [
    [normalized(type), type],
    [normalized(EVENT_LABELS[type]), type],
  ]),
);

/** The event type a person means by `name` (its stored name or its label, in any case), or undefined. */
export function eventTypeNamed(name: string): EventType | undefined {
  return TYPES_BY_NAME.get(normalized(name));
}

/** Every accepted spelling, for a refusal: 'Deposit (MoneyDeposited)', … */
export function acceptedEventTypeNames(): string {
  return EVENT_TYPES.map((type) => `"${EVENT_LABELS[type]}" (${type})`).join(', ');
}
