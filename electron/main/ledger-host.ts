/**
 * The main process's ownership of THE ledger: which file is open, swapping it for another
 * (File → New / Open), catching up with appends by other processes, and fanning change
 * notifications out. The main process is the only process of the app that touches SQLite.
 *
 * Importable without Electron: the opener and the notification sink are parameters, so
 * tests drive it with real ledger files in a temp folder.
 */
import { resolve } from 'node:path';
import { createHandlers, type HandlerTable } from '../core/handlers';
import type { Ledger } from '../core/ledger';
import type { ReplayProgress } from '../core/projection/accounts-projection';
import { fail, succeed, type Result } from '../../shared/errors';
import type { LedgerChange, LedgerInfo } from '../../shared/ipc-contract';

/** Opens a ledger file, reporting replay progress (main passes Ledger.openInSlices). */
export type LedgerOpener = (path: string, onProgress: ReplayProgress) => Promise<Result<Ledger>>;

export type LedgerHostOptions = {
  readonly open: LedgerOpener;
  /** Called after every append (ours or another process's) and after a switch. */
  readonly onChange: (change: LedgerChange) => void;
  /**
   * How often to look for appends by other processes (the CLI on the same file). One
   * PRAGMA data_version per tick when nothing changed, so 250 ms costs nothing.
   */
  readonly refreshIntervalMs?: number;
  readonly log?: (message: string, error?: unknown) => void;
  /**
   * Builds the handler table over "the current ledger" (default: createHandlers). Lets main
   * pass host services to the table, e.g. a save dialog for exports.
   */
  readonly createTable?: (getLedger: () => Ledger) => HandlerTable;
};

export const DEFAULT_REFRESH_INTERVAL_MS = 250;

export class LedgerHost {
  private ledger: Ledger | undefined;
  private unsubscribe: (() => void) | undefined;
  private opening: string | undefined;
  private closed = false;
  private pendingChange: LedgerChange | undefined;
  private refreshTimer: ReturnType<typeof setInterval> | undefined;
  private readonly table: HandlerTable;

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

  /** The open ledger's info, or undefined. */
  info(): LedgerInfo | undefined {
    return this.ledger?.info();
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
    if (this.closed) return fail('STORAGE', 'The app is shutting down');
    const target = resolve(path);
    if (this.opening !== undefined) {
      return fail('STORAGE', `Still opening ${this.opening}; try again when it is open`);
    }
    if (this.ledger && resolve(this.ledger.path) === target) return succeed(this.ledger.info());
    this.opening = target;
    let opened: Result<Ledger>;
    try {
      opened = await this.options.open(target, onProgress);
    } catch (error) {
      // The engine answers envelopes; an exception here is a bug (or a native module built
      // for the wrong runtime). Report it as a failure to open, keep the current ledger.
      this.options.log?.(`Opening ${target} failed`, error);
      opened = fail('STORAGE', `The file ${target} cannot be opened (${error instanceof Error ? error.message : String(error)})`);
    } finally {
      this.opening = undefined;
    }
    if (!opened.ok) return opened;
    if (this.closed) {
      opened.value.close();
      return fail('STORAGE', 'The app is shutting down');
    }
    this.replace(opened.value);
    return succeed(opened.value.info());
  }

  /**
   * Looks for appends by other processes now; the timer calls this every refreshIntervalMs.
   * Never throws (a failing poll is logged and retried on the next tick).
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

  /** Starts polling for other processes' appends. Idempotent. */
  startWatching(): void {
    if (this.refreshTimer !== undefined || this.closed) return;
    this.refreshTimer = setInterval(() => this.refresh(), this.options.refreshIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS);
    this.refreshTimer.unref?.();
  }

  stopWatching(): void {
    if (this.refreshTimer !== undefined) clearInterval(this.refreshTimer);
    this.refreshTimer = undefined;
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
    this.unsubscribe = next.onChange((change) => this.queueChange(change));
    if (previous) {
      try {
        previous.close();
      } catch (error) {
        this.options.log?.(`Closing ${previous.path} failed`, error);
      }
    }
    this.queueChange({ lastPosition: next.info().lastPosition });
  }

  /**
   * Coalesces notifications: a bulk append by the CLI or a burst of commands becomes one
   * message per event-loop turn carrying the latest position, not one per event.
   */
  private queueChange(change: LedgerChange): void {
    const scheduled = this.pendingChange !== undefined;
    this.pendingChange = change;
    if (scheduled) return;
    setImmediate(() => {
      const latest = this.pendingChange;
      this.pendingChange = undefined;
      if (latest && !this.closed) this.options.onChange(latest);
    });
  }
}
