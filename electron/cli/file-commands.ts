/**
 * The commands that read or write files beside the ledger: `apply`, `verify`, `export`,
 * `import`. A file the command is told to read is checked before the ledger is opened, so a
 * typo is answered in plain words and creates nothing.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { auditFilterSchema } from '../../shared/audit';
import { validate } from '../../shared/validation';
import { exportToFile, toSnapshotFilter } from '../core/handlers';
import { Ledger } from '../core/ledger';
import { restoreExport } from '../core/export/export-restore';
import { verifyExportFile } from '../core/export/export-verify';
import { verifyLedgerFile } from '../core/store/verify-file';
import type { VerifyReport } from '../core/store/verify';
import type { Result } from '../../shared/errors';
import { applyStream } from './apply-stream';
import { answer, orRefuse, withOk, type CliCommand, type CommandContext } from './command-context';
import { checkInputFile } from './input-file';
import { safeUserName } from './open-ledger';
import { CliRefusal, EXIT, UsageError, printJson, stdoutClosed } from './output';
import { eventTypeFlag } from './read-commands';

export const FILE_COMMANDS = {
  apply: {
    summary: 'JSON lines of commands from --file or stdin; one answer line per command, each once it is on disk',
    synopsis: '[--file F]',
    details: [
      'A line: {"command":"deposit","account":"a1","amount":"12.34","commandId":"c-17"} (fields as the flags, in camelCase).',
      'Exit 0 when every line succeeded, 1 when any failed. If the reader of the answers goes away (| head),',
      'the lines already handed to the writer are committed and no further line is read.',
    ],
    flags: { strings: ['file'] },
    access: 'write',
    run: async (context) => {
      const file = context.string('file');
      if (file !== undefined) orRefuse(checkInputFile(file));
      return context.withLedger(async (ledger) => {
        const input = file === undefined ? process.stdin : createReadStream(file);
        const failures = await applyStream(ledger, input, stdoutClosed.signal);
        return failures === 0 ? EXIT.ok : EXIT.domainError;
      });
    },
  },
  verify: {
    summary: 'walk the hash chain and the head checkpoint (or, with --file, check an export offline)',
    synopsis: '[--file EXPORT.jsonl]',
    details: ['Prints {"ok":true,"events":N,"head":HEX}, or {"ok":false,"firstBadPosition":P,"reason":…} with exit 3.'],
    flags: { strings: ['file'] },
    access: 'read',
    run: async (context) => {
      const file = context.string('file');
      if (file !== undefined) return verifyExport(file);
      const report = orRefuse(verifyTarget(context));
      printJson(report.ok ? report : { ok: false, firstBadPosition: report.firstBadPosition, reason: report.reason });
      return report.ok ? EXIT.ok : EXIT.integrity;
    },
  },
  export: {
    summary: 'the log as JSON Lines (lossless, verifiable) or CSV (the audit view), to --out or stdout',
    synopsis: '[--format jsonl|csv] [--out FILE [--force]] [--account ID] [--type TYPE] [--from DATE] [--to DATE]',
    details: [
      '--out never replaces the ledger or a file beside it, never writes through a link or into a special file,',
      'and replaces an existing file only with --force.',
    ],
    flags: { strings: ['format', 'out', 'account', 'type', 'from', 'to'], booleans: ['force'] },
    access: 'read',
    run: runExport,
  },
  import: {
    summary: 'restore a full export into a new or empty ledger, or import a legacy log',
    synopsis: '--file EXPORT.jsonl  |  --legacy --currency CUR --file F',
    details: ['--legacy reads a log written by the original exercise; its float amounts are in CUR.'],
    flags: { strings: ['file', 'currency'], booleans: ['legacy'] },
    access: 'write',
    run: runImport,
  },
} satisfies Record<string, CliCommand>;

/**
 * `verify` of the ledger: a walk of the chain on the file, without replaying the projection,
 * so damage is named at its position. Read-only; like any read, a file only a writable
 * connection can read (a crashed writer's WAL to recover) is opened so, unless --read-only.
 */
function verifyTarget(context: CommandContext): Result<VerifyReport> {
  const path = context.target().path;
  const readOnly = verifyLedgerFile(path);
  if (readOnly.ok || context.values['read-only'] === true || !existsSync(path)) return readOnly;
  const writable = verifyLedgerFile(path, { readOnly: false });
  return writable.ok ? writable : readOnly;
}

/** `verify --file`: offline, no database is opened at all. */
async function verifyExport(file: string): Promise<number> {
  orRefuse(checkInputFile(file));
  const report = await verifyExportFile(file);
  printJson(report.ok ? { ok: true, events: report.events, head: report.head } : report);
  return report.ok ? EXIT.ok : EXIT.integrity;
}

async function runExport(context: CommandContext): Promise<number> {
  const format = context.string('format') ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') throw new UsageError(`--format is jsonl or csv, not "${format}"`);
  const out = context.string('out');
  if (context.values.force && out === undefined) throw new UsageError('--force goes with --out FILE');
  const type = eventTypeFlag(context.string('type'));
  const account = context.string('account');
  const from = context.string('from');
  const to = context.string('to');
  const filter = orRefuse(
    validate(auditFilterSchema, {
      ...(account === undefined ? {} : { accounts: [account] }),
      ...(type === undefined ? {} : { types: [type] }),
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
    }),
  );
  return context.withLedger(async (ledger) => {
    if (out !== undefined) {
      return answer(await exportToFile(ledger, out, format, filter, { force: context.values.force === true }), withOk);
    }
    try {
      if (format === 'csv') await ledger.exportCsv(filter, process.stdout);
      else await ledger.exportJsonLines(process.stdout, toSnapshotFilter(filter));
    } catch (error) {
      // The reader went away (| head): what it read was whole lines; nothing else to do.
      if (stdoutClosed.signal.aborted) return EXIT.ok;
      throw error;
    }
    return EXIT.ok;
  });
}

async function runImport(context: CommandContext): Promise<number> {
  const file = context.string('file');
  if (file === undefined) throw new UsageError('import needs --file F');
  const currency = context.string('currency');
  if (!context.values.legacy) {
    if (currency !== undefined) throw new UsageError('--currency goes with --legacy');
    orRefuse(checkInputFile(file));
    return runRestore(context, file);
  }
  if (currency === undefined) throw new UsageError('import --legacy needs --currency CUR');
  orRefuse(checkInputFile(file));
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliRefusal({
      code: 'STORAGE',
      message: `The file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`,
    });
  }
  return context.withLedger((ledger) => answer(ledger.importLegacy(text, currency), withOk));
}

/** `import --file`: restore a full export into a new (or empty) ledger file. */
async function runRestore(context: CommandContext, exportPath: string): Promise<number> {
  const target = context.target();
  if (existsSync(target.path)) {
    // An existing file must be an empty ledger: restoreExport refuses anything else.
    return context.withLedger(async (ledger) => {
      const restored = await restoreExport(ledger.store, exportPath);
      if (restored.ok) ledger.rebuild();
      return answer(restored, withOk);
    });
  }
  const restored = await Ledger.restore(exportPath, { path: target.path, actor: `cli:${safeUserName()}` });
  if (!restored.ok) return answer(restored);
  const summary = { ok: true, events: restored.value.projection.lastPosition, head: restored.value.store.headHash() };
  restored.value.close();
  printJson(summary);
  return EXIT.ok;
}
