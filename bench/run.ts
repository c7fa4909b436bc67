/**
 * `npm run bench -- [--events N] [--accounts N] [--list-accounts N] [--screen-accounts N] [--statement-events N] [--batch N]
 *                   [--samples N] [--startup-rounds N] [--export-rounds N] [--skip-screen] [--skip-signing]
 *                   [--durable-reference FILE] [--out FILE]`
 *
 * Builds a ledger of N events (default 1,000,000) through the engine and measures each
 * figure next to a bare-SQLite baseline taken in the same run on the same machine: these
 * machines are shared and noisy, so only ratios compare. Everything runs on real files in a
 * fresh temp folder (removed at the end) with the engine's pragmas (WAL, synchronous=FULL).
 * Progress goes to stderr; the table to stdout; the figures to bench/results/latest.json (or
 * --out, e.g. bench/results/scale-1m.json for `npm run bench:scale`).
 */
import { mkdtempSync, rmSync, statfsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MAX_BATCH } from '../electron/hosts/cli/apply-stream';
import { measureAccountList } from './account-list';
import { measureAccountsScreen } from './accounts-screen';
import { measureAudit } from './audit-queries';
import { buildLedger, bulkAppendFigure, openLedger } from './bulk-append';
import { bundleChildren } from './children';
import { durableAgainstReference, durableFigures, readDurableReference } from './durable';
import { measureExportAndVerify } from './export-verify';
import { custom, formatNumber, type Figure } from './figures';
import { describeMachine, sqliteVersion, table, writeResults } from './report';
import { measureSignedHistory } from './signing';
import { measureMemoryAfterStartup, measureStartup } from './startup';
import { measureStatements } from './statement';

const PROJECT_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    accounts: { type: 'string', default: '2000' },
    // The Accounts screen's list is measured on a ledger of its own with this many accounts.
    'list-accounts': { type: 'string', default: '100000' },
    // …and the Accounts screen, in the preview and Chromium, on a ledger with this many.
    'screen-accounts': { type: 'string', default: '10000' },
    // …and a statement of one account with this many events, on a ledger of its own.
    'statement-events': { type: 'string', default: '100000' },
    // The batches `ledger apply` commits when a file or pipe streams in.
    batch: { type: 'string', default: String(MAX_BATCH) },
    samples: { type: 'string', default: '500' },
    'startup-rounds': { type: 'string', default: '5' },
    // Export, bare export, verify and bare SHA-256 rounds (medians); default 3, or 2 from 3M events
    // up, where one round takes minutes.
    'export-rounds': { type: 'string' },
    // The Chromium half of the Accounts-screen figure is skipped (on a loaded machine it can time out).
    'skip-screen': { type: 'boolean', default: false },
    // No signed-history figures (issue 14's, tree upkeep's share included): the first seal and
    // `ledger verify` each walk the whole log, minutes at 10M events.
    'skip-signing': { type: 'boolean', default: false },
    // A results file of a 1M-event run: adds 'durable deposit p50 against 1M' (≤ 1.1× its p50).
    'durable-reference': { type: 'string' },
    out: { type: 'string', default: join(PROJECT_ROOT, 'bench/results/latest.json') },
  },
  strict: true,
});

function wholeNumber(name: string, text: string | undefined, minimum: number): number {
  const value = Number(text?.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(value) || value < minimum) throw new Error(`--${name} needs a whole number ≥ ${minimum}`);
  return value;
}

const EVENTS = wholeNumber('events', values.events, 1_000);
const ACCOUNTS = wholeNumber('accounts', values.accounts, 2);
const BATCH = wholeNumber('batch', values.batch, 1);
const SAMPLES = wholeNumber('samples', values.samples, 10);
const LIST_ACCOUNTS = wholeNumber('list-accounts', values['list-accounts'], 200);
const SCREEN_ACCOUNTS = wholeNumber('screen-accounts', values['screen-accounts'], 1);
const STATEMENT_EVENTS = wholeNumber('statement-events', values['statement-events'], 2);
const STARTUP_ROUNDS = wholeNumber('startup-rounds', values['startup-rounds'], 1);
const EXPORT_ROUNDS = wholeNumber('export-rounds', values['export-rounds'] ?? (EVENTS >= 3_000_000 ? '2' : '3'), 2);
/** The smaller ledger the export's memory is compared with ("flat from 100k to 1M"). */
const SMALL_EVENTS = Math.round(EVENTS / 10);
const DURABLE_REFERENCE = values['durable-reference'] === undefined ? null : readDurableReference(values['durable-reference']);

/**
 * Disk the run needs at its peak, per event: the ledger (~0.5 KB an event), three bare bulk
 * copies each growing in ONE transaction (its WAL about the file's size, then the file itself
 * as the last one closes), the tree-upkeep file, and later the export beside the bare
 * export — about six ledgers' worth, rounded up.
 */
const DISK_BYTES_PER_EVENT = 3_600;

