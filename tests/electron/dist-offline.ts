/**
 * `npm run dist` (scripts/dist.mjs) run as a child process with an unreachable Electron mirror
 * (a cache miss, as the cache is keyed by URL, and a refused connection), for the tests that
 * prove it stops before building or changing anything.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const NATIVE_BUILD = join(ROOT, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');

const nativeBuildHash = () => createHash('sha256').update(readFileSync(NATIVE_BUILD)).digest('hex');

/** Runs dist offline; says whether the better-sqlite3 native build it might rebuild was touched. */
export function runDistOffline(): { result: SpawnSyncReturns<string>; nativeBuildChanged: boolean } {
  const before = nativeBuildHash();
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'dist.mjs')], {
    cwd: ROOT,
    env: { ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { result, nativeBuildChanged: nativeBuildHash() !== before };
}
