/**
 * The ledger's side of the pipelined bulk writer (bulk/pipelined-writer.ts): batches decided
 * and built on this connection, their rows committed by the writer's thread on a second one.
 * A basis is begun when nothing is staged; each batch staged on it builds on the batches
 * staged before it; the writer reports each batch that landed, or drops the basis when one
 * did not.
 */
import type { AnyCommand, CommandReceipt } from '#shared/commands';
import type { Failure, Result } from '#shared/errors';
import type { CommandRecordRow } from '../domain/command-records';
import type { AccountsProjection } from '../projection/accounts-projection';
import type { EventStore, StagedAppends, StagedRowSink, StagingBasis } from '../store/event-store';
import type { StagedCommandRecords } from './command-log';
import type { CommandRunner } from './command-runner';

/**
 * What staged batches build on: the store's basis plus the idempotency records of batches
 * staged but not yet committed, so a repeated commandId is answered even when its first use is
 * still on its way to the disk.
 */
export type LedgerStagingBasis = StagingBasis & { readonly commands: StagedCommandRecords };

/** A batch decided and built on a staging basis, for another connection to commit. */
export type StagedBatch = {
  /** The answers, valid once the batch is committed. */
  readonly results: Result<CommandReceipt>[];
  readonly appends: StagedAppends;
  /** Idempotency records to insert in the same transaction as the events. */
  readonly commandRecords: readonly CommandRecordRow[];
};

/** How the writer's thread opens its own connection to the same file. */
export type WriterConnection = {
  readonly path: string;
  readonly nativeBinding: string | undefined;
  readonly busyTimeoutMs: number | undefined;
};

/** What the ledger tells staging about itself, read at each call. */
export type StagingLedger = {
  /** True when this ledger cannot stage at all (read-only, verifying in the background, a replay that stopped). */
  readonly cannotStage: () => boolean;
  /** Brings the projection up to the log (another process may have appended). */
  readonly catchUp: () => void;
  readonly busyTimeoutMs: number | undefined;
};

export class BulkStaging {
  constructor(
    private readonly store: EventStore,
    private readonly projection: AccountsProjection,
    private readonly runner: CommandRunner,
    private readonly ledger: StagingLedger,
  ) {}

  /** The file and settings the writer's thread opens its connection with. */
  get connection(): WriterConnection {
    return { path: this.store.path, nativeBinding: this.store.nativeBinding, busyTimeoutMs: this.ledger.busyTimeoutMs };
  }

  /**
   * A basis to stage batches on, or undefined when this ledger must take the plain path
   * (see StagingLedger.cannotStage, or a projection that does not end where the log ends).
   * Taken when nothing is staged: the projection is then current.
   */
  begin(): LedgerStagingBasis | undefined {
    if (this.ledger.cannotStage()) return undefined;
    this.ledger.catchUp();
    const tail = this.store.readTail();
    if (tail.position !== this.projection.lastPosition) return undefined;
    this.runner.forget();
    return { tail, versions: new Map(), commands: new Map() };
  }

  /**
   * Decides a batch exactly as executeBatch would, on the projection plus every batch staged
   * on `basis` before it, and builds its rows without writing them: each goes to `send` as it
   * is built (see EventStore.stage). The answers hold only if the rows are committed onto the
   * very tail they were built on, which the writer's thread checks under the write lock.
   * Returns undefined when this ledger cannot stage now. If it throws, the basis must be
   * dropped (see drop), and rows already sent belong to no batch.
   */
  stage(commands: ReadonlyArray<AnyCommand | Failure>, basis: LedgerStagingBasis, send: StagedRowSink): StagedBatch | undefined {
    if (this.ledger.cannotStage()) return undefined;
    // A reversal reads the log, which does not hold the batches staged before it: the plain path decides it.
    if (commands.some((command) => !('ok' in command) && command.name === 'reverse')) return undefined;
    // The basis began with the projection at the log's end, and every batch staged since is in
    // the repository's snapshots: deciding on them is deciding on the log as it will be.
    const { value, rows } = this.runner.commandLog.stagingInto(basis.commands, () =>
      this.store.stage(basis, () => this.runner.decideAll(commands, true), send),
    );
    return { results: value.result, appends: value.appends, commandRecords: rows };
  }

  /**
   * The writer's thread committed `batch`: the projection and the ledger's listeners hear of
   * it. `basis` is the one it was staged on, or undefined once that basis is dropped.
   */
  landed(batch: StagedBatch, basis: LedgerStagingBasis | undefined): void {
    this.store.announceCommitted(batch.appends);
    if (basis !== undefined) this.runner.commandLog.landed(basis.commands, batch.commandRecords);
  }

  /** True when the batch's last row is in the log with its hash (a batch is committed whole or not at all). */
  isInLog(batch: StagedBatch): boolean {
    const { events, tail } = batch.appends;
    if (events.length === 0) return false;
    const [stored] = this.store.readPositions([tail.position]);
    return stored?.hash === tail.hash;
  }

  /** Forgets what staged batches decided: none of it may be on disk. */
  drop(): void {
    this.runner.forget();
  }
}
