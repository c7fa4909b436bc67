/**
 * Reading an export file for verification: its lines as raw bytes and text, a chunk at a
 * time, and its last line (the manifest) first.
 *
 * Invariants:
 * - A line ends at a line feed (0x0A) and nowhere else: a carriage return is a byte of the
 *   line (so a file rewritten with CRLF endings no longer holds the exporter's lines), and a
 *   line's bytes are exactly the file's, so the tree and the digest see what is on disk.
 * - The last line is read backwards from the end, at most MAX_MANIFEST_BYTES of it.
 */
import { open } from 'node:fs/promises';
import { MAX_MANIFEST_BYTES } from './export-manifest';

/** Bytes read at a time; a longer line grows the buffer. */
const READ_BYTES = 1 << 20;
const LINE_FEED = 0x0a;
/** Bytes read at a time from the end when looking for the last line. */
const TAIL_BYTES = 64 * 1024;

/**
 * A chunk's worth of lines. Line i is texts[i] (decoded as UTF-8, unless the reader was asked
 * not to decode: then texts is empty); its bytes are
 * data[starts[i], ends[i]) without the line feed, and terminated[i] says whether a line feed
 * follows at ends[i] (only the file's last line can lack one). Valid until the next chunk.
 */
export type LineBatch = {
  readonly data: Buffer;
  readonly texts: string[];
  readonly starts: number[];
  readonly ends: number[];
  readonly terminated: boolean[];
};

/**
 * The file's lines in 1 MB chunks read into one reused buffer, handed over a chunk at a time
 * so the digest can take a chunk's lines in one update (readline over a decoded stream, one
 * await per line, cost verify a third of its time). No empty last line after a final line feed.
 * With `decode: false` no line is decoded (the verifier reads most lines as bytes).
 */
export async function* readExportLines(path: string, { decode = true } = {}): AsyncGenerator<LineBatch> {
  const file = await open(path, 'r');
  try {
    let buffer = Buffer.allocUnsafe(READ_BYTES);
    let start = 0;
    let end = 0;
    let atEnd = false;
    let batch = newBatch(buffer.subarray(0, 0));
    for (;;) {
      const data = batch.data;
      const lineFeed = data.indexOf(LINE_FEED, start);
      if (lineFeed === -1 && !atEnd) {
        // Hand over the chunk's lines before the buffer is reused.
        if (batch.starts.length > 0) yield batch;
        // Keep the unfinished line, move it to the front (or grow), and read more.
        if (start > 0) {
          buffer.copy(buffer, 0, start, end);
          end -= start;
          start = 0;
        } else if (end === buffer.length) {
          const larger = Buffer.allocUnsafe(buffer.length * 2);
          buffer.copy(larger, 0, 0, end);
          buffer = larger;
        }
        const { bytesRead } = await file.read(buffer, end, buffer.length - end, null);
        if (bytesRead === 0) atEnd = true;
        end += bytesRead;
        batch = newBatch(buffer.subarray(0, end));
        continue;
      }
      if (start >= end) {
        if (batch.starts.length > 0) yield batch;
        return;
      }
      const lineEnd = lineFeed === -1 ? end : lineFeed;
      if (decode) batch.texts.push(data.toString('utf8', start, lineEnd));
      batch.starts.push(start);
      batch.ends.push(lineEnd);
      batch.terminated.push(lineFeed !== -1);
      start = lineEnd + 1;
    }
  } finally {
    await file.close();
  }
}

function newBatch(data: Buffer): LineBatch {
  return { data, texts: [], starts: [], ends: [], terminated: [] };
}

/**
 * The file's last line that is not empty, as text (undefined for a file with none). Throws
 * when it is longer than MAX_MANIFEST_BYTES (it cannot be a manifest of ours).
 */
export async function readTrailingLine(path: string): Promise<string | undefined> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    let length = Math.min(size, TAIL_BYTES);
    for (;;) {
      const buffer = Buffer.alloc(length);
      await file.read(buffer, 0, length, size - length);
      // Trailing line feeds (and the empty lines they make) are not the last line.
      let lineEnd = length;
      while (lineEnd > 0 && buffer[lineEnd - 1] === LINE_FEED) lineEnd -= 1;
      const lineStart = lineEnd === 0 ? 0 : buffer.lastIndexOf(LINE_FEED, lineEnd - 1) + 1;
      if (length === size && lineEnd === 0) return undefined;
      if (lineStart > 0 || length === size) return buffer.toString('utf8', lineStart, lineEnd);
      if (length >= MAX_MANIFEST_BYTES + TAIL_BYTES) {
        throw new Error(`its last line is longer than ${MAX_MANIFEST_BYTES} bytes, far longer than a manifest`);
      }
      length = Math.min(size, length * 4);
    }
  } finally {
    await file.close();
  }
}
