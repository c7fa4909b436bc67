/**
 * Verifies an export file offline — no database — by the same chain rule the store uses:
 * every line's hash, the links between lines, and the manifest (count, positions, head hash,
 * SHA-256 of the event lines). A restricted (filtered) export has gaps by design, so there
 * each event is checked against its own hash but not linked to its neighbours.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { GENESIS_HASH, checkChainLink, hashEvent } from '../store/hash-chain';
import type { StoredEvent } from '../store/event-store';
import { EXPORT_FORMAT_NAME, EXPORT_FORMAT_VERSION, parseEventLine, type ExportManifest } from './export-format';

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
    const reader = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const text of reader) {
      lineNumber += 1;
      if (sawManifest) return bad('there is content after the manifest line');
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
      digest.update(`${text}\n`);
      const row = parseEventLine(text, parsed as Record<string, unknown>);
      if (!row) return bad('the line is not an event of this export format');
      if (filtered) {
        if (row.position < expectedPosition) return bad(`position ${row.position} is out of order`);
        if (hashEvent(row.previousHash, row) !== row.hash) return bad(`event at position ${row.position}: stored hash does not match the event content`);
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

function readTrailingManifest(path: string): ExportManifest | undefined {
  const descriptor = openSync(path, 'r');
  try {
    const size = fstatSync(descriptor).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(descriptor, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n').filter((line) => line.trim() !== '');
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
