#!/usr/bin/env node
/**
 * Bundles the Electron side with esbuild into dist-electron/:
 *   main.cjs      electron/hosts/main/main.ts (+ engine, shared, zod); `electron` and `better-sqlite3`
 *                 stay external (the one is the runtime, the other a native module that
 *                 electron-builder rebuilds and unpacks from the asar);
 *   preload.cjs   electron/hosts/preload/preload.ts as ONE CommonJS file whose only require is
 *                 `electron` — the only kind of preload a sandboxed renderer can run. The
 *                 build fails if anything else slipped in;
 *   startup/      the loading page: loading.html, startup.css, startup.js (browser IIFE);
 *   *.mjs         the entry files of the engine's worker threads main.cjs starts, beside it
 *                 (it names them with new URL(…, import.meta.url); see lib/engine-workers.mjs).
 *
 * Usage: node scripts/build-electron.mjs [--out <dir>]   (default dist-electron)
 * Also importable: `buildElectron({ outDir })` (tests build into a temp folder).
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from './lib/electron-env.mjs';
import { copyEngineWorkers, workersNamedIn } from './lib/engine-workers.mjs';

/** Electron 45 runs Chromium 156 and a Node of at least 22 (the bundles' floor; the CLI runs on Node 20.19+). */
const NODE_TARGET = 'node22';
const BROWSER_TARGET = 'chrome156';

/**
 * The engine is written as ES modules and resolves modules from its own file (import.meta.url,
 * see projection/replay-thread.ts). A CommonJS bundle has no import.meta: this gives it the
 * bundle's own file URL instead of esbuild's empty stand-in.
 */
export const IMPORT_META_URL_IN_CJS = {
  define: { 'import.meta.url': '__bundleFileUrl' },
  // "use strict" first: a banner goes before esbuild's own directive, which then no longer counts.
  banner: { js: "'use strict';\nconst __bundleFileUrl = require('node:url').pathToFileURL(__filename).href;" },
};

/** Modules a sandboxed preload may require (Electron's sandbox offers little more). */
const PRELOAD_ALLOWED_REQUIRES = new Set(['electron']);

/**
 * Builds the three bundles into outDir; returns outDir.
 * @param {{ outDir?: string; log?: (message: string) => void }} [options]
 * @returns {Promise<string>}
 */
export async function buildElectron({ outDir = join(PROJECT_ROOT, 'dist-electron'), log = console.log } = {}) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'startup'), { recursive: true });
  /** @type {import('esbuild').BuildOptions} */
  const common = { bundle: true, sourcemap: true, legalComments: 'none', logLevel: 'warning', absWorkingDir: PROJECT_ROOT };

  await build({
    ...common,
    entryPoints: [join(PROJECT_ROOT, 'electron/hosts/main/main.ts')],
    outfile: join(outDir, 'main.cjs'),
    platform: 'node',
    format: 'cjs',
    target: NODE_TARGET,
    external: ['electron', 'better-sqlite3'],
    ...IMPORT_META_URL_IN_CJS,
  });
  const workers = copyEngineWorkers(outDir, { files: workersNamedIn(readFileSync(join(outDir, 'main.cjs'), 'utf8')) });

  await build({
    ...common,
    entryPoints: [join(PROJECT_ROOT, 'electron/hosts/preload/preload.ts')],
    outfile: join(outDir, 'preload.cjs'),
    platform: 'node',
    format: 'cjs',
    target: NODE_TARGET,
    external: ['electron'],
  });
  const requires = preloadRequires(readFileSync(join(outDir, 'preload.cjs'), 'utf8'));
  const forbidden = requires.filter((name) => !PRELOAD_ALLOWED_REQUIRES.has(name));
  if (forbidden.length > 0) {
    throw new Error(`The sandboxed preload must only require electron, but it requires: ${forbidden.join(', ')}`);
  }

  await build({
    ...common,
    entryPoints: [join(PROJECT_ROOT, 'electron/hosts/main/startup-page/startup.ts')],
    outfile: join(outDir, 'startup', 'startup.js'),
    platform: 'browser',
    format: 'iife',
    target: BROWSER_TARGET,
    sourcemap: false,
  });
  for (const file of ['loading.html', 'startup.css']) {
    copyFileSync(join(PROJECT_ROOT, 'electron/hosts/main/startup-page', file), join(outDir, 'startup', file));
  }
  log(`Built ${outDir}: main.cjs, ${workers.join(', ')}, preload.cjs, startup/`);
  return outDir;
}

/**
 * Every module name a CommonJS bundle passes to require().
 * @param {string} source
 * @returns {string[]}
 */
export function preloadRequires(source) {
  return [...source.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((match) => /** @type {string} */ (match[1]));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outIndex = process.argv.indexOf('--out');
  const outDir = outIndex > 0 ? resolve(/** @type {string} */ (process.argv[outIndex + 1])) : undefined;
  buildElectron(outDir ? { outDir } : {}).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
