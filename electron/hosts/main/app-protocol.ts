/**
 * The app:// protocol handler: serves the renderer (app://app/ → dist-renderer/) and the
 * loading page (app://startup/ → dist-electron/startup/ plus its status endpoint) from the
 * app's own files, with the CSP and hardening headers on every response.
 * Checklist 18 ("prefer custom protocols over file://") is why this exists; the path
 * traversal check is core/served-file.ts's resolveServedFile (shared with the preview host).
 *
 * Importable without Electron: it is a plain `(Request) => Promise<Response>` function
 * (the WHATWG types Node and Electron's protocol.handle share), so tests call it directly.
 */
import { readFile } from 'node:fs/promises';
import { mimeTypeOf } from '#shared/mime-types';
import { resolveServedFile } from '#engine/served-file';
import { APP_SCHEME, RENDERER_HOST, STARTUP_HOST } from './app-url';
import { SECURITY_RESPONSE_HEADERS } from './electron-guards';
import type { StartupStatus } from './startup-status';

/** What the loading page's two buttons ask for while no ledger could be opened. */
export type StartupAction = 'open-ledger' | 'new-ledger';

export type AppProtocolOptions = {
  /** dist-renderer/ (the Vite build of the Svelte app). */
  readonly rendererRoot: string;
  /** dist-electron/startup/ (loading.html, startup.css, startup.js). */
  readonly startupRoot: string;
  /** The loading page's status, read on each poll. */
  readonly startupStatus: () => StartupStatus;
  /**
   * Runs a loading-page button. Only honoured while the status is "failed": the buttons
   * exist so a person whose ledger cannot be opened can pick another file without hunting
   * for the File menu. They only ever open a native file dialog.
   */
  readonly startupAction?: (action: StartupAction) => void;
};

/** Builds the handler main.ts passes to protocol.handle('app', …). */
export function createAppProtocolHandler(options: AppProtocolOptions): (request: Request) => Promise<Response> {
  return async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return plain(400, 'Bad request');
    }
    if (url.protocol !== `${APP_SCHEME}:`) return plain(400, 'Bad request');
    if (url.host === STARTUP_HOST) {
      if (url.pathname === '/status') return startupStatusResponse(request, options);
      if (url.pathname.startsWith('/action/')) return startupActionResponse(request, url.pathname.slice('/action/'.length), options);
      return serveFile(request, options.startupRoot, url.pathname, '/loading.html');
    }
    if (url.host === RENDERER_HOST) return serveFile(request, options.rendererRoot, url.pathname, '/index.html');
    return plain(404, 'Not found');
  };
}

async function serveFile(request: Request, root: string, pathname: string, indexPath: string): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed');
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname === '/' ? indexPath : pathname);
  } catch {
    return plain(400, 'Bad request');
  }
  // Path traversal check: ../, %2e%2e%2f, %5c, NUL bytes and symbolic links leading out all end here.
  const file = await resolveServedFile(root, decoded);
  if (file === undefined) return plain(404, 'Not found');
  try {
    const body = request.method === 'HEAD' ? null : await readFile(file);
    return new Response(body, {
      status: 200,
      headers: headers({ 'Content-Type': mimeTypeOf(file), 'Cache-Control': 'no-cache' }),
    });
  } catch {
    return plain(404, 'Not found');
  }
}

function startupStatusResponse(request: Request, options: AppProtocolOptions): Response {
  if (request.method !== 'GET') return plain(405, 'Method not allowed');
  return new Response(JSON.stringify(options.startupStatus()), {
    status: 200,
    headers: headers({ 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }),
  });
}

function startupActionResponse(request: Request, action: string, options: AppProtocolOptions): Response {
  if (request.method !== 'POST') return plain(405, 'Method not allowed');
  if (action !== 'open-ledger' && action !== 'new-ledger') return plain(404, 'Not found');
  if (options.startupStatus().phase !== 'failed' || !options.startupAction) return plain(409, 'Not now');
  options.startupAction(action);
  return new Response(null, { status: 204, headers: headers({ 'Cache-Control': 'no-store' }) });
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: headers({ 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }) });
}

function headers(extra: Record<string, string>): Headers {
  return new Headers({ ...SECURITY_RESPONSE_HEADERS, ...extra });
}
