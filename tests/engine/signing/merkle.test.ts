/**
 * The Merkle tree of signed history against RFC 9162: the published RFC 6962 tree heads, the
 * transparency-dev proof probes for the same tree, and a recursive reference implementation
 * of MTH, PATH and PROOF (merkle-reference.ts) for every leaf and size up to 64 leaves.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CompactRange, merkleRootOf, merkleRootOfStream } from '#engine/signing/compact-range';
import { consistencyPathLength, inclusionPathLength, verifyConsistency, verifyInclusion } from '#engine/signing/proof-verify';
import { consistencyPlan, consistencyProof, inclusionPlan, inclusionProof, rootAt, type NodeReader } from '#engine/signing/proofs';
import { emptyRoot, leafHash } from '#engine/signing/tree-hash';
import { bitLength, popCount, rangeNodes, shiftRight, trailingZeros, xor } from '#engine/signing/tree-math';
import { fixturesFolder } from '../helpers';
import { referenceConsistency, referencePath, referenceRoot, someLeaves } from './merkle-reference';

type TreeHeads = { leaves: string[]; emptyTreeRoot: string; roots: Record<string, string> };
const vectors = JSON.parse(readFileSync(join(fixturesFolder, 'rfc6962-tree-heads.json'), 'utf8')) as TreeHeads;

type InclusionProbe = {
  name: string;
  leafIndex: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[];
  wantError: boolean;
};
type ConsistencyProbe = { name: string; size1: number; size2: number; root1: string; root2: string; proof: string[]; wantError: boolean };
const probes = JSON.parse(readFileSync(join(fixturesFolder, 'rfc6962-proof-probes.json'), 'utf8')) as {
  inclusion: InclusionProbe[];
  consistency: ConsistencyProbe[];
};

const hex = (value: string) => Buffer.from(value, 'hex');
const hexes = (values: readonly Buffer[]) => values.map((value) => value.toString('hex'));

/** A tree of the given leaf hashes with every perfect node kept, as the store keeps them. */
function buildTree(leaves: readonly Buffer[]) {
  const nodes = new Map<string, Buffer>();
  const range = CompactRange.empty();
  for (const leaf of leaves) {
    range.append(leaf, (level, index, hash) => {
      const key = `${level}:${index}`;
      expect(nodes.has(key), `node ${key} reported twice`).toBe(false);
      nodes.set(key, hash);
    });
  }
  /** A reader for a tree of `size` leaves that fails the test on any node outside it. */
  const readerAt =
    (size: number): NodeReader =>
    (level, index) => {
      expect((index + 1) * 2 ** level, `node (${level}, ${index}) read for a tree of ${size}`).toBeLessThanOrEqual(size);
      const node = nodes.get(`${level}:${index}`);
      if (!node) throw new Error(`node (${level}, ${index}) was never stored`);
      return node;
    };
  return { range, nodes, readerAt };
}

describe('the published RFC 6962 tree heads', () => {
  const leaves = vectors.leaves.map(hex);

  it('the empty tree', () => {
    expect(emptyRoot().toString('hex')).toBe(vectors.emptyTreeRoot);
    expect(CompactRange.empty().root().toString('hex')).toBe(vectors.emptyTreeRoot);
    expect(merkleRootOf([]).rootHash.toString('hex')).toBe(vectors.emptyTreeRoot);
  });

  it('every size in the fixture, through the compact range, streamed, and from stored nodes', async () => {
    const { readerAt } = buildTree(leaves.map(leafHash));
    const range = CompactRange.empty();
    for (const [size, root] of Object.entries(vectors.roots)) {
      const n = Number(size);
      while (range.size < n) range.appendLeaf(leaves[range.size]!);
      expect(range.root().toString('hex'), `size ${n}`).toBe(root);
      expect(merkleRootOf(leaves.slice(0, n))).toEqual({ treeSize: n, rootHash: hex(root) });
      async function* stream() {
        yield* leaves.slice(0, n);
      }
      expect(await merkleRootOfStream(stream())).toEqual({ treeSize: n, rootHash: hex(root) });
      expect(rootAt(n, readerAt(8)).toString('hex')).toBe(root);
    }
    expect(Object.keys(vectors.roots)).toHaveLength(8);
  });
});

