/**
 * Access to `window.ledger`, the only way the renderer talks to the engine. Whether Electron's
 * preload or the preview host's bridge provides it is invisible here, on purpose.
 */
import type { LedgerError, Result } from '#shared/errors';
import type { LedgerApi } from '#shared/ipc-contract';

/** The host's API, or undefined when the page was opened without one. */
export function ledgerApi(): LedgerApi | undefined {
  return window.ledger;
}

/** The error shown when a request never got an answer (host gone, connection dropped). */
export const UNREACHABLE: LedgerError = {
  code: 'STORAGE',
  message: 'The ledger did not answer. Check that the app is still running, then try again.',
};

/**
 * Calls a query and turns a transport failure (a rejected promise) into a Failure, so screens
 * handle one shape. Commands go through CommandSubmission instead, which also keeps their id.
 */
export async function query<Value>(call: (api: LedgerApi) => Promise<Result<Value>>): Promise<Result<Value>> {
  const api = ledgerApi();
  if (!api) return { ok: false, error: NO_HOST };
  try {
    return await call(api);
  } catch {
    return { ok: false, error: UNREACHABLE };
  }
}

export const NO_HOST: LedgerError = {
  code: 'STORAGE',
  message: 'This page was opened without the ledger app behind it. Start the app, or run `npm run preview` and open the address it prints.',
};
