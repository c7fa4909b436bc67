/**
 * Serves the built renderer from dist-renderer/. The index page gets the bridge script put
 * in front of the app's own script, so `window.ledger` exists before the app starts.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { mimeTypeOf } from '#shared/mime-types';
import { resolveServedFile } from '#engine/served-file';
import { COMMON_HEADERS, CONTENT_SECURITY_POLICY } from './request-guards';

export const BRIDGE_PATH = '/preview-bridge.js';

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
        send(response, request, mimeTypeOf(BRIDGE_PATH), bridgeScript);
        return true;
      }
      if (pathname === '/' || pathname === '/index.html') {
        const html = await readFile(join(root, 'index.html'), 'utf8');
        send(response, request, mimeTypeOf('index.html'), injectBridge(html));
        return true;
      }
      let decoded: string;
      try {
        decoded = decodeURIComponent(pathname);
      } catch {
        return false;
      }
      const file = await resolveServedFile(root, decoded);
      if (!file) return false;
      send(response, request, mimeTypeOf(file), await readFile(file));
      return true;
    },
  };
}