const log = (message: string) => process.stderr.write(`[bench ${elapsed()}] ${message}\n`);
const benchStarted = performance.now();
const elapsed = () => `${((performance.now() - benchStarted) / 1000).toFixed(0).padStart(4)}s`;

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  const disk = statfsSync(folder);
  const free = disk.bavail * disk.bsize;
  if (free < EVENTS * DISK_BYTES_PER_EVENT) {
    rmSync(folder, { recursive: true, force: true });
    throw new Error(
      `${formatNumber(EVENTS)} events need about ${formatNumber((EVENTS * DISK_BYTES_PER_EVENT) / 2 ** 30)} GB free in ${tmpdir()}, ` +
        `there are ${formatNumber(free / 2 ** 30)} GB (set TMPDIR to a larger disk)`,
    );
  }
  // Interrupted (Ctrl-C): still leave no temp files behind.
  process.once('SIGINT', () => {
    rmSync(folder, { recursive: true, force: true });
    process.exit(130);
  });
  const ledgerPath = join(folder, 'ledger.db');
  const smallPath = join(folder, 'ledger-small.db');
  const figures: Figure[] = [];
  const startedAt = new Date().toISOString();
  log(
    `${formatNumber(EVENTS)} events over ${formatNumber(ACCOUNTS)} accounts, ${BATCH} commands per transaction, in ${folder} ` +
      `(${formatNumber(free / 2 ** 30)} GB free)`,
  );
  try {
    const children = await bundleChildren(join(folder, 'children'));

    // 1. Bulk append through the engine vs a bare INSERT of the same rows in one transaction.
    const barePath = join(folder, 'bare-bulk.db');
    const bulk = { events: EVENTS, accounts: ACCOUNTS, batch: BATCH, smallEvents: SMALL_EVENTS };
    const built = await buildLedger(bulk, ledgerPath, smallPath, barePath, log);
    log(
      `engine bulk: ${formatNumber(built.eventsPerSecond)} events/s (${(built.ms / 1000).toFixed(1)} s); ledger ${formatNumber(statSync(ledgerPath).size / 2 ** 20)} MB`,
    );
    figures.push(bulkAppendFigure(built, EVENTS, barePath, log));

    // 2. Startup: open + full rebuild vs a bare scan with JSON.parse.
    figures.push(await measureStartup(children, ledgerPath, EVENTS, STARTUP_ROUNDS, log));

    // 3. Audit queries on the full ledger, opened as the app opens it: the chain is verified in
    //    the background (awaited here, before any figure), and a command then checks only the
    //    events appended since, not the streams it touches (that check is the CLI's).
    const ledger = openLedger(ledgerPath, { verifyInBackground: true });
    await ledger.integrity.verify();
    try {
      figures.push(...measureAudit(ledger, EVENTS, log));
      figures.push(...measureAccountList(folder, LIST_ACCOUNTS, log));
      if (values['skip-screen']) log('accounts screen: skipped (--skip-screen)');
      else figures.push(...(await measureAccountsScreen(folder, SCREEN_ACCOUNTS, log)));
      figures.push(...(await measureStatements(folder, STATEMENT_EVENTS, log)));

      // 4. Export and verify, each in a child process so its peak RSS is its own.
      figures.push(...(await measureExportAndVerify(children, folder, { small: smallPath, full: ledgerPath }, EXPORT_ROUNDS, log)));
      rmSync(smallPath, { force: true });

      // 5. Main-process memory after startup, in a fresh child.
      const memory = await measureMemoryAfterStartup(children, ledgerPath, log);
      figures.push(memory);
      figures.push(custom('memory after startup per event', (memory.value * 2 ** 20) / EVENTS, 'bytes/event', null, 'reported', true));

      // 6. One durable command at a time (last: it appends to the ledger).
      const durable = await durableFigures(ledger, ACCOUNTS, SAMPLES, log);
      figures.push(...durable);
      if (DURABLE_REFERENCE) figures.push(durableAgainstReference(durable, DURABLE_REFERENCE));

      // 7. Signed history: tree upkeep, seals, proofs (also last: each seal follows a deposit).
      if (values['skip-signing']) log('signed history: skipped (--skip-signing)');
      else figures.push(...measureSignedHistory(ledger, folder, built, log));
    } finally {
      ledger.close();
    }

    const results = {
      machine: describeMachine(),
      node: process.version,
      sqlite: sqliteVersion(),
      events: EVENTS,
      accounts: ACCOUNTS,
      startedAt,
      durationSeconds: Math.round((performance.now() - benchStarted) / 1000),
      figures,
    };
    writeResults(values.out!, results);
    process.stdout.write(`\n${table(figures)}\n\n`);
    process.stdout.write(
      `${formatNumber(EVENTS)} events · ${results.machine.cpu} × ${results.machine.cores} · ${results.machine.memoryGb} GB · ` +
        `${results.machine.os} · Node ${results.node} · SQLite ${results.sqlite} · ${results.durationSeconds} s\n`,
    );
    log(`results written to ${values.out}`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
