/**
 * One form's command submissions, each with its own commandId so the engine books it at most
 * once. The id is made when the person submits; a retry of the SAME unchanged request after a
 * failure reuses it (the engine answers a stored receipt if the first attempt did land), while
 * changed input or a success starts afresh. A second submit while one is pending is ignored,
 * so a double click cannot send twice even before the button re-renders as disabled.
 */
import type { LedgerError, Result } from '#shared/errors';
import type { LedgerApi } from '#shared/ipc-contract';
import { NO_HOST, ledgerApi } from './window-ledger';

export type CommandOutcome<Value> = Result<Value> & { readonly commandId: string };

const TRANSPORT_FAILURE: LedgerError = {
  code: 'STORAGE',
  message:
    'The ledger did not answer, so it is not known whether this was recorded. Submitting the same form again is safe: it will not be booked twice.',
};

export class CommandSubmission<Request extends object, Value> {
  pending = $state(false);
  /** The last answer: shown next to the form until the next submission. */
  outcome = $state<CommandOutcome<Value> | undefined>();
  private retry: { readonly fingerprint: string; readonly commandId: string } | undefined;

  constructor(private readonly send: (api: LedgerApi, request: Request & { commandId: string }) => Promise<Result<Value>>) {}

  /** Sends the request; answers undefined when a submission was already in flight. */
  async submit(request: Request): Promise<CommandOutcome<Value> | undefined> {
    if (this.pending) return undefined;
    const fingerprint = JSON.stringify(request);
    const commandId = this.retry?.fingerprint === fingerprint ? this.retry.commandId : newCommandId();
    this.retry = { fingerprint, commandId };
    this.pending = true;
    this.outcome = undefined;
    let outcome: CommandOutcome<Value>;
    try {
      const api = ledgerApi();
      const result = api ? await this.send(api, { ...request, commandId }) : ({ ok: false, error: NO_HOST } as const);
      outcome = { ...result, commandId };
    } catch {
      outcome = { ok: false, error: TRANSPORT_FAILURE, commandId };
    } finally {
      this.pending = false;
    }
    if (outcome.ok) this.retry = undefined;
    this.outcome = outcome;
    return outcome;
  }

  /** Forgets the last answer (the person edited the form). */
  clear(): void {
    this.outcome = undefined;
  }
}

/** A random UUID; crypto.randomUUID needs a secure context, so fall back to getRandomValues. */
export function newCommandId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
