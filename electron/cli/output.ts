/**
 * How the CLI answers: one JSON document (or JSON lines) on stdout, and an exit code a
 * script can branch on.
 */
import type { LedgerError } from '../../shared/errors';

export const EXIT = { ok: 0, domainError: 1, usage: 2, integrity: 3 } as const;

export class UsageError extends Error {}

export function printJson(value: unknown): void {
  printJsonLines([value]);
}

/** Several JSON lines in one write: `apply` answers a whole batch at once (one write per result was ~10% of its time). */
export function printJsonLines(values: readonly unknown[]): void {
  let text = '';
  for (const value of values) text += `${JSON.stringify(value)}\n`;
  process.stdout.write(text);
}

export function printFailure(error: LedgerError): void {
  printJson({ ok: false, error });
}

/** Exit code for a failure: INTEGRITY is 3 so scripts can tell a damaged ledger apart. */
export function exitCodeFor(error: LedgerError): number {
  return error.code === 'INTEGRITY' ? EXIT.integrity : EXIT.domainError;
}
