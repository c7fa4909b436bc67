/**
 * The engine's worker threads' entry files. The engine starts each with
 * `new Worker(new URL('./<name>', import.meta.url))`, so a bundle of the engine needs every one
 * of them copied beside it (same folder, same name): the CLI bundle (scripts/build-cli.mjs),
 * the Electron main bundle (scripts/build-electron.mjs) and the bench's children.
 */
import { copyFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PROJECT_ROOT } from './cli-bundle.mjs';

/** Paths from the project root; their file names are distinct, since bundles hold them side by side. */
export const ENGINE_WORKER_FILES = ['electron/engine/bulk/writer-thread.mjs', 'electron/engine/projection/replay-worker.mjs'];

/**
 * The worker entry files a bundle's code names (a bundle that never starts a thread needs none).
 * @param {string} bundleText
 * @returns {string[]}
 */
export function workersNamedIn(bundleText) {
  return ENGINE_WORKER_FILES.filter((file) => bundleText.includes(basename(file)));
}

/**
 * Copies worker entry files (all of them unless `files` says which) into outDir, each under
 * its own name plus `suffix`.
 * @param {string} outDir
 * @param {{ suffix?: string; files?: readonly string[] }} [options]
 * @returns {string[]} the names written, without the suffix
 */
export function copyEngineWorkers(outDir, { suffix = '', files = ENGINE_WORKER_FILES } = {}) {
  return files.map((file) => {
    copyFileSync(join(PROJECT_ROOT, file), join(outDir, basename(file) + suffix));
    return basename(file);
  });
}
