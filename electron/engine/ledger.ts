/**
 * The engine: one ledger file, its write model (repository) and read model (projection).
 * Every entry point — IPC, CLI, preview host, tests, bench — goes through `executeBatch`
 * for commands and the query methods for reads; nothing is implemented twice.
 */
import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Statement } from 'better-sqlite3';
import type { AuditFilter } from '#shared/audit';
import type { AnyCommand, CommandReceipt } from '#shared/commands';
import { LedgerFailure, fail, succeed, type Failure, type LedgerError, type Result } from '#shared/errors';
import type { EventMetadata, RecordedEvent } from '#shared/events';
import { formatMinor } from '#shared/money';
import type { LedgerChange, LedgerInfo } from '#shared/ipc-contract';
import type { AccountView, BalanceSeries, HistoryEntry } from '#shared/views';
import { APP_VERSION } from './app-version';
import { decideCommand } from './domain/decide-command';
import { buildReceipt, fingerprintOf } from './domain/receipts';
import { FIND_COMMAND_RECORD_SQL, INSERT_COMMAND_RECORD_SQL, type CommandRecord, type CommandRecordRow } from './domain/command-records';
import { AccountRepository, type SaveResult } from './domain/repository';
import { ReversalLog } from './domain/reversal-log';
import { importLegacyLog, type LegacyImportSummary } from './import/legacy-import';
import { AuditQueries } from './audit/audit-queries';
import { IntegrityMonitor } from './audit/integrity-monitor';
import { exportCsv } from './export/csv-export';
import { exportJsonLines, type SnapshotFilter } from './export/jsonl-export';
import type { ExportManifest } from './export/export-format';
import { readCheckpoint } from './store/head-checkpoint';
import { checkpointSealProblem, checkpointSealer } from './store/checkpoint-seal';
import { decodeEvent } from './events/decode';
import { storedTypesFor } from './events/upcasters';
import { toHistoryEntry } from './projection/history';
import { AccountsProjection, ReplayError, type ReplayProgress } from './projection/accounts-projection';
import { EventStore, type ReadFilter, type StagedAppends, type StagedRowSink, type StagingBasis } from './store/event-store';
import { LATEST_SCHEMA_VERSION } from './store/schema';
import { ChainVerifier, type VerifyReport } from './store/verify';
import { timeOrderedId } from './store/time-ordered-id';
import { toStorageFailure, isBusy, isDamage, damagedFile } from './store/storage-errors';
import { triggerProblem } from './store/immutability-triggers';
import { StreamChainCheck } from './integrity/stream-chain-check';
import { restoreIntoNewFile, type RestoreOptions, type RestoreSummary } from './export/export-restore';
import { sealingFor } from './export/stored-seals';
import {
  historyOf,
  latestLedgerSeal,
  ledgerConsistencyProof,
  ledgerInclusionProof,
  ledgerSeals,
  sealLedger,
} from './history/ledger-history';
import type { SigningKey } from './signing/keys';
import type { ConsistencyProofFile, InclusionProofFile } from './signing/proof-file';
import type { Seal } from './signing/seal';
import type { AccountState } from './domain/bank-account';
import type { Statement as AccountStatement, StatementRequest } from '#shared/statement';
import { buildStatement } from './statement/build-statement';

export type LedgerOptions = {
  readonly path: string;
  readonly readOnly?: boolean;
  /** Who is acting, recorded in every event's metadata ("app", "cli:alice", …). */
  readonly actor?: string;
  readonly appVersion?: string;
  readonly onReplayProgress?: ReplayProgress;
  readonly busyTimeoutMs?: number;
  /** better_sqlite3.node built for Electron's ABI (the main process passes it). */
  readonly nativeBinding?: string;
  /**
   * Verify the whole chain in the background after opening, then each new event after every
   * change (the app and the preview host do; the CLI verifies only when asked). A broken chain
   * makes the ledger read-only; `integrity.status` and ledgerInfo tell why.
   */
  readonly verifyInBackground?: boolean;
  /** The user's signing key: each head checkpoint this ledger writes is then a seal (store/checkpoint-seal.ts). */
  readonly signingKey?: SigningKey;
};

