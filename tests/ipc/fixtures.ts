/**
 * Fixtures for the IPC and Electron-layer tests: REAL ledgers in temp folders (no mocked
 * store) and a small in-process stand-in for Electron's IPC (ipcMain.handle / ipcRenderer
 * .invoke) that structured-clones arguments the way Electron does.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '#engine/ledger';
import type { SenderFrame } from '../../electron/hosts/main/electron-guards';
import type { InvokeEvent } from '../../electron/hosts/main/ipc';

export type TempLedger = { readonly ledger: Ledger; readonly path: string; readonly folder: string; cleanup(): void };

/** A new ledger file in a fresh temp folder. */
export function tempLedger(name = 'ledger.db'): TempLedger {
  const folder = mkdtempSync(join(tmpdir(), 'ledger-ipc-'));
  const path = join(folder, name);
  const opened = Ledger.open({ path, actor: 'test' });
  if (!opened.ok) throw new Error(opened.error.message);
  return {
    ledger: opened.value,
    path,
    folder,
    cleanup() {
      opened.value.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

export function tempFolder(): { readonly folder: string; cleanup(): void } {
  const folder = mkdtempSync(join(tmpdir(), 'ledger-electron-'));
  return { folder, cleanup: () => rmSync(folder, { recursive: true, force: true }) };
}

/** The renderer's own top-level document, as Electron reports it in event.senderFrame. */
export const APP_FRAME: SenderFrame = { url: 'app://app/index.html#/accounts', parent: null };

type Listener = (event: InvokeEvent, ...args: unknown[]) => unknown;

/** ipcMain stand-in: remembers handlers by channel; refuses a second handler like Electron. */
export class FakeIpcMain {
  readonly handlers = new Map<string, Listener>();

  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  /** Calls a channel as if from `frame`, cloning the arguments like Electron's IPC. */
  async invoke(channel: string, frame: SenderFrame | null, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return structuredClone(await handler({ senderFrame: frame }, ...structuredClone(args)));
  }
}

/**
 * ipcRenderer stand-in wired to a FakeIpcMain, as seen from `frame`. Like Electron, listeners
 * get an event object first (here one that carries a `sender` — the thing preload must
 * never hand to the page).
 */
export class FakeIpcRenderer {
  private readonly emitter = new EventEmitter();
  readonly event = { sender: this, senderId: 0, ports: [] as unknown[] };

  constructor(
    private readonly ipcMain: FakeIpcMain,
    private readonly frame: SenderFrame | null = APP_FRAME,
  ) {}

  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    try {
      return this.ipcMain.invoke(channel, this.frame, ...args);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): this {
    this.emitter.on(channel, listener);
    return this;
  }

  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): this {
    this.emitter.removeListener(channel, listener);
    return this;
  }

  listenerCount(channel: string): number {
    return this.emitter.listenerCount(channel);
  }

  /** What webContents.send(channel, payload) looks like from the preload's side. */
  deliver(channel: string, payload: unknown): void {
    this.emitter.emit(channel, this.event, structuredClone(payload));
  }
}
