/**
 * What the bulk writer (pipelined-writer.ts) and its thread (writer-thread.mjs) say to each
 * other. Types only: the thread is JavaScript, typed through JSDoc from this file.
 */

/** Everything the thread needs to agree with the engine on, sent once as workerData. */
export type WriterThreadData = {
  readonly path: string;
  readonly nativeBinding: string | undefined;
  readonly pragmas: readonly string[];
  readonly sql: { readonly tail: string; readonly insertEvent: string; readonly insertRecord: string; readonly insertTreeNode: string };
  readonly genesisHash: string;
  readonly valuesPerEvent: number;
  readonly valuesPerRecord: number;
};

/** The log's last position and hash, as the thread reads it and as a batch expects it. */
export type LogTail = { readonly position: number; readonly hash: string };

/**
 * Event rows' values in one flat array, `valuesPerEvent` per event, in the order of the insert's
 * parameters; the row's own hash is its last value.
 */
export type EventValues = readonly unknown[];

/** Main thread → writer thread. */
export type WriterMessage =
  | { readonly kind: 'rows'; readonly events: EventValues }
  | { readonly kind: 'discard' }
  | {
      readonly kind: 'batch';
      readonly expectedTail: LogTail;
      readonly events: EventValues;
      readonly records: ReadonlyArray<unknown>;
      /** Merkle tree nodes the batch's rows complete, flat: level, index, hash as 32 latin1 characters, … */
      readonly treeNodes: ReadonlyArray<unknown>;
    }
  | { readonly kind: 'resume' }
  | { readonly kind: 'close' };

/** Writer thread → main thread: one reply per batch, in order. */
export type ThreadReply = { readonly outcome: 'committed' | 'moved' | 'failed' | 'skipped'; readonly message?: string };
