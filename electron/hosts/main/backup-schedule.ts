/**
 * When the app backs up its open ledger, without the person thinking about it:
 *   - daily: an hourly check (the first a little after startup) backs up when the newest
 *     backup of this ledger is a day old or more AND the ledger changed since it;
 *   - on quit: when the ledger changed since its newest backup, quitting waits for one more
 *     backup (at most QUIT_BACKUP_LIMIT_MS; a backup stopped then leaves nothing behind);
 *   - File → Back Up Now: at once.
 * Backups run one at a time. An empty ledger and a read-only one (its chain failed to verify:
 * a backup of it would not verify either) are not backed up by the schedule.
 *
 * Importable without Electron: the backup itself and the ledger's state are parameters.
 */
import { fail, type Result } from '#shared/errors';
import type { NewestBackup } from '#engine/backup/list-backups';
import type { RollingBackupSummary } from '#engine/backup/rolling-backup';

export const DAILY_MS = 86_400_000;
export const CHECK_EVERY_MS = 3_600_000;
export const FIRST_CHECK_AFTER_MS = 120_000;
export const QUIT_BACKUP_LIMIT_MS = 60_000;

export type BackupTarget = { readonly path: string; readonly lastPosition: number; readonly readOnly: boolean };

export type BackupScheduleOptions = {
  /** The open ledger, or undefined. */
  readonly target: () => BackupTarget | undefined;
  /** Makes one backup (and applies the retention policy). */
  readonly backUp: (ledgerPath: string, signal?: AbortSignal) => Promise<Result<RollingBackupSummary>>;
  /** The newest backup of that ledger in the backup folder. */
  readonly newestBackup: (ledgerPath: string) => Promise<NewestBackup | undefined>;
  readonly now?: () => number;
  readonly checkEveryMs?: number;
  readonly firstCheckAfterMs?: number;
  readonly quitLimitMs?: number;
  readonly log?: (message: string, error?: unknown) => void;
};

export class BackupSchedule {
  private timers: Array<ReturnType<typeof setTimeout>> = [];
  /** Newest backup per ledger path, once looked up or made (null: none). */
  private readonly newest = new Map<string, { time: number; position: number } | null>();
  private queue: Promise<unknown> = Promise.resolve();
  private quitting = false;

  constructor(private readonly options: BackupScheduleOptions) {}

  start(): void {
    this.stop();
    const check = () => void this.dailyCheck().catch((error: unknown) => this.options.log?.('The daily backup failed', error));
    const first = setTimeout(check, this.options.firstCheckAfterMs ?? FIRST_CHECK_AFTER_MS);
    const every = setInterval(check, this.options.checkEveryMs ?? CHECK_EVERY_MS);
    // Timers never keep the app alive on their own.
    first.unref?.();
    every.unref?.();
    this.timers = [first, every];
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }

  /** The backup folder changed: what is newest there is looked up again. */
  folderChanged(): void {
    this.newest.clear();
  }

  /** Backs up when the newest backup is a day old (or missing) and the ledger changed since. */
  async dailyCheck(): Promise<Result<RollingBackupSummary> | undefined> {
    const target = this.backupWorthy();
    if (!target) return undefined;
    const newest = await this.newestOf(target.path);
    if (newest && (this.now() - newest.time < DAILY_MS || newest.position === target.lastPosition)) return undefined;
    return this.backUpNow();
  }

  /** True when the open ledger holds events its newest backup does not. */
  async changedSinceBackup(): Promise<boolean> {
    const target = this.backupWorthy();
    if (!target) return false;
    const newest = await this.newestOf(target.path);
    return !newest || newest.position !== target.lastPosition;
  }

  /** One backup of the open ledger now, after any backup already running. */
  backUpNow(signal?: AbortSignal): Promise<Result<RollingBackupSummary>> {
    const run = this.queue.then(async (): Promise<Result<RollingBackupSummary>> => {
      const target = this.options.target();
      if (!target) return fail('NOT_FOUND', 'No ledger is open, so there is nothing to back up');
      const made = await this.options.backUp(target.path, signal);
      if (made.ok) this.newest.set(target.path, { time: Date.parse(made.value.time), position: made.value.position });
      return made;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Electron's before-quit: the first time, quitting is held while a backup of a changed
   * ledger is made, then `quit` is called again; that second time passes straight through.
   */
  onBeforeQuit(event: { preventDefault(): void }, quit: () => void): void {
    if (this.quitting) return;
    this.quitting = true;
    this.stop();
    event.preventDefault();
    const controller = new AbortController();
    const limit = setTimeout(() => controller.abort(), this.options.quitLimitMs ?? QUIT_BACKUP_LIMIT_MS);
    void (async () => {
      try {
        if (await this.changedSinceBackup()) {
          const made = await this.backUpNow(controller.signal);
          if (!made.ok) this.options.log?.(`No backup on quit: ${made.error.message}`);
        }
      } catch (error) {
        this.options.log?.('The backup on quit failed', error);
      } finally {
        clearTimeout(limit);
        quit();
      }
    })();
  }

  private backupWorthy(): BackupTarget | undefined {
    const target = this.options.target();
    return target && !target.readOnly && target.lastPosition > 0 ? target : undefined;
  }

  private async newestOf(path: string): Promise<{ time: number; position: number } | undefined> {
    if (!this.newest.has(path)) {
      const found = await this.options.newestBackup(path);
      this.newest.set(path, found ? { time: found.time.getTime(), position: found.position } : null);
    }
    return this.newest.get(path) ?? undefined;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}
