/**
 * Runs the real `ledger` CLI in a child process, as a person or a script does: bin/ledger.mjs,
 * the package's "bin", which runs the esbuild bundle in dist-cli/ (built here first when it is
 * missing or older than its sources, so the tests always run the code as it is now).
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { repoRoot } from './helpers';

export const CLI = join(repoRoot, 'bin/ledger.mjs');

// Once per test file, before any spawn: many CLIs started at once would otherwise each build it.
execFileSync(process.execPath, [join(repoRoot, 'scripts/build-cli.mjs'), '--if-stale'], {
  cwd: repoRoot,
  stdio: ['ignore', 'ignore', 'inherit'],
});

export type CliRun = {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout as JSON lines (a line that is not JSON comes back as `{ unparsed }`). */
  readonly lines: unknown[];
};

/**
 * The config folder the CLIs of this test file see: a signed export makes its signing key
 * there on first use, never in the user's own ~/.config.
 */
export const CLI_CONFIG_FOLDER = mkdtempSync(join(tmpdir(), 'ledger-cli-config-'));

/**
 * `node bin/ledger.mjs …`. No LEDGER_DB, LEDGER_KEY_FILE or NODE_OPTIONS leak in from the
 * test's own environment, and the config folder is CLI_CONFIG_FOLDER; `env` adds to it (e.g.
 * LEDGER_DB), `cwd` defaults to the repository.
 */
export function spawnCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: {
      ...process.env,
      LEDGER_DB: '',
      LEDGER_KEY_FILE: '',
      XDG_CONFIG_HOME: CLI_CONFIG_FOLDER,
      APPDATA: CLI_CONFIG_FOLDER,
      NODE_OPTIONS: '',
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs the CLI to completion, feeding `input` on stdin; parses stdout as JSON lines. */
export function runCli(args: readonly string[], input = '', options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const lines = stdout
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          try {
            return JSON.parse(line) as unknown;
          } catch {
            return { unparsed: line };
          }
        });
      resolve({ code, signal, stdout, stderr, lines });
    });
    // A child that exits before reading all of stdin must not fail the test with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/**
 * An `apply` process driven interactively: `send` writes lines and resolves with one parsed
 * answer per line, so each command is acknowledged before the next is sent.
 */
export function startApply(dbPath: string) {
  const child = spawnCli(['--db', dbPath, 'apply']);
  const answers: unknown[] = [];
  const waiting: Array<() => void> = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  createInterface({ input: child.stdout }).on('line', (line) => {
    answers.push(JSON.parse(line));
    waiting.shift()?.();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  let consumed = 0;
  return {
    async send(lines: readonly string[]): Promise<unknown[]> {
      child.stdin.write(lines.map((line) => `${line}\n`).join(''));
      while (answers.length < consumed + lines.length) {
        const outcome = await Promise.race([
          new Promise<'answer'>((resolve) => waiting.push(() => resolve('answer'))),
          exited.then(() => 'exited' as const),
        ]);
        if (outcome === 'exited' && answers.length < consumed + lines.length) throw new Error(`apply exited early: ${stderr}`);
      }
      const mine = answers.slice(consumed, consumed + lines.length);
      consumed += lines.length;
      return mine;
    },
    async finish(): Promise<{ code: number | null; stderr: string }> {
      child.stdin.end();
      const code = await exited;
      return { code, stderr };
    },
  };
}
