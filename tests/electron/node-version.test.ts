/**
 * Which Node each part needs, as package.json, the READMEs and the scripts say: the engine, the
 * CLI and the tests run on Node 20.19+; building better-sqlite3 for Electron (`npm run dist`,
 * the first `npm start`) needs Node 22.12+, because @electron/rebuild and node-abi do, and
 * `npm run dist` refuses on an older Node before it builds or changes anything.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDistOffline } from './dist-offline';
import { ELECTRON_TOOLS_MIN_NODE, electronToolsNodeRefusal } from '../../scripts/lib/electron-env.mjs';

const ROOT = join(__dirname, '..', '..');
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};

describe('the Node versions the project states', () => {
  it('refuses exactly the Node versions older than 22.12 for Electron builds', () => {
    for (const old of ['20.19.0', '20.20.2', '22.11.0', '21.7.3']) {
      const refusal = electronToolsNodeRefusal(old);
      expect(refusal, old).toContain(`needs Node ${ELECTRON_TOOLS_MIN_NODE} or newer`);
      expect(refusal, old).toContain(`this is Node ${old}`);
    }
    for (const recent of ['22.12.0', '22.20.1', '23.0.0', '24.11.1']) expect(electronToolsNodeRefusal(recent), recent).toBeUndefined();
  });

  it('agrees with what @electron/rebuild and node-abi declare', () => {
    for (const name of ['@electron/rebuild', 'node-abi']) {
      const declared = (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { engines: { node: string } })
        .engines.node;
      expect(declared, name).toBe(`>=${ELECTRON_TOOLS_MIN_NODE}`);
    }
  });

  it('package.json engines and both READMEs say the same', () => {
    expect(packageJson.engines.node).toBe('>=20.19');
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('```', readme.indexOf('## Quick start')));
    expect(quickStart).toContain('Node 20.19+');
    expect(quickStart).toContain('Node 22.12+');
    expect(readFileSync(join(ROOT, 'build/README.md'), 'utf8')).toContain('**Node 22.12+**');
  });

  it.skipIf(electronToolsNodeRefusal() === undefined)('npm run dist on an older Node stops with the reason, touching nothing', () => {
    const releaseExisted = existsSync(join(ROOT, 'release'));
    // Were the Node check missing, this would end in the download preflight instead.
    const { result, nativeBuildChanged } = runDistOffline();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`npm run dist stopped: Building for Electron needs Node ${ELECTRON_TOOLS_MIN_NODE} or newer`);
    expect(result.stderr).toContain(`this is Node ${process.versions.node}`);
    expect(result.stderr).toContain('Nothing was built and nothing was changed.');
    expect(result.stdout).not.toContain('available');
    expect(nativeBuildChanged).toBe(false);
    expect(existsSync(join(ROOT, 'release'))).toBe(releaseExisted);
  });
});
