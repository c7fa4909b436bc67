#!/usr/bin/env node
/**
 * `npm start`: builds the renderer and the Electron bundles, makes sure better-sqlite3 is
 * built for Electron's ABI (in .cache/electron-native/, never in node_modules, so `npm test`
 * keeps using the Node build), and launches Electron with LEDGER_NATIVE_BINDING pointing at
 * that build.
 *
 * Options: --no-build   skip the renderer and bundle builds (reuse dist-renderer/, dist-electron/)
 * Anything after `--` is passed to Electron (e.g. `npm start -- --enable-logging`).
 */
import { spawn } from 'node:child_process';
import { buildElectron } from './build-electron.mjs';
import {
  ELECTRON_MISSING_MESSAGE,
  electronBinaryPath,
  electronVersion,
  ensureElectronNativeBinding,
  PROJECT_ROOT,
} from './lib/electron-env.mjs';
import { buildRenderer, stop } from './lib/run.mjs';

const args = process.argv.slice(2);
const separator = args.indexOf('--');
const electronArguments = separator >= 0 ? args.slice(separator + 1) : [];
const skipBuild = args.includes('--no-build');

const electron = electronBinaryPath();
if (!electron) stop(`npm start needs the Electron binary.\n${ELECTRON_MISSING_MESSAGE}`);

try {
  if (!skipBuild) {
    await buildRenderer();
    await buildElectron();
  }
} catch (error) {
  stop(`The build failed: ${error instanceof Error ? error.message : error}`);
}

let nativeBinding;
try {
  nativeBinding = await ensureElectronNativeBinding();
} catch (error) {
  stop(
    [
      `better-sqlite3 could not be built for Electron ${electronVersion()}: ${error instanceof Error ? error.message : error}`,
      'This needs the network once (a prebuilt binary from GitHub, or Electron headers from electronjs.org)',
      'and, when no prebuilt binary fits, a C++ toolchain (python3, make, g++ / Xcode / Visual Studio Build Tools).',
    ].join('\n'),
  );
}

/** @type {NodeJS.ProcessEnv} */
const env = { ...process.env, LEDGER_NATIVE_BINDING: nativeBinding };
// Would turn Electron into plain Node and ignore the app.
delete env.ELECTRON_RUN_AS_NODE;

const child = spawn(electron, ['.', ...electronArguments], { cwd: PROJECT_ROOT, env, stdio: 'inherit' });
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
