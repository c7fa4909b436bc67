/**
 * Notices appends by OTHER processes on the same ledger file (the CLI while the app or the
 * preview is open) without polling: the ledger's folder is watched (fs.watch) for changes to
 * the file and its -wal, and after a short quiet time the ledger catches up (Ledger.refresh),
 * which notifies its onChange listeners like any commit. This process's own writes wake it
 * too; refresh then finds PRAGMA data_version unchanged and does nothing.
 *
 * Only names are compared: nothing is opened, and a ledger path that is a symbolic link is
 * not followed (it is not watched: queries still catch up when they are asked, see
 * handlers.ts). A failing watcher or catch-up is reported once per streak, never thrown.
 */
import { lstatSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/** Quiet time after the last change before catching up: a burst of writes costs one refresh. */
export const SETTLE_MS = 15;
/** A steady stream of writes (a bulk apply) still catches up at least this often. */
export const MAX_SETTLE_MS = 150;
/** After the first catch-up of a streak that failed (a lock held too long), it is tried once more after this long. */
const RETRY_MS = 500;

/** What the watch drives: the ledger's path, and its catch-up (true when something arrived). */
export type RefreshableLedger = { readonly path: string; refresh(): boolean };

export type FileChangeWatch = {
  /** Stops watching; idempotent. No refresh runs after it returns. */
  close(): void;
};

/**
 * Watches `ledger`'s file for appends by other processes and calls ledger.refresh() after
 * each burst. `report` hears each streak of failures once (a watcher that could not start or
 * died, a catch-up that threw); a watcher that died is not restarted.
 */
export function watchForOtherWriters(ledger: RefreshableLedger, report: (message: string, error?: unknown) => void): FileChangeWatch {
  const folder = dirname(ledger.path);
  const names = new Set([basename(ledger.path), `${basename(ledger.path)}-wal`]);
  let closed = false;
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let firstChangeAt: number | undefined;
  let failing = false;

  const catchUp = () => {
    timer = undefined;
    firstChangeAt = undefined;
    if (closed) return;
    try {
      ledger.refresh();
      failing = false;
    } catch (error) {
      // Tried once more after a pause; after that, the next change to the file tries again.
      if (!failing) {
        report(`Could not catch up with changes to ${ledger.path}`, error);
        schedule(RETRY_MS);
      }
      failing = true;
    }
  };
  const schedule = (delay: number) => {
    clearTimeout(timer);
    timer = setTimeout(catchUp, delay);
    timer.unref?.();
  };
  const changed = () => {
    if (closed) return;
    const now = performance.now();
    firstChangeAt ??= now;
    schedule(Math.max(0, Math.min(SETTLE_MS, firstChangeAt + MAX_SETTLE_MS - now)));
  };

  const close = () => {
    closed = true;
    clearTimeout(timer);
    timer = undefined;
    watcher?.close();
    watcher = undefined;
  };

  if (lstatSync(ledger.path, { throwIfNoEntry: false })?.isSymbolicLink()) {
    report(`${ledger.path} is a symbolic link: changes made by other programs show when the ledger is next asked`);
    return { close };
  }
  try {
    watcher = watch(folder, { persistent: false }, (_event, name) => {
      // Some platforms omit the name: then any change in the folder may be the ledger's.
      if (name === null || names.has(name.toString())) changed();
    });
    watcher.on('error', (error) => {
      if (!closed) report(`Stopped watching ${folder} for changes by other programs`, error);
      watcher?.close();
      watcher = undefined;
    });
  } catch (error) {
    report(`Cannot watch ${folder} for changes by other programs`, error);
  }
  return { close };
}
