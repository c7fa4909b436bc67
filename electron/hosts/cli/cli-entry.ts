/**
 * `ledger`: the scriptable command line on the same engine and handler table as the app.
 * JSON in, JSON out; exit 0 success, 1 a refusal, 2 a mistake in the command line, 3 INTEGRITY.
 * The commands are in command-table.ts; this file finds the command, reads its flags, runs it
 * and turns every refusal into typed JSON.
 */
import { typedErrorOf } from '#engine/store/storage-errors';
import { closestWord, findCommandIndex, parseArguments, shown } from './arguments';
import { createContext } from './command-context';
import { CLI_COMMANDS, commandNamed } from './command-table';
import { CliRefusal, EXIT, UsageError, exitCodeFor, printFailure, watchStdout } from './output';
import { commandUsage, generalUsage, shortUsage } from './usage';

async function run(argv: readonly string[]): Promise<number> {
  const index = findCommandIndex(argv);
  const name = index === -1 ? undefined : argv[index]!;
  if (name === undefined) {
    if (argv.includes('--help') || argv.includes('-h')) return helpFor(undefined);
    throw new UsageError('No command given; run `ledger help` for the list of commands');
  }
  if (name === 'help') return helpFor(argv[index + 1]);
  const command = commandNamed(name);
  if (command === undefined) {
    const closest = closestWord(name, Object.keys(CLI_COMMANDS));
    throw new UsageError(
      `Unknown command "${shown(name)}"${closest ? `; did you mean ${closest}?` : ''} Run \`ledger help\` for the list of commands`,
    );
  }
  const rest = [...argv.slice(0, index), ...argv.slice(index + 1)];
  let parsed;
  try {
    parsed = parseArguments(rest, name, command.flags);
  } catch (error) {
    if (error instanceof UsageError) process.stderr.write(`${shortUsage(name, command)}\n`);
    throw error;
  }
  if (parsed.values.help) return helpFor(name);
  return command.run(createContext(name, command, parsed));
}

/** Prints `ledger help` or one command's usage on stdout. */
function helpFor(name: string | undefined): number {
  if (name === undefined) {
    process.stdout.write(generalUsage());
    return EXIT.ok;
  }
  const command = commandNamed(name);
  if (command === undefined) throw new UsageError(`Unknown command "${shown(name)}"; run \`ledger help\` for the list of commands`);
  process.stdout.write(commandUsage(name, command));
  return EXIT.ok;
}

watchStdout();
run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      printFailure({ code: 'VALIDATION', message: error.message });
      process.exitCode = EXIT.usage;
      return;
    }
    if (error instanceof CliRefusal) {
      printFailure(error.error);
      process.exitCode = error.exitCode;
      return;
    }
    // A typed failure, or damage met outside the ledger a command opened (withLedger names that one).
    const typed = typedErrorOf(error, () => 'that the command read');
    if (typed !== undefined) {
      printFailure(typed);
      process.exitCode = exitCodeFor(typed);
      return;
    }
    // A bug, not a user's mistake: still one typed answer on stdout; the details go to stderr.
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    printFailure({ code: 'STORAGE', message: 'The ledger could not complete the command because of an internal error' });
    process.exitCode = EXIT.domainError;
  },
);
