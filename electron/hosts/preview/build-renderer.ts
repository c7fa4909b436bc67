/**
 * Builds the renderer when its output is missing or older than its sources, so
 * `npm run preview` always serves what the code says. Several preview hosts may start at
 * once (parallel test files), so the build runs under a lock and each waiter re-checks.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Folders whose files end up in the renderer bundle. */
const SOURCE_FOLDERS = ['renderer', 'shared'];
const LOCK_WAIT_MS = 180_000;
const LOCK_POLL_MS = 200;

export type RendererPaths = { readonly repositoryRoot: string; readonly outputFolder: string; readonly configFile: string };

export function rendererPaths(repositoryRoot: string): RendererPaths {
  return {
    repositoryRoot,
    outputFolder: join(repositoryRoot, 'dist-renderer'),
    configFile: join(repositoryRoot, 'renderer', 'vite.config.ts'),
  };
}

/** Newest modification time (ms) of any file under the folders, skipping node_modules. */
function newestSourceTime(root: string, folders: readonly string[]): number {
  let newest = 0;
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const folder of folders) if (existsSync(join(root, folder))) walk(join(root, folder));
  return newest;
}

export function isRendererBuildCurrent(paths: RendererPaths): boolean {
  const index = join(paths.outputFolder, 'index.html');
  if (!existsSync(index)) return false;
  return statSync(index).mtimeMs >= newestSourceTime(paths.repositoryRoot, SOURCE_FOLDERS);
}

/** Builds the renderer if needed; `log` receives progress lines (stderr: stdout carries only the URL). */
export async function ensureRendererBuilt(paths: RendererPaths, log: (line: string) => void): Promise<void> {
  if (isRendererBuildCurrent(paths)) return;
  const lock = join(
    tmpdir(),
    `event-ledger-renderer-build-${createHash('sha256').update(paths.repositoryRoot).digest('hex').slice(0, 16)}`,
  );
  const release = await acquireLock(lock, log);
  try {
    if (isRendererBuildCurrent(paths)) return; // another host built it while we waited
    log('Building the renderer (dist-renderer/)…');
    await runViteBuild(paths);
  } finally {
    release();
  }
}

async function runViteBuild(paths: RendererPaths): Promise<void> {
  const { build } = await import('vite');
  // Vite and its plugins print progress with console.log; stdout must carry only the URL line.
  const originalLog = console.log;
  const originalInfo = console.info;
  console.log = (...args: unknown[]) => console.error(...args);
  console.info = (...args: unknown[]) => console.error(...args);
  try {
    await build({ configFile: paths.configFile, logLevel: 'warn' });
  } finally {
    console.log = originalLog;
    console.info = originalInfo;
  }
}

/** A directory as a lock (mkdir is atomic); a lock left by a dead process is taken over. */
async function acquireLock(lock: string, log: (line: string) => void): Promise<() => void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (isStale(lock)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for another renderer build (lock ${lock})`);
    if (!announced) {
      log('Waiting for another process to finish building the renderer…');
      announced = true;
    }
    await sleep(LOCK_POLL_MS);
  }
}

function isStale(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    // Just created, pid not written yet — or abandoned before writing it. Judge by age.
    try {
      return Date.now() - statSync(lock).mtimeMs > 10_000;
    } catch {
      return false;
    }
  }
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
