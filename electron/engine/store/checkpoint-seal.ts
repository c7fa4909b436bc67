/**
 * The head checkpoint as a seal: a writer that holds a signing key seals the tree head at each
 * position it checkpoints, and every open checks a sealed checkpoint against the stored tree.
 *
 * Invariants:
 * - The seal signs the stored tree's root at the checkpoint's position (history/tree-nodes.ts),
 *   the same root `ledger seal` and a full export sign for those events.
 * - At open a sealed checkpoint must hold: its seal no larger than the checkpoint's position
 *   nor the log, its signature that of the key it names, and its root that of the log's first
 *   treeSize events. Anything else is a checkpoint or a log that was changed after it was sealed.
 * - Whose key signed is not judged here: a ledger may be written by several keys (the app's and
 *   the CLI's). A seal proves the tree head to whoever trusts the key it names.
 */
import { LedgerFailure } from '#shared/errors';
import { toHex } from '../history/binary-hash';
import { fingerprintOf, type SigningKey } from '../signing/keys';
import { sealTreeHead, verifySeal } from '../signing/seal';
import type { EventStore } from './event-store';
import type { CheckpointSealer, HeadCheckpoint } from './head-checkpoint';

/** Seals the head at a position with `key`: the stored tree's root over the events up to it. */
export function checkpointSealer(store: EventStore, key: SigningKey): CheckpointSealer {
  return (position) => sealTreeHead(position, toHex(store.tree.nodes.computedFrontier(position).root()), key);
}

/** Why a sealed checkpoint does not hold over the log ending at `lastPosition`, or undefined. */
export function checkpointSealProblem(store: EventStore, checkpoint: HeadCheckpoint, lastPosition: number): string | undefined {
  const seal = checkpoint.seal;
  if (seal === undefined) return undefined;
  const key = `key ${fingerprintOf(seal.publicKey)}`;
  if (seal.treeSize > checkpoint.position) {
    return `the head checkpoint records position ${checkpoint.position} but its seal (${key}) signs ${seal.treeSize} events: the checkpoint was rolled back`;
  }
  if (seal.treeSize > lastPosition) {
    return `the log ends at position ${lastPosition} but the head checkpoint's seal (${key}) signs ${seal.treeSize} events: events were cut off`;
  }
  if (!verifySeal(seal).ok) {
    return `the head checkpoint's seal does not hold: it is not ${key}'s signature of its tree head, so the checkpoint was edited`;
  }
  let root: string;
  try {
    root = toHex(store.tree.nodes.computedFrontier(seal.treeSize).root());
  } catch (error) {
    if (!(error instanceof LedgerFailure)) throw error;
    return error.error.message;
  }
  if (root !== seal.rootHash) {
    return `the first ${seal.treeSize} events are not those the head checkpoint's seal (${key}) signed: the chain was rewritten`;
  }
  return undefined;
}
