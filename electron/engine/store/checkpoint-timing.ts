/**
 * When the head checkpoint (head-checkpoint.ts) is written: within CHECKPOINT_DELAY_MS of a
 * commit instead of on every commit, after the caller has its answer. Writing it dirties the
 * checkpoint file's inode, so the NEXT commit's fsync has to flush that too; one write per
 * interval serves any number of commits. close() and verify write it at once (flush). A
 * checkpoint that lags is allowed: it attests the log up to its position, and a crash could
 * always leave it one commit behind (it is not synced).
 */
import { CheckpointWriter, type CheckpointSealer } from './head-checkpoint';
import type { LogTail } from './event-types';

/** How long the head checkpoint may lag the last commit. */
export const CHECKPOINT_DELAY_MS = 20;

export class CheckpointTiming {
  /** Writes the head checkpoint (opened at the first write). */
  private writer: CheckpointWriter | undefined;
  /** Seals each checkpoint where the ledger's user holds a key (see checkpoint-seal.ts). */
  private sealer: CheckpointSealer | undefined;
  /** The head the checkpoint is to be advanced to, and the timer that will do it. */
  private due: LogTail | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** `path` is the ledger file the checkpoint sits beside. */
  constructor(private readonly path: string) {}

  /** The log was committed up to `head`: the checkpoint follows within CHECKPOINT_DELAY_MS. */
  schedule(head: LogTail): void {
    this.due = head;
    this.timer ??= setTimeout(() => this.flush(), CHECKPOINT_DELAY_MS);
  }

  /** From now on each head checkpoint carries a seal made by `sealer` (see head-checkpoint.ts). */
  sealWith(sealer: CheckpointSealer): void {
    this.sealer = sealer;
  }

  /** Writes the pending head checkpoint now, if there is one. A failure is logged, not thrown: the commit already happened. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const head = this.due;
    if (head === undefined) return;
    this.due = undefined;
    try {
      (this.writer ??= new CheckpointWriter(this.path, () => this.sealer)).advance(head);
    } catch (error) {
      console.error(`The head checkpoint beside ${this.path} could not be written`, error);
    }
  }

  /** Writes what is pending and closes the checkpoint file. */
  close(): void {
    this.flush();
    this.writer?.close();
  }
}
