/**
 * The sandboxed preload: exposes exactly one object, `window.ledger`, built from the shared
 * contract (ledger-api.ts). Bundled by scripts/build-electron.mjs into ONE CommonJS file
 * whose only require is `electron` — a sandboxed preload cannot load anything else.
 *
 * Checklist 20 "Do not expose Electron APIs to untrusted web content": ipcRenderer itself,
 * its events and its send/on methods stay in here; the page only sees the contract's methods.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createLedgerApi } from './ledger-api';

contextBridge.exposeInMainWorld('ledger', createLedgerApi(ipcRenderer));
