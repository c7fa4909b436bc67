/** The help texts: `ledger help` (every command) and `ledger COMMAND --help` (one command). */
import type { CliCommand } from './command-context';
import { CLI_COMMANDS } from './command-table';

const GLOBAL_LINES = [
  'Every command takes:',
  "  --db FILE     the ledger file (default: $LEDGER_DB, else the desktop app's own ledger).",
  '                It must be a path to a file on disk: not empty, not :memory:, not a URI, not a folder.',
  '  --read-only   open the ledger without writing (the reading commands do so anyway).',
  '  --help        this text for the command.',
];

const EXIT_LINES = [
  'Answers are JSON on stdout: {"ok":true,…} or {"ok":false,"error":{"code":…,"message":…}}.',
  'Exit codes: 0 success, 1 refused (any code but INTEGRITY), 2 a mistake in the command line, 3 INTEGRITY.',
];

export function generalUsage(): string {
  const names = Object.keys(CLI_COMMANDS);
  const width = Math.max(...names.map((name) => name.length));
  const lines = [
    'Usage: ledger [--db FILE] COMMAND [flags]',
    '',
    'Commands:',
    ...names.map((name) => `  ${name.padEnd(width)}  ${CLI_COMMANDS[name]!.summary}`),
    '',
    ...GLOBAL_LINES,
    '',
    ...EXIT_LINES,
    'Run `ledger COMMAND --help` for one command; docs/cli.md has the whole reference.',
  ];
  return `${lines.join('\n')}\n`;
}

/** The one usage line, and where the rest is: printed on stderr after a mistake in the command line. */
export function shortUsage(name: string, command: CliCommand): string {
  return `${synopsisLine(name, command)}\nRun \`ledger ${name} --help\` for more.`;
}

function synopsisLine(name: string, command: CliCommand): string {
  return `Usage: ledger [--db FILE] ${name}${command.synopsis ? ` ${command.synopsis}` : ''}`;
}

export function commandUsage(name: string, command: CliCommand): string {
  const lines = [
    synopsisLine(name, command),
    '',
    `${name}: ${command.summary}.`,
    ...(command.details ?? []),
    '',
    ...GLOBAL_LINES,
    '',
    ...EXIT_LINES,
  ];
  return `${lines.join('\n')}\n`;
}
