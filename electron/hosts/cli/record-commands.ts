/**
 * The commands that record: `open`, `deposit`, `withdraw`, `transfer`, `close`. Their flags
 * become the same input object an `apply` line or an IPC call carries (command-flags.ts), and
 * the handler table validates and runs it, so all three doors answer alike.
 */
import type { CommandName } from '#shared/commands';
import { COMMAND_CHANNELS } from '#shared/ipc-contract';
import { createHandlers } from '#engine/handlers';
import { answer, withOk, type CliCommand } from './command-context';
import { COMMAND_FLAGS, flagsToInput } from './command-flags';

const COMMAND_CHANNEL_OF = Object.fromEntries(Object.entries(COMMAND_CHANNELS).map(([channel, spec]) => [spec.command, channel])) as Record<
  CommandName,
  keyof typeof COMMAND_CHANNELS
>;

const AMOUNT_DETAIL = "AMOUNT is decimal text with no sign, e.g. 12.30 (at most the currency's minor digits).";
const COMMON_DETAIL = '--command-id makes a retry safe: a repeat answers the first result and records nothing.';

function recordCommand(name: CommandName, summary: string, synopsis: string, details: readonly string[]): CliCommand {
  return {
    summary,
    synopsis,
    details: [...details, COMMON_DETAIL],
    flags: { strings: COMMAND_FLAGS[name] },
    access: 'write',
    run: (context) => {
      const own = Object.fromEntries(COMMAND_FLAGS[name].map((flag) => [flag, context.values[flag]]));
      return context.withLedger((ledger) => answer(createHandlers(() => ledger)[COMMAND_CHANNEL_OF[name]](flagsToInput(own)), withOk));
    },
  };
}

export const RECORD_COMMANDS = {
  open: recordCommand('open', 'open an account', '--account ID --owner NAME --currency CUR [--initial AMOUNT] [--command-id ID]', [
    'ID: 1-64 of A-Z a-z 0-9 . _ - starting with a letter or digit. CUR: an ISO 4217 code such as EUR.',
    AMOUNT_DETAIL,
  ]),
  deposit: recordCommand(
    'deposit',
    'pay money into an account',
    '--account ID --amount AMOUNT [--memo TEXT] [--expected-version N] [--command-id ID]',
    [AMOUNT_DETAIL],
  ),
  withdraw: recordCommand(
    'withdraw',
    'take money out of an account (never below zero)',
    '--account ID --amount AMOUNT [--memo TEXT] [--expected-version N] [--command-id ID]',
    [AMOUNT_DETAIL],
  ),
  transfer: recordCommand(
    'transfer',
    'move money between two accounts of one currency',
    '--from ID --to ID --amount AMOUNT [--memo TEXT] [--expected-version N] [--command-id ID]',
    [AMOUNT_DETAIL, '--expected-version checks the version of the --from account.'],
  ),
  close: recordCommand('close', 'close an account with a zero balance', '--account ID [--expected-version N] [--command-id ID]', []),
  reverse: recordCommand(
    'reverse',
    'take back the whole command that recorded a position (both legs of a transfer)',
    '--position P --reason TEXT [--command-id ID]',
    ['P: the position of any event of the command, as `ledger events` shows it. TEXT: 1-500 characters, the memo rules.'],
  ),
} satisfies Record<CommandName, CliCommand>;
