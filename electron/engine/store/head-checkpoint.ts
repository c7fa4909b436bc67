/**
 * The head checkpoint: the last position and hash this machine saw committed, kept OUTSIDE
 * the events table (a small file beside the ledger). A chain alone cannot reveal a cut-off
 * tail — the shorter chain is still valid — but the checkpoint remembers how long it was.
 * It follows the commits (within CHECKPOINT_DELAY_MS of one, see EventStore.scheduleCheckpoint),
 * so it may lag behind the log — after a crash, or for those milliseconds — never lead it.
 *
 * Where the writer holds a signing key, the record also carries a seal of the tree head at its
 * position (checkpoint-seal.ts makes it and checks it at open), so rolling the checkpoint back
 * to match a cut-off tail needs the key. A writer without a key carries the last seal forward
 * unchanged: the position moves on, the seal keeps vouching for the size it signed.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, ftruncateSync, lstatSync, openSync, readSync, writeSync } from 'node:fs';
import { LedgerFailure } from '#shared/errors';
import { parseSealText, sealText } from '../history/seal-store';
import type { Seal } from '../signing/seal';

export type HeadCheckpoint = {
  readonly position: number;
  readonly hash: string;
  /** A seal of the first seal.treeSize events (at most `position`), where a writer held a key. */
  readonly seal?: Seal;
};

/** Makes the seal of the tree head at `position` (the events up to it), or throws. */
export type CheckpointSealer = (position: number) => Seal;

/**
 * Every checkpoint is written as one record of exactly this many bytes (JSON padded with
 * spaces), in place at offset 0: a new record always covers the whole old one. A seal makes a
 * record about 500 bytes; records of earlier versions were OLD_RECORD_BYTES.
 */
const RECORD_BYTES = 1_024;
const OLD_RECORD_BYTES = 256;
/** More than any record of ours ever was (records before the fixed size were short JSON). */
const MOST_BYTES_READ = 4_096;

/**
 * Opened without following a link: a planted link must never turn a checkpoint write into a
 * write to (or a truncation of) whatever it points at. O_NOFOLLOW makes open fail with ELOOP.
 */
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

/** The writers of this process holding a checkpoint file open, by its path: readCheckpointFile reads through them. */
const openWriters = new Map<string, CheckpointWriter>();

export function checkpointPathFor(ledgerPath: string): string {
  return `${ledgerPath}.head.json`;
}

/**
 * The checkpoint beside a ledger: undefined when there is none (no file, an empty one, or a
 * record read half-written). Throws a STORAGE failure when the name holds something that is
 * not a checkpoint of ours (a link, a folder, other content): the check it exists for would
 * otherwise stop without a word.
 */
export function readCheckpoint(ledgerPath: string): HeadCheckpoint | undefined {
  const read = readCheckpointFile(ledgerPath);
  if (read.problem !== undefined) {
    throw new LedgerFailure({
      code: 'STORAGE',
      message: `The head checkpoint ${checkpointPathFor(ledgerPath)} beside the ledger ${ledgerPath} ${read.problem}; remove it if it is not yours`,
    });
  }
  return read.checkpoint;
}

/** Why the checkpoint file is not one of ours, or undefined when it is (or is absent). */
export function inspectCheckpointFile(ledgerPath: string): string | undefined {
  return readCheckpointFile(ledgerPath).problem;
}

