/**
 * Verifies an export file offline — no database — by the same chain rule the store uses:
 * every line's hash, the links between lines, and the manifest (count, positions, head hash,
 * SHA-256 of the event lines). A restricted (filtered) export has gaps by design, so there
 * each event is checked against its own hash but not linked to its neighbours.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { GENESIS_HASH, checkChainLink, hashEvent } from '../store/hash-chain';
import type { StoredEvent } from '../store/event-store';
import { EXPORT_FORMAT_NAME, EXPORT_FORMAT_VERSION, parseCanonicalEventLine, parseEventLine, type ExportManifest } from './export-format';

export type ExportVerifyReport =
  | { readonly ok: true; readonly events: number; readonly head: string; readonly manifest: ExportManifest }
  | { readonly ok: false; readonly firstBadLine: number; readonly reason: string };

/** The manifest is the last line; it is read first so each event can be judged as it streams by. */
const TAIL_BYTES = 64 * 1024;

/** Walks the file once; `onEvent` receives each event after it has been checked (restore writes as it reads). */
export async function verifyExportFile(path: string, onEvent?: (row: StoredEvent) => void): Promise<ExportVerifyReport> {
  let manifest: ExportManifest | undefined;
  try {
    manifest = readTrailingManifest(path);
  } catch (error) {
    return { ok: false, firstBadLine: 0, reason: `the file cannot be read (${(error as Error).message})` };
  }
  const filtered = manifest?.filter !== undefined;
  const digest = createHash('sha256');
  let lineNumber = 0;
  let count = 0;
  let firstPosition = 0;
  let expectedPosition = 1;
  let previousHash = GENESIS_HASH;
  let sawManifest = false;
  const bad = (reason: string, line = lineNumber): ExportVerifyReport => ({ ok: false, firstBadLine: line, reason });
  try {
    for await (const { data, texts, starts, ends } of readLines(path)) {
      // Consecutive event lines that ended in a plain \n are digested as one range.
      let digestFrom = -1;
      let digestTo = -1;
      const digestRange = () => {
        if (digestFrom !== -1) digest.update(data.subarray(digestFrom, digestTo));
        digestFrom = -1;
      };
      for (let index = 0; index < texts.length; index++) {
        const text = texts[index]!;
        lineNumber += 1;
        if (sawManifest) return bad('there is content after the manifest line');
        // Nearly every line is exactly what the exporter writes: read in place. Anything else
        // (the manifest, an escaped string, damage) is judged by parsing the whole line.
        let row = parseCanonicalEventLine(text);
        if (!row) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            return bad('the line is not valid JSON (edited or cut off)');
          }
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return bad('the line is not a JSON object');
          if ('manifest' in parsed) {
            sawManifest = true;
            continue;
          }
          row = parseEventLine(text, parsed as Record<string, unknown>);
          if (!row) return bad('the line is not an event of this export format');
        }
        if (ends[index] !== -1) {
          if (digestFrom === -1) digestFrom = starts[index]!;
          digestTo = ends[index]!;
        } else {
          digestRange();
          digest.update(`${text}\n`);
        }
        if (filtered) {
          if (row.position < expectedPosition) return bad(`position ${row.position} is out of order`);
          if (hashEvent(row.previousHash, row) !== row.hash)
            return bad(`event at position ${row.position}: stored hash does not match the event content`);
        } else {
          const broken = checkChainLink(row, expectedPosition, previousHash);
          if (broken) return bad(`event at position ${broken.position}: ${broken.reason}`);
        }
        expectedPosition = row.position + 1;
        previousHash = row.hash;
        firstPosition ||= row.position;
        count += 1;
        onEvent?.(row);
      }
      digestRange();
    }
  } catch (error) {
    return bad(`the file cannot be read (${(error as Error).message})`);
  }
  if (!manifest || !sawManifest) return bad('the manifest line is missing: the export was cut short', lineNumber + 1);
  const actual: Record<string, unknown> = {
    format: EXPORT_FORMAT_NAME,
    formatVersion: EXPORT_FORMAT_VERSION,
    count,
    firstPosition,
    lastPosition: expectedPosition - 1,
    headHash: previousHash,
    eventsSha256: digest.digest('hex'),
  };
  for (const [field, value] of Object.entries(actual)) {
    const stated = (manifest as Record<string, unknown>)[field];
    if (stated !== value) {
      return bad(`the manifest says ${field} ${JSON.stringify(stated)} but the file has ${JSON.stringify(value)}`, lineNumber);
    }
  }
  return { ok: true, events: count, head: previousHash, manifest };
}

