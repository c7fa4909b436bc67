/**
 * Routes a validated command to its decide function, loading exactly the accounts it names.
 * Pure apart from `load`: the engine passes the repository's load, run inside the write
 * transaction, so the decision is made on the state the append will be checked against.
 */
import type { AnyCommand } from '../../../shared/commands';
import { fail, succeed, type Result } from '../../../shared/errors';
import { timeOrderedId } from '../store/time-ordered-id';
import { decideClose, decideDeposit, decideOpen, decideTransfer, decideWithdraw, type AccountState, type Decision } from './bank-account';

export type DecidedCommand = { readonly decision: Decision; readonly transferId?: string };

export function decideCommand(command: AnyCommand, load: (accountId: string) => AccountState | undefined): Result<DecidedCommand> {
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
    case 'reverse':
      decision = fail('VALIDATION', 'Reversal is not built yet');
      break;
  }
  if (!decision.ok) return decision;
  return succeed({ decision: decision.value, ...(transferId === undefined ? {} : { transferId }) });
}
