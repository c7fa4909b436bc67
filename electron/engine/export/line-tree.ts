/**
 * The RFC 9162 Merkle tree over an export's event lines, built as the lines stream by: leaf i
 * is the RAW bytes of event line i + 1 as they are in the file (or as the exporter writes
 * them), without the line feed — never a decoded and re-encoded string, so a byte that is not
 * UTF-8 changes the root instead of being normalised away.
 *
 * Invariants:
 * - The leaf hash is SHA-256(0x00 ‖ bytes) and the nodes those of history/binary-hash.ts, so
 *   the root equals the ledger's stored tree at the same size (and signing/tree-hash.ts's).
 * - addLine may borrow the byte just before the line (a line feed, which it puts back before
 *   returning) to hash the 0x00 prefix and the line in one call without copying the line.
 * - Roots are kept only at the sizes asked for up front (the seals' sizes), so memory is the
 *   frontier's (one hash per bit of the size) however long the file.
 */
import * as crypto from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { EMPTY_ROOT, toHex, type BinaryHash } from '../history/binary-hash';
import { TreeFrontier } from '../history/tree-frontier';

const LINE_FEED = 0x0a;
const LEAF_PREFIX = Buffer.of(0x00);

const sha256Binary: (data: Buffer) => BinaryHash =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'binary')
    : (data) => crypto.createHash('sha256').update(data).digest('binary');

export class LineTree {
  private readonly frontier = TreeFrontier.empty();
  private readonly wanted: ReadonlySet<number>;
  private readonly roots = new Map<number, string>();

  /** @param wantedSizes the tree sizes whose roots rootAt must answer */
  constructor(wantedSizes: Iterable<number> = []) {
    this.wanted = new Set(wantedSizes);
    if (this.wanted.has(0)) this.roots.set(0, toHex(EMPTY_ROOT));
  }

  get size(): number {
    return this.frontier.size;
  }

  /** Adds the line whose bytes are data[start, end) (without its line feed) as the next leaf. */
  addLine(data: Buffer, start: number, end: number): void {
    let leaf: BinaryHash;
    if (start > 0 && data[start - 1] === LINE_FEED) {
      data[start - 1] = 0x00;
      try {
        leaf = sha256Binary(data.subarray(start - 1, end));
      } finally {
        data[start - 1] = LINE_FEED;
      }
    } else {
      leaf = sha256Binary(Buffer.concat([LEAF_PREFIX, data.subarray(start, end)]));
    }
    this.frontier.push(leaf);
    if (this.wanted.has(this.frontier.size)) this.roots.set(this.frontier.size, toHex(this.frontier.root()));
  }

  /** Adds every line of `chunk`, which holds whole lines, each ending in a line feed. */
  addLines(chunk: Buffer): void {
    for (let start = 0; start < chunk.length;) {
      const lineFeed = chunk.indexOf(LINE_FEED, start);
      const end = lineFeed === -1 ? chunk.length : lineFeed;
      this.addLine(chunk, start, end);
      start = end + 1;
    }
  }

  /**
   * Writes whole event lines to `out` and adds them to the tree as the same bytes: the text is
   * encoded once, then hashed and written. Resolves when `out` can take more.
   */
  async writeLines(text: string, out: Writable): Promise<void> {
    const bytes = Buffer.from(text, 'utf8');
    this.addLines(bytes);
    if (!out.write(bytes)) await once(out, 'drain');
  }

  /** The root over every line added, lowercase hex. */
  rootHex(): string {
    return toHex(this.frontier.root());
  }

  /** The root when the tree had `size` leaves, if that size was asked for and reached. */
  rootAt(size: number): string | undefined {
    return this.roots.get(size);
  }
}
