/**
 * Walks the whole chain and the head checkpoint. Runs in steps so the app can verify a
 * million events in the background and show progress without freezing.
 */
import type Database from 'better-sqlite3';
import { LedgerFailure } from '#shared/errors';
import { GENESIS_HASH, checkChainLink, type ChainRow } from './hash-chain';
import { readCheckpoint, type HeadCheckpoint } from './head-checkpoint';
import { triggerProblem } from './immutability-triggers';
import { isDamage } from './storage-errors';
import { TreeCheck } from '../history/tree-check';

export type VerifyReport =
  | { readonly ok: true; readonly events: number; readonly head: string }
  | { readonly ok: false; readonly firstBadPosition: number; readonly reason: string; readonly events: number };

export type VerifyProgress = { readonly checked: number; readonly total: number };

const ROWS_PER_STEP = 5_000;

/**
 * A resumable walk over the log. `step()` checks up to ROWS_PER_STEP rows and returns the
 * report once done. Pages are read by keyset on position (never OFFSET) on the caller's
 * connection, one short read at a time, so writers are never blocked for long.
 */
export class ChainVerifier {
  private nextPosition = 1;
  /** Last position read; starts below any real position so forged rows at 0 or below are seen. */
  private lastSeen = -Infinity;
  private previousHash = GENESIS_HASH;
  private hashAtCheckpoint: string | undefined;
  /** First position this walk reads (1, or just after the resume point). */
  private firstWalked = 1;
  private checked = 0;
  /** How many events the walk will meet, read when progress is first asked for (see countEvents). */
  private total: number | undefined;
  private readonly statements: VerifyStatements;
  private checkpoint: HeadCheckpoint | undefined;
  /** Why the head checkpoint cannot be read as ours (a link, a folder, other content), if so. */
  private checkpointProblem: string | undefined;
  private readonly db: Database.Database;
  private readonly ledgerPath: string;
  /** Whole walks also hold the stored Merkle tree and the seals against the events (history/tree-check.ts). */
  private tree: TreeCheck | undefined;

  /**
   * @param resumeFrom continue a walk that already verified everything up to this position
   *   (and ended on this hash): used to verify only what was appended since.
   */
  constructor(db: Database.Database, ledgerPath: string, resumeFrom?: { readonly position: number; readonly hash: string }) {
    if (resumeFrom) {
      this.lastSeen = resumeFrom.position;
      this.nextPosition = resumeFrom.position + 1;
      this.previousHash = resumeFrom.hash;
      this.checked = resumeFrom.position;
      this.firstWalked = resumeFrom.position + 1;
    }
    this.db = db;
    this.ledgerPath = ledgerPath;
    this.statements = statementsFor(db);
    this.readCheckpoint();
    this.tree = this.firstWalked === 1 ? new TreeCheck(db, { seals: { ledgerPath } }) : undefined;
  }

  get progress(): VerifyProgress {
    this.total ??= countEvents(this.statements);
    return { checked: this.checked, total: Math.max(this.total, this.checked) };
  }

  /**
   * After an ok report, makes this verifier a walk resumed from where that one ended: the next
   * steps check only what was appended since, against the head checkpoint as it is now, just
   * as `new ChainVerifier(db, path, { position, hash })` would, without preparing anything.
   */
  continueWalk(): void {
    this.firstWalked = this.nextPosition;
    this.hashAtCheckpoint = undefined;
    this.total = undefined;
    this.tree = undefined;
    this.readCheckpoint();
  }

  /** The head checkpoint this walk ends against (none in memory). */
  private readCheckpoint(): void {
    this.checkpoint = undefined;
    this.checkpointProblem = undefined;
    try {
      this.checkpoint = this.ledgerPath === ':memory:' ? undefined : readCheckpoint(this.ledgerPath);
    } catch (error) {
      if (!(error instanceof LedgerFailure)) throw error;
      this.checkpointProblem = error.message;
    }
  }

  /** Checks the next page; returns the final report when the walk is over, else undefined. */
  step(): VerifyReport | undefined {
    let rows: ChainRow[];
    try {
      rows = this.statements.page.all(this.lastSeen) as ChainRow[];
    } catch (error) {
      if (!isDamage(error)) throw error;
      return this.damagedPage();
    }
    const broken = this.walk(rows);
    if (broken) return broken;
    if (rows.length === ROWS_PER_STEP) return undefined;
    return this.finish();
  }