/** Bytes read at a time; a longer line grows the buffer. */
const READ_BYTES = 1 << 20;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * A chunk's worth of lines. Line i is texts[i]; where it ended in a plain \n, its bytes
 * (`${text}\n`, exactly) are data[starts[i], ends[i]), else ends[i] is -1. The buffer is
 * valid until the next chunk is asked for.
 */
type LineBatch = { readonly data: Buffer; readonly texts: string[]; readonly starts: number[]; readonly ends: number[] };

/**
 * The file's lines, split as readline splits them (at \n, \r\n or a lone \r; no empty last
 * line), read in 1 MB chunks into one reused buffer and handed over a chunk at a time, so the
 * digest can take a chunk's lines in one update. readline over a decoded stream, one await
 * per line, cost verify a third of its time.
 */
async function* readLines(path: string): AsyncGenerator<LineBatch> {
  const file = await open(path, 'r');
  try {
    let buffer = Buffer.allocUnsafe(READ_BYTES);
    let start = 0;
    let end = 0;
    let atEnd = false;
    let batch: LineBatch = { data: buffer.subarray(0, end), texts: [], starts: [], ends: [] };
    /** The next \r at or after `start` in the current data, or -1 if there is none. */
    let carriageReturn = -1;
    for (;;) {
      const data = batch.data;
      const lineFeed = data.indexOf(LINE_FEED, start);
      if (lineFeed === -1 && !atEnd) {
        // Hand over the chunk's lines before the buffer is reused.
        if (batch.texts.length > 0) yield batch;
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
        batch = { data: buffer.subarray(0, end), texts: [], starts: [], ends: [] };
        carriageReturn = batch.data.indexOf(CARRIAGE_RETURN, start);
        continue;
      }
      if (start >= end) {
        if (batch.texts.length > 0) yield batch;
        return;
      }
      const lineEnd = lineFeed === -1 ? end : lineFeed;
      if (carriageReturn !== -1 && carriageReturn < start) carriageReturn = data.indexOf(CARRIAGE_RETURN, start);
      if (carriageReturn === -1 || carriageReturn >= lineEnd) {
        batch.texts.push(data.toString('utf8', start, lineEnd));
        batch.starts.push(start);
        batch.ends.push(lineFeed === -1 ? -1 : lineFeed + 1);
        start = lineEnd + 1;
      } else {
        // \r\n ends the line as one break, a lone \r as a break of its own.
        batch.texts.push(data.toString('utf8', start, carriageReturn));
        batch.starts.push(start);
        batch.ends.push(-1);
        start = carriageReturn + (carriageReturn + 1 === lineFeed ? 2 : 1);
      }
    }
  } finally {
    await file.close();
  }
}

function readTrailingManifest(path: string): ExportManifest | undefined {
  const descriptor = openSync(path, 'r');
  try {
    const size = fstatSync(descriptor).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(descriptor, buffer, 0, length, size - length);
    const lines = buffer
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim() !== '');
    const last = lines[lines.length - 1];
    if (last === undefined) return undefined;
    try {
      const parsed = JSON.parse(last) as { manifest?: ExportManifest };
      return typeof parsed.manifest === 'object' && parsed.manifest !== null ? parsed.manifest : undefined;
    } catch {
      return undefined;
    }
  } finally {
    closeSync(descriptor);
  }
}
