/**
 * `ledger`: the scriptable command line on the same engine and handler table as the app.
 * JSON in, JSON out; exit 0 success, 1 domain error, 2 usage error, 3 INTEGRITY.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { COMMAND_NAMES, type CommandName } from '../../shared/commands';
import { COMMAND_CHANNELS } from '../../shared/ipc-contract';
import type { Result } from '../../shared/errors';
import { createHandlers, exportToFile, toSnapshotFilter } from '../core/handlers';
import { Ledger } from '../core/ledger';
import { restoreExport } from '../core/export/export-restore';
import { verifyExportFile } from '../core/export/export-verify';
import { auditFilterSchema } from '../../shared/audit';
import { validate } from '../../shared/validation';
import { defaultLedgerPath } from '../core/paths';
import { applyStream } from './apply-stream';
import { COMMAND_FLAGS, flagsToInput } from './command-flags';
import { EXIT, UsageError, exitCodeFor, printFailure, printJson } from './output';

const USAGE = `Usage: ledger [--db FILE] <command> [flags]

Commands (money amounts are decimal text, e.g. 12.30):
  open      --account ID --owner NAME --currency CUR [--initial AMOUNT] [--command-id ID]
  deposit   --account ID --amount AMOUNT [--memo TEXT] [--expected-version N] [--command-id ID]
  withdraw  --account ID --amount AMOUNT [--memo TEXT] [--expected-version N] [--command-id ID]
  transfer  --from ID --to ID --amount AMOUNT [--memo TEXT] [--command-id ID]
  close     --account ID [--expected-version N] [--command-id ID]
  account ID | accounts | history ID
  events    [--from-position N] [--limit N] [--account ID] [--type TYPE]
  apply     [--file F]            JSON lines of commands (stdin without --file)
  verify    [--file EXPORT.jsonl] walk the hash chain and head checkpoint (or check an export offline)
  rebuild                         replay the whole log into a fresh projection
  export    [--format jsonl|csv] [--out FILE] [--account ID] [--type TYPE] [--from DATE] [--to DATE]
  import    --legacy --currency CUR --file F      the original exercise's log
  import    --file EXPORT.jsonl                   restore a full export into an empty ledger

--db defaults to $LEDGER_DB, else the desktop app's own ledger file.`;

const COMMAND_CHANNEL_OF = Object.fromEntries(
  Object.entries(COMMAND_CHANNELS).map(([channel, spec]) => [spec.command, channel]),
) as Record<CommandName, keyof typeof COMMAND_CHANNELS>;

type ParsedFlags = { values: Record<string, string | boolean | undefined>; positionals: string[] };

function parse(args: string[], options: ParseArgsConfig['options'], positionals = 0): ParsedFlags {
  try {
    const parsed: ParsedFlags = parseArgs({ args, options: { db: { type: 'string' }, ...options }, allowPositionals: true, strict: true });
    if (parsed.positionals.length !== positionals) {
      throw new UsageError(positionals === 0 ? `Unexpected argument ${parsed.positionals[0]}` : 'Missing or extra argument');
    }
    return parsed;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message);
  }
}

const stringFlags = (names: readonly string[]) =>
  Object.fromEntries(names.map((name) => [name, { type: 'string' as const }]));

function integerFlag(value: string | boolean | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) throw new UsageError(`--${name} needs a whole number`);
  return Number(value);
}

/** Prints a Result and returns the exit code. */
function answer(result: Result<unknown>, shape: (value: unknown) => unknown = (value) => value): number {
  if (!result.ok) {
    printFailure(result.error);
    return exitCodeFor(result.error);
  }
  printJson(shape(result.value));
  return EXIT.ok;
}

