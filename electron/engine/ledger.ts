/**
 * The engine: one ledger file, its write model and read model, behind one object. Every entry
 * point — IPC, CLI, preview host, tests, bench — goes through `executeBatch` for commands and
 * the query methods for reads; nothing is implemented twice. Its parts live in ledger/: the
 * write side (command-runner.ts, idempotency in command-log.ts), the reads (account-queries.ts),
 * the bulk writer's staging (bulk-staging.ts), opening and replaying (opening-checks.ts,
 * replay-guard.ts), read-only state and change notifications (ledger-status.ts), and import,
 * export and restore (log-transfers.ts). The file and the projection stay private to them.
 */
import type { Writable } from 'node:stream';
import type { AuditFilter } from '#shared/audit';
import type { AnyCommand, CommandReceipt } from '#shared/commands';
import { LedgerFailure, succeed, type Failure, type LedgerError, type Result } from '#shared/errors';
import type { RecordedEvent } from '#shared/events';
import type { LedgerChange, LedgerInfo } from '#shared/ipc-contract';
import type { Statement as AccountStatement, StatementRequest } from '#shared/statement';
import type { AccountPage, AccountView, BalanceSeries, HistoryEntry } from '#shared/views';
import { APP_VERSION } from './app-version';
import { AuditQueries } from './audit/audit-queries';
import { IntegrityMonitor } from './audit/integrity-monitor';
import type { ExportManifest } from './export/export-format';
import type { RestoreOptions, RestoreSummary } from './export/export-restore';
import type { SnapshotFilter } from './export/jsonl-export';
import type { LegacyImportSummary } from './import/legacy-import';
import { SignedHistory } from './history/signed-history';
import { latestLedgerSeal, ledgerConsistencyProof, ledgerInclusionProof, ledgerSeals, sealLedger } from './history/ledger-history';
import type { ConsistencyProofFile, InclusionProofFile } from './signing/proof-file';
import type { Seal } from './signing/seal';
import { AccountsProjection, type ReplayProgress } from './projection/accounts-projection';
import { unverifiedFrom, type AccountPageRequest } from './projection/account-list';
import type { SigningKey } from './signing/keys';
import { checkpointSealer } from './store/checkpoint-seal';
import type { EventStore } from './store/event-store';
import { LATEST_SCHEMA_VERSION } from './store/schema';
import { ChainVerifier, type VerifyReport } from './store/verify';
import { AccountQueries, type EventsFilter } from './ledger/account-queries';
import { BulkStaging } from './ledger/bulk-staging';
import { CommandRunner } from './ledger/command-runner';
import { openOnStore, replayAndCheck } from './ledger/opening-checks';
import { ReplayGuard } from './ledger/replay-guard';
import { LogTransfers, restoreNewFile, type NewFileRestoreOptions } from './ledger/log-transfers';
import type { LedgerOptions } from './ledger/ledger-options';
import { LedgerStatus } from './ledger/ledger-status';

export type { LedgerOptions } from './ledger/ledger-options';
export type { LedgerStagingBasis, StagedBatch } from './ledger/bulk-staging';

export class Ledger {
  private readonly store: EventStore;
  private readonly projection = new AccountsProjection();
  /** Read-only audit queries on the log and the projection's audit index. */
  readonly audit: AuditQueries;
  /** Integrity status of the chain, verified in slices (see audit/integrity-monitor.ts). */
  readonly integrity: IntegrityMonitor;
  private readonly runner: CommandRunner;
  private readonly queries: AccountQueries;
  private readonly replay: ReplayGuard;
  private readonly transfers: LogTransfers;
  private madeHistory: SignedHistory | undefined;
  private readonly busyTimeoutMs: number | undefined;
  private readonly actor: string;
  private readonly appVersion: string;
  /** Read-only or not, and who hears of changes. */
  private readonly status: LedgerStatus;
  private seenDataVersion: number;
  private readonly verifiesInBackground: boolean;

