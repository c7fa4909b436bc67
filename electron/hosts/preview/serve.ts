/**
 * `npm run preview -- [--db FILE] [--port N] [--export-dir DIR]`: the real renderer in a browser, on the real
 * engine. Builds the renderer if it is missing or stale, opens the ledger, serves both on
 * 127.0.0.1 and prints exactly one line to stdout:
 *   Ledger preview: http://127.0.0.1:PORT/?token=…
 * Everything else (build progress, errors) goes to stderr, so scripts can read the URL.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Ledger } from '#engine/ledger';
import { parseLedgerTarget } from '#engine/ledger-target';
import { defaultLedgerPath } from '#engine/paths';
import { ensureRendererBuilt, rendererPaths } from './build-renderer';
import { defaultExportFolder } from './export-folder';
import { defaultPreviewKeyFile, previewSigningKey } from './preview-signing';
import { PREVIEW_BUSY_TIMEOUT_MS } from './busy-retry';
import { startPreviewServer } from './server';

const USAGE =
  'Usage: npm run preview -- [--db FILE] [--port N] [--export-dir DIR] [--key-file FILE]\n' +
  '  --port 0 (the default) picks a free port; --export-dir is where "Export event log", saved statements and proofs go\n' +
  "  (default: ~/Downloads when it exists, else the ledger's folder); --key-file is the preview's own signing key\n" +
  "  (default: event-ledger-preview-<uid>/signing-key.pem in the temp folder, never the app's or the CLI's key).";
const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function parseOptions(): { db: string; port: number; exportFolder: string | undefined; keyFile: string } {
  let values: { db?: string | undefined; port?: string | undefined; 'export-dir'?: string | undefined; 'key-file'?: string | undefined };
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: { db: { type: 'string' }, port: { type: 'string' }, 'export-dir': { type: 'string' }, 'key-file': { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    log(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!/^\d{1,5}$/.test(values.port ?? '0') || port > 65_535) {
    log(`--port needs a number from 0 to 65535\n${USAGE}`);
    process.exit(2);
  }
  // Refused before anything is built or opened: a target that is not a file on disk would
  // answer every write with positions that vanish.
  const target = parseLedgerTarget(values.db ?? defaultLedgerPath());
  if (!target.ok) {
    log(`${target.error.message}\n${USAGE}`);
    process.exit(2);
  }
  const exportFolder = values['export-dir'] === undefined ? undefined : resolve(values['export-dir']);
  const keyFile = values['key-file'] === undefined ? defaultPreviewKeyFile() : resolve(values['key-file']);
  return { db: target.value.path, port, exportFolder, keyFile };
}

async function main(): Promise<void> {
  const options = parseOptions();
  await ensureRendererBuilt(rendererPaths(REPOSITORY_ROOT), log);

  // Verify the chain in the background (and each new event after every change), as the app does:
  // the audit screen's integrity panel shows the walk's progress, and a broken chain turns the
  // ledger read-only with the reason in ledgerInfo.
  // Once the preview has its own key (its first seal makes it), every head checkpoint is a seal by it.
  const key = await previewSigningKey(options.keyFile).load({ create: false });
  if (!key.ok && key.error.code !== 'NOT_FOUND') log(`Head checkpoints are not sealed: ${key.error.message}`);
  const opened = Ledger.open({
    path: options.db,
    actor: 'preview',
    verifyInBackground: true,
    busyTimeoutMs: PREVIEW_BUSY_TIMEOUT_MS,
    ...(key.ok ? { signingKey: key.value } : {}),
  });
  if (!opened.ok) {
    log(`Cannot open the ledger: ${opened.error.message}`);
    process.exit(1);
  }
  const ledger = opened.value;

  const exportFolder = options.exportFolder ?? defaultExportFolder(resolve(ledger.path));
  const server = await startPreviewServer({
    ledger,
    outputFolder: rendererPaths(REPOSITORY_ROOT).outputFolder,
    port: options.port,
    log,
    exportFolder,
    keyFile: options.keyFile,
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`Stopping (${signal})…`);
    void server.close().finally(() => {
      ledger.close();
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Only now announce the URL: whoever reads it may signal us at once, and must find the handlers.
  process.stdout.write(`Ledger preview: ${server.url}\n`);
  log(`Exports go to ${exportFolder} (choose another folder with --export-dir DIR).`);
  log(`Seals are signed with the preview's own key, ${options.keyFile} (choose another file with --key-file FILE).`);
  log(`Serving ${ledger.path}. Press Ctrl+C to stop.`);
}

main().catch((error: unknown) => {
  log(`Preview host failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
