/**
 * The app's own origins. Everything the window ever shows is served by the main process
 * through the privileged `app://` scheme (see app-protocol.ts), never from file:// or the
 * network, so "is this our page?" is one URL comparison.
 *
 * Two hosts, two origins:
 * - `app://app/`     the Svelte renderer (dist-renderer/), the only page allowed to use IPC;
 * - `app://startup/` the loading / cannot-open page shown while the ledger opens
 *                    (dist-electron/startup/); it talks to nothing but its own origin.
 * A standard scheme gives each host its own origin, so the startup page cannot reach the
 * renderer's storage and the IPC sender check can tell the two apart.
 *
 * Importable without Electron (tests): no runtime import of `electron`.
 */

export const APP_SCHEME = 'app';
export const RENDERER_HOST = 'app';
export const STARTUP_HOST = 'startup';

export const RENDERER_ORIGIN = `${APP_SCHEME}://${RENDERER_HOST}`;
export const STARTUP_ORIGIN = `${APP_SCHEME}://${STARTUP_HOST}`;

/** The renderer's one document; screens are routes in its hash (#/accounts, #/audit). */
export const RENDERER_PAGE_URL = `${RENDERER_ORIGIN}/index.html`;
export const STARTUP_PAGE_URL = `${STARTUP_ORIGIN}/loading.html`;

/** Parses a URL without throwing; undefined for anything unparsable. */
export function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** True for any URL in the renderer's origin (app://app/…), whatever the path or hash. */
export function isRendererOrigin(url: string): boolean {
  const parsed = parseUrl(url);
  return (
    parsed !== undefined &&
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.host === RENDERER_HOST &&
    !parsed.username &&
    !parsed.password &&
    parsed.port === ''
  );
}

/**
 * True only for the renderer's document itself (app://app/ or app://app/index.html, any
 * hash). Other files of the origin (a script, an image, a stray HTML file) are not "the
 * app's page" and get no IPC.
 */
export function isRendererPage(url: string): boolean {
  if (!isRendererOrigin(url)) return false;
  const { pathname, search } = new URL(url);
  return (pathname === '/' || pathname === '/index.html') && search === '';
}
