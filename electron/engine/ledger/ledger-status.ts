/**
 * Whether the ledger may still write (and if not, why), and who hears of its changes. A change
 * notification (LedgerChange) is sent after each commit, after catching up with another
 * process's appends, when the ledger turns read-only and as the background verification moves,
 * so no host needs to poll.
 */
import type { IntegrityStatus } from '#shared/audit';
import { fail, type Failure } from '#shared/errors';
import type { LedgerChange } from '#shared/ipc-contract';

/** What a notification reads from the ledger at the moment it is sent. */
export type LedgerSnapshot = () => { readonly lastPosition: number; readonly integrity?: IntegrityStatus };

export class LedgerStatus {
  private reason: string | undefined;
  private readonly listeners = new Set<(change: LedgerChange) => void>();

  constructor(
    private readonly path: string,
    private readonly snapshot: LedgerSnapshot,
    readOnlyReason: string | undefined,
  ) {
    this.reason = readOnlyReason;
  }

  /** Why the ledger refuses commands, or undefined while it records them. */
  get readOnlyReason(): string | undefined {
    return this.reason;
  }

  /** Refuses every further command for `reason`; the listeners hear of it when the reason is new. */
  markReadOnly(reason: string): void {
    if (this.reason === reason) return;
    this.reason = reason;
    this.notify([]);
  }

  /** The INTEGRITY answer of a read-only ledger, naming why it is read-only. */
  refusal(what: 'recorded' | 'imported'): Failure {
    return fail('INTEGRITY', `The ledger ${this.path} is read-only (${this.reason}); nothing was ${what}`);
  }

  onChange(listener: (change: LedgerChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The ledger as a change notification tells it; `accounts` undefined means "not known: refetch everything". */
  current(accounts?: readonly string[]): LedgerChange {
    const { lastPosition, integrity } = this.snapshot();
    return {
      lastPosition,
      ...(accounts === undefined ? {} : { accounts }),
      readOnly: this.reason !== undefined,
      ...(this.reason === undefined ? {} : { readOnlyReason: this.reason }),
      ...(integrity === undefined ? {} : { integrity }),
    };
  }

  /** Tells every listener the ledger as it is now; `accounts` are those whose streams grew ([] for none). */
  notify(accounts?: readonly string[]): void {
    if (this.listeners.size === 0) return;
    const change = this.current(accounts);
    for (const listener of this.listeners) listener(change);
  }

  /** Forgets every listener (the ledger is closing). */
  clear(): void {
    this.listeners.clear();
  }
}
