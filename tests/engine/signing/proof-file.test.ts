/**
 * Proof files over a real ledger's export lines: every event's inclusion proof and a
 * consistency proof round-trip through the file text and verify offline, with the key or
 * naming the signer without it; every tamper kind is refused with its reason (a flipped
 * path byte, a wrong index, a swapped seal, another key, a consistent forgery signed by
 * another key, a truncated path, an edited event line, an oversized or malformed file).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '#shared/errors';
import { eventLine } from '#engine/export/export-format';
import { hashEvent } from '#engine/store/hash-chain';
import { CompactRange } from '#engine/signing/compact-range';
import { generateSigningKey } from '#engine/signing/keys';
import {
  MAX_PROOF_BYTES,
  consistencyProofFile,
  inclusionProofFile,
  parseProofFile,
  proofFileText,
  readProofFile,
  type ConsistencyProofFile,
  type InclusionProofFile,
  type ProofFile,
} from '#engine/signing/proof-file';
import { verifyProofFile } from '#engine/signing/proof-file-verify';
import { inclusionPathLength, consistencyPathLength } from '#engine/signing/proof-verify';
import { consistencyProof, inclusionProof, type NodeReader } from '#engine/signing/proofs';
import { sealTreeHead, type Seal } from '#engine/signing/seal';
import { newLedger, ok, tempFolder } from '../helpers';
import { exportText, parseLine, seedRichLedger } from '../export-helpers';

const key = generateSigningKey();
const other = generateSigningKey();

/** A tree over export lines with every perfect node kept, as the store keeps them. */
function treeOf(lines: readonly string[]) {
  const nodes = new Map<string, Buffer>();
  const range = CompactRange.empty();
  for (const line of lines) range.appendLeaf(Buffer.from(line, 'utf8'), (level, index, hash) => nodes.set(`${level}:${index}`, hash));
  const read: NodeReader = (level, index) => nodes.get(`${level}:${index}`)!;
  return { range, read };
}

let lines: string[];
let tree: ReturnType<typeof treeOf>;
let seal: Seal;
/** A seal of the first OLDER events, made before the rest were appended. */
let olderSeal: Seal;
const OLDER = 21;

beforeAll(async () => {
  const { ledger, api } = newLedger();
  seedRichLedger(ledger, api);
  const { text, manifest } = await exportText(ledger);
  lines = text.slice(0, -1).split('\n').slice(0, manifest.count);
  ledger.close();
  olderSeal = sealTreeHead(OLDER, treeOf(lines.slice(0, OLDER)).range.root(), key, new Date('2025-01-01T00:00:00.000Z'));
  tree = treeOf(lines);
  seal = sealTreeHead(lines.length, tree.range.root(), key, new Date('2025-02-01T00:00:00.000Z'));
});

function inclusionFor(index: number, useSeal = seal, from = tree): InclusionProofFile {
  return inclusionProofFile(lines[index]!, index, ok(inclusionProof(index, useSeal.treeSize, from.read)), useSeal);
}

/** The file as bytes, parsed back. */
function reparse(file: unknown): Result<ProofFile> {
  return parseProofFile(Buffer.from(typeof file === 'string' ? file : proofFileText(file as ProofFile)));
}

function verifyText(file: unknown, expected?: string) {
  const parsed = reparse(file);
  return parsed.ok ? verifyProofFile(parsed.value, expected) : parsed;
}

function reasonOf(result: Result<unknown>) {
  expect(result.ok, result.ok ? 'expected a refusal' : '').toBe(false);
  return result.ok ? undefined : { code: result.error.code, reason: result.error.details?.reason, message: result.error.message };
}

