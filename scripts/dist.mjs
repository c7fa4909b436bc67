#!/usr/bin/env node
/**
 * `npm run dist`: packages the app with electron-builder (config: electron-builder.yml).
 *
 *   npm run dist                     installers for this machine's platform and architecture
 *   npm run dist -- --linux          AppImage + deb       (--win: NSIS, --mac: dmg)
 *   npm run dist -- --linux --arm64  another architecture (prebuilt better-sqlite3 needed)
 *   npm run dist -- --dir            unpacked app only (quick check of the package)
 * Other arguments are passed to electron-builder unchanged. Output: release/<version>/.
 *
 * Steps:
 *   1. Preflight: fetch the Electron zip of every target into @electron/get's cache (the
 *      cache electron-builder reads). A machine that cannot download Electron stops HERE
 *      with a clear message, before anything is built or touched.
 *   2. Build the renderer and the Electron bundles.
 *   3. electron-builder: rebuilds better-sqlite3 for Electron, packs the asar (the .node file
 *      unpacked), flips the fuses, builds the installers.
 *   4. Always: put back node_modules' Node build of better-sqlite3, which electron-builder's
 *      in-place rebuild replaced, so `npm test` keeps working afterwards.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildElectron } from './build-electron.mjs';
import { electronToolsNodeRefusal, electronVersion, PROJECT_ROOT } from './lib/electron-env.mjs';
import { buildRenderer, run, stop } from './lib/run.mjs';

const require = createRequire(import.meta.url);
const NODE_BUILD = join(PROJECT_ROOT, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
const NODE_BUILD_BACKUP = join(PROJECT_ROOT, '.cache', 'node-native-backup', 'better_sqlite3.node');
/** Long enough for a slow mirror to answer, short enough not to hang a CI job. */
const PREFLIGHT_TIMEOUT_MS = 10 * 60 * 1000;

/** @type {Readonly<Record<string, string>>} */
const PLATFORM_FLAGS = { '--linux': 'linux', '-l': 'linux', '--win': 'win32', '-w': 'win32', '--mac': 'darwin', '-m': 'darwin' };
/** @type {Readonly<Record<string, string>>} */
const ARCH_FLAGS = { '--x64': 'x64', '--arm64': 'arm64', '--ia32': 'ia32', '--armv7l': 'armv7l', '--universal': 'universal' };

/** @typedef {{ platform: string; arch: string }} DistTarget */

/**
 * The platform/arch pairs whose Electron zip electron-builder will need.
 * @param {readonly string[]} args
 * @param {DistTarget} [host]
 * @returns {DistTarget[]}
 */
export function targetsOf(args, host = { platform: process.platform, arch: process.arch }) {
  const platforms = [...new Set(args.map((arg) => PLATFORM_FLAGS[arg]).filter((name) => name !== undefined))];
  let archs = [...new Set(args.map((arg) => ARCH_FLAGS[arg]).filter((name) => name !== undefined))];
  if (archs.includes('universal')) archs = [...new Set([...archs.filter((arch) => arch !== 'universal'), 'x64', 'arm64'])];
  const targetPlatforms = platforms.length > 0 ? platforms : [host.platform];
  const targetArchs = archs.length > 0 ? archs : [host.arch];
  return targetPlatforms.flatMap((platform) => targetArchs.map((arch) => ({ platform, arch })));
}

/**
 * What `npm run dist` says when an Electron zip cannot be downloaded.
 * @param {string} version
 * @param {DistTarget} target
 * @param {unknown} error
 * @returns {string}
 */
export function cannotDownloadMessage(version, target, error) {
  return [
    `npm run dist stopped: this machine cannot download Electron ${version} for ${target.platform}-${target.arch}.`,
    `  (${error instanceof Error ? error.message : String(error)})`,
    'electron-builder packages the app around the official Electron zip, fetched from GitHub',
    '(or from ELECTRON_MIRROR), and it also downloads its own tools (AppImage, NSIS, fpm).',
    'Run `npm run dist` on a machine with internet access, or set ELECTRON_MIRROR to a reachable mirror.',
    'Nothing was built and nothing was changed.',
  ].join('\n');
}

/**
 * Step 1: every Electron zip must be downloadable (or already in the cache).
 * @param {string} version
 * @param {readonly DistTarget[]} targets
 */
async function preflight(version, targets) {
  // The same @electron/get electron-builder uses, so the cache it fills is the one it reads.
  const builderRequire = createRequire(require.resolve('app-builder-lib/package.json'));
  const { downloadArtifact } = builderRequire('@electron/get');
  for (const target of targets) {
    let timer;
    try {
      await Promise.race([
        downloadArtifact({ version, artifactName: 'electron', platform: target.platform, arch: target.arch }),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${PREFLIGHT_TIMEOUT_MS / 1000} s`)), PREFLIGHT_TIMEOUT_MS);
        }),
      ]);
    } catch (error) {
      stop(cannotDownloadMessage(version, target, error));
    } finally {
      clearTimeout(timer);
    }
    console.log(`Electron ${version} for ${target.platform}-${target.arch}: available`);
  }
}

/** Puts node_modules' Node build of better-sqlite3 back (also after an interrupted run). */
function restoreNodeBuild() {
  if (!existsSync(NODE_BUILD_BACKUP)) return;
  copyFileSync(NODE_BUILD_BACKUP, NODE_BUILD);
  rmSync(NODE_BUILD_BACKUP, { force: true });
  console.log('Restored the Node build of better-sqlite3 in node_modules (for npm test).');
}

async function main() {
  // Before anything else, so an older Node stops with the reason instead of deep in electron-builder.
  const refusal = electronToolsNodeRefusal();
  if (refusal) stop(`npm run dist stopped: ${refusal}\nNothing was built and nothing was changed.`);
  const args = process.argv.slice(2);
  const version = electronVersion();
  restoreNodeBuild();
  await preflight(version, targetsOf(args));

  try {
    await buildRenderer();
    await buildElectron();
  } catch (error) {
    stop(`The build failed: ${error instanceof Error ? error.message : error}`);
  }

  if (existsSync(NODE_BUILD)) {
    mkdirSync(dirname(NODE_BUILD_BACKUP), { recursive: true });
    copyFileSync(NODE_BUILD, NODE_BUILD_BACKUP);
  }
  const interrupted = () => {
    restoreNodeBuild();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const cli = join(PROJECT_ROOT, 'node_modules', 'electron-builder', 'cli.js');
    await run(process.execPath, [cli, '--config', 'electron-builder.yml', '--publish', 'never', ...args]);
  } catch (error) {
    restoreNodeBuild();
    stop(`electron-builder failed: ${error instanceof Error ? error.message : error}`);
  }
  restoreNodeBuild();
  const { version: appVersion } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'));
  console.log(`\nThe installers are in release/${appVersion}/`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
