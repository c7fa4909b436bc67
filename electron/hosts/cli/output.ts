/**
 * How the CLI answers: one JSON document (or JSON lines) on stdout, and an exit code a
 * script can branch on.
 */
import type { LedgerError } from '#shared/errors';

export const EXIT = { ok: 0, domainError: 1, usage: 2, integrity: 3 } as const;

/** A mistake in the command line itself: answered as VALIDATION with exit 2. */
export class UsageError extends Error {}

/** A typed refusal found before or instead of running a command: printed as is, with its exit code. */
export class CliRefusal extends Error {
  constructor(
    readonly error: LedgerError,
    readonly exitCode: number = exitCodeFor(error),
  ) {
    super(error.message);
  }
}

/**
 * Set once whoever reads stdout has gone (`ledger apply … | head`): nothing more is printed,
 * and long-running commands stop starting new work (see applyStream).
 */
export const stdoutClosed = new AbortController();

/** Turns EPIPE on stdout into `stdoutClosed` instead of an uncaught exception. */
export function watchStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    if (!stdoutClosed.signal.aborted) stdoutClosed.abort();
  });
}

export function printJson(value: unknown): void {
  printJsonLines([value]);
}

/** Several JSON lines in one write: `apply` answers a whole batch at once (one write per result was ~10% of its time). */
export function printJsonLines(values: readonly unknown[]): void {
  let text = '';
  for (const value of values) text += `${JSON.stringify(value)}\n`;
  printText(text);
}

export function printText(text: string): void {
  if (stdoutClosed.signal.aborted) return;
  process.stdout.write(text);
}

export function printFailure(error: LedgerError): void {
  printJson({ ok: false, error });
}

/** Exit code for a failure: INTEGRITY is 3 so scripts can tell a damaged ledger apart. */
export function exitCodeFor(error: LedgerError): number {
  return error.code === 'INTEGRITY' ? EXIT.integrity : EXIT.domainError;
}
