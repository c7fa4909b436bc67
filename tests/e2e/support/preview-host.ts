/**
 * Test support: runs the real preview host (electron/hosts/preview/serve.ts) and the real CLI as
 * child processes on a temporary ledger file, exactly as a person would from a terminal.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const REPOSITORY_ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
const URL_LINE = /^Ledger preview: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]+))$/m;
/** Generous: the first start may build the renderer. Not a speed goal. */
const START_TIMEOUT_MS = 150_000;

export type PreviewHost = {
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  readonly process: ChildProcess;
  /** Everything the host printed to stdout (must be the one URL line). */
  stdout(): string;
  /** Everything it printed to stderr (progress, errors). */
  stderr(): string;
  stop(): Promise<void>;
};

/** A fresh folder in the OS temp dir for one test file's ledger; removed by the returned function. */
export function temporaryFolder(prefix: string): { folder: string; remove: () => void } {
  const folder = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { folder, remove: () => rmSync(folder, { recursive: true, force: true }) };
}

/**
 * Starts `serve.ts --db FILE --port 0` with Node's own tsx loader (one process, so a signal
 * reaches the server itself, not a wrapper) and waits for its URL line. `env` adds to (or
 * overrides) the test's environment, e.g. a HOME of its own.
 */
export function startPreviewHost(database: string, extraArgs: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<PreviewHost> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPOSITORY_ROOT, 'electron/hosts/preview/serve.ts'), '--db', database, '--port', '0', ...extraArgs],
    { cwd: REPOSITORY_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LEDGER_DB: '', ...env } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };

  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`The preview host printed no URL within ${START_TIMEOUT_MS} ms.\nstderr:\n${stderr}`));
    }, START_TIMEOUT_MS);
    const check = () => {
      const match = URL_LINE.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      const port = Number(match[2]);
      resolvePromise({
        url: match[1]!,
        origin: `http://127.0.0.1:${port}`,
        port,
        token: match[3]!,
        process: child,
        stdout: () => stdout,
        stderr: () => stderr,
        stop,
      });
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The preview host exited with ${code} before printing its URL.\nstderr:\n${stderr}`));
    });
  });
}

const execFileAsync = promisify(execFile);

/** Runs the ledger CLI (`electron/hosts/cli/cli-entry.ts`) on a file; answers its parsed JSON output. */
export async function runCli(database: string, args: readonly string[]): Promise<unknown> {
  const { stdout } = await execFileAsync(
    process.execPath,
    ['--import', 'tsx', join(REPOSITORY_ROOT, 'electron/hosts/cli/cli-entry.ts'), '--db', database, ...args],
    { cwd: REPOSITORY_ROOT, env: { ...process.env, LEDGER_DB: '' } },
  );
  return JSON.parse(stdout) as unknown;
}

/** Calls the host's API from the test, as the page's bridge does. */
export async function callApi(host: PreviewHost, channel: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${host.origin}/api/${channel}`, {
    method: 'POST',
    headers: { 'x-ledger-token': host.token, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}
