/**
 * Appends staged for another connection to insert (see EventStore.stage): built exactly as a
 * write transaction would build them, but each row handed to a sink instead of written.
 */
import type { TreeFrontier } from '../history/tree-frontier';
import type { TreeUpkeep } from '../history/tree-upkeep';
import type { BuiltRow } from './event-row';
import type { CommittedEvent, LogTail, StoredEvent } from './event-types';

/**
 * What staged appends build on (see EventStore.stage): the log's tail and the versions of the
 * streams appended to, as they will be once every batch staged before has been committed.
 * Owned by the caller and carried from one staged batch to the next.
 */
export type StagingBasis = {
  tail: LogTail;
  readonly versions: Map<string, number>;
  /** The Merkle tree's frontier at `tail` (loaded at the first staged row; see TreeUpkeep.staged). */
  tree?: TreeFrontier;
};

/**
 * Appends staged for another connection to insert (see EventStore.stage). The rows themselves
 * went to `send` as they were built; what stays is what the subscribers hear once they are in.
 */
export type StagedAppends = {
  /** The writer must find the log ending exactly here (position and hash) to insert the rows. */
  readonly expectedTail: LogTail;
  /** The last staged row's position and hash (the expected tail when nothing was staged). */
  readonly tail: LogTail;
  readonly events: readonly CommittedEvent[];
  /** The Merkle tree nodes the rows complete, flat: level, index, hash (latin1), … (inserted with the rows). */
  readonly nodes: readonly unknown[];
};

/** Takes each staged row as it is built; it must copy what it keeps (see EventStore.stage). */
export type StagedRowSink = (row: StoredEvent) => void;

/** One stage() call under way: where its rows go, and what it keeps of them for the subscribers. */
export class Staging {
  readonly events: CommittedEvent[] = [];
  readonly nodes: unknown[] = [];

  constructor(
    readonly basis: StagingBasis,
    private readonly send: StagedRowSink,
  ) {}

  /**
   * The stream's version on the basis: as staged so far, or as `stored` reads it for a stream
   * this basis has not met yet (then remembered in the basis).
   */
  streamVersion(streamId: string, stored: (streamId: string) => number): number {
    let version = this.basis.versions.get(streamId);
    if (version === undefined) this.basis.versions.set(streamId, (version = stored(streamId)));
    return version;
  }

  /**
   * Hands a built row to the sink, after the tree has taken its leaf: the row itself is then
   * garbage; only its committed event (no texts, no hash) is kept until the commit.
   */
  take(row: BuiltRow, tree: TreeUpkeep): void {
    tree.staged(row, this.basis, this.nodes);
    this.send(row);
    const { position, streamId, type, schemaVersion, recordedAt, payload } = row;
    this.events.push({ position, streamId, type, schemaVersion, recordedAt, payload });
    this.basis.versions.set(streamId, row.streamVersion);
  }
}