/**
 * What staged batches build on (see Ledger.stageBatch): the store's basis plus the
 * idempotency records of batches staged but not yet committed, so a repeated commandId is
 * answered even when its first use is still on its way to the disk.
 */
export type LedgerStagingBasis = StagingBasis & { readonly commands: Map<string, CommandRecord> };

/** A batch decided and built on a staging basis, for another connection to commit. */
export type StagedBatch = {
  /** The answers, valid once the batch is committed. */
  readonly results: Result<CommandReceipt>[];
  readonly appends: StagedAppends;
  /** Idempotency records to insert in the same transaction as the events. */
  readonly commandRecords: readonly CommandRecordRow[];
};

/** How often a write that found the file locked past the busy timeout is tried again. */
const BUSY_RETRIES = 3;

export class Ledger {
  readonly store: EventStore;
  readonly projection = new AccountsProjection();
  /** Read-only audit queries on the log and the projection's audit index. */
  readonly audit: AuditQueries;
  /** Integrity status of the chain, verified in slices (see audit/integrity-monitor.ts). */
  readonly integrity: IntegrityMonitor;
  private readonly repository: AccountRepository;
  /** What reverse commands read from the log (see domain/reversal-log.ts). */
  private readonly reversalLog: ReversalLog;
  /** Verifies the streams a command is decided on, once each per process (see integrity/stream-chain-check.ts). */
  private readonly streamChecks: StreamChainCheck;
  /** Busy timeout of this ledger's connections (a second connection, such as the bulk writer's, uses it too). */
  readonly busyTimeoutMs: number | undefined;
  private readonly actor: string;
  private readonly appVersion: string;
  private readonly listeners = new Set<(change: LedgerChange) => void>();
  private seenDataVersion: number;
  private preparedCommandStatements: { insert: Statement; find: Statement } | undefined;
  private readOnlyReason: string | undefined;
  private readonly verifiesInBackground: boolean;
  /** Set when replay stopped at an unreadable event: catching up again would stop there too. */
  private replayBroken = false;
  /**
   * True only inside executeBatch's write transaction once the projection is known to hold
   * every committed event: the repository then decides on it without reading streams back.
   */
  private projectionIsCurrent = false;
  /** Set while stageBatch runs: where idempotency records go instead of the commands table. */
  private staging: { readonly basis: LedgerStagingBasis; readonly records: CommandRecordRow[] } | undefined;

  private constructor(store: EventStore, options: LedgerOptions) {
    this.store = store;
    this.repository = new AccountRepository(
      store,
      (accountId) => this.projection.accountState(accountId),
      () => this.projectionIsCurrent,
    );
    this.audit = new AuditQueries(store, this.projection);
    this.reversalLog = new ReversalLog(
      store,
      this.projection,
      (id) => void this.loadVerified(id),
      () => this.projectionIsCurrent,
    );
    this.streamChecks = new StreamChainCheck(store.db);
    // A chain found broken turns the ledger read-only: tell the hosts at once, not at the next append.
    this.integrity = new IntegrityMonitor(this, (status) => {
      if (status.state === 'failed') this.notify();
    });
    this.verifiesInBackground = options.verifyInBackground ?? false;
    this.busyTimeoutMs = options.busyTimeoutMs;
    this.actor = options.actor ?? 'unknown';
    this.appVersion = options.appVersion ?? APP_VERSION;
    this.readOnlyReason = options.readOnly ? 'opened read-only' : undefined;
    if (options.signingKey !== undefined && !store.readOnly) store.sealCheckpointsWith(checkpointSealer(store, options.signingKey));
    this.seenDataVersion = store.dataVersion();
    store.subscribe((events) => {
      this.streamChecks.noteCommitted(events);
      this.guardReplay(() => this.projection.applyCommitted(store, events));
      // An empty list means "too many to list": the accounts touched are then not known.
      this.notify(events.length === 0 ? undefined : [...new Set(events.map((event) => event.streamId))]);
    });
    if (this.verifiesInBackground) this.onChange(() => void this.integrity.verify());
  }