describe('inclusion proofs that hold', () => {
  it('every event of the ledger, through the file text, with the key', () => {
    expect(lines.length).toBeGreaterThan(60);
    for (let index = 0; index < lines.length; index++) {
      const file = inclusionFor(index);
      const parsed = ok(reparse(file));
      expect(parsed).toEqual(file);
      const verdict = ok(verifyProofFile(parsed, key.publicKey));
      expect(verdict).toMatchObject({
        kind: 'inclusion',
        leafIndex: index,
        treeSize: lines.length,
        position: index + 1,
        eventId: parseLine(lines[index]!).eventId,
        fingerprint: key.fingerprint,
        keyChecked: true,
      });
    }
  });

  it('against an older seal, from the tree as it is now', () => {
    expect(ok(verifyText(inclusionFor(OLDER - 1, olderSeal), key.publicKey))).toMatchObject({ treeSize: OLDER, position: OLDER });
  });

  it('without a key, the answer names whose key signed it', () => {
    expect(ok(verifyText(inclusionFor(5)))).toMatchObject({ fingerprint: key.fingerprint, keyChecked: false });
  });

  it('the file format: versioned, kind, keys in a fixed order, one final line feed', () => {
    const text = proofFileText(inclusionFor(3));
    expect(text.endsWith('}\n')).toBe(true);
    expect(Object.keys(JSON.parse(text))).toEqual(['format', 'kind', 'eventLine', 'leafIndex', 'treeSize', 'auditPath', 'seal']);
    expect(JSON.parse(text)).toMatchObject({ format: 'event-ledger-proof/1', kind: 'inclusion' });
  });
});

