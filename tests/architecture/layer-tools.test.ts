/**
 * The layer table (docs/layers.md) is enforced by the tools CI runs, not by this test: here a
 * violation is planted in each layer's folder, and the layer's own tsconfig, ESLint and (for a
 * component) svelte-check must each fail and name the planted file.
 *
 * The plants go into a temporary copy of the source tree (with the project's own configuration
 * files and node_modules linked in), never into the checkout: other test files run in parallel
 * and read the source folders, and a planted file there would fail them. The tools run as child
 * processes exactly as `npm run typecheck` and `npm run lint` run them, from the copy's root, so
 * a config that stops covering a folder fails here.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHECKOUT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** What the layer configs read; build output, docs and node_modules (linked) stay behind. */
const COPIED = [
  'shared',
  'electron',
  'renderer',
  'tests',
  'types',
  'bench',
  'scripts',
  'bin',
  'build',
  'package.json',
  'eslint.config.js',
  'vitest.config.ts',
];
const ROOT = mkdtempSync(join(tmpdir(), 'ledger-layer-tools-'));
const TSC = join(CHECKOUT, 'node_modules/typescript/bin/tsc');
const ESLINT = join(CHECKOUT, 'node_modules/eslint/bin/eslint.js');
const SVELTE_CHECK = join(CHECKOUT, 'node_modules/svelte-check/bin/svelte-check');

function copySourceTree(): void {
  const entries = [...COPIED, ...readdirSync(CHECKOUT).filter((name) => /^tsconfig.*\.json$/.test(name))];
  for (const entry of entries) {
    const from = join(CHECKOUT, entry);
    if (existsSync(from))
      cpSync(from, join(ROOT, entry), { recursive: true, filter: (source) => !/[\\/](node_modules|\.cache)$/.test(source) });
  }
  symlinkSync(join(CHECKOUT, 'node_modules'), join(ROOT, 'node_modules'), 'dir');
}
const TOOL_TIMEOUT_MS = 240_000;

type Outcome = { readonly code: number; readonly output: string; readonly errors: string };

function run(script: string, args: readonly string[]): Promise<Outcome> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [script, ...args],
      { cwd: ROOT, timeout: TOOL_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolvePromise({ code, output: stdout, errors: stderr });
      },
    );
  });
}

type Plant = {
  /** The layer, as the test names it. */
  readonly layer: string;
  /** The tsconfig that checks the folder (what `tsc -b` builds for it). */
  readonly tsconfig: string;
  /** The file to plant, from the repo root, without the unique suffix and extension. */
  readonly stem: string;
  readonly extension: '.ts' | '.svelte';
  readonly source: string;
  /** TypeScript's error codes that must be reported on the planted file. */
  readonly typeErrors: readonly string[];
};

const suffix = `${process.pid}_${randomUUID().slice(0, 8)}`;

const PLANTS: readonly Plant[] = [
  {
    layer: 'shared',
    tsconfig: 'shared/tsconfig.json',
    stem: 'shared/__planted_violation',
    extension: '.ts',
    // The reviewer's slip from issue 18: Node globals in shared code, plus a Node import.
    source: "import { readFileSync } from 'node:fs';\nexport const planted = [process.env['HOME'], Buffer.from('x'), readFileSync];\n",
    typeErrors: ['TS2307', 'TS2591'],
  },
  {
    layer: 'engine',
    tsconfig: 'electron/engine/tsconfig.json',
    stem: 'electron/engine/__planted_violation',
    extension: '.ts',
    source: "import { app } from 'electron';\nexport const planted = [app, window.location];\n",
    typeErrors: ['TS2306', 'TS2304'],
  },
  {
    layer: 'CLI',
    tsconfig: 'electron/hosts/cli/tsconfig.json',
    stem: 'electron/hosts/cli/__planted_violation',
    extension: '.ts',
    source: "import { dialog } from 'electron';\nexport const planted = dialog;\n",
    typeErrors: ['TS2306'],
  },
  {
    layer: 'preload',
    tsconfig: 'electron/hosts/preload/tsconfig.json',
    // Electron's typings bring Node's along, so for the compiler it is SQLite that must be missing;
    // the linter also refuses the node: import.
    stem: 'electron/hosts/preload/__planted_violation',
    extension: '.ts',
    source: "import Database from 'better-sqlite3';\nimport { join } from 'node:path';\nexport const planted = [Database, join];\n",
    typeErrors: ['TS2306'],
  },
  {
    layer: 'renderer',
    tsconfig: 'renderer/tsconfig.json',
    stem: 'renderer/src/lib/__planted_violation',
    extension: '.ts',
    source: "import { readFileSync } from 'node:fs';\nexport const planted = [readFileSync, process.platform];\n",
    typeErrors: ['TS2307', 'TS2591'],
  },
  {
    layer: 'renderer, the engine by its subpath',
    tsconfig: 'renderer/tsconfig.json',
    // `#engine/…` names no folder, so the lint rule must know the subpath itself.
    stem: 'renderer/src/lib/__planted_engine_import',
    extension: '.ts',
    source: "import { Ledger } from '#engine/ledger';\nexport const planted = Ledger;\n",
    typeErrors: [],
  },
  {
    layer: 'renderer component',
    tsconfig: 'renderer/tsconfig.json',
    stem: 'renderer/src/components/PlantedViolation',
    extension: '.svelte',
    source:
      '<script lang="ts">\n  import { readFileSync } from \'node:fs\';\n  const planted = [readFileSync, process.platform];\n</script>\n\n<p>{planted.length}</p>\n',
    typeErrors: [],
  },
];

