/**
 * The write side of the ledger: decides each command on the accounts it touches and saves its
 * events, either in one write transaction of its own per batch (writeBatch) or inside a batch
 * staged for the bulk writer (ledger/bulk-staging.ts). Both decide every command the same way
 * (decideInBatch), so a command's answer does not depend on the path it took.
 */
import type { AnyCommand, CommandReceipt } from '#shared/commands';
import { LedgerFailure, succeed, type Failure, type Result } from '#shared/errors';
import type { EventMetadata } from '#shared/events';
import type { AccountState } from '../domain/bank-account';
import { decideCommand } from '../domain/decide-command';
import { buildReceipt } from '../domain/receipts';
import { AccountRepository, type SaveResult } from '../domain/repository';
import { ReversalLog } from '../domain/reversal-log';
import { StreamChainCheck } from '../integrity/stream-chain-check';
import type { AccountsProjection } from '../projection/accounts-projection';
import type { EventStore } from '../store/event-store';
import { isBusy, toStorageFailure } from '../store/storage-errors';
import { timeOrderedId } from '../store/time-ordered-id';
import { CommandLog } from './command-log';

/** How often a write that found the file locked past the busy timeout is tried again. */
const BUSY_RETRIES = 3;

export type CommandRunnerOptions = {
  readonly actor: string;
  readonly appVersion: string;
  /** True in hosts that verify the whole chain before each batch: streams are then not checked one by one. */
  readonly verifiesInBackground: boolean;
  /** Marks the ledger read-only for `reason` and throws its INTEGRITY refusal. */
  readonly refuse: (reason: string) => never;
  /** Brings the projection up to the log (another process may have appended); false when it cannot. */
  readonly catchUp: () => boolean;
};

export class CommandRunner {
  readonly commandLog: CommandLog;
  private readonly repository: AccountRepository;
  /** What reverse commands read from the log (see domain/reversal-log.ts). */
  private readonly reversalLog: ReversalLog;
  /** Verifies the streams a command is decided on, once each per process (see integrity/stream-chain-check.ts). */
  private readonly streamChecks: StreamChainCheck;
  /**
   * True only while a batch is decided with the projection known to hold every committed event
   * (in writeBatch's transaction, or on a staging basis): the repository then decides on it
   * without reading streams back.
   */
  private projectionIsCurrent = false;

  constructor(
    private readonly store: EventStore,
    private readonly projection: AccountsProjection,
    private readonly options: CommandRunnerOptions,
  ) {
    this.commandLog = new CommandLog(store, options.refuse);
    this.repository = new AccountRepository(
      store,
      (accountId) => projection.accountState(accountId),
      () => this.projectionIsCurrent,
    );
    this.reversalLog = new ReversalLog(
      store,
      projection,
      (id) => void this.loadVerified(id),
      () => this.projectionIsCurrent,
    );
    this.streamChecks = new StreamChainCheck(store.db);
    store.subscribe((events) => this.streamChecks.noteCommitted(events));
  }

  /**
   * Runs commands in order inside ONE write transaction (a refused command writes nothing, so
   * it leaves the others intact; see decideInBatch) and answers only after the commit is
   * durable. Entries that are already failures (bad input lines) are passed through in place.
   */
  writeBatch(commands: ReadonlyArray<AnyCommand | Failure>): Result<CommandReceipt>[] {
    for (let attempt = 0; ; attempt++) {
      try {
        return this.store.writeTransaction(() => {
          // Read what other processes appended before deciding on top of it. With the write
          // lock held nobody else can append until we commit, so if the projection now ends
          // where the log ends, it is the current state of every account.
          const caughtUp = this.options.catchUp();
          return this.decideAll(commands, caughtUp && this.projection.lastPosition === this.store.appendTailPosition());
        });
      } catch (error) {
        this.forget();
        this.streamChecks.forget();
        if (isBusy(error) && attempt < BUSY_RETRIES) continue;
        const failure =
          error instanceof LedgerFailure ? { ok: false as const, error: error.error } : toStorageFailure(error, this.store.path);
        return commands.map(() => failure);
      }
    }
  }

  /** Decides every command of a batch in order; `projectionIsCurrent` as the caller knows it. */
  decideAll(commands: ReadonlyArray<AnyCommand | Failure>, projectionIsCurrent: boolean): Result<CommandReceipt>[] {
    this.projectionIsCurrent = projectionIsCurrent;
    try {
      return commands.map((command) => ('ok' in command ? command : this.decideInBatch(command)));
    } finally {
      this.projectionIsCurrent = false;
      this.reversalLog.forget();
    }
  }

  /** Forgets the account states decided in batches that may not be on disk. */
  forget(): void {
    this.repository.forget();
  }

  /**
   * Decides and saves one command of a batch, without a savepoint of its own. None is needed:
   * decideAndSave refuses only BEFORE its first write (deciding is pure, and append checks
   * every stream's expectation before it writes a row), and anything thrown after a write rolls
   * back the whole batch. The check below keeps that promise honest: a refusal that comes after
   * a write rolls back the batch rather than leave half a command behind.
   */
  private decideInBatch(command: AnyCommand): Result<CommandReceipt> {
    const insertedBefore = this.store.insertCount;
    const result = this.decideAndSave(command);
    if (!result.ok && this.store.insertCount !== insertedBefore) {
      throw new Error(`A ${command.name} command was refused after it had written events (${result.error.code}): bug`);
    }
    return result;
  }

  private decideAndSave(command: AnyCommand): Result<CommandReceipt> {
    const earlier = this.commandLog.earlierUse(command);
    if (earlier.answer !== undefined) return earlier.answer;
    const commandId = command.input.commandId;
    const decided = decideCommand(command, (accountId) => this.loadVerified(accountId), this.reversalLog);
    if (!decided.ok) return decided;
    const metadata: EventMetadata = {
      ...(commandId === undefined ? {} : { commandId, causationId: commandId }),
      correlationId: commandId ?? timeOrderedId(),
      actor: this.options.actor,
      appVersion: this.options.appVersion,
    };
    let saved: SaveResult;
    try {
      saved = this.repository.save(decided.value.decision, metadata);
    } catch (error) {
      if (error instanceof LedgerFailure) return { ok: false, error: error.error };
      throw error;
    }
    this.reversalLog.noteSaved(decided.value.decision, saved);
    const receipt = buildReceipt(command, saved, decided.value, commandId);
    if (commandId !== undefined && earlier.fingerprint !== undefined) this.commandLog.record(commandId, earlier.fingerprint, receipt);
    return succeed(receipt);
  }

  /**
   * An account's state for a decision, once the events it rests on are known to hold together
   * in the chain. Hosts that verify in the background have verified the whole chain before the
   * batch (Ledger.executeBatch); every other host checks the account's own stream here. A break
   * turns the ledger read-only and refuses the command (and its batch) with INTEGRITY.
   */
  private loadVerified(accountId: string): AccountState | undefined {
    if (!this.options.verifiesInBackground) {
      const committedVersion = this.projectionIsCurrent ? (this.projection.accountState(accountId)?.version ?? 0) : undefined;
      const broken = this.streamChecks.check(accountId, committedVersion);
      if (broken !== undefined) this.options.refuse(`the hash chain is broken at position ${broken.position}: ${broken.reason}`);
    }
    return this.repository.load(accountId);
  }
}
