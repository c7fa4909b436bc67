/**
 * Runs the measuring children (export-child.ts, memory-child.ts) as plain `node` processes.
 * They are bundled with esbuild first — as the app's main process is — so their memory
 * figures carry no TypeScript loader; better-sqlite3 stays external and resolves from
 * this project's node_modules.
 */
import { build } from 'esbuild';
import { IMPORT_META_URL_IN_CJS } from '../scripts/build-electron.mjs';
import { copyEngineWorkers } from '../scripts/lib/engine-workers.mjs';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_FOLDER = fileURLToPath(new URL('.', import.meta.url));
const PROJECT_ROOT = resolve(BENCH_FOLDER, '..');

export type Children = {
  run<T>(child: 'export-child' | 'memory-child' | 'startup-child', args: readonly string[], nodeFlags?: readonly string[]): Promise<T>;
};

export async function bundleChildren(outFolder: string): Promise<Children> {
  await build({
    entryPoints: ['export-child', 'memory-child', 'startup-child'].map((name) => join(BENCH_FOLDER, `${name}.ts`)),
    outdir: outFolder,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outExtension: { '.js': '.cjs' },
    external: ['better-sqlite3'],
    ...IMPORT_META_URL_IN_CJS,
    logLevel: 'warning',
  });
  // The engine starts its threads from files beside its bundle, as in the app.
  copyEngineWorkers(outFolder);
  return {
    run<T>(child: string, args: readonly string[], nodeFlags: readonly string[] = []): Promise<T> {
      return new Promise((resolvePromise, reject) => {
        execFile(
          process.execPath,
          [...nodeFlags, join(outFolder, `${child}.cjs`), ...args],
          // The bundle sits in a temp folder: NODE_PATH lets its require('better-sqlite3') find ours.
          { cwd: PROJECT_ROOT, maxBuffer: 1 << 20, env: { ...process.env, NODE_PATH: join(PROJECT_ROOT, 'node_modules') } },
          (error, stdout, stderr) => {
            if (error) reject(new Error(`${child} failed: ${stderr || error.message}`));
            else resolvePromise(JSON.parse(stdout.trim().split('\n').pop()!) as T);
          },
        );
      });
    },
  };
}