  /** Opens a ledger file and rebuilds its projection. A refusal is a STORAGE failure naming the file. */
  static open(options: LedgerOptions): Result<Ledger> {
    const opened = Ledger.openStore(options);
    if (!opened.ok) return opened;
    return opened.value.finishOpening(() => {
      opened.value.guardReplay(() => opened.value.projection.rebuild(opened.value.store, options.onReplayProgress));
    });
  }

  /** Like open, but replays in slices that yield to the event loop (Electron's main process). */
  static async openInSlices(options: LedgerOptions): Promise<Result<Ledger>> {
    const opened = Ledger.openStore(options);
    if (!opened.ok) return opened;
    const ledger = opened.value;
    let replayed: unknown;
    await ledger.projection.catchUpInSlices(ledger.store, options.onReplayProgress).catch((error: unknown) => (replayed = error));
    return ledger.finishOpening(() => {
      if (replayed !== undefined) ledger.replayFailed(replayed);
    });
  }

  /**
   * What every open does once the projection is built: the cheap checks (the immutability
   * triggers, the head checkpoint), then (in app hosts) the full walk. Damage met while
   * replaying or checking refuses the open as STORAGE, as it would while opening the file.
   */
  private finishOpening(replay: () => void): Result<Ledger> {
    try {
      replay();
      if (!this.store.readOnly) {
        const triggers = triggerProblem(this.store.db);
        if (triggers !== undefined) this.markReadOnly(triggers);
      }
      this.checkHeadCheckpoint();
    } catch (error) {
      this.close();
      if (error instanceof LedgerFailure) return { ok: false, error: error.error };
      if (isDamage(error)) return { ok: false, error: damagedFile(this.path).error };
      throw error;
    }
    if (this.verifiesInBackground) void this.integrity.verify();
    return succeed(this);
  }

  /** Runs a replay step, turning an unreplayable event into a read-only ledger (see replayFailed). */
  private guardReplay(replay: () => unknown): void {
    try {
      replay();
    } catch (error) {
      this.replayFailed(error);
    }
  }

  /**
   * An event that cannot be replayed (a tampered or foreign log) leaves the projection at the
   * last good position and the ledger read-only, with the reason. Damaged pages do too, and
   * are answered as the STORAGE failure of a damaged file. Anything else is a bug.
   */
  private replayFailed(error: unknown): void {
    if (isDamage(error)) {
      this.replayBroken = true;
      this.markReadOnly(`the file is damaged after position ${this.projection.lastPosition}`);
      throw damagedFile(this.path);
    }
    if (!(error instanceof ReplayError)) throw error;
    this.replayBroken = true;
    this.markReadOnly(error.message);
  }

  /**
   * The cheap part of verification, done at every open: the log must still reach the head
   * checkpoint and hold the same event there. Catches a cut-off tail or a rewritten chain at
   * once; the full walk (verify, or the app's integrity monitor) catches edits in the middle.
   */
  private checkHeadCheckpoint(): void {
    const checkpoint = readCheckpoint(this.store.path);
    if (!checkpoint || checkpoint.position === 0) return;
    const [atCheckpoint] = this.store.readAll({ fromPosition: checkpoint.position, limit: 1 });
    if (atCheckpoint?.position !== checkpoint.position) {
      this.markReadOnly(`the log ends before position ${checkpoint.position}, which the head checkpoint recorded: events were removed`);
    } else if (atCheckpoint.hash !== checkpoint.hash) {
      this.markReadOnly(`the event at position ${checkpoint.position} differs from the head checkpoint: the chain was rewritten`);
    } else {
      const sealProblem = checkpointSealProblem(this.store, checkpoint, this.store.lastPosition());
      if (sealProblem !== undefined) this.markReadOnly(sealProblem);
    }
  }

