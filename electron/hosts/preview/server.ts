/**
 * The preview host's HTTP server: the built renderer, /preview-bridge.js, and the ledger API
 * (POST /api/<channel>, GET /api/events) behind the per-run token. Bound to 127.0.0.1 only.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fail } from '#shared/errors';
import { PREVIEW_TOKEN_HEADER } from '#shared/preview-token';
import { createHandlers } from '#engine/handlers';
import type { Ledger } from '#engine/ledger';
import { handleChannel, sendJson } from './api';
import { bundleBridge } from './bridge-bundle';
import { ChangeFeed } from './change-feed';
import { freshExportPath, freshProofPath, freshStatementPath } from './export-folder';
import { newestCheckableFile, previewSigningKey } from './preview-signing';
import { createToken, hostAllowed, originAllowed, tokenMatches } from './request-guards';
import { createStaticFiles } from './static-files';

/** Loopback only: the ledger must not be reachable from the network. */
export const PREVIEW_HOST = '127.0.0.1';

export type PreviewServerOptions = {
  readonly ledger: Ledger;
  /** The Vite build output (dist-renderer/). */
  readonly outputFolder: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** Defaults to a fresh random token. */
  readonly token?: string;
  readonly log?: (line: string) => void;
  /**
   * Where exportEventLog and saveStatement write (the browser has no save dialog; serve.ts passes --export-dir or
   * export-folder.ts's default). Without it, exporting answers "not available"; the page can
   * never choose a path itself.
   */
  readonly exportFolder?: string;
  /**
   * The preview's own signing key file (serve.ts passes --key-file or preview-signing.ts's
   * default in the temp folder). Without it, sealing answers "not available".
   */
  readonly keyFile?: string;
};

export type PreviewServer = {
  readonly port: number;
  readonly token: string;
  /** The address to open, token included. */
  readonly url: string;
  close(): Promise<void>;
};

export async function startPreviewServer(options: PreviewServerOptions): Promise<PreviewServer> {
  const log = options.log ?? ((line: string) => console.error(line));
  const token = options.token ?? createToken();
  const exportFolder = options.exportFolder;
  /** Export names given out by this host: an export's file exists only once it is complete. */
  const exportNames = new Set<string>();
  const table = createHandlers(() => options.ledger, {
    ...(options.keyFile === undefined ? {} : { signingKey: previewSigningKey(options.keyFile) }),
    ...(exportFolder === undefined
      ? {}
      : {
          // The stand-in for a save dialog: a name nothing has yet in the folder the host was
          // started with (created on first use, as a dialog would let the person make it).
          chooseExportPath: async (format) => {
            mkdirSync(exportFolder, { recursive: true });
            return freshExportPath(exportFolder, format, exportNames);
          },
          chooseStatementPath: async (choice) => {
            mkdirSync(exportFolder, { recursive: true });
            return freshStatementPath(exportFolder, choice, exportNames);
          },
          chooseProofPath: async (position: number) => {
            mkdirSync(exportFolder, { recursive: true });
            return freshProofPath(exportFolder, position, exportNames);
          },
          // The stand-in for an open dialog: the newest export or proof where exports go.
          chooseFileToVerify: async () => newestCheckableFile(exportFolder),
        }),
  });
  const staticFiles = createStaticFiles(options.outputFolder, await bundleBridge());
  const feed = new ChangeFeed(options.ledger, (message, error) => log(error === undefined ? message : `${message}: ${String(error)}`));
  let port = 0;

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (!hostAllowed(request, port)) {
      response.writeHead(421, { 'content-type': 'text/plain; charset=utf-8' }).end('Unknown host\n');
      return;
    }
    const url = new URL(request.url ?? '/', `http://${PREVIEW_HOST}:${port}`);

    if (url.pathname.startsWith('/api/')) {
      if (!originAllowed(request, port)) {
        return sendJson(response, 403, fail('VALIDATION', 'Requests from other sites are refused'));
      }
      const isEvents = url.pathname === '/api/events';
      // EventSource cannot send headers, so the event stream alone takes the token in the query.
      const given = isEvents ? (url.searchParams.get('token') ?? undefined) : headerValue(request, PREVIEW_TOKEN_HEADER);
      if (!tokenMatches(given, token)) {
        request.resume();
        return sendJson(
          response,
          401,
          fail('VALIDATION', 'The preview token is missing or wrong. Open the full address that "npm run preview" printed.'),
        );
      }
      if (isEvents) {
        if (request.method !== 'GET') return methodNotAllowed(response, 'GET');
        feed.attach(response);
        return;
      }
      if (request.method !== 'POST') return methodNotAllowed(response, 'POST');
      return handleChannel(table, url.pathname.slice('/api/'.length), request, response);
    }

    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
      return;
    }
    if (!(await staticFiles.serve(request, response, url.pathname))) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
    }
  };

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      log(`Preview host error on ${request.method} ${request.url}: ${String(error)}`);
      if (!response.headersSent) sendJson(response, 500, fail('STORAGE', 'The preview host failed to answer'));
      else response.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, PREVIEW_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    token,
    url: `http://${PREVIEW_HOST}:${port}/?token=${token}`,
    close: () =>
      new Promise<void>((resolve) => {
        feed.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function methodNotAllowed(response: ServerResponse, allowed: string): void {
  response.setHeader('allow', allowed);
  sendJson(response, 405, fail('VALIDATION', `Use ${allowed} for this address`));
}
