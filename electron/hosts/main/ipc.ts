/**
 * The main-process end of the IPC contract: ONE `ipcMain.handle` per contract channel.
 * Each handler
 *   1. checks the sender (the app's own top-level page, electron-guards.ts: isTrustedSender),
 *   2. validates the payload and calls the engine through the shared handler table
 *      (electron/engine/handlers.ts: dispatch, zod schemas from shared/),
 *   3. answers the Result envelope (a Promise of it; ipcMain.handle awaits it). Domain errors and refusals are values; nothing a page
 *      can send makes a handler throw (Electron would only carry error.message across).
 *
 * Importable without Electron: it takes the ipcMain-like object as a parameter.
 */
import { dispatch, type HandlerTable } from '#engine/handlers';
import { fail, type Failure, type Result } from '#shared/errors';
import { CHANNEL_NAMES, ipcChannelName, type LedgerChannel } from '#shared/ipc-contract';
import { isTrustedSender, type SenderFrame } from './electron-guards';

/** The part of Electron's IpcMainInvokeEvent a handler reads. */
export type InvokeEvent = { readonly senderFrame: SenderFrame | null };

/** The part of Electron's ipcMain the registration uses (tests pass a Map-backed fake). */
export type IpcMainLike = {
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => unknown): void;
};

export type IpcOptions = {
  /** Defaults to electron-guards.ts's isTrustedSender; injectable only for tests of this module. */
  readonly isTrustedSender?: (frame: SenderFrame | null) => boolean;
  /** Where refusals are reported (main passes console.warn). */
  readonly log?: (message: string) => void;
};

/** What a refused sender gets. Deliberately says nothing about why or what exists. */
export const UNKNOWN_SENDER_REFUSAL: Failure = fail('VALIDATION', 'Request refused: unknown sender');

/** What the page gets while no ledger is open (startup replay, or a file that failed to open). */
export const NO_LEDGER_OPEN: Failure = fail('STORAGE', 'No ledger is open yet; open or create one from the File menu');

/**
 * Answers one invoke. Exported so tests can call it directly as well as through a fake ipcMain.
 * `args` are everything the page passed after the channel name: exactly one request (which may
 * be undefined for queries without input) is accepted.
 */
export async function answerInvoke(
  channel: LedgerChannel,
  event: InvokeEvent | null | undefined,
  args: readonly unknown[],
  getTable: () => HandlerTable | undefined,
  options: IpcOptions = {},
): Promise<Result<unknown>> {
  const trusted = options.isTrustedSender ?? isTrustedSender;
  const log = options.log ?? (() => {});
  try {
    const frame = event?.senderFrame ?? null;
    if (!trusted(frame)) {
      log(`Refused ${ipcChannelName(channel)} from ${describeFrame(frame)}`);
      return UNKNOWN_SENDER_REFUSAL;
    }
    if (args.length > 1) {
      return fail('VALIDATION', `A ${channel} request takes one argument, not ${args.length}`);
    }
    const table = getTable();
    if (table === undefined) return NO_LEDGER_OPEN;
    // Awaited: a channel may answer asynchronously (one that shows a dialog, for instance).
    return await dispatch(table, channel, args[0]);
  } catch (error) {
    // Only a bug gets here (dispatch already turns engine bugs into envelopes).
    console.error(`IPC ${channel} failed`, error);
    return fail('STORAGE', 'The ledger could not complete the request because of an internal error');
  }
}

/**
 * Registers one handler per contract channel, named ipcChannelName(channel) ("ledger:deposit").
 * `getTable` is read on every call, so File → Open can swap the ledger underneath.
 * Returns the registered IPC channel names.
 */
export function registerIpcHandlers(ipcMain: IpcMainLike, getTable: () => HandlerTable | undefined, options: IpcOptions = {}): string[] {
  return CHANNEL_NAMES.map((channel) => {
    const name = ipcChannelName(channel);
    ipcMain.handle(name, (event: InvokeEvent, ...args: unknown[]) => answerInvoke(channel, event, args, getTable, options));
    return name;
  });
}

function describeFrame(frame: SenderFrame | null): string {
  if (frame === null) return 'a frame that no longer exists';
  const url = typeof frame.url === 'string' ? frame.url.slice(0, 120) : '(no URL)';
  return frame.parent === null ? url : `a sub-frame at ${url}`;
}
