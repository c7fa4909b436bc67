/**
 * Builds `window.ledger` from the contract: one method per LEDGER_CHANNELS entry, plus
 * onChanged / onNavigate. What the page gets is plain functions that return plain envelopes:
 * never ipcRenderer, never an IpcRendererEvent (whose `sender` IS ipcRenderer), never an
 * Error object (Electron would only carry its message anyway — Podman Desktop's lesson).
 *
 * Layer rule: imports only the shared contract (no electron/engine, no node:*); the
 * ipcRenderer-like object is a parameter so tests run this without Electron.
 */
import type { Failure, Result } from '#shared/errors';
import { isResultEnvelope } from '#shared/result-envelope';
import type { LedgerApi } from '#shared/ipc-contract';
// Names only (no zod): keeps the sandboxed preload bundle small.
import {
  CHANGE_NOTIFICATION_CHANNEL,
  CHANNEL_NAMES,
  NAVIGATE_CHANNEL,
  SCREENS,
  ipcChannelName,
  type LedgerChange,
  type LedgerChannel,
  type Screen,
  readLedgerChange,
} from '#shared/ipc-channels';

/** The part of Electron's ipcRenderer the API uses. */
export type IpcRendererLike = {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
};

function failure(code: Failure['error']['code'], message: string): Failure {
  return { ok: false, error: { code, message } };
}

export function createLedgerApi(ipc: IpcRendererLike): LedgerApi {
  const call = async (channel: LedgerChannel, request: unknown): Promise<Result<unknown>> => {
    try {
      const reply: unknown = await ipc.invoke(ipcChannelName(channel), request);
      return isResultEnvelope(reply) ? reply : failure('STORAGE', 'The app answered with something that is not a ledger reply');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // Structured clone refuses functions, DOM nodes, symbols…: the caller sent garbage.
      if (/could not be cloned/i.test(message))
        return failure('VALIDATION', 'The request contains values that cannot be sent (functions or similar)');
      return failure('STORAGE', 'The request could not reach the ledger');
    }
  };

  const methods: Record<string, (request?: unknown) => Promise<Result<unknown>>> = {};
  for (const channel of CHANNEL_NAMES) methods[channel] = (request?: unknown) => call(channel, request);

  const onChanged = (listener: (change: LedgerChange) => void): (() => void) => {
    if (typeof listener !== 'function') return () => {};
    const relay = (_event: unknown, change: unknown) => {
      const checked = readLedgerChange(change);
      if (checked !== undefined) listener(checked);
    };
    ipc.on(CHANGE_NOTIFICATION_CHANNEL, relay);
    return () => void ipc.removeListener(CHANGE_NOTIFICATION_CHANNEL, relay);
  };

  const onNavigate = (listener: (screen: Screen) => void): (() => void) => {
    if (typeof listener !== 'function') return () => {};
    const relay = (_event: unknown, screen: unknown) => {
      if ((SCREENS as readonly unknown[]).includes(screen)) listener(screen as Screen);
    };
    ipc.on(NAVIGATE_CHANNEL, relay);
    return () => void ipc.removeListener(NAVIGATE_CHANNEL, relay);
  };

  return Object.freeze({ ...methods, onChanged, onNavigate }) as unknown as LedgerApi;
}
