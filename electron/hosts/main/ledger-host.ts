/**
 * The main process's ownership of THE ledger: which file is open, swapping it for another
 * (File → New / Open / Restore from Export), catching up with appends by other processes
 * (a watch on the file, store/file-changes.ts; no timer), reporting a broken chain the
 * ledger's own notification announces, and fanning change notifications out. The main
 * process is the only process of the app that touches SQLite.
 *
 * Importable without Electron: the opener and the notification sink are parameters, so
 * tests drive it with real ledger files in a temp folder.
 */
import { accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createHandlers, exportToFile, type HandlerTable } from '#engine/handlers';
import { watchForOtherWriters, type FileChangeWatch } from '#engine/store/file-changes';
import { exportSigningKey, type SealingHostServices } from '#engine/sealing/seal-channels';
import type { Ledger } from '#engine/ledger';
import type { ReplayProgress } from '#engine/projection/accounts-projection';
import type { ExportFormat, ExportSummary, IntegrityStatus } from '#shared/audit';
import { fail, succeed, type Result } from '#shared/errors';
import type { LedgerChange, LedgerInfo } from '#shared/ipc-contract';

/** Opens a ledger file, reporting replay progress (main passes Ledger.openInSlices). */
export type LedgerOpener = (path: string, onProgress: ReplayProgress) => Promise<Result<Ledger>>;

/**
 * Restores a verified full export into a NEW ledger file and opens it (main passes
 * Ledger.restore, which refuses an existing file and removes the new one again on failure).
 */
export type LedgerRestorer = (exportPath: string, path: string, options?: { readonly ignoreSeal?: boolean }) => Promise<Result<Ledger>>;

/** What the background verification reports when the chain is broken. */
export type IntegrityFailure = Extract<IntegrityStatus, { state: 'failed' }>;

/** A successful restore: the ledger now open, and what was restored into it. */
export type RestoreSummary = {
  readonly info: LedgerInfo;
  readonly exportPath: string;
  readonly events: number;
  /** Head hash of the restored chain (equal to the export's, or the restore would have failed). */
  readonly head: string;
};

export type LedgerHostOptions = {
  readonly open: LedgerOpener;
  /**
   * Called after every append (ours, or another process's once startWatching has begun),
   * after a switch, and as the ledger's background verification moves or turns it read-only.
   */
  readonly onChange: (change: LedgerChange) => void;
  readonly log?: (message: string, error?: unknown) => void;
  /**
   * Builds the handler table over "the current ledger" (default: createHandlers). Lets main
   * pass host services to the table, e.g. a save dialog for exports.
   */
  readonly createTable?: (getLedger: () => Ledger) => HandlerTable;
  /** File → Restore from Export… (without it, restoreFrom answers a refusal). */
  readonly restore?: LedgerRestorer;
  /**
   * Called ONCE per opened ledger when its background verification (Ledger option
   * verifyInBackground) finds the hash chain broken, from the ledger's own change
   * notification (which also tells the renderer: read-only, with the reason). Nothing is
   * ever repaired.
   */
  readonly onIntegrityFailure?: (failure: IntegrityFailure, info: LedgerInfo) => void;
};

export class LedgerHost {
  private ledger: Ledger | undefined;
  private unsubscribe: (() => void) | undefined;
  private opening: string | undefined;
  private closed = false;
  private pendingChange: LedgerChange | undefined;
  /** True once startWatching was called: each ledger opened after it is watched too. */
  private watching = false;
  private fileWatch: FileChangeWatch | undefined;
  private readonly table: HandlerTable;
  /** The ledger whose integrity failure was already reported (reported once per ledger). */
  private integrityFailureReported: Ledger | undefined;

  constructor(private readonly options: LedgerHostOptions) {
    const getLedger = () => {
      if (!this.ledger) throw new Error('No ledger is open');
      return this.ledger;
    };
    this.table = (options.createTable ?? createHandlers)(getLedger);
  }

  /** The handler table while a ledger is open; undefined before (IPC answers NO_LEDGER_OPEN). */
  handlers(): HandlerTable | undefined {
    return this.ledger ? this.table : undefined;
  }

  /** The open ledger itself, or undefined (sealing on quit reads and seals it). */
  current(): Ledger | undefined {
    return this.ledger;
  }

