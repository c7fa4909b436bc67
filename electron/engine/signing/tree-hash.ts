/**
 * RFC 9162 §2.1.1 hashing, exactly: a leaf is SHA-256(0x00 ‖ bytes), an interior node is
 * SHA-256(0x01 ‖ left ‖ right). The two prefixes keep a leaf from ever passing for a node
 * (the second-preimage attack on plain Merkle trees). Leaf i of a ledger's tree is the i-th
 * line of its JSON Lines export, as UTF-8, without the newline.
 */
import { createHash } from 'node:crypto';

const LEAF_PREFIX = Buffer.of(0x00);
const NODE_PREFIX = Buffer.of(0x01);

/** The hash of one leaf's bytes (32 bytes). */
export function leafHash(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(bytes).digest();
}

/** The hash of an interior node from its two children (32 bytes each). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** The root of the empty tree: SHA-256 of nothing. */
export function emptyRoot(): Buffer {
  return createHash('sha256').digest();
}