  private static openStore(options: LedgerOptions): Result<Ledger> {
    try {
      const store = EventStore.open(options.path, {
        readOnly: options.readOnly,
        appVersion: options.appVersion ?? APP_VERSION,
        busyTimeoutMs: options.busyTimeoutMs,
        nativeBinding: options.nativeBinding,
      });
      return succeed(new Ledger(store, options));
    } catch (error) {
      if (error instanceof LedgerFailure) return { ok: false, error: error.error };
      return toStorageFailure(error, options.path);
    }
  }

  close(): void {
    this.listeners.clear();
    this.store.close();
  }

  get path(): string {
    return this.store.path;
  }

  get isOpen(): boolean {
    return this.store.db.open;
  }

  /** Refuses every further command: used when verification finds the log tampered with. */
  markReadOnly(reason: string): void {
    this.readOnlyReason = reason;
  }

  /** The INTEGRITY answer of a read-only ledger, naming why it is read-only. */
  private readOnlyRefusal(what: 'recorded' | 'imported'): Failure {
    return fail('INTEGRITY', `The ledger ${this.path} is read-only (${this.readOnlyReason}); nothing was ${what}`);
  }

  info(): LedgerInfo {
    this.refresh();
    return {
      path: this.store.path,
      appVersion: this.appVersion,
      schemaVersion: LATEST_SCHEMA_VERSION,
      lastPosition: this.projection.lastPosition,
      readOnly: this.readOnlyReason !== undefined,
      ...(this.readOnlyReason === undefined ? {} : { readOnlyReason: this.readOnlyReason }),
    };
  }

