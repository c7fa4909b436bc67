#!/usr/bin/env node
/**
 * Bundles the `ledger` CLI with esbuild into dist-cli/ (see scripts/lib/cli-bundle.mjs), so
 * it starts as plain JavaScript instead of compiling TypeScript on every run.
 *
 * Usage: node scripts/build-cli.mjs [--if-stale] [--out DIR]
 * Runs on `npm install` (the "prepare" script; skipped with a note where esbuild is not
 * installed) and from bin/ledger.mjs whenever the bundle is missing or older than its sources.
 * Several processes may build at once: each writes under temporary names and renames, and
 * inputs.json (the stamp) is renamed last.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLI_BUNDLE, CLI_INPUTS, CLI_OUT_DIR, PROJECT_ROOT, cliBundleIsCurrent } from './lib/cli-bundle.mjs';
import { ENGINE_WORKER_FILES, copyEngineWorkers } from './lib/engine-workers.mjs';

/**
 * zod's error messages in every language are most of its size (~360 KB of a 1 MB bundle) and
 * are all parsed at every start; the engine words its own messages and zod's default is
 * English, so only English is kept.
 */
/** @type {import('esbuild').Plugin} */
const ZOD_ENGLISH_ONLY = {
  name: 'zod-english-only',
  setup(bundler) {
    bundler.onLoad({ filter: /zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: 'export { default as en } from "./en.js";',
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

/**
 * Builds the bundle into outDir; returns the bundle's path.
 * @param {{ outDir?: string; log?: (line: string) => void }} [options]
 * @returns {Promise<string>}
 */
export async function buildCli({ outDir = CLI_OUT_DIR, log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const { build } = await import('esbuild');
  const startedAt = Date.now();
  mkdirSync(outDir, { recursive: true });
  const suffix = `.${process.pid}.tmp`;
  const result = await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [join(PROJECT_ROOT, 'electron/hosts/cli/cli-entry.ts')],
    outfile: join(outDir, CLI_BUNDLE + suffix),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3'],
    // Bundled CommonJS code may call require(); an ES module has none of its own.
    banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
    plugins: [ZOD_ENGLISH_ONLY],
    // Less text to parse at every start; names are kept, so a stack trace still reads.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    write: true,
  });
  // The worker threads' entry files are loaded by Node from files beside the bundle.
  const workers = copyEngineWorkers(outDir, { suffix });
  const inputs = [...Object.keys(result.metafile.inputs), ...ENGINE_WORKER_FILES, 'package.json', 'scripts/build-cli.mjs'];
  writeFileSync(join(outDir, CLI_INPUTS + suffix), `${JSON.stringify({ startedAt, inputs }, null, 1)}\n`);
  for (const worker of workers) renameSync(join(outDir, worker + suffix), join(outDir, worker));
  renameSync(join(outDir, CLI_BUNDLE + suffix), join(outDir, CLI_BUNDLE));
  renameSync(join(outDir, CLI_INPUTS + suffix), join(outDir, CLI_INPUTS));
  log(`Built the ledger CLI: ${relative(process.cwd(), join(outDir, CLI_BUNDLE)) || CLI_BUNDLE}`);
  return join(outDir, CLI_BUNDLE);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outIndex = process.argv.indexOf('--out');
  const outDir = outIndex > 0 ? resolve(/** @type {string} */ (process.argv[outIndex + 1])) : CLI_OUT_DIR;
  const ifStale = process.argv.includes('--if-stale');
  try {
    if (!ifStale || !cliBundleIsCurrent(outDir)) await buildCli({ outDir });
  } catch (error) {
    const failure = /** @type {{ code?: unknown; message?: unknown } | null | undefined} */ (error);
    if (failure?.code === 'ERR_MODULE_NOT_FOUND' && String(failure.message).includes("'esbuild'")) {
      // An install without devDependencies: bin/ledger.mjs builds on first run if it can, or says why not.
      process.stderr.write('esbuild is not installed; the ledger CLI was not built.\n');
    } else {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  }
}