describe('inclusion proofs that do not hold are refused with their reason', () => {
  it('a flipped byte in the audit path', () => {
    const file = inclusionFor(30);
    for (let entry = 0; entry < file.auditPath.length; entry++) {
      const auditPath = [...file.auditPath];
      auditPath[entry] = auditPath[entry]!.replace(/^./, (digit) => (digit === '0' ? '1' : '0'));
      expect(reasonOf(verifyText({ ...file, auditPath }, key.publicKey))).toMatchObject({ code: 'INTEGRITY', reason: 'root-mismatch' });
    }
  });

  it('a wrong index: the line is not the event at that position; or, with its line too, not on that path', () => {
    const file = inclusionFor(30);
    expect(reasonOf(verifyText({ ...file, leafIndex: 31 }, key.publicKey))).toMatchObject({ code: 'INTEGRITY', reason: 'wrong-position' });
    const shifted = { ...file, leafIndex: 31, eventLine: lines[31] };
    expect(reasonOf(verifyText(shifted, key.publicKey))?.reason).toMatch(/^(root-mismatch|wrong-path-length)$/);
  });

  it('a swapped seal: another seal of the same key, of another size or the same size', () => {
    const file = inclusionFor(10);
    expect(reasonOf(verifyText({ ...file, seal: olderSeal }, key.publicKey))).toMatchObject({
      code: 'INTEGRITY',
      reason: 'impossible-sizes',
    });
    expect(reasonOf(verifyText({ ...file, seal: olderSeal, treeSize: OLDER }, key.publicKey))?.reason).toMatch(
      /^(root-mismatch|wrong-path-length)$/,
    );
    const otherRoot = sealTreeHead(lines.length, Buffer.alloc(32, 7), key);
    expect(reasonOf(verifyText({ ...file, seal: otherRoot }, key.publicKey))).toMatchObject({ reason: 'root-mismatch' });
  });

  it('a seal by another key: wrong-key, naming both fingerprints', () => {
    const file = inclusionFor(10, sealTreeHead(lines.length, tree.range.root(), other));
    const refusal = reasonOf(verifyText(file, key.publicKey))!;
    expect(refusal).toMatchObject({ code: 'INTEGRITY', reason: 'wrong-key' });
    expect(refusal.message).toContain(other.fingerprint);
    expect(refusal.message).toContain(key.fingerprint);
  });

  it('a consistent forgery: an edited event with its hash recomputed, a rebuilt tree, sealed by another key', () => {
    const row = parseLine(lines[40]!);
    const stored = { ...row, data: JSON.stringify({ ...row.data, forged: true }), metadata: JSON.stringify(row.metadata) };
    const forgedLine = eventLine({ ...stored, hash: hashEvent(row.previousHash, stored) }).slice(0, -1);
    const forgedLines = [...lines];
    forgedLines[40] = forgedLine;
    const forgedTree = treeOf(forgedLines);
    const forgedSeal = sealTreeHead(lines.length, forgedTree.range.root(), other);
    const forged = inclusionProofFile(forgedLine, 40, ok(inclusionProof(40, lines.length, forgedTree.read)), forgedSeal);
    const refusal = reasonOf(verifyText(forged, key.publicKey))!;
    expect(refusal).toMatchObject({ code: 'INTEGRITY', reason: 'wrong-key' });
    expect(refusal.message).toContain(other.fingerprint);
    // Without a key it holds — signed by the forger, whose fingerprint the answer shows.
    expect(ok(verifyText(forged))).toMatchObject({ fingerprint: other.fingerprint, keyChecked: false });
    // The same forged line with the true seal does not lead to the sealed root.
    expect(reasonOf(verifyText({ ...forged, seal }, key.publicKey))).toMatchObject({ reason: 'root-mismatch' });
  });

  it('an edited event line whose hash was not recomputed, or that is not an export line', () => {
    const file = inclusionFor(45);
    const edited = file.eventLine.replace(/"streamVersion":(\d+)/, (_, version: string) => `"streamVersion":${Number(version) + 1}`);
    expect(edited).not.toBe(file.eventLine);
    expect(reasonOf(verifyText({ ...file, eventLine: edited }, key.publicKey))).toMatchObject({ reason: 'bad-event-line' });
    const reformatted = JSON.stringify(JSON.parse(file.eventLine), null, 1).replace(/\n/g, ' ');
    for (const eventLine of [
      reformatted,
      `${file.eventLine} `,
      `${file.eventLine}\n`,
      '{"manifest":{}}',
      '[]',
      'not json',
      `${file.eventLine.slice(0, -1)}\ud800}`,
    ]) {
      expect(reasonOf(verifyText({ ...file, eventLine }, key.publicKey)), eventLine.slice(0, 40)).toMatchObject({
        code: 'INTEGRITY',
        reason: 'bad-event-line',
      });
    }
  });

  it('a truncated or lengthened path: wrong-path-length, found while parsing', () => {
    const file = inclusionFor(12);
    for (const auditPath of [file.auditPath.slice(0, -1), [], [...file.auditPath, file.auditPath[0]!]]) {
      const refusal = reasonOf(reparse({ ...file, auditPath }))!;
      expect(refusal).toMatchObject({ code: 'INTEGRITY', reason: 'wrong-path-length' });
      expect(refusal.message).toContain(`has ${file.auditPath.length} hashes, but this proof has ${auditPath.length}`);
    }
  });

  it('an index past the tree, or a tree size that is not the seal’s', () => {
    const file = inclusionFor(12);
    expect(reasonOf(reparse({ ...file, leafIndex: lines.length }))).toMatchObject({ code: 'INTEGRITY', reason: 'impossible-sizes' });
    expect(reasonOf(reparse({ ...file, treeSize: lines.length + 1 }))).toMatchObject({ code: 'INTEGRITY', reason: 'impossible-sizes' });
  });
});

