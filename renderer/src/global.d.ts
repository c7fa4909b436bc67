/// <reference types="svelte" />
/// <reference types="vite/client" />
import type { LedgerApi } from '#shared/ipc-contract';

declare global {
  interface Window {
    /**
     * The one door to the ledger. Electron's preload and the preview host's bridge both
     * provide it with identical behaviour; the renderer never knows which one it has.
     * Undefined only when the page is opened without a host (then the app says so).
     */
    readonly ledger: LedgerApi | undefined;
  }
}

export {};
