/**
 * What a CLI command runs with: its parsed flags and a way to use the ledger that opens it
 * only when needed (after the command has checked its own input), in the mode the command
 * needs, and always closes it.
 */
import type { Result } from '#shared/errors';
import type { Ledger } from '#engine/ledger';
import { parseLedgerTarget, type LedgerTarget } from '#engine/ledger-target';
import { typedErrorOf } from '#engine/store/storage-errors';
import { defaultLedgerPath } from '#engine/paths';
import type { FlagSpec, ParsedArguments } from './arguments';
import { openLedgerFor, type LedgerAccess } from './open-ledger';
import { CliRefusal, EXIT, UsageError, exitCodeFor, printFailure, printJson } from './output';

export type CommandContext = {
  readonly command: string;
  readonly values: ParsedArguments['values'];
  readonly positionals: readonly string[];
  /** A string flag's value (undefined when not given). */
  string(name: string): string | undefined;
  /** The ledger target from --db or $LEDGER_DB, validated (a refusal is thrown as a CliRefusal). */
  target(): LedgerTarget;
  /** Opens the ledger, runs `work` on it and closes it again. */
  withLedger<T>(work: (ledger: Ledger) => T | Promise<T>): Promise<T>;
};

/** One command of the table: how it is described, what it takes, and what it does. */
export type CliCommand = {
  /** One line for `ledger help`. */
  readonly summary: string;
  /** Its flags as a person types them, e.g. "--account ID --amount AMOUNT [--memo TEXT]". */
  readonly synopsis: string;
  /** More lines for `ledger COMMAND --help`. */
  readonly details?: readonly string[];
  readonly flags: FlagSpec;
  /** Read commands open the ledger read-only (see open-ledger.ts). */
  readonly access: LedgerAccess;
  readonly run: (context: CommandContext) => number | Promise<number>;
};

export function createContext(command: string, spec: CliCommand, parsed: ParsedArguments): CommandContext {
  const values = parsed.values;
  const readOnly = values['read-only'] === true;
  if (readOnly && spec.access === 'write') throw new UsageError(`--read-only is for commands that only read; ${command} records`);
  const target = (): LedgerTarget => {
    const db = typeof values.db === 'string' ? values.db : defaultLedgerPath();
    const parsedTarget = parseLedgerTarget(db);
    if (!parsedTarget.ok) throw new CliRefusal(parsedTarget.error, EXIT.usage);
    return parsedTarget.value;
  };
  return {
    command,
    values,
    positionals: parsed.positionals,
    string: (name) => (typeof values[name] === 'string' ? (values[name] as string) : undefined),
    target,
    async withLedger(work) {
      const opened = openLedgerFor(target(), spec.access, readOnly);
      if (!opened.ok) throw new CliRefusal(opened.error);
      try {
        return await work(opened.value);
      } catch (error) {
        // Damage met after opening is this ledger's: answered typed, naming its file.
        const typed = typedErrorOf(error, () => opened.value.path);
        throw typed === undefined ? error : new CliRefusal(typed);
      } finally {
        opened.value.close();
      }
    },
  };
}

/** Prints a Result and returns the exit code; `shape` turns a success value into what is printed. */
export function answer(result: Result<unknown>, shape: (value: unknown) => unknown = (value) => value): number {
  if (!result.ok) {
    printFailure(result.error);
    return exitCodeFor(result.error);
  }
  printJson(shape(result.value));
  return EXIT.ok;
}

/** `{ ok: true, …summary }`: how a command's receipt or summary is printed. */
export const withOk = (value: unknown) => ({ ok: true, ...(value as object) });

/** Throws the failure of a Result as a refusal; returns its value otherwise. */
export function orRefuse<T>(result: Result<T>, exitCode?: number): T {
  if (!result.ok) throw new CliRefusal(result.error, exitCode);
  return result.value;
}

/** `--format json|table` of the read commands. */
export function outputFormat(context: CommandContext): 'json' | 'table' {
  const format = context.string('format') ?? 'json';
  if (format !== 'json' && format !== 'table') throw new UsageError(`--format is json or table, not "${format}"`);
  return format;
}