  /** Checks rows in order; returns the first break, else undefined. */
  private walk(rows: Iterable<ChainRow>): VerifyReport | undefined {
    for (const row of rows) {
      // A row before the first position (0 or below) is forged whatever its hashes: it is named by its own position.
      if (row.position < 1) {
        return {
          ok: false,
          firstBadPosition: row.position,
          reason: `position ${row.position} is before the first position of the log`,
          events: this.checked,
        };
      }
      const broken = checkChainLink(row, this.nextPosition, this.previousHash);
      if (broken) return { ok: false, firstBadPosition: broken.position, reason: broken.reason, events: this.checked };
      this.checked += 1;
      this.lastSeen = row.position;
      this.nextPosition = row.position + 1;
      if (row.position === this.checkpoint?.position) this.hashAtCheckpoint = row.hash;
      this.previousHash = row.hash;
      this.tree?.add(row);
    }
    return undefined;
  }

  /**
   * The page could not be read: SQLite found the file's pages damaged. The page is walked
   * again row by row, so the rows before the damage are checked and the report names the
   * first position that could not be read.
   */
  private damagedPage(): VerifyReport {
    try {
      const broken = this.walk(this.statements.page.iterate(this.lastSeen) as IterableIterator<ChainRow>);
      if (broken) return broken;
    } catch (error) {
      if (!isDamage(error)) throw error;
    }
    return {
      ok: false,
      firstBadPosition: this.nextPosition,
      reason: `the ledger file is damaged from position ${this.nextPosition} on (its pages do not form a whole SQLite database); restore it from a backup or an export`,
      events: this.checked,
    };
  }

  /** Runs the walk to the end. */
  run(): VerifyReport {
    for (;;) {
      const report = this.step();
      if (report) return report;
    }
  }

  private finish(): VerifyReport {
    const lastPosition = this.nextPosition - 1;
    if (this.checkpointProblem !== undefined) {
      return {
        ok: false,
        firstBadPosition: lastPosition + 1,
        reason: `${this.checkpointProblem}: whether events after position ${lastPosition} were cut off cannot be checked`,
        events: this.checked,
      };
    }
    const checkpoint = this.checkpoint;
    if (checkpoint) {
      const checkpointWasWalked = checkpoint.position > this.firstWalked - 1;
      if (checkpoint.position > lastPosition) {
        return {
          ok: false,
          firstBadPosition: lastPosition + 1,
          reason: `the log ends at position ${lastPosition} but the head checkpoint recorded position ${checkpoint.position}: events were cut off`,
          events: this.checked,
        };
      }
      if (checkpoint.position > 0 && checkpointWasWalked && checkpoint.hash !== this.hashAtCheckpoint) {
        return {
          ok: false,
          firstBadPosition: checkpoint.position,
          reason: `the event at position ${checkpoint.position} differs from the one the head checkpoint recorded: the chain was rewritten`,
          events: this.checked,
        };
      }
    }
    // Checked on whole walks (a resumed walk checked them when it began): position 0 stands
    // for the file itself, before any event.
    const triggers = this.firstWalked === 1 ? triggerProblem(this.db) : undefined;
    if (triggers !== undefined) return { ok: false, firstBadPosition: 0, reason: triggers, events: this.checked };
    const tree = this.tree?.finish(lastPosition);
    if (tree !== undefined) return { ok: false, ...tree, events: this.checked };
    return { ok: true, events: this.checked, head: this.previousHash };
  }
}

type VerifyStatements = { readonly page: Database.Statement; readonly lastPosition: Database.Statement };

/**
 * The walk's statements, prepared once per connection: an app host resumes a walk after every
 * command, and preparing is dearer than running these. Held weakly, so a closed connection
 * takes its statements with it.
 */
const preparedFor = new WeakMap<Database.Database, VerifyStatements>();

function statementsFor(db: Database.Database): VerifyStatements {
  let statements = preparedFor.get(db);
  if (statements === undefined) {
    statements = {
      // Pages continue from the last position SEEN (not the one expected), so a missing or
      // extra row is met and reported rather than skipped.
      page: db.prepare(
        `SELECT position, event_id AS eventId, stream_id AS streamId, stream_version AS streamVersion, type,
           schema_version AS schemaVersion, data, metadata, recorded_at AS recordedAt,
           previous_hash AS previousHash, hash
         FROM events WHERE position > ? ORDER BY position LIMIT ${ROWS_PER_STEP}`,
      ),
      lastPosition: db.prepare('SELECT max(position) FROM events').pluck(),
    };
    preparedFor.set(db, statements);
  }
  return statements;
}

/**
 * How many events the walk will meet, for its progress only (0 when the count itself meets
 * damage: the walk reports it). Positions are gap-free, so the last position is the count on
 * an intact log, and reading it is one step down the table's b-tree: count(*) walks a whole
 * index. Read only when progress is asked for, which a walk of a verified ledger never does.
 */
function countEvents(statements: VerifyStatements): number {
  try {
    return (statements.lastPosition.get() as number | null) ?? 0;
  } catch (error) {
    if (!isDamage(error)) throw error;
    return 0;
  }
}

export function verifyChain(db: Database.Database, ledgerPath: string): VerifyReport {
  return new ChainVerifier(db, ledgerPath).run();
}