describe('malformed and oversized files', () => {
  const good = () => proofFileText(inclusionFor(7));

  it('each is VALIDATION with its reason', () => {
    const file = inclusionFor(7);
    const cases: Array<[unknown, string]> = [
      ['x'.repeat(MAX_PROOF_BYTES + 1), 'too-large'],
      [good().slice(0, 200), 'not-json'],
      ['', 'not-json'],
      ['[]', 'wrong-shape'],
      ['null', 'wrong-shape'],
      [{ ...file, format: 'event-ledger-proof/2' }, 'wrong-shape'],
      [{ ...file, kind: 'exclusion' }, 'wrong-shape'],
      [{ ...file, extra: true }, 'wrong-shape'],
      [{ ...file, seal: { ...file.seal, extra: true } }, 'wrong-shape'],
      [{ ...file, auditPath: file.auditPath.map((hash) => hash.toUpperCase()) }, 'wrong-shape'],
      [{ ...file, auditPath: [file.auditPath[0]!.slice(2), ...file.auditPath.slice(1)] }, 'wrong-shape'],
      [{ ...file, leafIndex: 1.5 }, 'wrong-shape'],
      [{ ...file, leafIndex: '7' }, 'wrong-shape'],
      [{ ...file, eventLine: undefined }, 'wrong-shape'],
      [{ ...file, seal: { ...file.seal, signedAt: '2025-02-01' } }, 'wrong-shape'],
      [{ ...file, auditPath: Array.from({ length: 107 }, () => file.auditPath[0]) }, 'wrong-shape'],
    ];
    for (const [input, reason] of cases) {
      const refusal = reasonOf(reparse(input))!;
      expect(refusal, `${reason}: ${JSON.stringify(input).slice(0, 80)}`).toMatchObject({ code: 'VALIDATION', reason });
      expect(refusal.message).toMatch(/proof file/);
    }
    expect(reasonOf(parseProofFile(Buffer.from([0x7b, 0xff, 0x7d])))).toMatchObject({ code: 'VALIDATION', reason: 'not-utf8' });
  });

  it('reading from disk stops past the limit, and answers a missing file as NOT_FOUND', () => {
    const folder = tempFolder();
    const huge = join(folder, 'huge.json');
    writeFileSync(huge, Buffer.alloc(10 * 1024 * 1024, 0x20));
    expect(reasonOf(readProofFile(huge))).toMatchObject({ code: 'VALIDATION', reason: 'too-large' });
    expect(reasonOf(readProofFile(join(folder, 'none.json')))).toMatchObject({ code: 'NOT_FOUND', reason: 'missing' });
    expect(reasonOf(readProofFile(folder))).toMatchObject({ code: 'VALIDATION' });
    const path = join(folder, 'proof.json');
    writeFileSync(path, good());
    expect(ok(readProofFile(path))).toEqual(ok(reparse(good())));
  });
});

