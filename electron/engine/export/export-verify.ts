/**
 * Verifies an export file offline — no database — by the same chain rule the store uses:
 * every line's hash, the links between lines, and the manifest (count, positions, head hash,
 * and the digest of the event lines: SHA-256 for version 1, the Merkle root for version 2);
 * and, for version 2, its seals: the tree of the file's RAW event-line bytes is computed in
 * the same pass, and each seal must sign its root at its size (export-seal-check.ts). A
 * restricted (filtered) export has gaps by design, so there each event is checked against its
 * own hash but not linked to its neighbours.
 */
import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { GENESIS_HASH, checkChainLink, hashEvent } from '../store/hash-chain';
import type { StoredEvent } from '../store/event-store';
import { fingerprintOf } from '../signing/keys';
import type { Seal } from '../signing/seal';
import { EXPORT_FORMAT_NAME, parseCanonicalEventLine, parseEventLine, type ExportManifest } from './export-format';
import { readManifestLine } from './export-manifest';
import { checkExportSeals, sealedSizes, type ExportSealFacts, type SealProblem } from './export-seal-check';
import { LineTree } from './line-tree';
import { EventLineBytes } from './event-line-bytes';
import { readExportLines, readTrailingLine } from './export-lines';

export type { ExportSealFacts } from './export-seal-check';

export type ExportVerifyOptions = {
  /** Receives each event after it has been checked (restore writes as it reads). */
  readonly onEvent?: (row: StoredEvent) => void;
  /** The public key (keys.ts text) the export must be sealed by: the auditor's, received out of band. */
  readonly expectedPublicKey?: string;
};

export type ExportVerifyReport =
  | {
      readonly ok: true;
      readonly events: number;
      readonly head: string;
      readonly manifest: ExportManifest;
      /** The Merkle root of the event lines (version 2). */
      readonly rootHash?: string;
      /** Who sealed the export, or null when it carries no seal (version 1, no key, filtered). */
      readonly seal: ExportSealFacts | null;
      /** Whether the seal was checked against an expected key, not only against the key it names. */
      readonly keyChecked: boolean;
    }
  | {
      readonly ok: false;
      readonly firstBadLine: number;
      readonly reason: string;
      /** Set when the lines and the manifest hold and only a seal fails (restore --ignore-seal may go on). */
      readonly sealFailure?: SealFailure;
    };

export type SealFailure = SealProblem['details'] & {
  readonly events: number;
  readonly head: string;
  readonly manifest: ExportManifest;
  /** The carried seals that hold, in the manifest's order. */
  readonly sealsThatHold: readonly Seal[];
};