describe('the transparency-dev proof probes over the same tree', () => {
  const { readerAt } = buildTree(vectors.leaves.map((leaf) => leafHash(hex(leaf))));

  it('inclusion: every good probe passes and is the proof we build; every bad one is refused', () => {
    let good = 0;
    for (const probe of probes.inclusion) {
      const result = verifyInclusion(probe.leafIndex, probe.treeSize, hex(probe.leafHash), probe.proof.map(hex), hex(probe.root));
      expect(result.ok, probe.name).toBe(!probe.wantError);
      if (!probe.wantError) {
        good += 1;
        const built = inclusionProof(probe.leafIndex, probe.treeSize, readerAt(probe.treeSize));
        expect(built.ok && hexes(built.value), probe.name).toEqual(probe.proof);
      }
    }
    expect(good).toBeGreaterThanOrEqual(5);
  });

  it('consistency: every good probe passes and is the proof we build; every bad one is refused', () => {
    let good = 0;
    for (const probe of probes.consistency) {
      const result = verifyConsistency(probe.size1, probe.size2, hex(probe.root1), hex(probe.root2), probe.proof.map(hex));
      // One probe has equal 12-byte roots at equal sizes; we refuse any hash that is not 32 bytes.
      const stricter = probe.root1.length !== 64 && !probe.wantError;
      if (stricter) {
        expect(result, probe.name).toMatchObject({ ok: false, error: { details: { reason: 'malformed-hash' } } });
        continue;
      }
      expect(result.ok, `${probe.name}: ${JSON.stringify(result)}`).toBe(!probe.wantError);
      if (!probe.wantError) {
        good += 1;
        const built = consistencyProof(probe.size1, probe.size2, readerAt(probe.size2));
        expect(built.ok && hexes(built.value), probe.name).toEqual(probe.proof);
      }
    }
    expect(good).toBeGreaterThanOrEqual(5);
  });
});

describe('proofs against the recursive reference, every leaf and size up to 64', () => {
  const leaves = someLeaves(64);
  const { readerAt, nodes } = buildTree(leaves);

  it('every stored node is the reference root of the leaves it covers', () => {
    expect(nodes.size).toBe(127); // 64 leaves + 32 + 16 + 8 + 4 + 2 + 1
    for (const [key, hash] of nodes) {
      const [level, index] = key.split(':').map(Number) as [number, number];
      expect(hash.equals(referenceRoot(leaves.slice(index * 2 ** level, (index + 1) * 2 ** level))), key).toBe(true);
    }
  });

  it('roots at every size, from the nodes and from a growing range', () => {
    const range = CompactRange.empty();
    for (let size = 0; size <= 64; size++) {
      const expected = referenceRoot(leaves.slice(0, size));
      expect(rootAt(size, readerAt(size)).equals(expected), `size ${size}`).toBe(true);
      expect(range.root().equals(expected), `range at ${size}`).toBe(true);
      if (size < 64) range.append(leaves[size]!);
    }
  });

  it('inclusion: built = PATH(m, D[n]), the stated length, and verified', () => {
    for (let size = 1; size <= 64; size++) {
      const tree = leaves.slice(0, size);
      const root = referenceRoot(tree);
      for (let index = 0; index < size; index++) {
        const built = inclusionProof(index, size, readerAt(size));
        if (!built.ok) throw new Error(built.error.message);
        expect(hexes(built.value), `${index} of ${size}`).toEqual(hexes(referencePath(index, tree)));
        expect(built.value).toHaveLength(inclusionPathLength(index, size));
        expect(verifyInclusion(index, size, leaves[index]!, built.value, root), `${index} of ${size}`).toEqual({
          ok: true,
          value: undefined,
        });
      }
    }
  });

  it('consistency: built = PROOF(m, D[n]), the stated length, and verified', () => {
    for (let to = 1; to <= 64; to++) {
      const toRoot = referenceRoot(leaves.slice(0, to));
      for (let from = 1; from <= to; from++) {
        const built = consistencyProof(from, to, readerAt(to));
        if (!built.ok) throw new Error(built.error.message);
        const expected = from === to ? [] : referenceConsistency(from, leaves.slice(0, to));
        expect(hexes(built.value), `${from} to ${to}`).toEqual(hexes(expected));
        expect(built.value).toHaveLength(consistencyPathLength(from, to));
        const fromRoot = referenceRoot(leaves.slice(0, from));
        expect(verifyConsistency(from, to, fromRoot, toRoot, built.value), `${from} to ${to}`).toEqual({ ok: true, value: undefined });
      }
    }
  });

  it('a proof against an older size reads only nodes inside that size, from a tree that has grown since', () => {
    // readerAt(size) fails the test on any node past `size`; the tree holds 64 leaves.
    for (const [index, size] of [
      [0, 1],
      [4, 5],
      [20, 37],
      [36, 37],
      [62, 63],
    ] as const) {
      expect(inclusionProof(index, size, readerAt(size)).ok).toBe(true);
      expect(consistencyProof(index + 1, size, readerAt(size)).ok).toBe(true);
    }
  });
});

