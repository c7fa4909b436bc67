/**
 * Lint rules: the layer table (docs/layers.md) as per-folder import rules, plus the rules the
 * code already follows. Each layer's tsconfig catches what a runtime lacks (globals and
 * modules); these rules catch imports across folders, which types alone cannot.
 *
 * Every source file falls in exactly one layer block below: ESLint does not merge two
 * `no-restricted-imports` settings for one file, the later one replaces the earlier.
 */
import { builtinModules } from 'node:module';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';

/** Node's built-in modules, by both names (`node:fs` and plain `fs`). */
const NODE_BUILTINS = {
  regex: `^(node:.*|${builtinModules.map((name) => name.replace(/[/]/g, '\\/')).join('|')})$`,
  message: 'Node built-ins do not exist in this layer (see docs/layers.md).',
};
const ELECTRON = { name: 'electron', message: 'Only electron/hosts/main and electron/hosts/preload may use Electron.' };
const SQLITE = { name: 'better-sqlite3', message: 'Only the engine (electron/engine) touches SQLite.' };

/** An import whose path passes through a folder with this name, e.g. `../../electron/engine/ledger`. */
const throughFolder = (folder, message) => ({ regex: `(^|/)${folder}(/|$)`, message });

/** The engine by its subpath import (`#engine/ledger`), which names no folder. */
const engineImport = (message) => ({ regex: '^#engine/', message });

/** A regular expression's source as an esquery `/…/` literal, which ends at the first slash, escaped or not. */
const inSelector = (source) => source.replace(/\\?\//g, '\\x2F');

/**
 * `no-restricted-imports` for one layer: named modules and folder patterns it never imports.
 * That rule sees `import`/`export … from` only, so the same list is applied to `import('…')`
 * and `require('…')` with a string literal through `no-restricted-syntax`.
 */
function layer(files, { paths = [], patterns = [] }, ignores = []) {
  const forbidden = [
    ...paths.map(({ name, message }) => ({ source: `^${name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}$`, message })),
    ...patterns.map(({ regex, message }) => ({ source: regex, message })),
  ];
  const calls = forbidden.flatMap(({ source, message }) => [
    { selector: `ImportExpression > Literal.source[value=/${inSelector(source)}/]`, message },
    { selector: `CallExpression[callee.name='require'] > Literal.arguments[value=/${inSelector(source)}/]`, message },
  ]);
  return {
    files,
    ignores,
    rules: { 'no-restricted-imports': ['error', { paths, patterns }], 'no-restricted-syntax': ['error', ...calls] },
  };
}

/** Browser pages outside renderer/ (the preview bridge, the loading page): the renderer's rules. */
const PAGE_RULES = {
  paths: [ELECTRON, SQLITE],
  patterns: [
    NODE_BUILTINS,
    throughFolder('engine', 'A page reaches the engine only through its host.'),
    engineImport('A page reaches the engine only through its host.'),
  ],
};
const BROWSER_PAGES = ['electron/hosts/preview/bridge.ts', 'electron/hosts/main/startup-page/**'];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      'dist/**',
      'dist-*/**',
      'release/**',
      '.cache/**',
      'test-results/**',
      'bench/results/**',
      'docs/**',
      'build/**',
    ],
  },
  {
    files: ['**/*.{ts,mts,js,mjs}'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' },
  },
  ...svelte.configs['flat/base'],
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    files: ['**/*.{ts,mts,js,mjs,svelte}'],
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
    },
  },

  {
    // Tests read JSON answers (`json.error.code`) and drive stand-ins for Electron objects whose
    // shapes the assertions themselves check; typing each answer would add casts, not safety.
    files: ['tests/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },

  layer(['shared/**'], {
    paths: [ELECTRON, SQLITE],
    patterns: [
      NODE_BUILTINS,
      throughFolder('electron', 'shared/ is pure: it imports only shared/ and zod.'),
      throughFolder('renderer', 'shared/ is pure: it imports only shared/ and zod.'),
      engineImport('shared/ is pure: it imports only shared/ and zod.'),
    ],
  }),
  layer(['electron/engine/**'], {
    paths: [ELECTRON],
    patterns: [throughFolder('renderer', 'The engine has no UI.'), throughFolder('hosts', 'The engine never depends on a host.')],
  }),
  layer(
    ['electron/hosts/cli/**', 'electron/hosts/preview/**'],
    {
      paths: [ELECTRON],
      patterns: [
        throughFolder('main', 'The CLI and the preview host run without Electron.'),
        throughFolder('renderer', 'The hosts serve the renderer; they never import it.'),
      ],
    },
    BROWSER_PAGES,
  ),
  layer(
    ['electron/hosts/main/**'],
    { patterns: [throughFolder('renderer', 'The main process reaches the renderer only over IPC.')] },
    BROWSER_PAGES,
  ),
  layer(['electron/hosts/preload/**'], {
    paths: [SQLITE],
    patterns: [
      NODE_BUILTINS,
      throughFolder('engine', 'The sandboxed preload only relays IPC to the main process.'),
      engineImport('The sandboxed preload only relays IPC to the main process.'),
    ],
  }),
  layer(['renderer/src/**'], {
    paths: [ELECTRON, SQLITE],
    patterns: [
      NODE_BUILTINS,
      throughFolder('electron', 'The renderer talks to its host only through window.ledger.'),
      engineImport('The renderer talks to its host only through window.ledger.'),
    ],
  }),
  layer(BROWSER_PAGES, PAGE_RULES),
);
