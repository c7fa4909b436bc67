/**
 * Serves the built renderer from dist-renderer/. The index page gets the bridge script put
 * in front of the app's own script, so `window.ledger` exists before the app starts.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { COMMON_HEADERS, CONTENT_SECURITY_POLICY } from './security';

export const BRIDGE_PATH = '/preview-bridge.js';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Inserts the bridge before the first script of the page (the app's module script). */
export function injectBridge(html: string): string {
  const tag = `<script src="${BRIDGE_PATH}"></script>`;
  const firstScript = html.indexOf('<script');
  if (firstScript !== -1) return `${html.slice(0, firstScript)}${tag}\n    ${html.slice(firstScript)}`;
  return html.replace('</head>', `  ${tag}\n  </head>`);
}

export type StaticFiles = {
  /** Answers a GET/HEAD for a file; returns false when there is no such file (caller sends 404). */
  serve(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<boolean>;
};

export function createStaticFiles(outputFolder: string, bridgeScript: string): StaticFiles {
  const root = resolve(outputFolder);
  const send = (response: ServerResponse, request: IncomingMessage, type: string, body: Buffer | string) => {
    response.writeHead(200, {
      ...COMMON_HEADERS,
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      'content-security-policy': CONTENT_SECURITY_POLICY,
      // Rebuilds replace files in place; always revalidate.
      'cache-control': 'no-cache',
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  };

  return {
    async serve(request, response, pathname) {
      if (pathname === BRIDGE_PATH) {
        send(response, request, CONTENT_TYPES['.js']!, bridgeScript);
        return true;
      }
      if (pathname === '/' || pathname === '/index.html') {
        const html = await readFile(join(root, 'index.html'), 'utf8');
        send(response, request, CONTENT_TYPES['.html']!, injectBridge(html));
        return true;
      }
      const file = await resolveInside(root, pathname);
      if (!file) return false;
      send(response, request, CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', await readFile(file));
      return true;
    },
  };
}

/**
 * Maps a URL path to a file strictly inside `root`, or undefined. Refuses "..", encoded
 * separators, NUL bytes and symbolic links that lead outside: the checks are on the resolved
 * real path, not on the text of the request.
 */
export async function resolveInside(root: string, pathname: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const candidate = resolve(root, `.${decoded.startsWith('/') ? decoded : `/${decoded}`}`);
  if (!candidate.startsWith(root + sep)) return undefined;
  try {
    const real = await realpath(candidate);
    const realRoot = await realpath(root);
    if (!real.startsWith(realRoot + sep)) return undefined;
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}