function openLedger(path: string): Ledger {
  const opened = Ledger.open({ path, actor: `cli:${safeUserName()}` });
  if (!opened.ok) {
    printFailure(opened.error);
    process.exit(exitCodeFor(opened.error));
  }
  return opened.value;
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

async function run(argv: string[]): Promise<number> {
  // --db may stand before the command; find the command as the first non-flag word.
  const global = parseArgs({ args: argv, options: { db: { type: 'string' }, help: { type: 'boolean' } }, allowPositionals: true, strict: false });
  const command = global.positionals[0];
  if (global.values.help || command === undefined || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined && !global.values.help ? EXIT.usage : EXIT.ok;
  }
  const rest = argv.filter((argument, index) => index !== argv.indexOf(command));
  const dbPath = typeof global.values.db === 'string' ? global.values.db : defaultLedgerPath();

  if ((COMMAND_NAMES as string[]).includes(command)) {
    const name = command as CommandName;
    const { values } = parse(rest, stringFlags(COMMAND_FLAGS[name]));
    const ledger = openLedger(dbPath);
    try {
      const table = createHandlers(() => ledger);
      return answer(table[COMMAND_CHANNEL_OF[name]](flagsToInput(values)), (receipt) => ({ ok: true, ...(receipt as object) }));
    } finally {
      ledger.close();
    }
  }

  switch (command) {
    case 'account':
    case 'history': {
      const { positionals } = parse(rest, {}, 1);
      const ledger = openLedger(dbPath);
      try {
        const table = createHandlers(() => ledger);
        if (command === 'account') return answer(table.getAccount({ account: positionals[0] }));
        return printHistory(ledger, positionals[0]!);
      } finally {
        ledger.close();
      }
    }
    case 'accounts': {
      parse(rest, {});
      const ledger = openLedger(dbPath);
      try {
        return answer(createHandlers(() => ledger).listAccounts(undefined));
      } finally {
        ledger.close();
      }
    }
    case 'events': {
      const { values } = parse(rest, stringFlags(['from-position', 'limit', 'account', 'type']));
      const ledger = openLedger(dbPath);
      try {
        return printEvents(ledger, {
          fromPosition: integerFlag(values['from-position'], 'from-position') ?? 1,
          limit: integerFlag(values.limit, 'limit'),
          streamId: values.account as string | undefined,
          type: values.type as string | undefined,
        });
      } finally {
        ledger.close();
      }
    }
    case 'apply': {
      const { values } = parse(rest, stringFlags(['file']));
      const ledger = openLedger(dbPath);
      try {
        const input = typeof values.file === 'string' ? createReadStream(values.file) : process.stdin;
        const failures = await applyStream(ledger, input);
        return failures === 0 ? EXIT.ok : EXIT.domainError;
      } finally {
        ledger.close();
      }
    }
    case 'verify': {
      const { values } = parse(rest, stringFlags(['file']));
      if (typeof values.file === 'string') {
        // Offline: no database is opened at all.
        const report = await verifyExportFile(values.file);
        printJson(report.ok ? { ok: true, events: report.events, head: report.head } : report);
        return report.ok ? EXIT.ok : EXIT.integrity;
      }
      const ledger = openLedger(dbPath);
      try {
        const report = ledger.verify();
        printJson(report.ok ? report : { ok: false, firstBadPosition: report.firstBadPosition, reason: report.reason });
        return report.ok ? EXIT.ok : EXIT.integrity;
      } finally {
        ledger.close();
      }
    }
    case 'export': {
      const { values } = parse(rest, stringFlags(['format', 'out', 'account', 'type', 'from', 'to']));
      return runExport(dbPath, values);
    }
    case 'rebuild': {
      parse(rest, {});
      const ledger = openLedger(dbPath);
      try {
        printJson({ ok: true, ...ledger.rebuild() });
        return EXIT.ok;
      } finally {
        ledger.close();
      }
    }
    case 'import': {
      const { values } = parse(rest, { legacy: { type: 'boolean' }, currency: { type: 'string' }, file: { type: 'string' } });
      if (typeof values.file !== 'string') throw new UsageError('import needs --file F');
      if (!values.legacy) {
        if (values.currency !== undefined) throw new UsageError('--currency goes with --legacy');
        return runRestore(dbPath, values.file);
      }
      if (typeof values.currency !== 'string') throw new UsageError('import --legacy needs --currency CUR');
      let text: string;
      try {
        text = readFileSync(values.file, 'utf8');
      } catch (error) {
        throw new UsageError(`Cannot read ${values.file}: ${(error as Error).message}`);
      }
      const ledger = openLedger(dbPath);
      try {
        return answer(ledger.importLegacy(text, values.currency), (summary) => ({ ok: true, ...(summary as object) }));
      } finally {
        ledger.close();
      }
    }
    default:
      throw new UsageError(`Unknown command "${command}"`);
  }
}

/** `export`: JSON Lines (lossless, verifiable) or CSV (the audit view) to --out or stdout. */
async function runExport(dbPath: string, values: Record<string, string | boolean | undefined>): Promise<number> {
  const format = values.format ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') throw new UsageError('--format is jsonl or csv');
  const filter = validate(auditFilterSchema, {
    ...(values.account === undefined ? {} : { accounts: [values.account] }),
    ...(values.type === undefined ? {} : { types: [values.type] }),
    ...(values.from === undefined ? {} : { from: values.from }),
    ...(values.to === undefined ? {} : { to: values.to }),
  });
  if (!filter.ok) return answer(filter);
  const ledger = openLedger(dbPath);
  try {
    if (typeof values.out === 'string') {
      const result = await exportToFile(ledger, values.out, format, filter.value);
      return answer(result, (summary) => ({ ok: true, ...(summary as object) }));
    }
    if (format === 'csv') await ledger.exportCsv(filter.value, process.stdout);
    else await ledger.exportJsonLines(process.stdout, toSnapshotFilter(filter.value));
    return EXIT.ok;
  } finally {
    ledger.close();
  }
}

/** `import --file`: restore a full export into a new (or empty) ledger file. */
async function runRestore(dbPath: string, exportPath: string): Promise<number> {
  if (existsSync(dbPath)) {
    // An existing file must be an empty ledger: restoreExport refuses anything else.
    const ledger = openLedger(dbPath);
    try {
      const restored = await restoreExport(ledger.store, exportPath);
      if (restored.ok) ledger.rebuild();
      return answer(restored, (summary) => ({ ok: true, ...(summary as object) }));
    } finally {
      ledger.close();
    }
  }
  const restored = await Ledger.restore(exportPath, { path: dbPath, actor: `cli:${safeUserName()}` });
  if (restored.ok) {
    const summary = { ok: true, events: restored.value.projection.lastPosition, head: restored.value.store.headHash() };
    restored.value.close();
    printJson(summary);
    return EXIT.ok;
  }
  return answer(restored);
}

/** JSON lines, oldest first, paging through the whole history. */
function printHistory(ledger: Ledger, account: string): number {
  for (let fromVersion = 1; ; ) {
    const page = ledger.history(account, fromVersion, 1_000);
    if (!page.ok) return answer(page);
    for (const entry of page.value.entries) printJson(entry);
    if (page.value.entries.length < 1_000) return EXIT.ok;
    fromVersion = page.value.entries[page.value.entries.length - 1]!.version + 1;
  }
}

/** JSON lines of decoded events; without --limit it pages through the rest of the log. */
function printEvents(ledger: Ledger, filter: { fromPosition: number; limit?: number; streamId?: string; type?: string }): number {
  let remaining = filter.limit ?? Number.POSITIVE_INFINITY;
  let fromPosition = filter.fromPosition;
  while (remaining > 0) {
    const page = ledger.events({ ...filter, fromPosition, limit: Math.min(remaining, 1_000) });
    for (const event of page) printJson(event);
    if (page.length === 0 || page.length < Math.min(remaining, 1_000)) break;
    remaining -= page.length;
    fromPosition = page[page.length - 1]!.position + 1;
  }
  return EXIT.ok;
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      printJson({ ok: false, error: { code: 'VALIDATION', message: error.message } });
      process.stderr.write(`${USAGE}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    throw error;
  },
);
