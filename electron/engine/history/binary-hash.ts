/**
 * The RFC 9162 leaf and node hashes of signing/tree-hash.ts, on the hot paths of the tree's
 * upkeep (every append, every verified event). Same bytes in, same digest out; only the
 * representation differs: a hash is a "binary string" of 32 characters, each one byte
 * (latin1, which Node also calls 'binary'), which crypto.hash writes and Buffer.write reads without a Hash object or a Buffer
 * per digest. tests/engine/tree-storage.test.ts holds both definitions to the RFC vectors.
 */
import * as crypto from 'node:crypto';
import { eventLine } from '../export/export-format';
import type { StoredEvent } from '../store/event-store';

/** A SHA-256 digest as 32 latin1 characters. */
export type BinaryHash = string;

const HASH_BYTES = 32;

const sha256Binary: (data: string | Buffer) => BinaryHash =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'binary')
    : (data) => crypto.createHash('sha256').update(data).digest('binary');

/** 0x01 ‖ left ‖ right, filled in place for each node hash (the engine is single-threaded per isolate). */
const nodeInput = Buffer.alloc(1 + 2 * HASH_BYTES);
nodeInput[0] = 0x01;

/** SHA-256(0x00 ‖ UTF-8 bytes of `line`): the leaf hash of a line given without its line feed. */
export function leafHashOfLine(line: string): BinaryHash {
  // U+0000 is the single byte 0x00 in UTF-8, so the prefix goes in with the text's own encoding.
  return sha256Binary(`\u0000${line}`);
}

/** The leaf hash of an event: its JSON Lines export line without the line feed. */
export function leafHashOfEvent(row: StoredEvent): BinaryHash {
  const line = eventLine(row);
  return leafHashOfLine(line.slice(0, -1));
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHashOf(left: BinaryHash, right: BinaryHash): BinaryHash {
  nodeInput.write(left, 1, HASH_BYTES, 'latin1');
  nodeInput.write(right, 1 + HASH_BYTES, HASH_BYTES, 'latin1');
  return sha256Binary(nodeInput);
}

export function toBuffer(hash: BinaryHash): Buffer {
  return Buffer.from(hash, 'latin1');
}

export function fromBuffer(bytes: Uint8Array): BinaryHash {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

export function toHex(hash: BinaryHash): string {
  return Buffer.from(hash, 'latin1').toString('hex');
}

/** The root of the empty tree, SHA-256 of nothing. */
export const EMPTY_ROOT: BinaryHash = sha256Binary(Buffer.alloc(0));
