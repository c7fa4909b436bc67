/**
 * The handler table: one function per contract channel that validates the raw request with
 * the channel's zod schema and calls the engine. Electron's ipcMain, the preview host and the
 * tests all call these same functions, so every entry point validates identically.
 * Handlers never throw for anything a caller can send: they answer a Result envelope.
 */
import type { AnyCommand } from '../../shared/commands';
import { fail, succeed, type Result } from '../../shared/errors';
import {
  COMMAND_CHANNELS,
  LEDGER_CHANNELS,
  type LedgerChannel,
  type LedgerResponses,
} from '../../shared/ipc-contract';
import { validate } from '../../shared/validation';
import type { Ledger } from './ledger';

export type Handler<Channel extends LedgerChannel> = (request: unknown) => Result<LedgerResponses[Channel]>;
export type HandlerTable = { readonly [Channel in LedgerChannel]: Handler<Channel> };

/** Builds the table for a ledger. `getLedger` is read on each call, so File → Open can swap ledgers. */
export function createHandlers(getLedger: () => Ledger): HandlerTable {
  const command =
    <Channel extends keyof typeof COMMAND_CHANNELS>(channel: Channel): Handler<Channel> =>
    (request) => {
      const input = validate(COMMAND_CHANNELS[channel].request, request);
      if (!input.ok) return input;
      return getLedger().execute({ name: COMMAND_CHANNELS[channel].command, input: input.value } as AnyCommand);
    };
  return {
    openAccount: command('openAccount'),
    deposit: command('deposit'),
    withdraw: command('withdraw'),
    transfer: command('transfer'),
    closeAccount: command('closeAccount'),
    listAccounts: (request) => {
      const input = validate(LEDGER_CHANNELS.listAccounts.request, request);
      return input.ok ? succeed(getLedger().listAccounts()) : input;
    },
    getAccount: (request) => {
      const input = validate(LEDGER_CHANNELS.getAccount.request, request);
      return input.ok ? getLedger().getAccount(input.value.account) : input;
    },
    accountHistory: (request) => {
      const input = validate(LEDGER_CHANNELS.accountHistory.request, request);
      if (!input.ok) return input;
      return getLedger().history(input.value.account, input.value.fromVersion, input.value.limit);
    },
    ledgerInfo: (request) => {
      const input = validate(LEDGER_CHANNELS.ledgerInfo.request, request);
      return input.ok ? succeed(getLedger().info()) : input;
    },
  };
}

/**
 * Calls a channel by name, refusing names that are not in the contract. The channel name
 * comes from outside (a URL, an IPC message), so it is checked against the table's OWN
 * keys: "__proto__" or "constructor" must not reach Object.prototype.
 */
export function dispatch(table: HandlerTable, channel: string, request: unknown): Result<unknown> {
  if (!Object.prototype.hasOwnProperty.call(table, channel)) {
    return fail('VALIDATION', `Unknown request "${channel.slice(0, 60)}"`);
  }
  try {
    return table[channel as LedgerChannel](request);
  } catch (error) {
    // A bug, not a user error: report it as such without leaking a stack trace to the page.
    console.error(`Handler ${channel} failed`, error);
    return fail('STORAGE', 'The ledger could not complete the request because of an internal error');
  }
}