  private constructor(store: EventStore, options: LedgerOptions) {
    this.store = store;
    this.verifiesInBackground = options.verifyInBackground ?? false;
    this.busyTimeoutMs = options.busyTimeoutMs;
    this.actor = options.actor ?? 'unknown';
    this.appVersion = options.appVersion ?? APP_VERSION;
    const snapshot = () => ({
      lastPosition: this.projection.lastPosition,
      ...(this.verifiesInBackground ? { integrity: this.integrity.status } : {}),
    });
    this.status = new LedgerStatus(store.path, snapshot, options.readOnly ? 'opened read-only' : undefined);
    this.replay = new ReplayGuard(store.path, this.projection, (reason) => this.markReadOnly(reason));
    this.runner = new CommandRunner(store, this.projection, {
      actor: this.actor,
      appVersion: this.appVersion,
      verifiesInBackground: this.verifiesInBackground,
      refuse: (reason) => {
        this.markReadOnly(reason);
        throw new LedgerFailure(this.status.refusal('recorded').error);
      },
      catchUp: () => {
        this.refresh();
        return !this.replay.broken;
      },
    });
    this.queries = new AccountQueries(store, this.projection, () => this.refresh());
    this.audit = new AuditQueries(store, this.projection);
    this.transfers = new LogTransfers(store, this.audit, {
      actor: this.actor,
      readOnlyReason: () => this.status.readOnlyReason,
      refusal: (what) => this.status.refusal(what),
      signedHistory: () => this.signedHistory(),
      catchUp: () => void this.refresh(),
      rebuild: () => void this.rebuild(),
      forget: () => this.runner.forget(),
    });
    // Every status transition reaches the listeners; a broken chain also turns the ledger read-only.
    this.integrity = new IntegrityMonitor(this, () => this.status.notify([]));
    if (options.signingKey !== undefined && !store.readOnly) store.sealCheckpointsWith(checkpointSealer(store, options.signingKey));
    this.seenDataVersion = store.dataVersion();
    store.subscribe((events) => {
      this.replay.run(() => this.projection.applyCommitted(store, events));
      // An empty list means "too many to list": the accounts touched are then not known.
      this.logGrew(events.length === 0 ? undefined : [...new Set(events.map((event) => event.streamId))]);
    });
  }

  /** Opens a ledger file and rebuilds its projection. A refusal is a STORAGE failure naming the file. */
  static open(options: LedgerOptions): Result<Ledger> {
    const opened = openOnStore(options, (store) => new Ledger(store, options));
    if (!opened.ok) return opened;
    const ledger = opened.value;
    return ledger.finishOpening(() => ledger.replay.run(() => ledger.projection.rebuild(ledger.store, options.onReplayProgress)));
  }

  /** Like open, but replays in slices that yield to the event loop (Electron's main process). */
  static async openInSlices(options: LedgerOptions): Promise<Result<Ledger>> {
    const opened = openOnStore(options, (store) => new Ledger(store, options));
    if (!opened.ok) return opened;
    const ledger = opened.value;
    let replayed: unknown;
    await ledger.projection.catchUpInSlices(ledger.store, options.onReplayProgress).catch((error: unknown) => (replayed = error));
    return ledger.finishOpening(() => {
      if (replayed !== undefined) ledger.replay.failed(replayed);
    });
  }

  /** The cheap checks once replayed (see ledger/opening-checks.ts), then (in app hosts) the full walk in the background. */
  private finishOpening(replay: () => void): Result<Ledger> {
    const refused = replayAndCheck(this.store, replay, (reason) => this.markReadOnly(reason));
    if (refused !== undefined) {
      this.close();
      return refused;
    }
    if (this.verifiesInBackground) void this.integrity.verify();
    return succeed(this);
  }

  close(): void {
    this.status.clear();
    this.store.close();
  }

  get path(): string {
    return this.store.path;
  }

  get isOpen(): boolean {
    return this.store.db.open;
  }

  /** The last position the projection holds: what every read is built up to (see refresh). */
  get lastPosition(): number {
    return this.projection.lastPosition;
  }

  /** The log's last event as the file holds it now (position 0 and the genesis hash when empty). */
  logHead(): { readonly position: number; readonly hash: string } {
    return this.store.readTail();
  }

