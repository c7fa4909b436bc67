/**
 * The event catalogue: every event type at its current schema version.
 * Stored events are never rewritten; older schema versions are upcast on read
 * (electron/engine/events/upcasters.ts), so code outside the store only ever sees these shapes.
 */

export const STREAM_TYPE = 'BankAccount';

/** Current schema version of each event type. Bump it together with a new upcaster. */
export const CURRENT_SCHEMA_VERSIONS = {
  AccountOpened: 2,
  MoneyDeposited: 2,
  MoneyWithdrawn: 2,
  TransferSent: 1,
  TransferReceived: 1,
  AccountClosed: 1,
  EntryReversed: 1,
} as const;

export type EventType = keyof typeof CURRENT_SCHEMA_VERSIONS;
export const EVENT_TYPES = Object.keys(CURRENT_SCHEMA_VERSIONS) as EventType[];

export type AccountOpened = {
  readonly type: 'AccountOpened';
  readonly data: { readonly owner: string; readonly currency: string; readonly initialMinor: number };
};
export type MoneyDeposited = {
  readonly type: 'MoneyDeposited';
  readonly data: { readonly amountMinor: number; readonly currency: string; readonly memo?: string };
};
export type MoneyWithdrawn = {
  readonly type: 'MoneyWithdrawn';
  readonly data: { readonly amountMinor: number; readonly currency: string; readonly memo?: string };
};
export type TransferSent = {
  readonly type: 'TransferSent';
  readonly data: {
    readonly transferId: string;
    readonly to: string;
    readonly amountMinor: number;
    readonly currency: string;
    readonly memo?: string;
  };
};
export type TransferReceived = {
  readonly type: 'TransferReceived';
  readonly data: {
    readonly transferId: string;
    readonly from: string;
    readonly amountMinor: number;
    readonly currency: string;
    readonly memo?: string;
  };
};
export type AccountClosed = { readonly type: 'AccountClosed'; readonly data: Readonly<Record<string, never>> };
/**
 * A correction (a "Storno"): takes back one event of an earlier command on this account. A
 * reversed transfer writes one of these on each account, in one append. The original stays in
 * the log; `reversesPosition` and `reversesEventId` point at it.
 */
export type EntryReversed = {
  readonly type: 'EntryReversed';
  readonly data: {
    readonly reversesPosition: number;
    readonly reversesEventId: string;
    /** Signed change to this account's balance: exactly the opposite of the reversed event's. */
    readonly effectMinor: number;
    readonly currency: string;
    /** Why, in the bookkeeper's words (1–500 characters, the memo rules). */
    readonly reason: string;
    /** The other account, when the reversed event was a transfer leg. */
    readonly counterparty?: string;
  };
};

/** A domain event at its current schema version, before it is stored. */
export type LedgerEvent = AccountOpened | MoneyDeposited | MoneyWithdrawn | TransferSent | TransferReceived | AccountClosed | EntryReversed;

/** Who and what caused an event; stored as JSON beside the payload. */
export type EventMetadata = {
  readonly commandId?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly actor?: string;
  readonly appVersion?: string;
  /** Set on events imported from the original exercise's log: the currency their float amounts were in. */
  readonly legacyCurrency?: string;
  readonly [key: string]: unknown;
};

/** An event as the store holds it: the payload is upcast to the current schema version. */
export type RecordedEvent = LedgerEvent & {
  readonly position: number;
  readonly eventId: string;
  readonly streamId: string;
  readonly streamVersion: number;
  /** The schema version the payload was stored with (before upcasting). */
  readonly storedSchemaVersion: number;
  readonly metadata: EventMetadata;
  readonly recordedAt: string;
};

/** Signed effect of an event on its own account's balance, in minor units. */
export function balanceEffect(event: LedgerEvent): number {
  switch (event.type) {
    case 'AccountOpened':
      return event.data.initialMinor;
    case 'MoneyDeposited':
    case 'TransferReceived':
      return event.data.amountMinor;
    case 'MoneyWithdrawn':
    case 'TransferSent':
      return -event.data.amountMinor;
    case 'AccountClosed':
      return 0;
    case 'EntryReversed':
      return event.data.effectMinor;
  }
}

/** Memo of an event, where it has one; a reversal's reason is its memo (shown, searched and exported as one). */
export function memoOf(event: LedgerEvent): string | undefined {
  if (event.type === 'EntryReversed') return event.data.reason;
  return 'memo' in event.data ? event.data.memo : undefined;
}

/** The other account of a transfer leg, where there is one. */
export function counterpartyOf(event: LedgerEvent): string | undefined {
  if (event.type === 'TransferSent') return event.data.to;
  if (event.type === 'TransferReceived') return event.data.from;
  if (event.type === 'EntryReversed') return event.data.counterparty;
  return undefined;
}
