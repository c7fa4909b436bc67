/**
 * Audit review shapes: the filter an auditor sets, the rows and details they read.
 * The audit surface is read-only: nothing here changes the ledger.
 */
import { z } from 'zod';
import { accountIdSchema } from './commands';
import { EVENT_TYPES, type EventMetadata, type EventType } from './events';
import { AMOUNT_TEXT_PATTERN } from './money';
import type { AccountView } from './views';

import { AUDIT_PAGE_LIMIT } from './rules';

export { AUDIT_PAGE_LIMIT };

const isoMoment = z
  .string()
  .max(40)
  .refine((text) => !Number.isNaN(Date.parse(text)), { error: 'must be a date or date-time such as 2026-11-26 or 2026-11-26T20:00:00Z' });
const amountBound = z.string().max(40).regex(AMOUNT_TEXT_PATTERN, { error: 'must be a plain decimal amount such as 10.00' });

export const auditFilterSchema = z.strictObject({
  /** Events on these accounts, as the account itself or as a transfer's other side. */
  accounts: z.array(accountIdSchema).max(50).optional(),
  types: z
    .array(z.enum(EVENT_TYPES as [EventType, ...EventType[]]))
    .max(EVENT_TYPES.length)
    .optional(),
  /** Inclusive bounds on the recorded time. A bare date covers that whole day (UTC). */
  from: isoMoment.optional(),
  to: isoMoment.optional(),
  /** Inclusive bounds on the size of the amount (without sign), in the event's own currency. */
  minAmount: amountBound.optional(),
  maxAmount: amountBound.optional(),
  /** Case-insensitive words in memos, owners or account ids; or an exact event, command or transfer id. */
  text: z.string().max(200).optional(),
});

export type AuditFilter = z.infer<typeof auditFilterSchema>;

export type AuditRow = {
  readonly position: number;
  readonly eventId: string;
  readonly recordedAt: string;
  readonly type: EventType;
  readonly account: string;
  readonly counterparty?: string;
  readonly currency: string;
  /** Signed change to `account`'s balance. */
  readonly amount: string;
  readonly amountMinor: number;
  /** `account`'s balance right after this event. */
  readonly balanceAfter: string;
  readonly balanceAfterMinor: number;
  readonly memo?: string;
  readonly commandId?: string;
  readonly actor?: string;
  readonly storedSchemaVersion: number;
  /** On a reversal: the position of the event it takes back. */
  readonly reverses?: number;
  /** On a reversed event: the position of the reversal that took it back. */
  readonly reversedBy?: number;
};

export type AuditPage = {
  readonly rows: AuditRow[];
  /** Pass as `before` to get the next (older) page; null when there is none. */
  readonly nextBefore: number | null;
};

export type BalanceChange = {
  readonly account: string;
  readonly currency: string;
  readonly before: string;
  readonly after: string;
};

export type EventDetail = {
  readonly row: AuditRow;
  readonly streamVersion: number;
  /** The payload exactly as stored (JSON text), with the schema version it was stored under. */
  readonly storedType: string;
  readonly storedData: string;
  readonly storedSchemaVersion: number;
  /** The payload as the app reads it today, present only where upcasting changed it. */
  readonly upcastData?: unknown;
  readonly upcastType?: string;
  readonly metadata: EventMetadata;
  readonly previousHash: string;
  readonly hash: string;
  /** Other events appended by the same command (a transfer's other leg). */
  readonly related: AuditRow[];
  readonly balanceChanges: BalanceChange[];
};

export type IntegrityStatus =
  | { readonly state: 'verifying'; readonly checked: number; readonly total: number }
  | { readonly state: 'verified'; readonly verifiedThrough: number; readonly verifiedAt: string; readonly head: string }
  | { readonly state: 'failed'; readonly firstBadPosition: number; readonly reason: string; readonly checkedAt: string };

/** An account as it stood at a position: its view's fields, its id named `account`. */
export type AccountAsOf = { readonly account: string } & Pick<AccountView, 'owner' | 'currency' | 'balance' | 'balanceMinor' | 'status'>;

export type BalancesAsOf = {
  /** The last event included. */
  readonly position: number;
  readonly recordedAt: string | null;
  readonly balances: ReadonlyArray<AccountAsOf>;
};

export const EXPORT_FORMATS = ['jsonl', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export type ExportSummary = {
  readonly path: string;
  readonly format: ExportFormat;
  readonly events: number;
  readonly lastPosition: number;
  /** A JSON Lines export's seal: who signed its events (null when it carries none). */
  readonly seal?: { readonly fingerprint: string; readonly treeSize: number; readonly signedAt: string } | null;
};
