/**
 * Packaging (issue 6, item 7) as far as it can be checked without the Electron binary:
 * - electron-builder.yml passes electron-builder's own schema validation and asks for the
 *   targets, fuses, app id, product name and icon the issue lists;
 * - electron-builder really packs the app the way the config says (asar contents, the
 *   better-sqlite3 .node file unpacked, no source maps, no zod) — run with a stand-in for the
 *   Electron distribution, no rebuild and no fuses (those need the real binary);
 * - `npm run dist` and `npm start` stop with a clear message where Electron cannot be had.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDistOffline } from './dist-offline';
import { buildElectron } from '../../scripts/build-electron.mjs';
import { electronBinaryPath, electronToolsNodeRefusal, electronVersion } from '../../scripts/lib/electron-env.mjs';
import { targetsOf } from '../../scripts/dist.mjs';
import { tempFolder } from '../ipc/fixtures';

const ROOT = join(__dirname, '..', '..');
const require = createRequire(join(ROOT, 'package.json'));
const yaml = require('js-yaml') as { load(text: string): any };
const config = yaml.load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8'));

describe('electron-builder.yml', () => {
  it('passes electron-builder’s own schema validation', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
    const { DebugLogger } = require('builder-util');
    await expect(validateConfiguration(structuredClone(config), new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('names the app and its icon', () => {
    expect(config.appId).toBe('com.eventledger.app');
    expect(config.productName).toBe('Event Ledger');
    expect(config.directories.buildResources).toBe('build');
    const icon = readFileSync(join(ROOT, 'build', 'icon.png'));
    expect(icon.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([icon.readUInt32BE(16), icon.readUInt32BE(20)]).toEqual([512, 512]);
  });

  it('builds AppImage and deb, NSIS, dmg', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.maintainer).toMatch(/<.+@.+>/);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
  });

  it('sets the fuses: no RunAsNode, no NODE_OPTIONS, no --inspect, asar integrity, asar only', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('rebuilds native modules and unpacks better-sqlite3’s .node from the asar', () => {
    expect(config.asar).toBe(true);
    expect(config.npmRebuild).toBe(true);
    expect(config.asarUnpack).toContain('**/node_modules/better-sqlite3/**/*.node');
  });
});

/**
 * Copies the production dependencies (what `npm ls --omit=dev` lists) into the throw-away
 * project. A symlink to the real node_modules is not enough: in a fresh `npm ci` checkout,
 * npm then lists the linked tree with every package's dev dependencies and electron-builder
 * left better-sqlite3's own dependencies (bindings) out of the archive.
 */
function copyProductionDependencies(project: string): void {
  const listed = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8' });
  const folders = listed.stdout.split('\n').filter((line) => line.startsWith(join(ROOT, 'node_modules')));
  expect(folders.length, 'npm ls lists the production dependencies').toBeGreaterThan(2);
  for (const folder of folders) {
    cpSync(folder, join(project, 'node_modules', relative(join(ROOT, 'node_modules'), folder)), { recursive: true, dereference: true });
  }
}

