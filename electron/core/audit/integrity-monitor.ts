/**
 * Keeps the ledger's integrity status for the audit screen: a full walk of the chain in
 * slices that yield to the event loop (the UI stays responsive and shows progress), then a
 * cheap walk of only the new events after each append. A broken chain turns the ledger
 * read-only; it is never repaired silently.
 */
import type { IntegrityStatus } from '../../../shared/audit';
import type { Ledger } from '../ledger';
import type { VerifyReport } from '../store/verify';

export class IntegrityMonitor {
  private current: IntegrityStatus = { state: 'verifying', checked: 0, total: 0 };
  private verified: { position: number; hash: string } | undefined;
  private running: Promise<IntegrityStatus> | undefined;
  private rerunRequested = false;

  constructor(
    private readonly ledger: Ledger,
    private readonly onStatus: (status: IntegrityStatus) => void = () => {},
  ) {}

  get status(): IntegrityStatus {
    return this.current;
  }

  /** Verifies what has not been verified yet (everything, the first time). Calls coalesce. */
  verify(): Promise<IntegrityStatus> {
    if (this.running) {
      this.rerunRequested = true;
      return this.running;
    }
    this.running = this.walk().finally(() => {
      this.running = undefined;
      if (this.rerunRequested && this.current.state !== 'failed') {
        this.rerunRequested = false;
        void this.verify();
      }
    });
    return this.running;
  }

  private async walk(): Promise<IntegrityStatus> {
    if (this.current.state === 'failed' || !this.ledger.isOpen) return this.current;
    const verifier = this.ledger.verifier(this.verified);
    let report: VerifyReport | undefined;
    while (!(report = verifier.step())) {
      this.publish({ state: 'verifying', ...verifier.progress });
      await new Promise((resolve) => setImmediate(resolve));
      // The ledger may be closed (File → Open another) between slices: stop quietly.
      if (!this.ledger.isOpen) return this.current;
    }
    const now = new Date().toISOString();
    if (!report.ok) {
      this.ledger.markReadOnly(`the hash chain is broken at position ${report.firstBadPosition}: ${report.reason}`);
      return this.publish({ state: 'failed', firstBadPosition: report.firstBadPosition, reason: report.reason, checkedAt: now });
    }
    this.verified = { position: report.events, hash: report.head };
    return this.publish({ state: 'verified', verifiedThrough: report.events, verifiedAt: now, head: report.head });
  }

  private publish(status: IntegrityStatus): IntegrityStatus {
    this.current = status;
    this.onStatus(status);
    return status;
  }
}