const fileOf = (plant: Plant) => `${plant.stem}_${suffix}${plant.extension}`;

const typeCheck = new Map<string, Outcome>();
let lint: Outcome;
let svelteCheck: Outcome;
let solution: readonly string[];

beforeAll(async () => {
  copySourceTree();
  // The layers' references (shared, the engine) must be built for `tsc -p` of a layer to read
  // their declarations. Their own errors, if any, are someone else's: only the exit matters below.
  await run(TSC, ['-b', 'shared/tsconfig.json', 'electron/engine/tsconfig.json']);
  for (const plant of PLANTS) writeFileSync(join(ROOT, fileOf(plant)), plant.source, { flag: 'wx' });
  const tsPlants = PLANTS.filter((plant) => plant.extension === '.ts');
  const outcomes = await Promise.all(tsPlants.map((plant) => run(TSC, ['-p', plant.tsconfig, '--noEmit', '--pretty', 'false'])));
  tsPlants.forEach((plant, index) => typeCheck.set(plant.layer, outcomes[index]!));
  lint = await run(ESLINT, ['--no-warn-ignored', '--format', 'json', ...PLANTS.map(fileOf)]);
  svelteCheck = await run(SVELTE_CHECK, ['--tsconfig', './renderer/tsconfig.json', '--threshold', 'error', '--output', 'machine']);
  const parsed = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  solution = ((parsed.config as { references?: Array<{ path: string }> }).references ?? []).map(({ path }) =>
    path.endsWith('.json') ? join(ROOT, path) : join(ROOT, path, 'tsconfig.json'),
  );
}, 4 * TOOL_TIMEOUT_MS);

afterAll(() => {
  rmSync(ROOT, { recursive: true, force: true });
});

/** Lines of a tool's output that report the planted file. */
const linesAbout = (output: string, plant: Plant) => output.split('\n').filter((line) => line.includes(fileOf(plant)));

describe('a violation planted in each layer fails the tools CI runs', () => {
  for (const plant of PLANTS.filter((candidate) => candidate.extension === '.ts')) {
    it(`${plant.layer}: tsc -p ${plant.tsconfig} fails on the planted file`, () => {
      const outcome = typeCheck.get(plant.layer)!;
      expect(outcome.code).not.toBe(0);
      const reported = linesAbout(outcome.output, plant).join('\n');
      for (const code of plant.typeErrors) expect(reported).toContain(`error ${code}`);
    });
  }

  for (const plant of PLANTS) {
    it(`${plant.layer}: eslint fails on the planted file's import`, () => {
      expect(lint.code).toBe(1);
      const results = JSON.parse(lint.output) as Array<{ filePath: string; messages: Array<{ ruleId: string | null; severity: number }> }>;
      const reported = results.find((result) => result.filePath === join(ROOT, fileOf(plant)));
      expect(reported?.messages).toContainEqual(expect.objectContaining({ ruleId: 'no-restricted-imports', severity: 2 }));
    });
  }

  it('renderer component: svelte-check fails on the planted .svelte file', () => {
    const plant = PLANTS.find((candidate) => candidate.extension === '.svelte')!;
    expect(svelteCheck.code).not.toBe(0);
    const reported = linesAbout(svelteCheck.output, plant).join('\n');
    expect(reported).toContain('ERROR');
    expect(reported).toMatch(/Cannot find (module 'node:fs'|name 'process')/);
  });

  it('the checkout itself never held a planted file', () => {
    for (const plant of PLANTS) expect(existsSync(join(CHECKOUT, fileOf(plant)))).toBe(false);
  });
});

describe('CI runs those checks over every layer', () => {
  it('npm run typecheck builds the root solution and runs svelte-check with the renderer tsconfig', () => {
    const scripts = (JSON.parse(readFileSync(join(CHECKOUT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['typecheck']).toMatch(/^tsc -b && svelte-check --tsconfig \.\/renderer\/tsconfig\.json/);
    expect(scripts['lint']).toMatch(/^eslint /);
    for (const folder of ['shared', 'electron', 'renderer', 'tests']) expect(scripts['lint']!.split(' ')).toContain(folder);
    const ci = readFileSync(join(CHECKOUT, '.ci/run'), 'utf8');
    expect(ci).toContain('npm run -s typecheck');
    expect(ci).toContain('npm run -s lint');
  });

  it('the root tsconfig references every layer tsconfig the plants were checked with', () => {
    for (const plant of PLANTS) expect(solution).toContain(join(ROOT, plant.tsconfig));
  });
});