  /** The open ledger's info, or undefined. */
  info(): LedgerInfo | undefined {
    return this.ledger?.info();
  }

  /** The open ledger as a change notification tells it (see Ledger.currentChange). */
  currentChange(): LedgerChange | undefined {
    return this.ledger?.currentChange();
  }

  /** The open ledger's integrity status (verifying with progress, verified, or failed), or undefined. */
  integrity(): IntegrityStatus | undefined {
    return this.ledger?.integrity.status;
  }

  get path(): string | undefined {
    return this.ledger?.path;
  }

  /** True while a file is being opened (its projection replayed). */
  get isOpening(): boolean {
    return this.opening !== undefined;
  }

  /**
   * Opens `path` and, only when that succeeded, makes it the current ledger: the previous
   * one stays open and in use until then, and is kept if the new file cannot be opened
   * (not a ledger, a newer schema, locked, …). Pushes a change notification on success so
   * the renderer reloads everything it shows.
   */
  async switchTo(path: string, onProgress: ReplayProgress = () => {}): Promise<Result<LedgerInfo>> {
    const target = resolve(path);
    if (this.ledger && !this.closed && this.opening === undefined && resolve(this.ledger.path) === target) {
      return succeed(this.ledger.info());
    }
    const opened = await this.openExclusively(target, () => this.options.open(target, onProgress), 'opened');
    return opened.ok ? succeed(opened.value.info()) : opened;
  }

  /**
   * File → Restore from Export…: restores the export at `exportPath` into the NEW file `path`
   * and, only when that succeeded, makes it the current ledger (with a change notification,
   * like switchTo). On any failure — the export fails verification, the target exists, … —
   * the engine's message comes back and the current ledger stays open and in use. An export
   * whose seal does not hold is refused unless `ignoreSeal` (the person said they trust it).
   */
  async restoreFrom(exportPath: string, path: string, options: { readonly ignoreSeal?: boolean } = {}): Promise<Result<RestoreSummary>> {
    const restore = this.options.restore;
    if (!restore) return fail('VALIDATION', 'Restoring an export is not available here');
    const source = resolve(exportPath);
    const target = resolve(path);
    const restored = await this.openExclusively(target, () => restore(source, target, options), 'restored');
    if (!restored.ok) return restored;
    const info = restored.value.info();
    return succeed({ info, exportPath: source, events: info.lastPosition, head: restored.value.logHead().hash });
  }

  /**
   * File → Export Event Log…: the whole log (no filter) to `path`, written atomically by the
   * engine's exportToFile (the same function the exportEventLog channel uses); a JSON Lines
   * export is sealed with `keys`' key when it can be (sealing/seal-channels.ts: exportSigningKey).
   */
  async exportEventLog(path: string, format: ExportFormat, keys: SealingHostServices = {}): Promise<Result<ExportSummary>> {
    if (!this.ledger) return fail('STORAGE', 'No ledger is open yet; open or create one from the File menu');
    const target = resolve(path);
    // Checked first: exportToFile's file stream reports a missing or read-only folder as an
    // 'error' event nobody listens to yet, which would be an uncaught exception in main.
    try {
      accessSync(dirname(target), constants.W_OK);
    } catch {
      return fail('STORAGE', `The export to ${target} failed: the folder ${dirname(target)} does not exist or cannot be written to`);
    }
    const ledger = this.ledger;
    const key = await exportSigningKey(ledger, keys, format === 'jsonl');
    // The key store may have taken a while: the export is of the ledger that was asked for, or none.
    if (this.ledger !== ledger) return fail('STORAGE', `The ledger ${ledger.path} was closed before its export began; nothing was written`);
    // The save dialog asked before replacing an existing file (export-target.ts still refuses the ledger itself).
    return exportToFile(ledger, target, format, {}, { force: true }, key);
  }

