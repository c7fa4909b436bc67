/**
 * The proof file format, "event-ledger-proof/1": one JSON object, written with its keys in a
 * fixed order and a final line feed, of one of two kinds.
 *
 *   inclusion:   { format, kind: "inclusion", eventLine, leafIndex, treeSize, auditPath, seal }
 *   consistency: { format, kind: "consistency", fromSeal, toSeal, consistencyPath }
 *
 * eventLine is the event's line of the JSON Lines export without its line feed (leaf
 * leafIndex of the tree is its UTF-8 bytes); auditPath and consistencyPath are RFC 9162
 * paths as lowercase hex; seals are seal.ts's.
 *
 * Invariants of parseProofFile (everything a reader can get wrong is a typed refusal):
 * - At most MAX_PROOF_BYTES, valid UTF-8, one JSON object with exactly the keys of its kind
 *   (VALIDATION, details.reason 'too-large' | 'not-utf8' | 'not-json' | 'wrong-shape').
 * - Hashes are 64 lowercase hex digits; sizes and indices safe whole numbers.
 * - Then what the numbers require (INTEGRITY, the proof cannot hold): treeSize equals the
 *   seal's, the leaf index is inside it, the sizes do not shrink and start from one leaf, and
 *   each path has exactly the length the sizes require (details.reason from proof-verify.ts).
 * Parsing checks no hash and no signature: proof-file-verify.ts does.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { TextDecoder } from 'node:util';
import { z } from 'zod';
import { fail, succeed, type Failure, type Result } from '#shared/errors';
import { consistencyPathLength, inclusionPathLength } from './proof-verify';
import { sealSchema, type Seal } from './seal';
import { MAX_TREE_SIZE } from './tree-math';

export const PROOF_FORMAT = 'event-ledger-proof/1';
/** The largest proof file read: a million-event proof is a few KiB, so this leaves room for a large event. */
export const MAX_PROOF_BYTES = 64 * 1024;

export type InclusionProofFile = {
  readonly format: typeof PROOF_FORMAT;
  readonly kind: 'inclusion';
  readonly eventLine: string;
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly auditPath: readonly string[];
  readonly seal: Seal;
};

export type ConsistencyProofFile = {
  readonly format: typeof PROOF_FORMAT;
  readonly kind: 'consistency';
  readonly fromSeal: Seal;
  readonly toSeal: Seal;
  readonly consistencyPath: readonly string[];
};

export type ProofFile = InclusionProofFile | ConsistencyProofFile;

const hashText = z.string().regex(/^[0-9a-f]{64}$/, 'a hash is 64 lowercase hex digits');
const count = z.number().int().min(0).max(MAX_TREE_SIZE);
/** A path longer than any tree of 2^53 leaves can need is refused before it is looked at. */
const path = z.array(hashText).max(2 * 53);

const proofFileSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    format: z.literal(PROOF_FORMAT),
    kind: z.literal('inclusion'),
    eventLine: z.string(),
    leafIndex: count,
    treeSize: count,
    auditPath: path,
    seal: sealSchema,
  }),
  z.strictObject({
    format: z.literal(PROOF_FORMAT),
    kind: z.literal('consistency'),
    fromSeal: sealSchema,
    toSeal: sealSchema,
    consistencyPath: path,
  }),
]);

const hex = (hashes: readonly Uint8Array[]) => hashes.map((hash) => Buffer.from(hash).toString('hex'));

/** The inclusion proof of the event line `eventLine` (no line feed), leaf `leafIndex` of the sealed tree. */
export function inclusionProofFile(eventLine: string, leafIndex: number, auditPath: readonly Uint8Array[], seal: Seal): InclusionProofFile {
  return {
    format: PROOF_FORMAT,
    kind: 'inclusion',
    eventLine,
    leafIndex,
    treeSize: seal.treeSize,
    auditPath: hex(auditPath),
    seal: sealOf(seal),
  };
}

/** The consistency proof from the tree `fromSeal` signs to the one `toSeal` signs. */
export function consistencyProofFile(fromSeal: Seal, toSeal: Seal, consistencyPath: readonly Uint8Array[]): ConsistencyProofFile {
  return {
    format: PROOF_FORMAT,
    kind: 'consistency',
    fromSeal: sealOf(fromSeal),
    toSeal: sealOf(toSeal),
    consistencyPath: hex(consistencyPath),
  };
}

