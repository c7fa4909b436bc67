/**
 * Test support for the audit screen: a ledger seeded the way a person would (the CLI: a
 * legacy import for upcast payloads, then commands in two batches more than a second apart,
 * so "as of a moment" has a moment between them), and independent readings of it through the
 * CLI (`events`, `export`) to check the screen against.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { REPOSITORY_ROOT } from './preview-host';

const execFileAsync = promisify(execFile);

/** The original exercise's log, imported with `import --legacy`: schema-1 events to upcast. */
export const LEGACY_FIXTURE = join(REPOSITORY_ROOT, 'tests', 'fixtures', 'legacy-seed-log.jsonl');

/** Memos that break naive CSV writers and readers, and text outside Latin-1. */
export const TRICKY_MEMOS = {
  comma: 'Salary, March',
  quotes: 'Say "hello"',
  nonLatin: '東京の家賃 — ünïcödé',
  formula: '=SUM(A1:A9)',
  lineBreak: 'Line one\nline two, "quoted"',
  accents: 'Café crème, s’il vous plaît',
} as const;

export const TRANSFER_COMMAND_ID = 'transfer-rent-0001';

const BATCH_ONE = [
  { command: 'open', account: 'ACC-A', owner: 'Alice Martin', currency: 'EUR', initial: '100.00' },
  { command: 'open', account: 'ACC-B', owner: 'Bob Stone', currency: 'EUR' },
  { command: 'open', account: 'ACC-C', owner: 'Zoë Åberg', currency: 'EUR', initial: '5.00' },
  { command: 'deposit', account: 'ACC-A', amount: '50.25', memo: TRICKY_MEMOS.comma },
  { command: 'deposit', account: 'ACC-B', amount: '20.00', memo: TRICKY_MEMOS.quotes },
  { command: 'transfer', from: 'ACC-A', to: 'ACC-B', amount: '40.00', memo: 'Rent share', commandId: TRANSFER_COMMAND_ID },
  { command: 'deposit', account: 'ACC-C', amount: '12.34', memo: TRICKY_MEMOS.nonLatin },
  { command: 'withdraw', account: 'ACC-A', amount: '10.00', memo: TRICKY_MEMOS.formula },
];

const BATCH_TWO = [
  { command: 'deposit', account: 'ACC-B', amount: '1000.00', memo: TRICKY_MEMOS.lineBreak },
  { command: 'withdraw', account: 'ACC-C', amount: '17.34', memo: 'Emptying before closing' },
  { command: 'close', account: 'ACC-C' },
  { command: 'deposit', account: 'ACC-A', amount: '7.77', memo: TRICKY_MEMOS.accents, commandId: 'deposit-cmd-777' },
];

export type CliRun = { readonly code: number; readonly stdout: string; readonly stderr: string };

/** The config folder these CLIs see: a signed export makes its key there, never in the user's ~/.config. */
const CLI_CONFIG_FOLDER = mkdtempSync(join(tmpdir(), 'ledger-e2e-config-'));

