#!/usr/bin/env node
/**
 * Runs Electronegativity (@doyensec/electronegativity) over the app's sources — the main
 * process, preload, engine, loading page (electron/) and the renderer (renderer/) — scanned
 * together so its global checks (CSP, navigation limits, permission handler) see the whole
 * app. Exits 1 when any HIGH or MEDIUM finding is neither fixed nor explained.
 *
 * "Explained" means: the finding is silenced at its place with Electronegativity's own
 * `eng-disable <CHECK>` comment AND a comment starting with "Electronegativity:" within the
 * few lines above says why. A bare eng-disable without the explanation fails the scan.
 *
 * Offline and quick (well under a minute): the one check that needs the network is excluded
 * (see EXCLUDED_CHECKS) and the Electron version is read from node_modules instead of being
 * detected. Usage: node scripts/security-scan.mjs [--output report.csv|report.sarif]
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { electronVersion, PROJECT_ROOT } from './lib/electron-env.mjs';

const require = createRequire(import.meta.url);
/** Loaded by name through require(): the package ships no types, its result is typed below. */
const ELECTRONEGATIVITY = '@doyensec/electronegativity';

/**
 * The part of Electronegativity's answer this script reads.
 * @typedef {{ id: string; severity: unknown; confidence: unknown; file: string; location?: { line?: number };
 *   description: string; visibility?: { inlineDisabled?: boolean; globalCheckDisabled?: boolean } }} RawIssue
 * @typedef {{ issues: RawIssue[]; errors: unknown[]; globalChecks: number; atomicChecks: number }} RawResult
 * @typedef {(options: Record<string, unknown>, forCli: boolean) => Promise<RawResult>} Runner
 */

/**
 * A finding, as the scan reports it.
 * @typedef {{ id: string; severity: string; confidence: string; file: string; line: number; description: string; silenced: boolean }} ScanIssue
 */

/** Source folders scanned (build output and node_modules are not sources). */
const SCANNED_FOLDERS = ['electron', 'renderer'];
const SKIPPED_NAMES = new Set(['node_modules', 'dist', 'dist-electron', 'dist-renderer', '.cache']);

/** Checks left out, each with its reason. Names are Electronegativity's check class names. */
export const EXCLUDED_CHECKS = {
  AvailableSecurityFixesGlobalCheck:
    "downloads Electron's release list from GitHub on every run; this scan must work offline in CI. " +
    'Staying on a patched Electron is handled by dependency updates (the electron range in package.json).',
};

/** How far above an eng-disable comment its "Electronegativity:" explanation may start. */
const EXPLANATION_WINDOW_LINES = 8;

const FAILING_SEVERITIES = new Set(['HIGH', 'MEDIUM']);

/** @param {unknown} value Electronegativity's severity or confidence: an object with a name, or a name. */
function severityName(value) {
  return String(/** @type {{ name?: unknown } | null | undefined} */ (value)?.name ?? value ?? '').toUpperCase();
}

/**
 * @param {string} folder
 * @returns {string[]}
 */
function filesUnder(folder) {
  /** @type {string[]} */
  const found = [];
  for (const entry of readdirSync(folder)) {
    if (SKIPPED_NAMES.has(entry) || entry.startsWith('.')) continue;
    const path = join(folder, entry);
    if (statSync(path).isDirectory()) found.push(...filesUnder(path));
    else found.push(path);
  }
  return found;
}

/**
 * Every eng-disable comment in the scanned sources that lacks its explanation.
 * @param {{ root?: string; folders?: string[] }} [options]
 * @returns {string[]}
 */
export function unexplainedDisables({ root = PROJECT_ROOT, folders = SCANNED_FOLDERS } = {}) {
  /** @type {string[]} */
  const problems = [];
  for (const folder of folders) {
    for (const file of filesUnder(join(root, folder))) {
      if (!/\.(ts|tsx|js|mjs|cjs|html|svelte)$/.test(file)) continue;
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, index) => {
        if (!/eng-disable\s+\w/.test(line)) return;
        const window = lines.slice(Math.max(0, index - EXPLANATION_WINDOW_LINES), index + 1).join('\n');
        if (!/Electronegativity:/.test(window)) problems.push(`${relative(root, file)}:${index + 1}`);
      });
    }
  }
  return problems;
}

