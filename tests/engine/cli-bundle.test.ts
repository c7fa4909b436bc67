/**
 * Issue 17.2 — the `ledger` command is a built bundle behind package.json's "bin", rebuilt
 * whenever it is missing or older than anything it was made from, so what runs is always the
 * code in the folder (and what the tests spawn is what a person runs).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCli } from '../../scripts/build-cli.mjs';
import { CLI_BUNDLE, CLI_INPUTS, cliBundleIsCurrent } from '../../scripts/lib/cli-bundle.mjs';
import { CLI } from './cli-process';
import { repoRoot, tempFolder } from './helpers';

describe('the ledger command', () => {
  it('is package.json\'s "bin", and `npm run ledger` runs the same file', () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect(join(repoRoot, manifest.bin.ledger!)).toBe(CLI);
    expect(manifest.scripts.ledger).toBe(`node ${manifest.bin.ledger}`);
    expect(manifest.scripts.prepare).toMatch(/scripts\/build-cli\.mjs/);
  });

  it('is a plain JavaScript bundle needing only Node built-ins and better-sqlite3, current until a source changes', async () => {
    const outDir = tempFolder('ledger-cli-build-');
    await buildCli({ outDir, log: () => undefined });
    const bundle = readFileSync(join(outDir, CLI_BUNDLE), 'utf8');
    const statements =
      /\bimport\s*(?:[\w$]+\s*,?\s*)?(?:\*\s*as\s*[\w$]+|\{[^}]*\})?\s*from\s*"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)|\brequire\(\s*"([^"]+)"\s*\)/g;
    const imported = new Set([...bundle.matchAll(statements)].map((match) => match[1] ?? match[2] ?? match[3]));
    expect(imported).toContain('better-sqlite3');
    // Built-ins by either spelling: pdfkit (statements) imports 'fs' and 'zlib' without the node: prefix.
    for (const name of imported) expect(isBuiltin(name!) || name === 'better-sqlite3', name).toBe(true);
    // (It runs from dist-cli/, beside node_modules: every CLI test spawns it there.)

    // The worker threads' entry files sit beside the bundle, which starts them from there.
    for (const worker of ['writer-thread.mjs', 'replay-worker.mjs']) expect(existsSync(join(outDir, worker)), worker).toBe(true);
    expect(cliBundleIsCurrent(outDir)).toBe(true);
    const stamp = JSON.parse(readFileSync(join(outDir, CLI_INPUTS), 'utf8')) as { startedAt: number; inputs: string[] };
    expect(stamp.inputs).toEqual(
      expect.arrayContaining([
        'electron/hosts/cli/cli-entry.ts',
        'electron/engine/ledger.ts',
        'shared/money.ts',
        'electron/engine/bulk/writer-thread.mjs',
        'electron/engine/projection/replay-worker.mjs',
      ]),
    );
    // A source changed after the build started: stale (compared by the build's start, so an edit made during the build counts).
    writeFileSync(join(outDir, CLI_INPUTS), JSON.stringify({ ...stamp, startedAt: 0 }));
    expect(cliBundleIsCurrent(outDir)).toBe(false);
    writeFileSync(join(outDir, CLI_INPUTS), JSON.stringify(stamp));
    rmSync(join(outDir, CLI_BUNDLE));
    expect(cliBundleIsCurrent(outDir)).toBe(false);
  });
});