describe('electron-builder packs the app as configured (stand-in Electron, no fuses)', () => {
  it('puts the bundles and the renderer in app.asar and better_sqlite3.node next to it', async () => {
    const temp = tempFolder();
    try {
      // A throw-away project: the real package.json, config, icon and node_modules (linked).
      const project = join(temp.folder, 'project');
      mkdirSync(join(project, 'build'), { recursive: true });
      for (const file of ['package.json', 'package-lock.json', 'electron-builder.yml']) copyFileSync(join(ROOT, file), join(project, file));
      copyFileSync(join(ROOT, 'build', 'icon.png'), join(project, 'build', 'icon.png'));
      copyProductionDependencies(project);
      await buildElectron({ outDir: join(project, 'dist-electron'), log: () => {} });
      mkdirSync(join(project, 'dist-renderer', 'assets'), { recursive: true });
      writeFileSync(join(project, 'dist-renderer', 'index.html'), '<!doctype html>');
      writeFileSync(join(project, 'dist-renderer', 'assets', 'index.js'), '');
      // Stand-in for the Electron distribution (the real one cannot be downloaded here).
      const fakeElectron = join(temp.folder, 'electron-dist');
      mkdirSync(join(fakeElectron, 'resources'), { recursive: true });
      writeFileSync(join(fakeElectron, 'electron'), '#!/bin/sh\n');
      chmodSync(join(fakeElectron, 'electron'), 0o755);
      writeFileSync(join(fakeElectron, 'version'), `v${electronVersion()}`);

      const builder = require('electron-builder');
      const output = join(temp.folder, 'release');
      await builder.build({
        projectDir: project,
        targets: builder.Platform.LINUX.createTarget('dir'),
        publish: 'never',
        config: {
          ...structuredClone(config),
          electronDist: fakeElectron,
          electronVersion: electronVersion(), // electron itself (a dev dependency) is not copied in
          electronFuses: null, // needs a real Electron binary (its sentinel)
          npmRebuild: false, // needs Electron headers from the network
          directories: { ...config.directories, output },
        },
      });

      const resources = join(output, 'linux-unpacked', 'resources');
      const asar = require('@electron/asar') as { listPackage(path: string): string[] };
      const files = asar.listPackage(join(resources, 'app.asar')).map((file) => file.replaceAll('\\', '/'));
      for (const expected of [
        '/package.json',
        '/dist-electron/main.cjs',
        '/dist-electron/preload.cjs',
        '/dist-electron/startup/loading.html',
        '/dist-electron/startup/startup.js',
        '/dist-renderer/index.html',
        '/node_modules/better-sqlite3/lib/index.js',
        '/node_modules/bindings/bindings.js',
        // The statement PDF's two faces (read at run time; every other weight is left out).
        '/node_modules/@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
        '/node_modules/@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf',
      ]) {
        expect(files, expected).toContain(expected);
      }
      expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
      expect(files.filter((file) => file.startsWith('/node_modules/zod/'))).toEqual([]);
      expect(files.filter((file) => file.startsWith('/node_modules/@expo-google-fonts/') && /\.(ttf|png)$/.test(file))).toHaveLength(2);
      expect(files.filter((file) => file.includes('/better-sqlite3/deps/') || file.includes('/better-sqlite3/src/'))).toEqual([]);
      // The native module sits outside the archive, where dlopen can load it.
      const unpacked = join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
      expect(existsSync(unpacked)).toBe(true);
    } finally {
      temp.cleanup();
    }
  });
});

describe('npm run dist', () => {
  it('works out which Electron zips the targets need', () => {
    const host = { platform: 'linux' as const, arch: 'x64' };
    expect(targetsOf([], host)).toEqual([{ platform: 'linux', arch: 'x64' }]);
    expect(targetsOf(['--win', '--mac', '--arm64'], host)).toEqual([
      { platform: 'win32', arch: 'arm64' },
      { platform: 'darwin', arch: 'arm64' },
    ]);
    expect(targetsOf(['--mac', '--universal'], host)).toEqual([
      { platform: 'darwin', arch: 'x64' },
      { platform: 'darwin', arch: 'arm64' },
    ]);
  });

  // On a Node too old to build for Electron, dist stops before this preflight (node-version.test.ts).
  it.skipIf(electronToolsNodeRefusal() !== undefined)(
    'stops with a clear message, touching nothing, when Electron cannot be downloaded',
    () => {
      const { result, nativeBuildChanged } = runDistOffline();
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('npm run dist stopped: this machine cannot download Electron');
      expect(result.stderr).toContain('Nothing was built and nothing was changed.');
      expect(nativeBuildChanged).toBe(false);
    },
  );
});

describe('npm start', () => {
  it.skipIf(electronBinaryPath() !== undefined)('says plainly that the Electron binary is missing', () => {
    const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'start.mjs')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('The Electron binary is not installed here');
    expect(result.stderr).toContain('node node_modules/electron/install.js');
  });
});
