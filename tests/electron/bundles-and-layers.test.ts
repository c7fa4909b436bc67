/**
 * What the Electron side is built from and into:
 * - layer rules: the preload imports only the shared contract (channel names and the
 *   Result shape check at run time) and `electron`; the main
 *   process's policy modules import Electron's TYPES only (so tests run them without it);
 * - the esbuild bundles: one preload file whose only require is `electron` (a sandboxed
 *   preload can load nothing else), a main bundle with only electron, better-sqlite3 and
 *   Node built-ins left external, and the loading page;
 * - the native-binding rule: LEDGER_NATIVE_BINDING is honoured in development only, and the
 *   engine really loads better-sqlite3 from a `nativeBinding` path.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '#engine/ledger';
import { NATIVE_BINDING_VARIABLE, resolveNativeBinding } from '../../electron/hosts/main/native-binding';
import { buildElectron, preloadRequires } from '../../scripts/build-electron.mjs';
import { CONTENT_SECURITY_POLICY } from '../../electron/hosts/main/electron-guards';
import { tempFolder } from '../ipc/fixtures';

const ROOT = join(__dirname, '..', '..');

/** Module specifiers of every import/export … from and require() in a TypeScript file. */
function importsOf(file: string): Array<{ specifier: string; typeOnly: boolean }> {
  const source = readFileSync(file, 'utf8');
  const found: Array<{ specifier: string; typeOnly: boolean }> = [];
  for (const match of source.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
    found.push({ specifier: match[3]!, typeOnly: Boolean(match[2]) });
  }
  for (const match of source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push({ specifier: match[1]!, typeOnly: false });
  for (const match of source.matchAll(/\b(require|import)\(\s*['"]([^'"]+)['"]\s*\)/g))
    found.push({ specifier: match[2]!, typeOnly: false });
  return found;
}

function tsFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(folder, file));
}

describe('layer rules', () => {
  it('the preload imports only the shared contract, its own files and electron', () => {
    for (const file of tsFiles(join(ROOT, 'electron/hosts/preload'))) {
      for (const { specifier, typeOnly } of importsOf(file)) {
        const allowed =
          specifier === 'electron' ||
          specifier.startsWith('./') ||
          specifier === '#shared/ipc-channels' ||
          specifier === '#shared/result-envelope' ||
          (typeOnly && (specifier === '#shared/ipc-contract' || specifier === '#shared/errors'));
        expect(allowed, `${file} imports ${specifier}`).toBe(true);
        expect(specifier.startsWith('node:'), `${file} imports ${specifier}`).toBe(false);
      }
    }
  });

  it('main-process policy modules use Electron types only; main.ts alone imports electron', () => {
    for (const file of tsFiles(join(ROOT, 'electron/hosts/main'))) {
      if (file.endsWith('main.ts') || file.includes('startup-page')) continue;
      for (const { specifier, typeOnly } of importsOf(file)) {
        if (specifier === 'electron') expect(typeOnly, `${file} imports electron at runtime`).toBe(true);
        expect(specifier.includes('renderer'), `${file} imports the renderer`).toBe(false);
      }
    }
  });

  it('the engine never imports electron', () => {
    for (const file of tsFiles(join(ROOT, 'electron/engine'))) {
      for (const { specifier } of importsOf(file)) expect(specifier, file).not.toBe('electron');
    }
  });
});

describe('bundles', () => {
  let out: { folder: string; cleanup(): void };
  let outDir: string;

  beforeAll(async () => {
    out = tempFolder();
    outDir = join(out.folder, 'dist-electron');
    await buildElectron({ outDir, log: () => {} });
  });

  afterAll(() => out.cleanup());

  it('the preload is one CommonJS file that only requires electron', () => {
    const preload = readFileSync(join(outDir, 'preload.cjs'), 'utf8');
    expect([...new Set(preloadRequires(preload))]).toEqual(['electron']);
    expect(preload).toContain('exposeInMainWorld');
    expect(preload).toContain('"ledger"');
  });

  it('the main bundle leaves only electron, better-sqlite3 and Node built-ins external', () => {
    const main = readFileSync(join(outDir, 'main.cjs'), 'utf8');
    const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);
    const external = [...new Set(preloadRequires(main))].filter((name) => !builtins.has(name));
    expect(external.sort()).toEqual(['better-sqlite3', 'electron']);
  });

  it('ships the replay read thread beside main.cjs, which starts it from there', () => {
    expect(readFileSync(join(outDir, 'main.cjs'), 'utf8')).toContain('replay-worker.mjs');
    expect(readFileSync(join(outDir, 'replay-worker.mjs'), 'utf8')).toBe(
      readFileSync(join(ROOT, 'electron/engine/projection/replay-worker.mjs'), 'utf8'),
    );
  });

  it('ships the loading page with the same CSP', () => {
    for (const file of ['loading.html', 'startup.css', 'startup.js']) expect(existsSync(join(outDir, 'startup', file)), file).toBe(true);
    const html = readFileSync(join(outDir, 'startup', 'loading.html'), 'utf8');
    expect(html).not.toMatch(/<script>|<style>|\son\w+=/);
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    // The header (electron-guards.ts) adds frame-ancestors, which a <meta> policy cannot carry.
    expect(meta?.split('; ').sort()).toEqual(
      CONTENT_SECURITY_POLICY.split('; ')
        .filter((part) => !part.startsWith('frame-ancestors'))
        .sort(),
    );
  });
});

describe('native module for Electron', () => {
  it('LEDGER_NATIVE_BINDING is honoured in development and ignored when packaged', () => {
    const env = { [NATIVE_BINDING_VARIABLE]: '/cache/electron-native/better_sqlite3.node' };
    expect(resolveNativeBinding(false, env)).toBe('/cache/electron-native/better_sqlite3.node');
    expect(resolveNativeBinding(true, env)).toBeUndefined();
    expect(resolveNativeBinding(false, {})).toBeUndefined();
    expect(resolveNativeBinding(false, { [NATIVE_BINDING_VARIABLE]: '  ' })).toBeUndefined();
  });

  it('the engine loads better-sqlite3 from a nativeBinding path (here the Node build)', async () => {
    const folder = tempFolder();
    try {
      const nodeBuild = join(ROOT, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
      const opened = await Ledger.openInSlices({ path: join(folder.folder, 'a.db'), actor: 'test', nativeBinding: nodeBuild });
      expect(opened.ok).toBe(true);
      if (opened.ok) opened.value.close();
    } finally {
      folder.cleanup();
    }
  });

  it('a wrong nativeBinding is a STORAGE envelope naming the file, not a crash', async () => {
    const folder = tempFolder();
    try {
      const opened = await Ledger.openInSlices({
        path: join(folder.folder, 'a.db'),
        actor: 'test',
        nativeBinding: join(folder.folder, 'missing.node'),
      });
      expect(opened).toMatchObject({ ok: false, error: { code: 'STORAGE' } });
    } finally {
      folder.cleanup();
    }
  });
});
