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
import type { ChainVerifier, VerifyReport } from '../store/verify';

/** The least time between two progress notifications while verifying. */
export const PROGRESS_INTERVAL_MS = 250;

export class IntegrityMonitor {
  private current: IntegrityStatus = { state: 'verifying', checked: 0, total: 0 };
  /** When progress was last announced (a timestamp check, not a timer: nothing fires while idle). */
  private progressAnnouncedAt = Number.NEGATIVE_INFINITY;
  private verified: { position: number; hash: string } | undefined;
  /**
   * The verifier whose last walk ended ok at `verified`, kept to walk on from there (see
   * ChainVerifier.continueWalk): one per ledger rather than one per command. Taken (set to
   * undefined) by the walk that uses it, so two walks never step the same verifier.
   */
  private resumable: ChainVerifier | undefined;
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
   *
   * @param logEnd the log's last position, when the caller knows it without reading the log
   *   (no other connection has committed since it last looked): when everything up to it is
   *   verified, there is nothing to walk and no statement runs.
   */
  verifyNow(logEnd?: number): IntegrityStatus {
    if (this.current.state === 'failed' || !this.ledger.isOpen) return this.current;
    if (logEnd !== undefined && this.current.state === 'verified' && this.verified?.position === logEnd) return this.current;
    const verifier = this.takeVerifier();
    return this.settle(verifier.run(), verifier);
  }

  private async walk(): Promise<IntegrityStatus> {
    // Once something is verified, a walk is called right after a commit, from inside the
    // command that made it (the store's subscriber): it starts once the command has answered.
    // verifyNow before the next command still checks whatever it has not reached by then.
    if (this.verified !== undefined) await new Promise((resolve) => setImmediate(resolve));
    if (this.current.state === 'failed' || !this.ledger.isOpen) return this.current;
    const verifier = this.takeVerifier();
    let report: VerifyReport | undefined;
    while (!(report = verifier.step())) {
      if (this.current.state !== 'verified') this.progress({ state: 'verifying', ...verifier.progress });
      await new Promise((resolve) => setImmediate(resolve));
      // The ledger may be closed (File → Open another) between slices: stop quietly.
      if (!this.ledger.isOpen) return this.current;
    }
    return this.settle(report, verifier);
  }

  /** A verifier that checks what is not verified yet: the kept one when it ended at the verified point, else a new one. */
  private takeVerifier(): ChainVerifier {
    const kept = this.resumable;
    this.resumable = undefined;
    if (kept === undefined) return this.ledger.verifier(this.verified);
    kept.continueWalk();
    return kept;
  }

  /**
   * Publishes a finished walk. A failure is final; a walk never moves the verified point back.
   * The verifier of a walk that ends at the verified point is kept to walk on from there.
   */
  private settle(report: VerifyReport, verifier: ChainVerifier): IntegrityStatus {
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
    this.resumable = verifier;
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
