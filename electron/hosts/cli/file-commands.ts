/**
 * The commands that read or write files beside the ledger: `apply`, `verify`, `export`,
 * `import`. A file the command is told to read is checked before the ledger is opened, so a
 * typo is answered in plain words and creates nothing.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { verifyLedgerFile } from '#engine/store/verify-file';
import type { VerifyReport } from '#engine/store/verify';
import type { Result } from '#shared/errors';
import { createHostHandlers } from '#engine/handlers';
import { applyStream } from './apply-stream';
import { answer, orRefuse, withOk, type CliCommand, type CommandContext } from './command-context';
import { runExport, runRestore, verifyExport } from './export-commands';
import { checkInputFile } from './input-file';
import { CliRefusal, EXIT, UsageError, printJson, stdoutClosed } from './output';

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
        const failures = await applyStream(
          createHostHandlers(() => ledger),
          input,
          stdoutClosed.signal,
        );
        return failures === 0 ? EXIT.ok : EXIT.domainError;
      });
    },
  },
  verify: {
    summary: 'walk the hash chain and the head checkpoint (or, with --file, check an export and its seal offline)',
    synopsis: '[--file EXPORT.jsonl [--public-key KEY]]',
    details: [
      'Prints {"ok":true,"events":N,"head":HEX}, or {"ok":false,"firstBadPosition":P,"reason":…} with exit 3.',
      'With --file: the export\'s lines, manifest and seals, offline; {"ok":true,…,"seal":{"fingerprint":…},…} names who',
      "sealed it. --public-key KEY (as `ledger key` prints it) requires the seal to be that key's: anything else exits 3.",
    ],
    flags: { strings: ['file', 'public-key'] },
    access: 'read',
    run: async (context) => {
      const file = context.string('file');
      const publicKey = context.string('public-key');
      if (file !== undefined) return verifyExport(file, publicKey);
      if (publicKey !== undefined) throw new UsageError('--public-key goes with --file');
      const report = orRefuse(verifyTarget(context));
      printJson(report.ok ? report : { ok: false, firstBadPosition: report.firstBadPosition, reason: report.reason });
      return report.ok ? EXIT.ok : EXIT.integrity;
    },
  },
  export: {
    summary: 'the log as JSON Lines (lossless, verifiable, signed) or CSV (the audit view), to --out or stdout',
    synopsis:
      '[--format jsonl|csv] [--out FILE [--force]] [--account ID] [--type TYPE] [--from DATE] [--to DATE] [--key-file F | --unsigned]',
    details: [
      '--out never replaces the ledger or a file beside it, never writes through a link or into a special file,',
      'and replaces an existing file only with --force.',
      'A full JSON Lines export is sealed with your signing key (--key-file, else $LEDGER_KEY_FILE, else the config',
      'folder; made there on first use): the seal is stored in the ledger first unless the key sealed that head already.',
      '--unsigned (or --read-only) makes no new seal. A filtered export carries no seal.',
    ],
    flags: { strings: ['format', 'out', 'account', 'type', 'from', 'to', 'key-file'], booleans: ['force', 'unsigned'] },
    access: 'read',
    run: runExport,
  },
  import: {
    summary: 'restore a full export into a new or empty ledger, or import a legacy log',
    synopsis: '--file EXPORT.jsonl [--public-key KEY] [--ignore-seal]  |  --legacy --currency CUR --file F',
    details: [
      "A restore refuses an export whose seal does not hold (or, with --public-key, is not that key's) with exit 3;",
      '--ignore-seal restores its events anyway (still verified), keeping only the seals that hold. An export with no',
      'seal (version 1, or written unsigned) is restored with a note. --legacy reads a log written by the original',
      'exercise; its float amounts are in CUR.',
    ],
    flags: { strings: ['file', 'currency', 'public-key'], booleans: ['legacy', 'ignore-seal'] },
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

async function runImport(context: CommandContext): Promise<number> {
  const file = context.string('file');
  if (file === undefined) throw new UsageError('import needs --file F');
  const currency = context.string('currency');
  if (!context.values.legacy) {
    if (currency !== undefined) throw new UsageError('--currency goes with --legacy');
    orRefuse(checkInputFile(file));
    return runRestore(context, file);
  }
  if (context.string('public-key') !== undefined || context.values['ignore-seal']) {
    throw new UsageError('--public-key and --ignore-seal go with restoring an export, not with --legacy');
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
  return context.withLedger((ledger) => answer(createHostHandlers(() => ledger).importLegacy({ text, currency }), withOk));
}
