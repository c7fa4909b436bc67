/**
 * Routes a validated command to its decide function, loading exactly the accounts it names.
 * Pure apart from `load` (and, for a reversal, `log`): the engine passes the repository's load
 * and its reversal log, run inside the write transaction, so the decision is made on the state
 * the append will be checked against.
 */
import type { AnyCommand } from '#shared/commands';
import { succeed, type Result } from '#shared/errors';
import { timeOrderedId } from '../store/time-ordered-id';
import { decideReverse, type ReversalLookups } from './reverse';
import { decideClose, decideDeposit, decideOpen, decideTransfer, decideWithdraw, type AccountState, type Decision } from './bank-account';

/** `account`: a reversal's account of the position asked for (the receipt's primary account). */
export type DecidedCommand = { readonly decision: Decision; readonly transferId?: string; readonly account?: string };

/** What a reversal reads besides accounts: the log's events and its reversal links. */
export type LogLookups = Omit<ReversalLookups, 'load'>;

export function decideCommand(
  command: AnyCommand,
  load: (accountId: string) => AccountState | undefined,
  log?: LogLookups,
): Result<DecidedCommand> {
  let decision: Result<Decision>;
  let transferId: string | undefined;
  switch (command.name) {
    case 'open':
      decision = decideOpen(load(command.input.account), command.input);
      break;
    case 'deposit':
      decision = decideDeposit(load(command.input.account), command.input);
      break;
    case 'withdraw':
      decision = decideWithdraw(load(command.input.account), command.input);
      break;
    case 'transfer':
      transferId = timeOrderedId();
      decision = decideTransfer(load(command.input.from), load(command.input.to), command.input, transferId);
      break;
    case 'close':
      decision = decideClose(load(command.input.account), command.input);
      break;
    case 'reverse': {
      if (log === undefined) throw new Error('A reverse command was decided without the log to read: bug');
      const reversal = decideReverse(command.input, { ...log, load });
      if (!reversal.ok) return reversal;
      return succeed({ decision: reversal.value.decision, account: reversal.value.account });
    }
  }
  if (!decision.ok) return decision;
  return succeed({ decision: decision.value, ...(transferId === undefined ? {} : { transferId }) });
}
