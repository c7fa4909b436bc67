/**
 * Statements: one account over one period, with its opening balance, every line and its
 * closing balance. The engine builds one Statement; JSON, CSV and PDF are renderings of it.
 * Invariant: openingBalance + Σ line amounts = closingBalance, exactly (integer minor units).
 */
import { z } from 'zod';
import { accountIdSchema } from './commands';
import type { EventType } from './events';

export const STATEMENT_FORMATS = ['json', 'csv', 'pdf'] as const;
export type StatementFormat = (typeof STATEMENT_FORMATS)[number];

/** A calendar day, YYYY-MM-DD, taken in UTC (as the audit filters take a bare date). */
export const statementDaySchema = z
  .string({ error: 'must be a date such as 2026-12-01' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date such as 2026-12-01' })
  .refine((day) => !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && new Date(`${day}T00:00:00Z`).toISOString().startsWith(day), {
    error: 'is not a real calendar day',
  });

/** Both days are inclusive. From defaults to the account's opening day, to to the day the statement is made. */
export const statementRequestSchema = z
  .strictObject({
    account: accountIdSchema,
    from: statementDaySchema.optional(),
    to: statementDaySchema.optional(),
  })
  .refine((period) => period.from === undefined || period.to === undefined || period.from <= period.to, {
    error: 'The period must not end before it starts',
    path: ['to'],
  });

export type StatementRequest = z.infer<typeof statementRequestSchema>;

export type StatementLine = {
  readonly position: number;
  readonly recordedAt: string;
  readonly type: EventType;
  /** Signed decimal text in the account's currency, e.g. "-12.30". */
  readonly amount: string;
  /** The running balance right after this line. */
  readonly balance: string;
  /** The memo, or a reversal's reason; null when the event has none. */
  readonly memo: string | null;
  readonly reverses?: number;
  readonly reversedBy?: number;
};

export type Statement = {
  readonly account: string;
  readonly owner: string;
  readonly currency: string;
  /** The period, inclusive, as YYYY-MM-DD (UTC days). */
  readonly from: string;
  readonly to: string;
  readonly openingBalance: string;
  readonly closingBalance: string;
  readonly lines: StatementLine[];
};

/** What saving a statement answers: where it went and what it holds. */
export type StatementSaved = {
  readonly path: string;
  readonly format: StatementFormat;
  readonly lines: number;
};
