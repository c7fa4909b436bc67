/**
 * Every `ledger` command, in the order `ledger help` lists them. Adding a command is adding
 * an entry: its flags, its help and its run function (see CliCommand in command-context.ts).
 */
import { BACKUP_COMMANDS } from './backup-command';
import type { CliCommand } from './command-context';
import { FILE_COMMANDS } from './file-commands';
import { READ_COMMANDS } from './read-commands';
import { RECORD_COMMANDS } from './record-commands';
import { SIGNING_COMMANDS, withProofCheck } from './signing-commands';
import { STATEMENT_COMMANDS } from './statement-command';

export const CLI_COMMANDS: Readonly<Record<string, CliCommand>> = {
  ...RECORD_COMMANDS,
  ...READ_COMMANDS,
  ...FILE_COMMANDS,
  verify: withProofCheck(FILE_COMMANDS.verify),
  ...STATEMENT_COMMANDS,
  ...SIGNING_COMMANDS,
  ...BACKUP_COMMANDS,
};

/** The command of that name; only the table's own entries count ("__proto__" is not a command). */
export function commandNamed(name: string): CliCommand | undefined {
  return Object.prototype.hasOwnProperty.call(CLI_COMMANDS, name) ? CLI_COMMANDS[name] : undefined;
}