/** A seal with exactly its five keys, in order (a stored row may carry more). */
function sealOf(seal: Seal): Seal {
  const { treeSize, rootHash, signedAt, publicKey, signature } = seal;
  return { treeSize, rootHash, signedAt, publicKey, signature };
}

/** The file's text: pretty JSON (two-space indent), keys in the order above, one final line feed. */
export function proofFileText(file: ProofFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

function invalid(reason: string, message: string): Failure {
  return fail('VALIDATION', message, { reason });
}

/** A proof file's bytes, parsed strictly (see the invariants above). */
export function parseProofFile(bytes: Uint8Array): Result<ProofFile> {
  if (bytes.length > MAX_PROOF_BYTES) {
    return invalid('too-large', `This is not a proof file: it has ${bytes.length} bytes, and a proof has at most ${MAX_PROOF_BYTES}.`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return invalid('not-utf8', 'This is not a proof file: it is not UTF-8 text.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return invalid('not-json', 'This is not a proof file: it is not JSON (cut off or edited).');
  }
  if (typeof value !== 'object' || value === null || (value as { format?: unknown }).format !== PROOF_FORMAT) {
    return invalid('wrong-shape', `This is not a proof file: its "format" is not "${PROOF_FORMAT}".`);
  }
  const parsed = proofFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    return invalid('wrong-shape', `The proof file is malformed${where}: ${issue.message}.`);
  }
  const file = parsed.data as ProofFile;
  const impossible = file.kind === 'inclusion' ? checkInclusionNumbers(file) : checkConsistencyNumbers(file);
  return impossible ?? succeed(file);
}

function cannotHold(reason: string, message: string, details: Record<string, number> = {}): Failure {
  return fail('INTEGRITY', message, { reason, ...details });
}

function checkInclusionNumbers(file: InclusionProofFile): Failure | undefined {
  if (file.treeSize !== file.seal.treeSize) {
    return cannotHold('impossible-sizes', `The proof names a tree of ${file.treeSize} events but its seal signs ${file.seal.treeSize}.`);
  }
  if (file.leafIndex >= file.treeSize) {
    return cannotHold(
      'impossible-sizes',
      `Leaf ${file.leafIndex} cannot be in a tree of ${file.treeSize} events (leaves are numbered from 0).`,
    );
  }
  const expected = inclusionPathLength(file.leafIndex, file.treeSize);
  if (file.auditPath.length !== expected) {
    return cannotHold(
      'wrong-path-length',
      `The audit path of leaf ${file.leafIndex} in a tree of ${file.treeSize} events has ${expected} hashes, but this proof has ${file.auditPath.length}.`,
      { expected, actual: file.auditPath.length },
    );
  }
  return undefined;
}

function checkConsistencyNumbers(file: ConsistencyProofFile): Failure | undefined {
  const [from, to] = [file.fromSeal.treeSize, file.toSeal.treeSize];
  if (from === 0 || from > to) {
    return cannotHold(
      'impossible-sizes',
      `A consistency proof goes from a tree of at least one event to one at least as large, not from ${from} to ${to}.`,
    );
  }
  const expected = consistencyPathLength(from, to);
  if (file.consistencyPath.length !== expected) {
    return cannotHold(
      'wrong-path-length',
      `The consistency path from ${from} to ${to} events has ${expected} hashes, but this proof has ${file.consistencyPath.length}.`,
      { expected, actual: file.consistencyPath.length },
    );
  }
  return undefined;
}

/** Reads and parses the proof file at `path`, reading no more than MAX_PROOF_BYTES + 1 bytes of it. */
export function readProofFile(path: string): Result<ProofFile> {
  let descriptor: number;
  try {
    descriptor = openSync(path, constants.O_RDONLY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('NOT_FOUND', `There is no file ${path}.`, { reason: 'missing', path });
    return fail('STORAGE', `The file ${path} cannot be read (${code ?? 'error'}).`, { reason: 'unreadable', path });
  }
  try {
    if (!fstatSync(descriptor).isFile()) return invalid('wrong-shape', `${path} is not a file.`);
    const buffer = Buffer.alloc(MAX_PROOF_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(descriptor, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > MAX_PROOF_BYTES) return invalid('too-large', `${path} is not a proof file: it is larger than ${MAX_PROOF_BYTES} bytes.`);
    return parseProofFile(buffer.subarray(0, length));
  } catch (error) {
    return fail('STORAGE', `The file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, {
      reason: 'unreadable',
      path,
    });
  } finally {
    closeSync(descriptor);
  }
}