  /**
   * Opens (or restores) `target` while no other open is running, and makes it the current
   * ledger only if that worked; the current ledger is kept otherwise.
   */
  private async openExclusively(target: string, open: () => Promise<Result<Ledger>>, verb: string): Promise<Result<Ledger>> {
    if (this.closed) return fail('STORAGE', 'The app is shutting down');
    if (this.opening !== undefined) {
      return fail('STORAGE', `Still opening ${this.opening}; try again when it is open`);
    }
    this.opening = target;
    let opened: Result<Ledger>;
    try {
      opened = await open();
    } catch (error) {
      // The engine answers envelopes; an exception here is a bug (or a native module built
      // for the wrong runtime). Report it as a failure, keep the current ledger.
      this.options.log?.(`The file ${target} could not be ${verb}`, error);
      opened = fail('STORAGE', `The file ${target} cannot be ${verb} (${error instanceof Error ? error.message : String(error)})`);
    } finally {
      this.opening = undefined;
    }
    if (!opened.ok) return opened;
    if (this.closed) {
      opened.value.close();
      return fail('STORAGE', 'The app is shutting down');
    }
    this.replace(opened.value);
    return opened;
  }

  /**
   * Catches up with appends by other processes now (the file watch calls the ledger's own
   * refresh). Never throws: a failure is logged.
   */
  refresh(): boolean {
    if (!this.ledger) return false;
    try {
      return this.ledger.refresh();
    } catch (error) {
      this.options.log?.('Checking the ledger for changes failed', error);
      return false;
    }
  }

  /**
   * Reports a broken chain found by the background verification: once per ledger, to
   * onIntegrityFailure. Called on each of the ledger's change notifications (the ledger
   * notifies when its verification fails); the status is a field read. Returns true when it
   * reported now.
   */
  checkIntegrity(): boolean {
    const ledger = this.ledger;
    if (!ledger || this.closed || this.integrityFailureReported === ledger) return false;
    const status = ledger.integrity.status;
    if (status.state !== 'failed') return false;
    this.integrityFailureReported = ledger;
    try {
      this.options.onIntegrityFailure?.(status, ledger.info());
    } catch (error) {
      this.options.log?.('Reporting the integrity failure failed', error);
    }
    return true;
  }

  /** Starts watching the open ledger's file (and each one opened later) for other processes' appends. Idempotent. */
  startWatching(): void {
    if (this.watching || this.closed) return;
    this.watching = true;
    this.watchCurrent();
  }

  stopWatching(): void {
    this.watching = false;
    this.fileWatch?.close();
    this.fileWatch = undefined;
  }

  /** Closes the ledger (app quit). Further switches are refused. */
  close(): void {
    this.closed = true;
    this.stopWatching();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.ledger?.close();
    this.ledger = undefined;
  }

  private replace(next: Ledger): void {
    const previous = this.ledger;
    this.unsubscribe?.();
    this.ledger = next;
    this.unsubscribe = next.onChange((change) => {
      this.queueChange(change);
      if (change.integrity?.state === 'failed') this.checkIntegrity();
    });
    if (this.watching) this.watchCurrent();
    if (previous) {
      try {
        previous.close();
      } catch (error) {
        this.options.log?.(`Closing ${previous.path} failed`, error);
      }
    }
    this.queueChange(next.currentChange());
    // A walk that failed before this subscription is reported as well.
    this.checkIntegrity();
  }

  private watchCurrent(): void {
    this.fileWatch?.close();
    this.fileWatch = this.ledger ? watchForOtherWriters(this.ledger, (message, error) => this.options.log?.(message, error)) : undefined;
  }

  /**
   * Coalesces notifications: a bulk append by the CLI or a burst of commands becomes one
   * message per event-loop turn carrying the latest state and every account touched, not
   * one per event.
   */
  private queueChange(change: LedgerChange): void {
    const pending = this.pendingChange;
    const scheduled = pending !== undefined;
    this.pendingChange = pending === undefined ? change : mergedChange(pending, change);
    if (scheduled) return;
    setImmediate(() => {
      const latest = this.pendingChange;
      this.pendingChange = undefined;
      if (latest && !this.closed) this.options.onChange(latest);
    });
  }
}

/** Two changes as one: the later's state, the accounts of both (unknown when either does not know). */
export function mergedChange(earlier: LedgerChange, later: LedgerChange): LedgerChange {
  const { accounts: _later, ...rest } = later;
  if (earlier.accounts === undefined || later.accounts === undefined) return rest;
  return { ...rest, accounts: [...new Set([...earlier.accounts, ...later.accounts])] };
}
