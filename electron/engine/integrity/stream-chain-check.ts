/**
 * Before a command is decided, the events it is decided on — the streams of the accounts it
 * touches — must hold together in the hash chain; a ledger never books money on a balance
 * someone edited in the file. Hosts that verify the whole chain in the background (the app,
 * the preview host) already refuse on a broken chain; this covers every other host (the CLI,
 * scripts, the bench) at the cost of hashing each event of a touched stream once per process.
 *
 * For each event of the stream not verified yet it checks, from the stored bytes:
 * - its hash is the hash of its content and its previous hash (an edit that left the hash);
 * - its previous hash is the stored hash of the row at position - 1 (an edit that recomputed
 *   the row before), and the row at position + 1 names its hash as previous (one that
 *   recomputed this row's own hash). A rewrite of every hash from an edit to the end changes
 *   the head, which the head checkpoint catches at open.
 * - stream versions follow each other without a gap.
 * What is verified is remembered per stream in memory only: a record of it in a file could
 * be forged far more cheaply than the chain.
 */
import type Database from 'better-sqlite3';
import { GENESIS_HASH, checkChainLink, type ChainBreak, type ChainRow } from '../store/hash-chain';
import type { CommittedEvent } from '../store/event-store';

type NeighbourRow = ChainRow & { readonly hashBefore: string | null; readonly previousHashAfter: string | null };

/** The last event of a stream known to hold together, by its stream version and position. */
type Verified = { version: number; position: number };

export class StreamChainCheck {
  private readonly verified = new Map<string, Verified>();
  private readonly rowsAfter: Database.Statement;
  private readonly lastPosition: Database.Statement;

  constructor(db: Database.Database) {
    this.rowsAfter = db.prepare(
      `SELECT e.position, e.event_id AS eventId, e.stream_id AS streamId, e.stream_version AS streamVersion, e.type,
         e.schema_version AS schemaVersion, e.data, e.metadata, e.recorded_at AS recordedAt,
         e.previous_hash AS previousHash, e.hash,
         (SELECT b.hash FROM events b WHERE b.position = e.position - 1) AS hashBefore,
         (SELECT a.previous_hash FROM events a WHERE a.position = e.position + 1) AS previousHashAfter
       FROM events e WHERE e.stream_id = ? AND e.stream_version > ? ORDER BY e.stream_version`,
    );
    this.lastPosition = db.prepare('SELECT max(position) FROM events').pluck();
  }

  /**
   * Checks the stream's events this process has not verified yet; returns the first break.
   * `committedVersion`: the stream's version as the caller's read model holds it, when that is
   * known to be current: nothing is read when every event up to it is verified already.
   */
  check(streamId: string, committedVersion: number | undefined): ChainBreak | undefined {
    const verified = this.verified.get(streamId) ?? { version: 0, position: 0 };
    if (committedVersion !== undefined && verified.version >= committedVersion) {
      this.verified.set(streamId, verified);
      return undefined;
    }
    let lastPosition: number | undefined;
    for (const row of this.rowsAfter.iterate(streamId, verified.version) as IterableIterator<NeighbourRow>) {
      const broken = this.checkRow(row, verified.version + 1, () => (lastPosition ??= (this.lastPosition.get() as number | null) ?? 0));
      // Leaving the loop closes the statement's iterator.
      if (broken) return broken;
      verified.version = row.streamVersion;
      verified.position = row.position;
    }
    this.verified.set(streamId, verified);
    return undefined;
  }

  /**
   * Events this process committed itself were hashed as they were built from state it had
   * verified: they count as verified. Each event of a stream is the next version after the
   * last one verified, because a stream is checked (under the write lock, or on a staged
   * basis whose tail the commit confirms) before every append to it.
   */
  noteCommitted(events: readonly CommittedEvent[]): void {
    for (const event of events) {
      const verified = this.verified.get(event.streamId);
      if (verified === undefined || event.position <= verified.position) continue;
      verified.version += 1;
      verified.position = event.position;
    }
  }

  /**
   * Forgets what was verified. Called when a write transaction rolls back: a check inside it
   * may have read (and counted) rows of that transaction, which no longer exist.
   */
  forget(): void {
    this.verified.clear();
  }

  private checkRow(row: NeighbourRow, expectedVersion: number, lastPosition: () => number): ChainBreak | undefined {
    if (row.streamVersion !== expectedVersion) {
      return {
        position: row.position,
        reason: `event ${expectedVersion} of ${row.streamId} is missing (the next one is ${row.streamVersion})`,
      };
    }
    if (row.position < 1) return { position: row.position, reason: `position ${row.position} is not a position of the log` };
    if (row.position > 1 && row.hashBefore === null) {
      return { position: row.position - 1, reason: `event at position ${row.position - 1} is missing (next is ${row.position})` };
    }
    const broken = checkChainLink(row, row.position, row.position === 1 ? GENESIS_HASH : row.hashBefore!);
    if (broken) return broken;
    if (row.previousHashAfter === null) {
      if (row.position < lastPosition()) {
        return {
          position: row.position + 1,
          reason: `event at position ${row.position + 1} is missing (the log goes on to ${lastPosition()})`,
        };
      }
    } else if (row.previousHashAfter !== row.hash) {
      return { position: row.position + 1, reason: 'previous hash does not match the hash of the event before it' };
    }
    return undefined;
  }
}
