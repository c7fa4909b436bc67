/**
 * What a successful command answers, and what makes two commands "the same" for idempotency.
 */
import type { AnyCommand, CommandReceipt } from '#shared/commands';
import { formatMinor } from '#shared/money';
import type { DecidedCommand } from './decide-command';
import type { SaveResult } from './repository';

/** Name and input, not the command id or the expected version: a retry of the same intent matches. */
export function fingerprintOf(command: AnyCommand): string {
  const { commandId: _commandId, ...withoutId } = command.input;
  const { expectedVersion: _expectedVersion, ...rest } = withoutId as typeof withoutId & { expectedVersion?: number };
  return JSON.stringify([command.name, rest]);
}

/**
 * The receipt from what was saved: positions, versions and balances right after the command.
 * Written as whole literals, not spread from a base receipt: V8 gave every spread copy a
 * hidden class of its own (a bulk apply holds thousands of receipts until their commit).
 */
export function buildReceipt(
  command: AnyCommand,
  saved: SaveResult,
  decided: DecidedCommand,
  commandId: string | undefined,
): CommandReceipt {
  const after = saved.states;
  const appended = saved.events;
  const transferId = decided.transferId;
  // A reversal's primary account is the one of the position asked for.
  const primaryId =
    command.name === 'transfer' ? command.input.from : command.name === 'reverse' ? decided.account! : command.input.account;
  const primary = after.get(primaryId)!;
  const position = appended[appended.length - 1]!.position;
  const balance = formatMinor(primary.balanceMinor, primary.currency);
  let receipt: { -readonly [K in keyof CommandReceipt]: CommandReceipt[K] };
  if (command.name === 'transfer') {
    const target = after.get(command.input.to)!;
    receipt = {
      position,
      version: primary.version,
      account: primary.id,
      balance,
      balanceMinor: primary.balanceMinor,
      currency: primary.currency,
      transferId,
      to: {
        account: target.id,
        version: target.version,
        balance: formatMinor(target.balanceMinor, target.currency),
        balanceMinor: target.balanceMinor,
      },
    };
  } else if (command.name === 'reverse') {
    receipt = {
      position,
      version: primary.version,
      account: primary.id,
      balance,
      balanceMinor: primary.balanceMinor,
      currency: primary.currency,
      reverses: command.input.position,
      positions: appended.map((event) => event.position),
    };
  } else {
    receipt = {
      position,
      version: primary.version,
      account: primary.id,
      balance,
      balanceMinor: primary.balanceMinor,
      currency: primary.currency,
    };
  }
  if (commandId !== undefined) receipt.commandId = commandId;
  return receipt;
}