describe('larger trees, sampled', () => {
  it('inclusion and consistency in a tree of 1000 leaves match the reference', () => {
    const leaves = someLeaves(1000);
    const { readerAt } = buildTree(leaves);
    for (const size of [513, 640, 999, 1000]) {
      const tree = leaves.slice(0, size);
      const root = referenceRoot(tree);
      for (const index of [0, 1, 255, 256, 511, 512, size - 2, size - 1]) {
        const built = inclusionProof(index, size, readerAt(size));
        expect(built.ok && hexes(built.value), `${index} of ${size}`).toEqual(hexes(referencePath(index, tree)));
        expect(verifyInclusion(index, size, leaves[index]!, built.ok ? built.value : [], root).ok).toBe(true);
      }
      for (const from of [1, 3, 256, 300, 512, size - 1]) {
        const built = consistencyProof(from, size, readerAt(size));
        expect(built.ok && hexes(built.value), `${from} to ${size}`).toEqual(hexes(referenceConsistency(from, tree)));
      }
    }
  });

  it('path lengths stay logarithmic up to the largest safe size', () => {
    for (const size of [1_000_000, 2 ** 32 + 5, 2 ** 40 - 1, Number.MAX_SAFE_INTEGER]) {
      const plan = inclusionPlan(size - 1, size);
      expect(plan.ok && plan.value.nodes.length).toBeLessThanOrEqual(2 * 53);
      for (const index of [0, 1, Math.floor(size / 3), size - 2]) {
        expect(inclusionPathLength(index, size), `${index} of ${size}`).toBeLessThanOrEqual(Math.ceil(Math.log2(size)));
      }
      expect(consistencyPathLength(Math.floor(size / 2) + 1, size)).toBeLessThanOrEqual(Math.ceil(Math.log2(size)) + 1);
      expect(consistencyPlan(Math.floor(size / 2) + 1, size).ok).toBe(true);
    }
  });
});