/**
 * Scans the folders together; `output` also writes Electronegativity's own report (.csv or .sarif).
 * @param {{ root?: string; folders?: string[]; output?: string }} [options]
 * @returns {Promise<{ issues: ScanIssue[]; errors: unknown[]; checks: number }>}
 */
export async function scan({ root = PROJECT_ROOT, folders = SCANNED_FOLDERS, output } = {}) {
  // One folder holding both source trees, so the global checks see the whole app.
  const staging = mkdtempSync(join(tmpdir(), 'electronegativity-'));
  try {
    for (const folder of folders) {
      cpSync(join(root, folder), join(staging, folder), {
        recursive: true,
        filter: (path) => !path.split(/[\\/]/).some((part) => SKIPPED_NAMES.has(part)),
      });
    }
    const runModule = /** @type {Runner & { default?: Runner }} */ (require(ELECTRONEGATIVITY));
    const run = runModule.default ?? runModule;
    const result = await run(
      {
        input: staging,
        output,
        isSarif: output?.endsWith('.sarif') ?? false,
        customScan: [],
        excludeFromScan: Object.keys(EXCLUDED_CHECKS).map((name) => name.toLowerCase()),
        isRelative: true,
        isVerbose: false,
        electronVersionOverride: electronVersion(),
        parserPlugins: [],
      },
      false,
    );
    const issues = result.issues.map((issue) => ({
      id: issue.id,
      severity: severityName(issue.severity),
      confidence: severityName(issue.confidence),
      file: issue.file === 'N/A' ? 'N/A' : relative(staging, join(staging, issue.file)).replace(/^(\.\.[\\/])+/, ''),
      line: issue.location?.line ?? 0,
      description: issue.description,
      silenced: Boolean(issue.visibility?.inlineDisabled || issue.visibility?.globalCheckDisabled),
    }));
    return { issues, errors: result.errors, checks: result.globalChecks + result.atomicChecks };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function main() {
  const outputIndex = process.argv.indexOf('--output');
  const output = outputIndex > 0 ? process.argv[outputIndex + 1] : undefined;
  const started = Date.now();
  const { issues, errors, checks } = await scan({ output });
  const open = issues.filter((issue) => !issue.silenced);
  const failing = open.filter((issue) => FAILING_SEVERITIES.has(issue.severity));
  const unexplained = unexplainedDisables();

  console.log(
    `Electronegativity ${require(`${ELECTRONEGATIVITY}/package.json`).version}: ${checks} checks over ${SCANNED_FOLDERS.join('/, ')}/ (Electron ${electronVersion()})`,
  );
  for (const [name, reason] of Object.entries(EXCLUDED_CHECKS)) console.log(`  excluded ${name}: ${reason}`);
  for (const issue of open) {
    console.log(`  ${issue.severity.padEnd(13)} ${issue.id} ${issue.file}${issue.line ? `:${issue.line}` : ''} — ${issue.description}`);
  }
  for (const error of errors) console.log(`  parse error: ${JSON.stringify(error).slice(0, 200)}`);
  for (const place of unexplained) console.log(`  eng-disable without an "Electronegativity:" explanation at ${place}`);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (failing.length > 0 || unexplained.length > 0 || errors.length > 0) {
    console.error(
      `\nSecurity scan FAILED in ${seconds} s: ${failing.length} high/medium finding(s), ${unexplained.length} unexplained eng-disable, ${errors.length} parse error(s).` +
        '\nFix each finding, or explain it at its place: a comment starting with "Electronegativity:" and an `eng-disable CHECK_ID` comment on the flagged line.',
    );
    process.exit(1);
  }
  console.log(`\nSecurity scan passed in ${seconds} s (${open.length} low/informational finding(s) listed above, none high or medium).`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
