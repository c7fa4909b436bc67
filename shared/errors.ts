/**
 * Errors that a user can cause are values, never exceptions (exceptions are for bugs).
 * Every boundary — engine, IPC, CLI, preview host — answers with this one envelope shape.
 */

/** Stable error codes; clients may switch on them, so they never change meaning. */
export const ERROR_CODES = [
  'VALIDATION',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'INSUFFICIENT_FUNDS',
  'CURRENCY_MISMATCH',
  'ACCOUNT_CLOSED',
  'ACCOUNT_NOT_EMPTY',
  'CONCURRENCY_CONFLICT',
  'INTEGRITY',
  'STORAGE',
  /** The entry was already reversed; a reversal is itself corrected by a new command, not a second reversal. */
  'ALREADY_REVERSED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export type LedgerError = {
  readonly code: ErrorCode;
  /** A plain sentence naming the values involved, fit to show a person. */
  readonly message: string;
  /** Machine-readable facts, e.g. the stream, expected and actual version of a conflict. */
  readonly details?: Readonly<Record<string, string | number | null>>;
};

export type Failure = { readonly ok: false; readonly error: LedgerError };
export type Success<T> = { readonly ok: true; readonly value: T };
export type Result<T> = Success<T> | Failure;

export function succeed<T>(value: T): Success<T> {
  return { ok: true, value };
}

export function fail(code: ErrorCode, message: string, details?: LedgerError['details']): Failure {
  return { ok: false, error: details ? { code, message, details } : { code, message } };
}

/**
 * Thrown only to unwind a transaction (better-sqlite3 rolls back on throw);
 * it is always caught inside the engine and turned back into a Failure.
 */
export class LedgerFailure extends Error {
  constructor(readonly error: LedgerError) {
    super(error.message);
    this.name = 'LedgerFailure';
  }
}
