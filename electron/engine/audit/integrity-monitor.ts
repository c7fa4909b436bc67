/**
 * Keeps the ledger's integrity status for the audit screen: a full walk of the chain in
 * slices that yield to the event loop (the UI stays responsive and shows progress), then a
 * cheap walk of only the new events after each append. A broken chain turns the ledger
 * read-only; it is never repaired silently.
 *
 * The listener hears every transition (verifying → verified or failed, and each move of the
 * verified point) and, while a walk is verifying, its progress at most every
 * PROGRESS_INTERVAL_MS, so nobody needs to poll `status`. A failure is heard through the
 * ledger turning read-only (Ledger.markReadOnly), with the failed status already in place.
 */
import type { IntegrityStatus } from '#shared/audit';
import type { Ledger } from '../ledger';
import type { VerifyReport } from '../store/verify';

/** The least time between two progress notifications while verifying. */
export const PROGRESS_INTERVAL_MS = 250;

export class IntegrityMonitor {
  private current: IntegrityStatus = { state: 'verifying', checked: 0, total: 0 };
  /** When progress was last announced (a timestamp check, not a timer: nothing fires while idle). */
  private progressAnnouncedAt = Number.NEGATIVE_INFINITY;
  private verified: { position: number; hash: string } | undefined;
  private running: Promise<IntegrityStatus> | undefined;
  /** The walk queued behind the running one: it covers every call made while that one runs. */
  private queued: Promise<IntegrityStatus> | undefined;

  constructor(
    private readonly ledger: Ledger,
    /** Hears each transition and the throttled progress (not a failure: see the file comment). */
    private readonly onStatus: (status: IntegrityStatus) => void = () => {},
  ) {}

  get status(): IntegrityStatus {
    return this.current;
  }

  /**
   * Verifies what has not been verified yet (everything, the first time) and resolves with the
   * status that covers every event appended before the call. Calls coalesce: while a walk
   * runs — it may have started before the caller's appends — one more walk is queued behind
   * it and every call made meanwhile shares that one.
   */
  verify(): Promise<IntegrityStatus> {
    if (!this.running) return this.start();
    // After the running walk settles, however it ends (a walk that threw must not wedge the queue).
    this.queued ??= this.running
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        this.queued = undefined;
        // A walk started since (by another caller) began after our call, so it covers it.
        return this.running ?? this.start();
      });
    return this.queued;
  }

  private start(): Promise<IntegrityStatus> {
    const walk: Promise<IntegrityStatus> = this.walk().finally(() => {
      if (this.running === walk) this.running = undefined;
    });
    this.running = walk;
    return walk;
  }

  /**
   * Verifies, right now and synchronously, whatever is not verified yet. The engine calls this
   * before every command of a host that verifies in the background, so no command is ever
   * recorded on a log whose chain has not been checked: on a freshly opened large ledger the
   * first command waits for the rest of the walk; afterwards only the newest events are left.
   */
  verifyNow(): IntegrityStatus {
    if (this.current.state === 'failed' || !this.ledger.isOpen) return this.current;
    return this.settle(this.ledger.verifier(this.verified).run());
  }

  private async walk(): Promise<IntegrityStatus> {
    if (this.current.state === 'failed' || !this.ledger.isOpen) return this.current;
    const verifier = this.ledger.verifier(this.verified);
    let report: VerifyReport | undefined;
    while (!(report = verifier.step())) {
      if (this.current.state !== 'verified') this.progress({ state: 'verifying', ...verifier.progress });
      await new Promise((resolve) => setImmediate(resolve));
      // The ledger may be closed (File → Open another) between slices: stop quietly.
      if (!this.ledger.isOpen) return this.current;
    }
    return this.settle(report);
  }

  /** Publishes a finished walk. A failure is final; a walk never moves the verified point back. */
  private settle(report: VerifyReport): IntegrityStatus {
    if (this.current.state === 'failed') return this.current;
    const now = new Date().toISOString();
    if (!report.ok) {
      // Set before the ledger turns read-only, so the one notification that sends carries both.
      this.current = { state: 'failed', firstBadPosition: report.firstBadPosition, reason: report.reason, checkedAt: now };
      this.ledger.markReadOnly(`the hash chain is broken at position ${report.firstBadPosition}: ${report.reason}`);
      return this.current;
    }
    if (this.verified && report.events < this.verified.position) return this.current;
    const moved = this.current.state !== 'verified' || this.verified?.position !== report.events;
    this.verified = { position: report.events, hash: report.head };
    this.current = { state: 'verified', verifiedThrough: report.events, verifiedAt: now, head: report.head };
    if (moved) this.onStatus(this.current);
    return this.current;
  }

  /** Keeps a walk's progress; announces it when the state changes or PROGRESS_INTERVAL_MS has passed. */
  private progress(status: IntegrityStatus): void {
    const changed = this.current.state !== status.state;
    this.current = status;
    const now = Date.now();
    if (!changed && now - this.progressAnnouncedAt < PROGRESS_INTERVAL_MS) return;
    this.progressAnnouncedAt = now;
    this.onStatus(status);
  }
}