function readCheckpointFile(ledgerPath: string): { checkpoint?: HeadCheckpoint; problem?: string } {
  const path = checkpointPathFor(ledgerPath);
  // A store of this process that keeps the file open reads it through its descriptor: one stat
  // and one read instead of an open, a stat, a read and a close (an app host reads it twice per
  // command, see CheckpointWriter.readCurrent).
  const kept = openWriters.get(path)?.readCurrent();
  if (kept !== undefined) return kept;
  let descriptor: number;
  try {
    descriptor = openSync(path, constants.O_RDONLY | NO_FOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return {};
    if (code === 'ELOOP' || lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink())
      return { problem: 'is a symbolic link, not a checkpoint' };
    return { problem: `cannot be read (${code ?? String(error)})` };
  }
  try {
    if (!fstatSync(descriptor).isFile()) return { problem: 'is not a file (a folder or a special file), not a checkpoint' };
    const buffer = Buffer.alloc(MOST_BYTES_READ + 1);
    return readOutcome(classifyRecord(buffer, readSync(descriptor, buffer, 0, buffer.length, 0)));
  } finally {
    closeSync(descriptor);
  }
}

function readOutcome(kind: HeadCheckpoint | 'none' | 'foreign'): { checkpoint?: HeadCheckpoint; problem?: string } {
  if (kind === 'foreign') return { problem: 'holds something other than a head checkpoint' };
  return kind === 'none' ? {} : { checkpoint: kind };
}

/**
 * What a checkpoint file's first bytes hold: a record (its checkpoint), 'none' (empty, all
 * zero bytes as a power cut can leave a file whose data never reached the disk, or a record of
 * ours read half-written), or 'foreign' (anything else: not ours, never to be overwritten).
 */
function classifyRecord(buffer: Buffer, length: number): HeadCheckpoint | 'none' | 'foreign' {
  if (length === 0 || buffer.subarray(0, length).every((byte) => byte === 0)) return 'none';
  if (length > MOST_BYTES_READ) return 'foreign';
  const text = buffer.toString('utf8', 0, length);
  const parsed = parseCheckpoint(text);
  if (parsed) return parsed;
  return looksLikeOurRecord(text) ? 'none' : 'foreign';
}

/** A fixed-size record of ours (whatever its numbers): a torn read of one, or one whose check failed. */
function looksLikeOurRecord(text: string): boolean {
  return (text.length === RECORD_BYTES || text.length === OLD_RECORD_BYTES) && text.startsWith('{"position":') && text.endsWith('\n');
}

/**
 * The last record text parsed and what it parsed to: the file is read before every command
 * of an app host and mostly holds the record read last time. The same text always parses to
 * the same checkpoint, so its JSON and its checks are not worked out again.
 */
let lastParsed: { readonly text: string; readonly checkpoint: HeadCheckpoint | undefined } = { text: '', checkpoint: undefined };

function parseCheckpoint(text: string): HeadCheckpoint | undefined {
  if (text !== lastParsed.text) lastParsed = { text, checkpoint: parseCheckpointText(text) };
  return lastParsed.checkpoint;
}

function parseCheckpointText(text: string): HeadCheckpoint | undefined {
  try {
    const parsed = JSON.parse(text) as { position?: unknown; hash?: unknown; check?: unknown; seal?: unknown; sealCheck?: unknown };
    if (!Number.isSafeInteger(parsed.position) || typeof parsed.hash !== 'string') return undefined;
    const position = parsed.position as number;
    // A record whose check does not match was read half-written (see CheckpointWriter):
    // treated as absent, never as a checkpoint that contradicts the log. Records written
    // before the check existed have none and are taken as they are.
    if (parsed.check !== undefined && parsed.check !== checkOf(position, parsed.hash)) return undefined;
    if (parsed.seal === undefined) return { position, hash: parsed.hash };
    // The seal has a check of its own (older readers ignore both it and the seal). A seal that
    // is not in its one form, or whose check fails, was read half-written too.
    const sealJson = JSON.stringify(parsed.seal);
    const seal = parseSealText(sealJson);
    if (seal === undefined || parsed.sealCheck !== sealCheckOf(sealJson)) return undefined;
    return { position, hash: parsed.hash, seal };
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
 * commit, which every durable command paid (docs/performance.md). A process that dies cannot tear a single write(2); a reader in another
 * process could in principle see a record half-copied, which is why each record carries a
 * check over its position and hash, written last: a torn read fails the check and is
 * treated as "no checkpoint", never as a checkpoint that contradicts the log.
 *
 * The file stays open between commits: right after a commit's fsync every system call is
 * dear, so a checkpoint costs one stat, one read and one write, not an open and a close too.
 * A stat of the path before each write makes sure it still names the open file (one removed
 * or replaced since is opened afresh), and the current record is always read first, so a
 * newer one from another process is never overwritten with an older position.
 */
export class CheckpointWriter {
  private readonly path: string;
  private descriptor: number | undefined;
  private inode = -1;
  /** One byte more than the longest record of ours: reading more means a file that is not ours. */
  private readonly buffer = Buffer.alloc(MOST_BYTES_READ + 1);

  /** @param sealer where the writer holds a key: seals the head each record names (else the last seal is carried forward) */
  constructor(
    ledgerPath: string,
    private readonly sealer?: () => CheckpointSealer | undefined,
  ) {
    this.path = checkpointPathFor(ledgerPath);
  }

  /**
   * The file's record read through the open descriptor, when the path still names the file
   * this writer opened (undefined otherwise: the caller opens the path itself). The record is
   * read from the file every time: another process may have moved it on.
   */
  readCurrent(): { checkpoint?: HeadCheckpoint; problem?: string } | undefined {
    if (this.descriptor === undefined || !this.stillNamesOpenFile()) return undefined;
    return readOutcome(classifyRecord(this.buffer, readSync(this.descriptor, this.buffer, 0, this.buffer.length, 0)));
  }

  advance(head: { readonly position: number; readonly hash: string }): void {
    const descriptor = this.open();
    const length = readSync(descriptor, this.buffer, 0, this.buffer.length, 0);
    const current = classifyRecord(this.buffer, length);
    if (current === 'foreign') {
      // Never overwrite (nor cut back) a file that does not hold our record.
      throw new Error(`${this.path} holds something other than a head checkpoint; it was left as it is`);
    }
    if (current !== 'none' && current.position >= head.position) return;
    const seal = this.sealOf(head.position) ?? (current === 'none' ? undefined : current.seal);
    const fields = {
      position: head.position,
      hash: head.hash,
      writtenAt: new Date().toISOString(),
      check: checkOf(head.position, head.hash),
    };
    const sealed = seal === undefined ? '' : `,"seal":${sealText(seal)},"sealCheck":"${sealCheckOf(sealText(seal))}"`;
    const record = `${JSON.stringify(fields).slice(0, -1)}${sealed}}`;
    writeSync(descriptor, `${record.padEnd(RECORD_BYTES - 1)}\n`, 0);
    // A longer record of ours (an older format) is cut back to the new one.
    if (length > RECORD_BYTES) ftruncateSync(descriptor, RECORD_BYTES);
  }

  close(): void {
    if (openWriters.get(this.path) === this) openWriters.delete(this.path);
    if (this.descriptor !== undefined) closeSync(this.descriptor);
    this.descriptor = undefined;
  }

  /** The seal of the head at `position`, where a key is at hand; a failure to make one keeps the last seal. */
  private sealOf(position: number): Seal | undefined {
    const sealer = this.sealer?.();
    if (sealer === undefined) return undefined;
    try {
      return sealer(position);
    } catch (error) {
      console.error(`The head checkpoint beside the ledger could not be sealed at position ${position}`, error);
      return undefined;
    }
  }

  /**
   * The open file, if the path still names it; else the file at the path, opened (created)
   * now. Never through a link, and never anything but a regular file.
   */
  private open(): number {
    if (this.descriptor !== undefined && this.stillNamesOpenFile()) return this.descriptor;
    this.close();
    const descriptor = openSync(this.path, constants.O_RDWR | constants.O_CREAT | NO_FOLLOW | constants.O_NONBLOCK, 0o644);
    const stats = fstatSync(descriptor);
    if (!stats.isFile()) {
      closeSync(descriptor);
      throw new Error(`${this.path} is not a regular file; the head checkpoint was not written`);
    }
    this.descriptor = descriptor;
    this.inode = stats.ino;
    openWriters.set(this.path, this);
    return descriptor;
  }

  /** Whether the path still names the open file (not a link, nor a file put in its place). */
  private stillNamesOpenFile(): boolean {
    return lstatSync(this.path, { throwIfNoEntry: false })?.ino === this.inode;
  }
}

function checkOf(position: number, hash: string): string {
  return createHash('sha256').update(`${position}:${hash}`).digest('hex').slice(0, 16);
}

function sealCheckOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