  /** Writes the head checkpoint now; it otherwise follows the commits a moment later. */
  flushCheckpoint(): void {
    this.store.flushCheckpoint();
  }

  /** Refuses every further command: used when verification finds the log tampered with. The listeners hear of it. */
  markReadOnly(reason: string): void {
    this.status.markReadOnly(reason);
  }

  info(): LedgerInfo {
    this.refresh();
    const { lastPosition, readOnly, readOnlyReason } = this.currentChange();
    const reason = readOnlyReason === undefined ? {} : { readOnlyReason };
    return { path: this.path, appVersion: this.appVersion, schemaVersion: LATEST_SCHEMA_VERSION, lastPosition, readOnly, ...reason };
  }

  onChange(listener: (change: LedgerChange) => void): () => void {
    return this.status.onChange(listener);
  }

  /** The ledger as a change notification tells it; `accounts` undefined means "not known: refetch everything". */
  currentChange(accounts?: readonly string[]): LedgerChange {
    return this.status.current(accounts);
  }

  // ── Commands ──

  execute(command: AnyCommand): Result<CommandReceipt> {
    return this.executeBatch([command])[0]!;
  }

  /**
   * Runs commands in order inside ONE write transaction and answers only after the commit is
   * durable (see CommandRunner.writeBatch). Batching is what makes bulk `apply` fast: one
   * fsync for many commands. Entries that are already failures are passed through in place.
   */
  executeBatch(commands: ReadonlyArray<AnyCommand | Failure>): Result<CommandReceipt>[] {
    // A host that verifies in the background records nothing on an unverified chain.
    if (this.verifiesInBackground) this.integrity.verifyNow(this.knownLogEnd());
    if (this.status.readOnlyReason !== undefined) {
      const refusal = this.status.refusal('recorded');
      return commands.map((command) => ('ok' in command ? command : refusal));
    }
    return this.runner.writeBatch(commands);
  }

  /** Staging for the pipelined bulk writer (bulk/pipelined-writer.ts): batches decided here, committed by its thread. */
  bulkStaging(): BulkStaging {
    return new BulkStaging(this.store, this.projection, this.runner, {
      cannotStage: () => this.verifiesInBackground || this.status.readOnlyReason !== undefined || this.replay.broken,
      catchUp: () => void this.refresh(),
      busyTimeoutMs: this.busyTimeoutMs,
    });
  }

  // ── Signed history (history/ledger-history.ts) ──

  /** The ledger's signed history: seals, proofs (made once per ledger). */
  signedHistory(): SignedHistory {
    return (this.madeHistory ??= new SignedHistory(this.store));
  }

  seal(key: SigningKey): Result<Seal> {
    return sealLedger(this, key);
  }

  seals(): Result<Seal[]> {
    return ledgerSeals(this);
  }

  latestSeal(): Result<Seal | null> {
    return latestLedgerSeal(this);
  }

  inclusionProof(position: number): Result<InclusionProofFile> {
    return ledgerInclusionProof(this, position);
  }

  consistencyProof(fromSize: number): Result<ConsistencyProofFile> {
    return ledgerConsistencyProof(this, fromSize);
  }

  // ── Import, export and restore (ledger/log-transfers.ts) ──

  importLegacy(text: string, currency: string): Result<LegacyImportSummary> {
    return this.transfers.importLegacy(text, currency);
  }

  exportJsonLines(out: Writable, filter?: SnapshotFilter, signingKey?: SigningKey): Promise<ExportManifest> {
    return this.transfers.exportJsonLines(out, filter, signingKey);
  }

  exportCsv(filter: AuditFilter, out: Writable): Promise<number> {
    return this.transfers.exportCsv(filter, out);
  }

  restoreExport(exportPath: string, options?: RestoreOptions): Promise<Result<RestoreSummary>> {
    return this.transfers.restoreExport(exportPath, options);
  }

