/**
 * The head checkpoint: the last position and hash this machine saw committed, kept OUTSIDE
 * the events table (a small file beside the ledger). A chain alone cannot reveal a cut-off
 * tail — the shorter chain is still valid — but the checkpoint remembers how long it was.
 * It is written after each commit, so it may lag behind the log after a crash, never lead it.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, ftruncateSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';

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
    // A record whose check does not match was read half-written (see advanceCheckpoint):
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
 * Moves the checkpoint forward (never back: another process may have written a newer one).
 *
 * One write of a fixed-size record in place, rather than write-a-temporary-then-rename: the
 * rename (and the truncating rewrite it replaces) made ext4 allocate and flush on every
 * commit, ~220 µs — more than the commit's own fsync on a fast disk, and paid by every
 * durable command. A process that dies cannot tear a single write(2); a reader in another
 * process could in principle see a record half-copied, which is why each record carries a
 * check over its position and hash, written last: a torn read fails the check and is
 * treated as "no checkpoint", never as a checkpoint that contradicts the log.
 */
export function advanceCheckpoint(ledgerPath: string, head: HeadCheckpoint): void {
  const descriptor = openSync(checkpointPathFor(ledgerPath), constants.O_RDWR | constants.O_CREAT, 0o644);
  try {
    const buffer = Buffer.alloc(RECORD_BYTES);
    const length = readSync(descriptor, buffer, 0, RECORD_BYTES, 0);
    const current = parseCheckpoint(buffer.toString('utf8', 0, length));
    if (current && current.position >= head.position) return;
    const record = JSON.stringify({
      position: head.position,
      hash: head.hash,
      writtenAt: new Date().toISOString(),
      check: checkOf(head.position, head.hash),
    });
    writeSync(descriptor, `${record.padEnd(RECORD_BYTES - 1)}\n`, 0);
    // Only a file that is not one of our records can be longer; cut its tail off once.
    if (fstatSync(descriptor).size > RECORD_BYTES) ftruncateSync(descriptor, RECORD_BYTES);
  } finally {
    closeSync(descriptor);
  }
}

function checkOf(position: number, hash: string): string {
  return createHash('sha256').update(`${position}:${hash}`).digest('hex').slice(0, 16);
}
