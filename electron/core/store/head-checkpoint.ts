/**
 * The head checkpoint: the last position and hash this machine saw committed, kept OUTSIDE
 * the events table (a small file beside the ledger). A chain alone cannot reveal a cut-off
 * tail — the shorter chain is still valid — but the checkpoint remembers how long it was.
 * It follows the commits (within CHECKPOINT_DELAY_MS of one, see EventStore.scheduleCheckpoint),
 * so it may lag behind the log — after a crash, or for those milliseconds — never lead it.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, ftruncateSync, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';

export type HeadCheckpoint = { readonly position: number; readonly hash: string };

/**
 * Every checkpoint is written as one record of exactly this many bytes (JSON padded with
 * spaces), in place at offset 0: a new record always covers the whole old one.
 */
const RECORD_BYTES = 256;

export function checkpointPathFor(ledgerPath: string): string {
  return `${ledgerPath}.head.json`;
}

export function readCheckpoint(ledgerPath: string): HeadCheckpoint | undefined {
  let text: string;
  try {
    text = readFileSync(checkpointPathFor(ledgerPath), 'utf8');
  } catch {
    return undefined;
  }
  return parseCheckpoint(text);
}

function parseCheckpoint(text: string): HeadCheckpoint | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<HeadCheckpoint> & { check?: unknown };
    if (!Number.isSafeInteger(parsed.position) || typeof parsed.hash !== 'string') return undefined;
    // A record whose check does not match was read half-written (see CheckpointWriter):
    // treated as absent, never as a checkpoint that contradicts the log. Records written
    // before the check existed have none and are taken as they are.
    if (parsed.check !== undefined && parsed.check !== checkOf(parsed.position!, parsed.hash)) return undefined;
    return { position: parsed.position!, hash: parsed.hash };
  } catch {
    // A damaged checkpoint is treated as absent; verify reports the log on its own merits.
    return undefined;
  }
}

/**
 * Writes one store's checkpoint after its commits, moving it forward only (never back:
 * another process may have written a newer one).
 *
 * One write of a fixed-size record in place, rather than write-a-temporary-then-rename: the
 * rename (and the truncating rewrite it replaces) made ext4 allocate and flush on every
 * commit, ~220 µs — more than the commit's own fsync on a fast disk, and paid by every
 * durable command. A process that dies cannot tear a single write(2); a reader in another
 * process could in principle see a record half-copied, which is why each record carries a
 * check over its position and hash, written last: a torn read fails the check and is
 * treated as "no checkpoint", never as a checkpoint that contradicts the log.
 *
 * The file stays open between commits: right after a commit's fsync each system call cost
 * 5-10 µs, and open, fstat and close were half of the checkpoint's ~50 µs per durable command.
 * A stat of the path before each write makes sure it still names the open file (one removed
 * or replaced since is opened afresh), and the current record is always read first, so a
 * newer one from another process is never overwritten with an older position.
 */
export class CheckpointWriter {
  private readonly path: string;
  private descriptor: number | undefined;
  private inode = -1;
  /** One byte more than a record: reading more than a record means a longer file, not ours, to cut back. */
  private readonly buffer = Buffer.alloc(RECORD_BYTES + 1);

  constructor(ledgerPath: string) {
    this.path = checkpointPathFor(ledgerPath);
  }

  advance(head: HeadCheckpoint): void {
    const descriptor = this.open();
    const length = readSync(descriptor, this.buffer, 0, this.buffer.length, 0);
    const current = parseCheckpoint(this.buffer.toString('utf8', 0, Math.min(length, RECORD_BYTES)));
    if (current && current.position >= head.position) return;
    const record = JSON.stringify({
      position: head.position,
      hash: head.hash,
      writtenAt: new Date().toISOString(),
      check: checkOf(head.position, head.hash),
    });
    writeSync(descriptor, `${record.padEnd(RECORD_BYTES - 1)}\n`, 0);
    if (length > RECORD_BYTES) ftruncateSync(descriptor, RECORD_BYTES);
  }

  close(): void {
    if (this.descriptor !== undefined) closeSync(this.descriptor);
    this.descriptor = undefined;
  }

  /** The open file, if the path still names it; else the file at the path, opened (created) now. */
  private open(): number {
    if (this.descriptor !== undefined && statSync(this.path, { throwIfNoEntry: false })?.ino === this.inode) {
      return this.descriptor;
    }
    this.close();
    const descriptor = openSync(this.path, constants.O_RDWR | constants.O_CREAT, 0o644);
    this.descriptor = descriptor;
    this.inode = fstatSync(descriptor).ino;
    return descriptor;
  }
}

function checkOf(position: number, hash: string): string {
  return createHash('sha256').update(`${position}:${hash}`).digest('hex').slice(0, 16);
}