  /** Restores a verified full export into a NEW ledger file at `options.path`, then opens it (see restoreNewFile). */
  static async restore(exportPath: string, options: LedgerOptions, restore: NewFileRestoreOptions = {}): Promise<Result<Ledger>> {
    const openStore = (path: string) => {
      const opened = Ledger.open({ ...options, path, verifyInBackground: false });
      return opened.ok ? succeed({ store: opened.value.store, close: () => opened.value.close() }) : opened;
    };
    const restored = await restoreNewFile(exportPath, options.path, openStore, restore);
    return restored.ok ? Ledger.open(options) : restored;
  }

  // ── Queries (ledger/account-queries.ts) ──

  listAccounts(): AccountView[] {
    return this.queries.listAccounts();
  }

  getAccount(accountId: string): Result<AccountView> {
    return this.queries.getAccount(accountId);
  }

  /** A page of the accounts list, marking what the hash chain cannot vouch for once verification failed. */
  accountsPage(request: AccountPageRequest): AccountPage {
    return this.queries.accountsPage(request, unverifiedFrom(this.integrity.status));
  }

  /** A page of an account's history, oldest first, each entry with the balance right after it. */
  history(accountId: string, fromVersion?: number, limit?: number): Result<{ entries: HistoryEntry[]; total: number }> {
    return this.queries.history(accountId, fromVersion, limit);
  }

  statement(request: StatementRequest): Result<AccountStatement> {
    return this.queries.statement(request);
  }

  balanceSeries(accountId: string, points?: number): Result<BalanceSeries> {
    return this.queries.balanceSeries(accountId, points);
  }

  events(filter?: EventsFilter): RecordedEvent[] {
    return this.queries.events(filter);
  }

  reversedBy(position: number): number | undefined {
    return this.queries.reversedBy(position);
  }

  /** The event the reads are built up to, with its hash (what a statement names as the ledger's head). */
  readHead(): { readonly position: number; readonly hash: string } {
    return this.queries.readHead();
  }

  /** Walks the whole hash chain and the head checkpoint. */
  verify(): VerifyReport {
    return this.verifier().run();
  }

  /** A verifier the caller steps through (the app runs it in slices to stay responsive). */
  verifier(resumeFrom?: { position: number; hash: string }): ChainVerifier {
    // A whole walk reads the checkpoint file: bring it up to our last commit first. A resumed
    // walk (one per command in app hosts) takes it as it is: it may lag our commits by
    // CHECKPOINT_DELAY_MS, which the walk accepts (store/head-checkpoint.ts), never lead them.
    if (resumeFrom === undefined) this.store.flushCheckpoint();
    return new ChainVerifier(this.store.db, this.store.path, resumeFrom);
  }

  /** Replays the whole log into a fresh projection. */
  rebuild(onProgress?: ReplayProgress): { events: number; accounts: number } {
    this.replay.run(() => this.projection.rebuild(this.store, onProgress));
    return { events: this.projection.lastPosition, accounts: this.projection.list().length };
  }

  /**
   * Catches up with appends made by other processes (the CLI, a second window). PRAGMA
   * data_version makes the no-change case one cheap call. Returns true when something arrived.
   */
  refresh(): boolean {
    if (this.replay.broken) return false;
    const dataVersion = this.store.dataVersion();
    if (dataVersion === this.seenDataVersion) return false;
    this.seenDataVersion = dataVersion;
    let applied = 0;
    this.replay.run(() => (applied = this.projection.catchUp(this.store)));
    if (applied > 0) this.logGrew();
    return applied > 0;
  }

  /**
   * The log's last position when it is known without reading the log: no other connection has
   * committed since refresh looked (PRAGMA data_version, one prepared statement), so every
   * append since was ours and reached the projection through the store's subscriber.
   */
  private knownLogEnd(): number | undefined {
    if (this.replay.broken || this.store.dataVersion() !== this.seenDataVersion) return undefined;
    return this.projection.lastPosition;
  }

  /** New events reached the projection: the listeners hear which accounts grew, and the background walk covers them. */
  private logGrew(accounts?: readonly string[]): void {
    this.status.notify(accounts);
    if (this.verifiesInBackground) void this.integrity.verify();
  }
}

export type { LedgerError };
