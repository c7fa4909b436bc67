/**
 * Waiting for another process's write lock, off the event loop. The engine's calls are
 * synchronous: a write that waits inside SQLite's busy handler stops the host from answering
 * anything else. So the preview opens the ledger with a busy timeout of PREVIEW_BUSY_TIMEOUT_MS
 * (one attempt blocks at most that long, a few times over), and a command that still finds
 * the file locked is tried again on a timer, while reads and other requests are answered in
 * between. A refusal for a lock means nothing was written (the write transaction never began),
 * and every command from the page carries its commandId, so trying again cannot book twice.
 */
import type { Result } from '#shared/errors';
import { COMMAND_CHANNELS } from '#shared/ipc-contract';
import { dispatch, type HandlerTable } from '#engine/handlers';

/** How long one synchronous attempt may wait inside SQLite for the write lock. */
export const PREVIEW_BUSY_TIMEOUT_MS = 25;
/** Pause between attempts, with the event loop free. */
const RETRY_PAUSE_MS = 100;
/** After this long the command answers the lock's STORAGE failure (as the app does after its busy timeout). */
const GIVE_UP_AFTER_MS = 5_000;

/** A STORAGE failure because the write lock was held (storage-errors.ts records SQLite's code). */
function isLockRefusal(result: Result<unknown>): boolean {
  if (result.ok || result.error.code !== 'STORAGE') return false;
  const code = result.error.details?.sqliteCode;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

function isCommandChannel(channel: string): boolean {
  return Object.prototype.hasOwnProperty.call(COMMAND_CHANNELS, channel);
}

/** dispatch, with commands that meet a held write lock tried again until GIVE_UP_AFTER_MS has passed. */
export async function dispatchWaitingForLock(table: HandlerTable, channel: string, request: unknown): Promise<Result<unknown>> {
  const started = Date.now();
  for (;;) {
    const result = await dispatch(table, channel, request);
    if (!isCommandChannel(channel) || !isLockRefusal(result) || Date.now() - started >= GIVE_UP_AFTER_MS) return result;
    await new Promise((resume) => setTimeout(resume, RETRY_PAUSE_MS));
  }
}