  onChange(listener: (change: LedgerChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ── Commands ──────────────────────────────────────────────────────────────────────────

  execute(command: AnyCommand): Result<CommandReceipt> {
    return this.executeBatch([command])[0]!;
  }

  /**
   * Runs commands in order inside ONE write transaction (a refused command writes nothing, so
   * it leaves the others intact; see runIsolated) and answers only after the commit is durable.
   * Batching is what makes bulk `apply` fast: one fsync for many commands.
   * Entries that are already failures (bad input lines) are passed through in place.
   */
  executeBatch(commands: ReadonlyArray<AnyCommand | Failure>): Result<CommandReceipt>[] {
    // A host that verifies in the background records nothing on an unverified chain.
    if (this.verifiesInBackground) this.integrity.verifyNow();
    if (this.readOnlyReason !== undefined) {
      const refusal = this.readOnlyRefusal('recorded');
      return commands.map((command) => ('ok' in command ? command : refusal));
    }
    for (let attempt = 0; ; attempt++) {
      try {
        return this.store.writeTransaction(() => {
          // Read what other processes appended before deciding on top of it. With the write
          // lock held nobody else can append until we commit, so if the projection now ends
          // where the log ends, it is the current state of every account.
          this.refresh();
          this.projectionIsCurrent = !this.replayBroken && this.projection.lastPosition === this.store.lastPosition();
          try {
            return commands.map((command) => ('ok' in command ? command : this.runIsolated(command)));
          } finally {
            this.projectionIsCurrent = false;
            this.reversalLog.forget();
          }
        });
      } catch (error) {
        this.repository.forget();
        this.streamChecks.forget();
        if (isBusy(error) && attempt < BUSY_RETRIES) continue;
        const failure = error instanceof LedgerFailure ? { ok: false as const, error: error.error } : toStorageFailure(error, this.path);
        return commands.map(() => failure);
      }
    }
  }

  // ── Staged batches (the pipelined bulk writer, bulk/pipelined-writer.ts) ──

  /**
   * A basis to stage batches on, or undefined when this ledger must take the plain path
   * (read-only, verifying in the background, a replay that stopped, or a projection that does
   * not end where the log ends). Taken when nothing is staged: the projection is then current.
   */
  beginStaging(): LedgerStagingBasis | undefined {
    if (this.verifiesInBackground || this.readOnlyReason !== undefined || this.replayBroken) return undefined;
    this.refresh();
    const tail = this.store.readTail();
    if (tail.position !== this.projection.lastPosition) return undefined;
    this.repository.forget();
    return { tail, versions: new Map(), commands: new Map() };
  }

  /**
   * Decides a batch exactly as executeBatch would, on the projection plus every batch staged
   * on `basis` before it, and builds its rows without writing them: each goes to `send` as it
   * is built (see EventStore.stage). The answers hold only if the rows are committed onto the
   * very tail they were built on — which the writer's thread checks under the write lock.
   * Returns undefined when this ledger cannot stage now (see beginStaging). If it throws, the
   * basis must be dropped (see dropStaging), and rows already sent belong to no batch.
   */
  stageBatch(commands: ReadonlyArray<AnyCommand | Failure>, basis: LedgerStagingBasis, send: StagedRowSink): StagedBatch | undefined {
    if (this.readOnlyReason !== undefined) return undefined;
    // A reversal reads the log, which does not hold the batches staged before it: the plain path decides it.
    if (commands.some((command) => !('ok' in command) && command.name === 'reverse')) return undefined;
    const records: CommandRecordRow[] = [];
    this.staging = { basis, records };
    // The basis began with the projection at the log's end, and every batch staged since is in
    // the repository's snapshots: deciding on them is deciding on the log as it will be.
    this.projectionIsCurrent = true;
    try {
      const { result, appends } = this.store.stage(
        basis,
        () => commands.map((command) => ('ok' in command ? command : this.runIsolated(command))),
        send,
      );
      return { results: result, appends, commandRecords: records };
    } finally {
      this.staging = undefined;
      this.projectionIsCurrent = false;
    }
  }

  /** A staged batch was committed by the writer's thread: the projection and the listeners hear of it. */
  commitStaged(batch: StagedBatch, basis: LedgerStagingBasis | undefined): void {
    this.store.announceCommitted(batch.appends);
    if (basis !== undefined) for (const [commandId] of batch.commandRecords) basis.commands.delete(commandId);
  }

  /** Forgets what staged batches decided: none of it may be on disk. */
  dropStaging(): void {
    this.repository.forget();
  }

  /**
   * Runs one command of a batch without a savepoint of its own. None is needed: decideAndSave
   * refuses only BEFORE its first write (deciding is pure, and append checks every stream's
   * expectation before it writes a row), and anything thrown after a write rolls back the
   * whole batch. A savepoint per command used to cost about a third of bulk append time
   * (SAVEPOINT, RELEASE, and SQLite copying every page the command touched into its
   * sub-journal). The check below keeps that promise honest: a refusal that comes after a
   * write rolls back the batch rather than leave half a command behind.
   */
  private runIsolated(command: AnyCommand): Result<CommandReceipt> {
    const insertedBefore = this.store.insertCount;
    const result = this.decideAndSave(command);
    if (!result.ok && this.store.insertCount !== insertedBefore) {
      throw new Error(`A ${command.name} command was refused after it had written events (${result.error.code}): bug`);
    }
    return result;
  }

  private decideAndSave(command: AnyCommand): Result<CommandReceipt> {
    const commandId = command.input.commandId;
    const fingerprint = commandId === undefined ? undefined : fingerprintOf(command);
    const earlier = commandId === undefined ? undefined : this.earlierUseOf(commandId);
    if (earlier !== undefined) {
      if (earlier.fingerprint !== fingerprint) {
        return fail('VALIDATION', `The command id ${commandId} was already used for a different command`);
      }
      return succeed({ ...(JSON.parse(earlier.receipt) as CommandReceipt), replayed: true });
    }
    const decided = decideCommand(command, (accountId) => this.loadVerified(accountId), this.reversalLog);
    if (!decided.ok) return decided;
    const metadata: EventMetadata = {
      ...(commandId === undefined ? {} : { commandId, causationId: commandId }),
      correlationId: commandId ?? timeOrderedId(),
      actor: this.actor,
      appVersion: this.appVersion,
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
    if (commandId === undefined || fingerprint === undefined) return succeed(receipt);
    const record: CommandRecordRow = [commandId, fingerprint, receipt.position, JSON.stringify(receipt)];
    if (this.staging === undefined) this.commandStatements.insert.run(record);
    else {
      // Written by the bulk writer's thread with the events; until then, later batches find it here.
      this.staging.records.push(record);
      this.staging.basis.commands.set(commandId, { fingerprint, position: receipt.position, receipt: record[3] });
    }
    return succeed(receipt);
  }

  /**
   * An account's state for a decision, once the events it rests on are known to hold together
   * in the chain. Hosts that verify in the background have verified the whole chain before the
   * batch (executeBatch); every other host checks the account's own stream here. A break
   * turns the ledger read-only and refuses the command (and its batch) with INTEGRITY.
   */
  private loadVerified(accountId: string): AccountState | undefined {
    if (!this.verifiesInBackground) {
      const committedVersion = this.projectionIsCurrent ? (this.projection.accountState(accountId)?.version ?? 0) : undefined;
      const broken = this.streamChecks.check(accountId, committedVersion);
      if (broken !== undefined) {
        this.markReadOnly(`the hash chain is broken at position ${broken.position}: ${broken.reason}`);
        throw new LedgerFailure(this.readOnlyRefusal('recorded').error);
      }
    }
    return this.repository.load(accountId);
  }

  /**
   * The record of an earlier success with this command id: from a batch staged but not yet
   * committed (our own, not on disk yet), else from the commands table. The table sits outside
   * the hash chain, so a record there is trusted only when the event it names really belongs
   * to this command: a forged row must not fake a receipt.
   */
  private earlierUseOf(commandId: string): CommandRecord | undefined {
    const staged = this.staging?.basis.commands.get(commandId);
    if (staged !== undefined) return staged;
    const earlier = this.findCommand(commandId);
    if (earlier === undefined) return undefined;
    const [named] = this.store.readPositions([earlier.position]);
    if (!named || (JSON.parse(named.metadata) as EventMetadata).commandId !== commandId) {
      this.markReadOnly(`the record of command ${commandId} names position ${earlier.position}, which holds no event of that command`);
      throw new LedgerFailure(this.readOnlyRefusal('recorded').error);
    }
    return earlier;
  }

  private findCommand(commandId: string): CommandRecord | undefined {
    return this.commandStatements.find.get(commandId) as CommandRecord | undefined;
  }

  /**
   * The idempotency table's statements, prepared once: the renderer sends a commandId with
   * every command, and preparing both per command cost ~35 µs of a ~0.4 ms durable command.
   */
  private get commandStatements() {
    return (this.preparedCommandStatements ??= {
      insert: this.store.db.prepare(INSERT_COMMAND_RECORD_SQL),
      find: this.store.db.prepare(FIND_COMMAND_RECORD_SQL),
    });
  }

  /** Imports the original exercise's log (see import/legacy-import.ts); all or nothing. */
  importLegacy(text: string, currency: string): Result<LegacyImportSummary> {
    if (this.readOnlyReason !== undefined) return this.readOnlyRefusal('imported');
    try {
      this.refresh();
      return importLegacyLog(this.store, text, currency, this.actor);
    } catch (error) {
      this.repository.forget();
      return toStorageFailure(error, this.path);
    }
  }

  // ── Signed history (history/ledger-history.ts) ──

  /** Seals the head with `key` after checking the events since the last seal; a read-only ledger is refused. */
  seal(key: SigningKey): Result<Seal> {
    return sealLedger(this, key);
  }

  /** Every stored seal, in the order stored. */
  seals(): Result<Seal[]> {
    return ledgerSeals(this);
  }

  /** The seal of the largest tree size, or null. */
  latestSeal(): Result<Seal | null> {
    return latestLedgerSeal(this);
  }

  /** The inclusion proof of the event at `position` in the latest seal's tree. */
  inclusionProof(position: number): Result<InclusionProofFile> {
    return ledgerInclusionProof(this, position);
  }

  /** The consistency proof from the seal of `fromSize` events to the latest seal. */
  consistencyProof(fromSize: number): Result<ConsistencyProofFile> {
    return ledgerConsistencyProof(this, fromSize);
  }

  // ── Export and restore ──

  /**
   * Streams the log as JSON Lines from one consistent snapshot; writes continue meanwhile. With
   * a key, a full export's head is sealed first (and the seal stored) unless that key sealed it already.
   */
  exportJsonLines(out: Writable, filter?: SnapshotFilter, signingKey?: SigningKey): Promise<ExportManifest> {
    const tampered = this.readOnlyReason === 'opened read-only' ? undefined : this.readOnlyReason;
    const sealing = signingKey === undefined ? undefined : sealingFor(this.store, () => historyOf(this), signingKey, tampered);
    return exportJsonLines(this.store.path, out, { filter, nativeBinding: this.store.nativeBinding, sealing });
  }

  /** Streams the audit view with its filters as CSV; resolves to the number of rows. */
  exportCsv(filter: AuditFilter, out: Writable): Promise<number> {
    this.refresh();
    return exportCsv(this.audit, filter, out);
  }

  /**
   * Restores a verified full export into a NEW ledger file at `path`, built under a temporary
   * name beside it and given its name only once restored and verified: a failed or killed
   * restore leaves no ledger behind (see export/export-restore.ts).
   */
  static async restore(
    exportPath: string,
    options: LedgerOptions,
    restore: RestoreOptions & { readonly onRestored?: (summary: RestoreSummary) => void } = {},
  ): Promise<Result<Ledger>> {
    if (existsSync(options.path)) {
      return fail('ALREADY_EXISTS', `The file ${options.path} already exists; restore into a new file`);
    }
    const restored = await restoreIntoNewFile(
      exportPath,
      options.path,
      (path) => {
        const opened = Ledger.open({ ...options, path, verifyInBackground: false });
        return opened.ok ? succeed({ store: opened.value.store, close: () => opened.value.close() }) : opened;
      },
      restore,
    );
    if (restored.ok) restore.onRestored?.(restored.value);
    return restored.ok ? Ledger.open(options) : restored;
  }

  // ── Queries ───────────────────────────────────────────────────────────────────────────

  listAccounts(): AccountView[] {
    this.refresh();
    return this.projection.list();
  }

  getAccount(accountId: string): Result<AccountView> {
    this.refresh();
    const view = this.projection.account(accountId);
    return view ? succeed(view) : fail('NOT_FOUND', `Account ${accountId} does not exist`);
  }

  /** A page of an account's history, oldest first, each entry with the balance right after it. */
  history(accountId: string, fromVersion = 1, limit = 1_000): Result<{ entries: HistoryEntry[]; total: number }> {
    this.refresh();
    const state = this.projection.accountState(accountId);
    if (!state) return fail('NOT_FOUND', `Account ${accountId} does not exist`);
    const rows = this.store.readStream(accountId, fromVersion - 1, limit);
    const entries = rows
      .filter((row) => row.position <= this.projection.lastPosition)
      .map((row) =>
        toHistoryEntry(
          decodeEvent(row),
          state.currency,
          this.projection.balanceAfter(accountId, row.streamVersion)!,
          this.projection.reversedBy(row.position),
        ),
      );
    return succeed({ entries, total: state.version });
  }

  /** One account over one period: opening balance, every line, closing balance (statement/build-statement.ts). */
  statement(request: StatementRequest): Result<AccountStatement> {
    this.refresh();
    return buildStatement(this, request);
  }

  /** The account's balance at up to `points` evenly spread versions (first and last always included). */
  balanceSeries(accountId: string, points = 200): Result<BalanceSeries> {
    this.refresh();
    const state = this.projection.accountState(accountId);
    const timeline = this.projection.timeline(accountId);
    if (!state || !timeline) return fail('NOT_FOUND', `Account ${accountId} does not exist`);
    const total = timeline.length;
    const count = Math.min(points, total);
    const versions = new Set<number>();
    for (let index = 0; index < count; index++) {
      versions.add(count === 1 ? total : 1 + Math.round((index * (total - 1)) / (count - 1)));
    }
    return succeed({
      currency: state.currency,
      total,
      points: [...versions].map((version) => {
        const position = timeline.positionOfVersion(version)!;
        const balanceMinor = timeline.balanceAfterVersion(version)!;
        return {
          version,
          position,
          at: new Date(this.projection.audit.timeAt(position)).toISOString(),
          balance: formatMinor(balanceMinor, state.currency),
          balanceMinor,
        };
      }),
    });
  }

  /** A page of the global log, decoded and upcast; `type` is a current type name (legacy rows match too). */
  events(filter: { fromPosition?: number; limit?: number; streamId?: string; type?: string } = {}): RecordedEvent[] {
    const { type, ...rest } = filter;
    const storeFilter: ReadFilter = type === undefined ? rest : { ...rest, types: storedTypesFor(type) };
    return this.store.readAll(storeFilter).map(decodeEvent);
  }

  /** Walks the whole hash chain and the head checkpoint. */
  verify(): VerifyReport {
    return this.verifier().run();
  }

  /** A verifier the caller steps through (the app runs it in slices to stay responsive). */
  verifier(resumeFrom?: { position: number; hash: string }): ChainVerifier {
    // The verifier reads the checkpoint file: bring it up to our last commit first.
    this.store.flushCheckpoint();
    return new ChainVerifier(this.store.db, this.store.path, resumeFrom);
  }

  /** Replays the whole log into a fresh projection. */
  rebuild(onProgress?: ReplayProgress): { events: number; accounts: number } {
    this.guardReplay(() => this.projection.rebuild(this.store, onProgress));
    return { events: this.projection.lastPosition, accounts: this.projection.list().length };
  }

  /**
   * Catches up with appends made by other processes (the CLI, a second window). PRAGMA
   * data_version makes the no-change case one cheap call. Returns true when something arrived.
   */
  refresh(): boolean {
    if (this.replayBroken) return false;
    const dataVersion = this.store.dataVersion();
    if (dataVersion === this.seenDataVersion) return false;
    this.seenDataVersion = dataVersion;
    let applied = 0;
    this.guardReplay(() => (applied = this.projection.catchUp(this.store)));
    if (applied > 0) this.notify();
    return applied > 0;
  }

  /** The ledger as a change notification tells it; `accounts` undefined means "not known: refetch everything". */
  currentChange(accounts?: readonly string[]): LedgerChange {
    return {
      lastPosition: this.projection.lastPosition,
      ...(accounts === undefined ? {} : { accounts }),
      readOnly: this.readOnlyReason !== undefined,
      ...(this.readOnlyReason === undefined ? {} : { readOnlyReason: this.readOnlyReason }),
      ...(this.verifiesInBackground ? { integrity: this.integrity.status } : {}),
    };
  }

  private notify(accounts?: readonly string[]): void {
    const change = this.currentChange(accounts);
    for (const listener of this.listeners) listener(change);
  }
}

export type { LedgerError };
