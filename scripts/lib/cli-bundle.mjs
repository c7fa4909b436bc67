/**
 * Where the built `ledger` CLI lives and whether it is current. Kept apart from the build
 * (scripts/build-cli.mjs) so that bin/ledger.mjs can check it on every run without loading
 * esbuild: a few dozen stat calls, about a millisecond.
 *
 * dist-cli/
 *   ledger.mjs         the bundle: electron/hosts/cli/cli-entry.ts with the engine, shared/ and zod;
 *                      better-sqlite3 stays an ordinary (native) dependency
 *   writer-thread.mjs  the bulk writer's thread, loaded beside the bundle (new URL(…, import.meta.url))
 *   replay-worker.mjs  replay's read thread, loaded the same way (see lib/engine-workers.mjs)
 *   inputs.json        written last: when the build started and every file it was made from
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI_OUT_DIR = join(PROJECT_ROOT, 'dist-cli');
export const CLI_BUNDLE = 'ledger.mjs';
export const CLI_INPUTS = 'inputs.json';

/**
 * True when the bundle in `outDir` was built from the files as they are now: it exists and
 * no file it was made from changed after its build started. Where the sources are absent (an
 * installed copy without them), the bundle is what there is.
 */
export function cliBundleIsCurrent(outDir = CLI_OUT_DIR) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(outDir, CLI_INPUTS), 'utf8'));
    statSync(join(outDir, CLI_BUNDLE));
  } catch {
    return false;
  }
  for (const input of stamp.inputs) {
    const stats = statSync(join(PROJECT_ROOT, input), { throwIfNoEntry: false });
    if (stats !== undefined && stats.mtimeMs >= stamp.startedAt) return false;
  }
  return true;
}