/** Runs the ledger CLI and answers its exit code and output, whatever the code. */
export async function runCliRaw(database: string, args: readonly string[]): Promise<CliRun> {
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      ['--import', 'tsx', join(REPOSITORY_ROOT, 'electron/hosts/cli/cli-entry.ts'), '--db', database, ...args],
      {
        cwd: REPOSITORY_ROOT,
        env: { ...process.env, LEDGER_DB: '', LEDGER_KEY_FILE: '', XDG_CONFIG_HOME: CLI_CONFIG_FOLDER, APPDATA: CLI_CONFIG_FOLDER },
        maxBuffer: 256 * 1024 * 1024,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** Applies `commands` through the CLI (`apply --file`, the file `name` in `folder`); throws if that fails. */
export async function applyLines(database: string, folder: string, name: string, commands: readonly object[]): Promise<void> {
  const file = join(folder, name);
  writeFileSync(file, `${commands.map((command) => JSON.stringify(command)).join('\n')}\n`);
  const run = await runCliRaw(database, ['apply', '--file', file]);
  if (run.code !== 0) throw new Error(`apply ${name} failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
}

export type SeededLedger = {
  /** The last position of the first batch, and a whole-second moment after it but before the second batch. */
  readonly batchOneLastPosition: number;
  /** "YYYY-MM-DDTHH:MM:SS" in UTC (the tests' browser runs in UTC), for `<input type="datetime-local">`. */
  readonly momentBetweenBatches: string;
  readonly lastPosition: number;
};

/** Legacy import, batch one, a pause past the next whole second, batch two. */
export async function seedAuditLedger(database: string, folder: string): Promise<SeededLedger> {
  const imported = await runCliRaw(database, ['import', '--legacy', '--currency', 'EUR', '--file', LEGACY_FIXTURE]);
  if (imported.code !== 0) throw new Error(`legacy import failed:\n${imported.stdout}\n${imported.stderr}`);
  await applyLines(database, folder, 'batch-one.jsonl', BATCH_ONE);
  const afterOne = await cliEvents(database);
  const lastOfOne = afterOne[afterOne.length - 1]!;
  const boundary = Math.ceil((Date.parse(lastOfOne.recordedAt) + 1) / 1000) * 1000;
  // The second batch must start after the boundary second, with room to spare.
  const wait = boundary + 400 - Date.now();
  if (wait > 0) await sleep(wait);
  await applyLines(database, folder, 'batch-two.jsonl', BATCH_TWO);
  const all = await cliEvents(database);
  return {
    batchOneLastPosition: lastOfOne.position,
    momentBetweenBatches: new Date(boundary).toISOString().slice(0, 19),
    lastPosition: all[all.length - 1]!.position,
  };
}

/** A decoded event as `ledger events` prints it (upcast to the current schema). */
export type CliEvent = {
  readonly position: number;
  readonly eventId: string;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly type: string;
  readonly data: Record<string, unknown> & {
    amountMinor?: number;
    initialMinor?: number;
    memo?: string;
    to?: string;
    from?: string;
    owner?: string;
  };
  readonly metadata: Record<string, unknown>;
  readonly recordedAt: string;
  readonly storedSchemaVersion: number;
};

export async function cliEvents(database: string): Promise<CliEvent[]> {
  const run = await runCliRaw(database, ['events']);
  if (run.code !== 0) throw new Error(`events failed:\n${run.stderr}`);
  return run.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as CliEvent);
}

/** One event line of a JSON Lines export, with its payload text exactly as stored. */
export type ExportedEvent = {
  readonly position: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly previousHash: string;
  readonly hash: string;
  /** The stored payload bytes, cut out of the line verbatim (the export splices them in). */
  readonly rawData: string;
};

export function parseExportLines(text: string): ExportedEvent[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{"position":'))
    .map((line) => {
      const parsed = JSON.parse(line) as { position: number; type: string; schemaVersion: number; previousHash: string; hash: string };
      const start = line.indexOf(',"data":') + ',"data":'.length;
      const end = line.indexOf(',"metadata":', start);
      return { ...parsed, rawData: line.slice(start, end) };
    });
}

export async function cliExport(database: string): Promise<ExportedEvent[]> {
  const run = await runCliRaw(database, ['export', '--format', 'jsonl']);
  if (run.code !== 0) throw new Error(`export failed:\n${run.stderr}`);
  return parseExportLines(run.stdout);
}

/** Signed effect of a decoded event on its own account, in minor units. */
export function effectOf(event: CliEvent): number {
  switch (event.type) {
    case 'AccountOpened':
      return event.data.initialMinor ?? 0;
    case 'MoneyDeposited':
    case 'TransferReceived':
      return event.data.amountMinor ?? 0;
    case 'MoneyWithdrawn':
    case 'TransferSent':
      return -(event.data.amountMinor ?? 0);
    default:
      return 0;
  }
}

/** Every account's balance (minor units) and whether it was closed, after the events given. */
export function balancesAfter(events: readonly CliEvent[]): Map<string, { minor: number; closed: boolean }> {
  const balances = new Map<string, { minor: number; closed: boolean }>();
  for (const event of events) {
    const current = balances.get(event.streamId) ?? { minor: 0, closed: false };
    balances.set(event.streamId, { minor: current.minor + effectOf(event), closed: current.closed || event.type === 'AccountClosed' });
  }
  return balances;
}

/** The other account of a transfer leg. */
export function counterpartyOf(event: CliEvent): string | undefined {
  return event.type === 'TransferSent' ? event.data.to : event.type === 'TransferReceived' ? event.data.from : undefined;
}

/** Owner of every account, from the openings. */
export function ownersOf(events: readonly CliEvent[]): Map<string, string> {
  return new Map(events.filter((event) => event.type === 'AccountOpened').map((event) => [event.streamId, event.data.owner ?? '']));
}