/** Walks the file once. */
export async function verifyExportFile(path: string, options: ExportVerifyOptions = {}): Promise<ExportVerifyReport> {
  let manifest: ExportManifest | undefined;
  let manifestProblem: string | undefined;
  try {
    const tail = await readTrailingLine(path);
    const reading = tail === undefined ? { problem: 'the file is empty' } : readManifestLine(tail);
    if ('manifest' in reading) manifest = reading.manifest;
    else manifestProblem = reading.problem;
  } catch (error) {
    return { ok: false, firstBadLine: 0, reason: `the file cannot be read (${(error as Error).message})` };
  }
  const expected = options.expectedPublicKey;
  const filtered = manifest?.filter !== undefined;
  // Each version's digest of the event lines, computed as they stream by.
  const digest = manifest?.formatVersion === 1 ? createHash('sha256') : undefined;
  const tree = manifest?.formatVersion === 2 ? new LineTree(sealedSizes(manifest)) : undefined;
  // With a key expected, every refusal says which key sealed the file and which was expected.
  const keyNote = (): string => {
    if (expected === undefined) return '';
    const sealedBy = manifest?.seal ? `sealed by key ${fingerprintOf(manifest.seal.publicKey)}` : 'no seal';
    return ` (the export carries ${sealedBy}; the expected key is ${fingerprintOf(expected)})`;
  };
  let lineNumber = 0;
  let count = 0;
  let firstPosition = 0;
  let expectedPosition = 1;
  let previousHash = GENESIS_HASH;
  let manifestText: string | undefined;
  const fast = new EventLineBytes();
  const bad = (reason: string, line = lineNumber): ExportVerifyReport => ({ ok: false, firstBadLine: line, reason: reason + keyNote() });
  try {
    for await (const { data, starts, ends, terminated } of readExportLines(path, { decode: false })) {
      // A chunk that is all UTF-8 (nearly every one) needs no check line by line.
      const last = starts.length - 1;
      const checkUtf8 = last >= 0 && !isUtf8(data.subarray(starts[0]!, ends[last]!));
      // Consecutive event lines that ended in a line feed are digested as one range.
      let digestFrom = -1;
      let digestTo = -1;
      const digestRange = () => {
        if (digestFrom !== -1) digest?.update(data.subarray(digestFrom, digestTo));
        digestFrom = -1;
      };
      for (let index = 0; index <= last; index++) {
        const start = starts[index]!;
        const end = ends[index]!;
        lineNumber += 1;
        if (manifestText !== undefined) return bad('there is content after the manifest line');
        if (checkUtf8 && !isUtf8(data.subarray(start, end))) return bad('the line is not valid UTF-8 (a byte was changed)');
        // Nearly every line is exactly what the exporter writes and links to the one before:
        // checked as bytes in place. Anything else (the manifest, an escaped string, a break,
        // damage) is decoded and judged by the string path, which words every refusal.
        let row: StoredEvent | undefined;
        let position: number;
        let hash: string;
        if (
          fast.check(data, start, end) &&
          (filtered ? fast.position >= expectedPosition : fast.position === expectedPosition && fast.previousHash === previousHash)
        ) {
          position = fast.position;
          hash = fast.hash;
          if (options.onEvent) row = fast.row();
        } else {
          const text = data.toString('utf8', start, end);
          row = parseCanonicalEventLine(text);
          if (!row) {
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              return bad('the line is not valid JSON (edited or cut off)');
            }
            if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return bad('the line is not a JSON object');
            if ('manifest' in parsed) {
              manifestText = text;
              continue;
            }
            row = parseEventLine(text, parsed as Record<string, unknown>);
            if (!row) return bad('the line is not an event of this export format');
          }
          if (filtered) {
            if (row.position < expectedPosition) return bad(`position ${row.position} is out of order`);
            if (hashEvent(row.previousHash, row) !== row.hash)
              return bad(`event at position ${row.position}: stored hash does not match the event content`);
          } else {
            const broken = checkChainLink(row, expectedPosition, previousHash);
            if (broken) return bad(`event at position ${broken.position}: ${broken.reason}`);
          }
          position = row.position;
          hash = row.hash;
        }
        if (terminated[index]) {
          if (digestFrom === -1) digestFrom = start;
          digestTo = end + 1;
        } else {
          digestRange();
          digest?.update(data.subarray(start, end)).update('\n');
        }
        tree?.addLine(data, start, end);
        expectedPosition = position + 1;
        previousHash = hash;
        firstPosition ||= position;
        count += 1;
        if (row) options.onEvent?.(row);
      }
      digestRange();
    }
  } catch (error) {
    return bad(`the file cannot be read (${(error as Error).message})`);
  }
  if (manifestText === undefined) return bad('the manifest line is missing: the export was cut short', lineNumber + 1);
  if (manifestProblem !== undefined) return bad(manifestProblem);
  if (!manifest || !sameManifest(manifestText, manifest)) return bad('the manifest line changed while the file was read');
  const actual: Record<string, unknown> = {
    format: EXPORT_FORMAT_NAME,
    count,
    firstPosition,
    lastPosition: expectedPosition - 1,
    headHash: previousHash,
    ...(digest ? { eventsSha256: digest.digest('hex') } : {}),
    ...(tree ? { rootHash: tree.rootHex() } : {}),
  };
  for (const [field, value] of Object.entries(actual)) {
    const stated = (manifest as Record<string, unknown>)[field];
    if (stated !== value) {
      return bad(`the manifest says ${field} ${JSON.stringify(stated)} but the file has ${JSON.stringify(value)}`, lineNumber);
    }
  }
  const verdict = checkExportSeals(manifest, count, (size) => tree?.rootAt(size), expected);
  if (verdict.problem) {
    return {
      ok: false,
      firstBadLine: lineNumber,
      reason: verdict.problem.reason,
      sealFailure: { ...verdict.problem.details, events: count, head: previousHash, manifest, sealsThatHold: verdict.sealsThatHold },
    };
  }
  return {
    ok: true,
    events: count,
    head: previousHash,
    manifest,
    ...(tree ? { rootHash: tree.rootHex() } : {}),
    seal: verdict.seal,
    keyChecked: verdict.keyChecked,
  };
}

/** Whether the manifest read from the file's end is the one met at the end of the walk. */
function sameManifest(streamed: string, manifest: ExportManifest): boolean {
  const reading = readManifestLine(streamed);
  return 'manifest' in reading && JSON.stringify(reading.manifest) === JSON.stringify(manifest);
}