describe('proofs that do not prove are refused with their reason', () => {
  const leaves = someLeaves(37);
  const { readerAt } = buildTree(leaves);
  const root = referenceRoot(leaves);
  const path = (inclusionProof(20, 37, readerAt(37)) as { value: Buffer[] }).value;
  const reason = (result: { ok: boolean }) => (result as { error?: { details?: { reason?: string } } }).error?.details?.reason;

  it('a flipped bit anywhere in the path, the leaf or the root', () => {
    for (let entry = 0; entry < path.length; entry++) {
      const changed = path.map((hash) => Buffer.from(hash));
      changed[entry]![7]! ^= 0x01;
      expect(reason(verifyInclusion(20, 37, leaves[20]!, changed, root))).toBe('root-mismatch');
    }
    expect(reason(verifyInclusion(20, 37, leaves[21]!, path, root))).toBe('root-mismatch');
    expect(reason(verifyInclusion(20, 37, leaves[20]!, path, referenceRoot(leaves.slice(0, 36))))).toBe('root-mismatch');
  });

  it('another index, a truncated or lengthened path, impossible sizes, short hashes', () => {
    expect(reason(verifyInclusion(21, 37, leaves[20]!, path, root))).toMatch(/root-mismatch|wrong-path-length/);
    expect(reason(verifyInclusion(20, 37, leaves[20]!, path.slice(0, -1), root))).toBe('wrong-path-length');
    expect(reason(verifyInclusion(20, 37, leaves[20]!, [...path, path[0]!], root))).toBe('wrong-path-length');
    expect(reason(verifyInclusion(37, 37, leaves[20]!, path, root))).toBe('impossible-sizes');
    expect(reason(verifyInclusion(0, 0, leaves[0]!, [], emptyRoot()))).toBe('impossible-sizes');
    expect(reason(verifyInclusion(-1, 37, leaves[0]!, path, root))).toBe('impossible-sizes');
    expect(reason(verifyInclusion(1.5, 37, leaves[0]!, path, root))).toBe('impossible-sizes');
    expect(reason(verifyInclusion(20, 37, leaves[20]!.subarray(1), path, root))).toBe('malformed-hash');
  });

  it('consistency: a changed old root, a changed path, sizes out of order or from zero', () => {
    const proof = (consistencyProof(21, 37, readerAt(37)) as { value: Buffer[] }).value;
    const fromRoot = referenceRoot(leaves.slice(0, 21));
    expect(verifyConsistency(21, 37, fromRoot, root, proof).ok).toBe(true);
    expect(reason(verifyConsistency(21, 37, referenceRoot(leaves.slice(0, 20)), root, proof))).toBe('old-root-mismatch');
    expect(reason(verifyConsistency(21, 37, fromRoot, referenceRoot(leaves.slice(0, 36)), proof))).toBe('root-mismatch');
    expect(reason(verifyConsistency(21, 37, fromRoot, root, proof.slice(1)))).toBe('wrong-path-length');
    expect(reason(verifyConsistency(37, 21, root, fromRoot, proof))).toBe('impossible-sizes');
    expect(reason(verifyConsistency(0, 37, emptyRoot(), root, proof))).toBe('impossible-sizes');
    expect(reason(verifyConsistency(37, 37, root, fromRoot, []))).toBe('root-mismatch');
    expect(verifyConsistency(37, 37, root, root, []).ok).toBe(true);
  });

  it('building a proof outside the tree is a VALIDATION refusal, not a throw', () => {
    const reader = readerAt(37);
    expect(inclusionProof(37, 37, reader)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(inclusionProof(0, 0, reader)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(consistencyProof(0, 37, reader)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(consistencyProof(38, 37, reader)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });
});

describe('the compact range state', () => {
  it('round-trips through JSON at every size up to 70 and keeps growing to the same root', () => {
    const leaves = someLeaves(70);
    for (let cut = 0; cut <= 70; cut++) {
      const first = CompactRange.empty();
      for (const leaf of leaves.slice(0, cut)) first.append(leaf);
      const restored = CompactRange.fromState(JSON.parse(JSON.stringify(first.state())));
      if (!restored.ok) throw new Error(restored.error.message);
      expect(restored.value.size).toBe(cut);
      expect(restored.value.root().equals(first.root())).toBe(true);
      for (const leaf of leaves.slice(cut)) restored.value.append(leaf);
      expect(restored.value.root().equals(referenceRoot(leaves)), `cut at ${cut}`).toBe(true);
    }
  });

  it('an append costs amortized one node hash: 2n − popcount(n) nodes reported for n leaves', () => {
    let reported = 0;
    const range = CompactRange.empty();
    for (const leaf of someLeaves(1000)) range.append(leaf, () => (reported += 1));
    expect(reported).toBe(2 * 1000 - 6); // 1000 = 0b1111101000 has six one bits
    expect(range.peaks()).toHaveLength(6);
  });

  it('a damaged state is refused as INTEGRITY, naming what is wrong', () => {
    const good = CompactRange.empty();
    for (const leaf of someLeaves(5)) good.append(leaf);
    const state = good.state();
    const refused = (value: unknown) => {
      const result = CompactRange.fromState(value);
      expect(result.ok, JSON.stringify(value)).toBe(false);
      return result.ok ? '' : (expect(result.error.code).toBe('INTEGRITY'), result.error.message);
    };
    expect(refused(null)).toMatch(/not an object/);
    expect(refused({ ...state, size: 8 })).toMatch(/8 leaves has 1 subtree root, not 2/);
    expect(refused({ ...state, size: 7 })).toMatch(/7 leaves has 3 subtree roots, not 2/);
    expect(refused({ ...state, size: -1 })).toMatch(/whole number/);
    expect(refused({ ...state, hashes: [state.hashes[0]!.toUpperCase(), state.hashes[1]] })).toMatch(/64 lowercase hex/);
    expect(refused({ ...state, hashes: 'x' })).toMatch(/subtree roots/);
  });

  it('refuses a leaf hash that is not 32 bytes (a bug in the caller)', () => {
    expect(() => CompactRange.empty().append(Buffer.alloc(31))).toThrow(RangeError);
  });
});

describe('bit arithmetic past 32 bits', () => {
  it('agrees with BigInt on sizes up to 2^53 − 1', () => {
    const samples = [
      0,
      1,
      2,
      3,
      2 ** 31,
      2 ** 32 - 1,
      2 ** 32,
      2 ** 32 + 1,
      2 ** 40 + 12345,
      2 ** 52,
      Number.MAX_SAFE_INTEGER,
      123456789012345,
    ];
    for (const a of samples) {
      const big = BigInt(a);
      expect(bitLength(a), `bitLength ${a}`).toBe(big.toString(2).replace(/^0$/, '').length);
      expect(popCount(a), `popCount ${a}`).toBe([...big.toString(2)].filter((bit) => bit === '1').length);
      if (a > 0) expect(trailingZeros(a), `trailingZeros ${a}`).toBe(big.toString(2).length - 1 - big.toString(2).lastIndexOf('1'));
      for (const b of samples) expect(xor(a, b), `${a} xor ${b}`).toBe(Number(big ^ BigInt(b)));
      for (const shift of [0, 1, 31, 32, 33, 52]) expect(shiftRight(a, shift)).toBe(Number(big >> BigInt(shift)));
    }
  });

  it('covers [begin, end) with the fewest perfect subtrees', () => {
    for (let begin = 0; begin <= 40; begin++) {
      for (let end = begin; end <= 70; end++) {
        const nodes = rangeNodes(begin, end);
        let at = begin;
        for (const node of nodes) {
          expect(node.index * 2 ** node.level).toBe(at);
          at += 2 ** node.level;
        }
        expect(at).toBe(end);
        // Fewest: no two neighbours of one level could merge into their parent.
        for (let position = 1; position < nodes.length; position++) {
          const [left, right] = [nodes[position - 1]!, nodes[position]!];
          expect(left.level === right.level && left.index % 2 === 0, `${begin}..${end}`).toBe(false);
        }
      }
    }
  });
});
