/**
 * Shared by scripts/start.mjs, scripts/dist.mjs and tests/electron: is the Electron binary
 * here, which version is it, and where is (or will be) better-sqlite3 built for its ABI.
 *
 * Why a second build of better-sqlite3: node_modules/better-sqlite3 is built for Node (tests,
 * CLI, bench). Electron's ABI differs, and rebuilding node_modules in place would break
 * `npm test`. So an Electron copy is built OUTSIDE node_modules, in
 * .cache/electron-native/<electron version>-<platform>-<arch>/better_sqlite3.node, and the
 * main process loads it through better-sqlite3's `nativeBinding` option (LEDGER_NATIVE_BINDING).
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(PROJECT_ROOT, 'package.json'));

export const ELECTRON_MISSING_MESSAGE = [
  'The Electron binary is not installed here (ELECTRON_SKIP_BINARY_DOWNLOAD was set, or its download failed).',
  'On a machine that can reach the internet, install it with (ELECTRON_SKIP_BINARY_DOWNLOAD unset):',
  '    node node_modules/electron/install.js',
  'then run this command again.',
].join('\n');

/**
 * The oldest Node that can build for Electron: @electron/rebuild and node-abi (which
 * electron-builder also uses) require it. The engine, the CLI and the tests need only Node 20.
 */
export const ELECTRON_TOOLS_MIN_NODE = '22.12.0';

/**
 * Why this Node cannot build better-sqlite3 for Electron (`npm run dist`, the first `npm start`),
 * or undefined when it can.
 * @param {string} [nodeVersion] e.g. process.versions.node
 * @returns {string | undefined}
 */
export function electronToolsNodeRefusal(nodeVersion = process.versions.node) {
  const [major = 0, minor = 0] = nodeVersion.split('.').map(Number);
  const [minMajor = 0, minMinor = 0] = ELECTRON_TOOLS_MIN_NODE.split('.').map(Number);
  if (major > minMajor || (major === minMajor && minor >= minMinor)) return undefined;
  return (
    `Building for Electron needs Node ${ELECTRON_TOOLS_MIN_NODE} or newer (@electron/rebuild and node-abi require it); this is Node ${nodeVersion}.\n` +
    'The engine, the CLI and the tests run on Node 20; switch to Node 22.12+ to package or start the desktop app.'
  );
}

/** The installed electron package's version (the npm package is there even without its binary). */
export function electronVersion() {
  return JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
}

/**
 * Absolute path of the Electron executable, or undefined when the binary was not downloaded.
 * `require('electron')` in plain Node returns that path, and throws when path.txt is missing.
 */
export function electronBinaryPath() {
  let executable;
  try {
    executable = require('electron');
  } catch {
    return undefined;
  }
  return typeof executable === 'string' && existsSync(executable) ? executable : undefined;
}

export function betterSqliteVersion() {
  return JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')).version;
}

/** Folder of the Electron build of better-sqlite3 for one Electron version and host. */
export function electronNativeFolder(version = electronVersion()) {
  return join(PROJECT_ROOT, '.cache', 'electron-native', `${version}-${process.platform}-${process.arch}`);
}

/** Path of better_sqlite3.node built for Electron `version` (it may not exist yet). */
export function electronNativeBindingPath(version = electronVersion()) {
  return join(electronNativeFolder(version), 'better_sqlite3.node');
}

/**
 * Makes sure better_sqlite3.node exists for Electron `version`, building it when missing or
 * when better-sqlite3 was upgraded. Copies node_modules/better-sqlite3 (sources, no build)
 * into a throw-away workspace under .cache and runs @electron/rebuild THERE, so
 * node_modules keeps its Node build and `npm test` keeps working. Needs the network the
 * first time (prebuilt binary or Electron headers) and a C++ toolchain if no prebuilt fits.
 * Returns the path of the .node file.
 */
export async function ensureElectronNativeBinding({ version = electronVersion(), log = console.log, force = false } = {}) {
  const target = electronNativeBindingPath(version);
  const stampFile = join(dirname(target), 'better-sqlite3.version');
  const moduleVersion = betterSqliteVersion();
  if (!force && existsSync(target) && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === moduleVersion) {
    return target;
  }
  const workspace = join(PROJECT_ROOT, '.cache', 'electron-native', 'workspace');
  const moduleCopy = join(workspace, 'node_modules', 'better-sqlite3');
  log(`Building better-sqlite3 ${moduleVersion} for Electron ${version} (once; cached in ${dirname(target)})…`);
  rmSync(workspace, { recursive: true, force: true });
  mkdirSync(moduleCopy, { recursive: true });
  writeFileSync(
    join(workspace, 'package.json'),
    JSON.stringify(
      { name: 'electron-native-workspace', version: '0.0.0', private: true, dependencies: { 'better-sqlite3': moduleVersion } },
      null,
      2,
    ),
  );
  const source = join(PROJECT_ROOT, 'node_modules', 'better-sqlite3');
  const nodeBuild = join(source, 'build');
  // Everything but the Node build output (build/ is what gets rebuilt).
  cpSync(source, moduleCopy, { recursive: true, filter: (path) => path !== nodeBuild && !path.startsWith(nodeBuild + sep) });
  const refusal = electronToolsNodeRefusal();
  if (refusal) throw new Error(refusal);
  const { rebuild } = await import('@electron/rebuild');
  await rebuild({ buildPath: workspace, electronVersion: version, force: true, onlyModules: ['better-sqlite3'], mode: 'sequential' });
  const built = join(moduleCopy, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(built)) throw new Error(`@electron/rebuild finished but ${built} does not exist`);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(built, target);
  writeFileSync(stampFile, `${moduleVersion}\n`);
  rmSync(workspace, { recursive: true, force: true });
  log(`Built ${target}`);
  return target;
}
