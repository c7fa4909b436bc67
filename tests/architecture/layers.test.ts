/**
 * The layer table of the design notes, enforced: each folder may import only what its
 * runtime has. A broken rule fails here with the file and the import named, instead of
 * surfacing as a crash in one runtime (Node code in the sandboxed renderer, `electron` in the CLI).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

type Rule = { readonly folder: string; readonly forbidden: ReadonlyArray<{ readonly pattern: RegExp; readonly why: string }> };

const NODE = { pattern: /^node:|^(fs|path|os|crypto|child_process|http|net|stream|url|util)$/, why: 'Node built-ins do not exist there' };
const ELECTRON = { pattern: /^electron$/, why: 'the Electron API belongs to electron/main and electron/preload only' };
const SQLITE = { pattern: /^better-sqlite3$/, why: 'only the engine touches SQLite' };
const folderImport = (folder: string, why: string) => ({ pattern: new RegExp(`(^|/)${folder}(/|$)`), why });

const RULES: readonly Rule[] = [
  { folder: 'shared', forbidden: [NODE, ELECTRON, SQLITE, folderImport('electron', 'shared code is pure'), folderImport('renderer', 'shared code is pure')] },
  { folder: 'electron/core', forbidden: [ELECTRON, folderImport('renderer', 'the engine has no UI'), folderImport('main', 'the engine never depends on a host'), folderImport('preload', 'the engine never depends on a host')] },
  { folder: 'electron/cli', forbidden: [ELECTRON, folderImport('main', 'the CLI runs without Electron')] },
  { folder: 'electron/preview', forbidden: [ELECTRON, folderImport('main', 'the preview host runs without Electron')] },
  { folder: 'electron/preload', forbidden: [NODE, SQLITE, folderImport('core', 'the sandboxed preload only relays IPC')] },
  { folder: 'renderer', forbidden: [NODE, ELECTRON, SQLITE, folderImport('electron', 'the renderer talks to the host only through window.ledger')] },
];

function sourceFiles(folder: string): string[] {
  const absolute = join(root, folder);
  let entries: string[];
  try {
    entries = readdirSync(absolute);
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    if (entry === 'node_modules' || entry.startsWith('.')) return [];
    const path = join(absolute, entry);
    if (statSync(path).isDirectory()) return sourceFiles(relative(root, path));
    // Build configuration (vite.config.ts) runs in Node at build time, not in the layer's runtime.
    return /\.(ts|svelte)$/.test(entry) && !entry.endsWith('.d.ts') && !entry.endsWith('.config.ts') ? [path] : [];
  });
}

/** Module specifiers of static imports, re-exports and dynamic imports (type-only imports excluded). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  const patterns = [
    /^\s*import\s+(?!type\s)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm,
    /^\s*export\s+(?!type\s)[^'"]*?\sfrom\s+['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) specifiers.push(match[1]!);
  return specifiers;
}

/** Resolves a relative specifier to a path from the repo root, so folder rules see where it lands. */
function target(file: string, specifier: string): string {
  return specifier.startsWith('.') ? relative(root, resolve(dirname(file), specifier)) : specifier;
}

describe('layer rules from the design notes', () => {
  for (const rule of RULES) {
    it(`${rule.folder}/ imports only what its runtime has`, () => {
      const violations: string[] = [];
      for (const file of sourceFiles(rule.folder)) {
        for (const specifier of importsOf(file)) {
          const resolved = target(file, specifier);
          for (const forbidden of rule.forbidden) {
            // Imports inside the rule's own folder are always fine (e.g. electron/core → electron/core).
            if (specifier.startsWith('.') && resolved.startsWith(`${rule.folder}/`)) continue;
            if (forbidden.pattern.test(resolved)) {
              violations.push(`${relative(root, file)} imports "${specifier}": ${forbidden.why}`);
            }
          }
        }
      }
      expect(violations).toEqual([]);
    });
  }

  it('finds the files it checks (the rules are not vacuous)', () => {
    expect(sourceFiles('shared').length).toBeGreaterThan(3);
    expect(sourceFiles('electron/core').length).toBeGreaterThan(10);
    expect(importsOf(join(root, 'electron/core/ledger.ts'))).toContain('./store/event-store');
  });
});