describe('consistency proofs', () => {
  function consistencyFor(from: Seal, to: Seal): ConsistencyProofFile {
    return consistencyProofFile(from, to, ok(consistencyProof(from.treeSize, to.treeSize, tree.read)));
  }

  it('from the older seal to the latest: holds with the key, names both signers without it', () => {
    const file = consistencyFor(olderSeal, seal);
    expect(Object.keys(JSON.parse(proofFileText(file)))).toEqual(['format', 'kind', 'fromSeal', 'toSeal', 'consistencyPath']);
    expect(ok(verifyText(file, key.publicKey))).toMatchObject({
      kind: 'consistency',
      fromSize: OLDER,
      toSize: lines.length,
      keyChecked: true,
    });
    expect(ok(verifyText(file))).toMatchObject({ fingerprints: [key.fingerprint, key.fingerprint], keyChecked: false });
    expect(ok(verifyText(consistencyFor(seal, seal), key.publicKey))).toMatchObject({ fromSize: lines.length, toSize: lines.length });
  });

  it('every older size proves into the latest', () => {
    for (let size = 1; size <= lines.length; size++) {
      const older = sealTreeHead(size, treeOf(lines.slice(0, size)).range.root(), key);
      expect(verifyText(consistencyFor(older, seal), key.publicKey).ok, `from ${size}`).toBe(true);
    }
  });

  it('tampered: a flipped path byte, a rewritten history, seals swapped, another key, a truncated path', () => {
    const file = consistencyFor(olderSeal, seal);
    for (let entry = 0; entry < file.consistencyPath.length; entry++) {
      const consistencyPath = [...file.consistencyPath];
      consistencyPath[entry] = consistencyPath[entry]!.replace(/^./, (digit) => (digit === 'f' ? 'e' : 'f'));
      expect(reasonOf(verifyText({ ...file, consistencyPath }, key.publicKey))?.reason).toMatch(/^(root-mismatch|old-root-mismatch)$/);
    }
    // A history rewritten before the older seal: a new tree whose first OLDER leaves differ.
    const rewritten = [...lines];
    rewritten[3] = lines[4]!;
    const rewrittenTree = treeOf(rewritten);
    const rewrittenSeal = sealTreeHead(lines.length, rewrittenTree.range.root(), key);
    const rewrittenProof = consistencyProofFile(olderSeal, rewrittenSeal, ok(consistencyProof(OLDER, lines.length, rewrittenTree.read)));
    expect(reasonOf(verifyText(rewrittenProof, key.publicKey))).toMatchObject({ code: 'INTEGRITY', reason: 'old-root-mismatch' });
    expect(reasonOf(reparse({ ...file, fromSeal: seal, toSeal: olderSeal }))).toMatchObject({
      code: 'INTEGRITY',
      reason: 'impossible-sizes',
    });
    const otherSeal = sealTreeHead(lines.length, tree.range.root(), other);
    const byOther = reasonOf(verifyText({ ...file, toSeal: otherSeal }, key.publicKey))!;
    expect(byOther).toMatchObject({ reason: 'wrong-key' });
    expect(byOther.message).toContain(other.fingerprint);
    expect(ok(verifyText({ ...file, toSeal: otherSeal }))).toMatchObject({ fingerprints: [key.fingerprint, other.fingerprint] });
    expect(reasonOf(reparse({ ...file, consistencyPath: file.consistencyPath.slice(1) }))).toMatchObject({ reason: 'wrong-path-length' });
    const empty = sealTreeHead(0, Buffer.alloc(32), key);
    expect(reasonOf(reparse({ ...file, fromSeal: empty }))).toMatchObject({ reason: 'impossible-sizes' });
  });
});

describe('proof size at a million events', () => {
  it('the longest inclusion and consistency proofs stay far under 64 KiB', () => {
    const size = 1_000_000;
    let longest = 0;
    let longestIndex = 0;
    for (let index = 0; index < size; index += 997) {
      const length = inclusionPathLength(index, size);
      if (length > longest) [longest, longestIndex] = [length, index];
    }
    expect(longest).toBe(20);
    const bigLine = lines.reduce((a, b) => (Buffer.byteLength(b) > Buffer.byteLength(a) ? b : a));
    const millionSeal = sealTreeHead(size, Buffer.alloc(32, 1), key);
    const path = Array.from({ length: longest }, () => Buffer.alloc(32, 0xab));
    const inclusionBytes = Buffer.byteLength(proofFileText(inclusionProofFile(bigLine, longestIndex, path, millionSeal)));
    let longestConsistency = 0;
    for (let from = 1; from < size; from += 991) longestConsistency = Math.max(longestConsistency, consistencyPathLength(from, size));
    const consistencyPath = Array.from({ length: longestConsistency }, () => Buffer.alloc(32, 0xcd));
    const consistencyBytes = Buffer.byteLength(proofFileText(consistencyProofFile(olderSeal, millionSeal, consistencyPath)));
    expect(inclusionBytes).toBeLessThan(MAX_PROOF_BYTES);
    expect(consistencyBytes).toBeLessThan(MAX_PROOF_BYTES);
    // Path entries cost 69 bytes each in the pretty file: 20 of them are under 1.4 KiB.
    expect(inclusionBytes - Buffer.byteLength(bigLine)).toBeLessThan(3 * 1024);
    expect(consistencyBytes).toBeLessThan(4 * 1024);
  });
});
