/**
 * What the loading page shows while the main process opens the ledger. The page polls
 * app://startup/status (app-protocol.ts) and renders this object; it needs no preload API,
 * so the only object any page ever gets from a preload stays `window.ledger`.
 */

export type StartupStatus =
  | { readonly phase: 'opening'; readonly path: string; readonly applied: number; readonly total: number }
  | { readonly phase: 'ready'; readonly path: string }
  | { readonly phase: 'failed'; readonly path: string; readonly message: string };

/** Holds the current status; the protocol handler reads it on every poll. */
export class StartupStatusBoard {
  private status: StartupStatus = { phase: 'opening', path: '', applied: 0, total: 0 };

  get current(): StartupStatus {
    return this.status;
  }

  opening(path: string): void {
    this.status = { phase: 'opening', path, applied: 0, total: 0 };
  }

  progress(path: string, applied: number, total: number): void {
    this.status = { phase: 'opening', path, applied, total };
  }

  ready(path: string): void {
    this.status = { phase: 'ready', path };
  }

  failed(path: string, message: string): void {
    this.status = { phase: 'failed', path, message };
  }
}
