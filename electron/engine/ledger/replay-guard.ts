/**
 * Replaying the log into the projection (at open, on refresh, on rebuild) may meet an event it
 * cannot apply. The projection then stays at the last good position and the ledger turns
 * read-only with the reason; catching up again would stop at the same event, so it is not tried.
 */
import { ReplayError, type AccountsProjection } from '../projection/accounts-projection';
import { damagedFile, isDamage } from '../store/storage-errors';

export class ReplayGuard {
  private stopped = false;

  constructor(
    private readonly path: string,
    private readonly projection: AccountsProjection,
    private readonly markReadOnly: (reason: string) => void,
  ) {}

  /** True once a replay stopped at an event it could not apply. */
  get broken(): boolean {
    return this.stopped;
  }

  /** Runs a replay step, turning an unreplayable event into a read-only ledger (see failed). */
  run(replay: () => unknown): void {
    try {
      replay();
    } catch (error) {
      this.failed(error);
    }
  }

  /**
   * An event that cannot be replayed (a tampered or foreign log) leaves the ledger read-only.
   * Damaged pages do too, and are thrown as the STORAGE failure of a damaged file. Anything
   * else is a bug, and is thrown as it is.
   */
  failed(error: unknown): void {
    if (isDamage(error)) {
      this.stopped = true;
      this.markReadOnly(`the file is damaged after position ${this.projection.lastPosition}`);
      throw damagedFile(this.path);
    }
    if (!(error instanceof ReplayError)) throw error;
    this.stopped = true;
    this.markReadOnly(error.message);
  }
}
