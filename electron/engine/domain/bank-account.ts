/**
 * The BankAccount aggregate as two pure functions: `evolve` folds an event into state, and
 * the `decide…` functions turn a command and the current state into new events or a failure.
 *
 * Rule order (the first broken rule is the one reported):
 *   (1) input needing no ledger state — done by the command schemas before we get here;
 *   (2) NOT_FOUND / ALREADY_EXISTS; (3) the amount for the account's currency;
 *   (4) ACCOUNT_CLOSED; (5) CONCURRENCY_CONFLICT on an explicit expectedVersion;
 *   (6) CURRENCY_MISMATCH, INSUFFICIENT_FUNDS, ACCOUNT_NOT_EMPTY, balance overflow.
 * A reversal (reverse.ts) follows the same steps: (2) NOT_FOUND, then VALIDATION for an event
 * that cannot be reversed, then ALREADY_REVERSED; (4) ACCOUNT_CLOSED; (6) INSUFFICIENT_FUNDS,
 * then overflow.
 */
import type { ValidCommand } from '#shared/commands';
import { fail, succeed, type Failure, type Result } from '#shared/errors';
import { balanceEffect, type LedgerEvent } from '#shared/events';
import { describeMoney, parseAmount } from '#shared/money';
import type { AccountStatus } from '#shared/views';

export type AccountState = {
  readonly id: string;
  readonly owner: string;
  readonly currency: string;
  readonly balanceMinor: number;
  /** Stream version: how many events the account has. */
  readonly version: number;
  readonly status: AccountStatus;
  readonly openedAt: string;
  readonly lastTransactionAt: string;
  readonly transactionCount: number;
};

/** Folds one event into the account's state. The only place balances are computed. */
export function evolve(state: AccountState | undefined, event: LedgerEvent, streamId: string, recordedAt: string): AccountState {
  if (event.type === 'AccountOpened') {
    return {
      id: streamId,
      owner: event.data.owner,
      currency: event.data.currency,
      balanceMinor: event.data.initialMinor,
      version: 1,
      status: 'open',
      openedAt: recordedAt,
      lastTransactionAt: recordedAt,
      transactionCount: 1,
    };
  }
  if (!state) throw new Error(`${event.type} on ${streamId} before AccountOpened`);
  // Every field spelled out rather than `...state`: replay calls this once per event (a
  // million at startup), and a literal of fixed shape is several times cheaper than a spread.
  const closing = event.type === 'AccountClosed';
  return {
    id: state.id,
    owner: state.owner,
    currency: state.currency,
    balanceMinor: closing ? state.balanceMinor : state.balanceMinor + balanceEffect(event),
    version: state.version + 1,
    status: closing ? 'closed' : state.status,
    openedAt: state.openedAt,
    lastTransactionAt: closing ? state.lastTransactionAt : recordedAt,
    transactionCount: closing ? state.transactionCount : state.transactionCount + 1,
  };
}

/** A decision: the events to append per stream, each with the version the decision was based on. */
export type Decision = ReadonlyArray<{ readonly streamId: string; readonly basedOnVersion: number; readonly events: LedgerEvent[] }>;

export function decideOpen(existing: AccountState | undefined, command: ValidCommand<'open'>): Result<Decision> {
  if (existing) return fail('ALREADY_EXISTS', `Account ${command.account} already exists`);
  const initial = parseAmount(command.initial ?? '0', command.currency, 'initial amount');
  if (!initial.ok) return initial;
  const conflict = checkExpectedVersion(command.account, command.expectedVersion, 0);
  if (conflict) return conflict;
  return succeed([
    {
      streamId: command.account,
      basedOnVersion: 0,
      events: [{ type: 'AccountOpened', data: { owner: command.owner, currency: command.currency, initialMinor: initial.value } }],
    },
  ]);
}

export function decideDeposit(account: AccountState | undefined, command: ValidCommand<'deposit'>): Result<Decision> {
  return decideMovement(account, command, 'deposit');
}

export function decideWithdraw(account: AccountState | undefined, command: ValidCommand<'withdraw'>): Result<Decision> {
  return decideMovement(account, command, 'withdraw');
}

function decideMovement(
  account: AccountState | undefined,
  command: ValidCommand<'deposit'>,
  direction: 'deposit' | 'withdraw',
): Result<Decision> {
  const found = requireAccount(account, command.account);
  if (!found.ok) return found;
  const amount = positiveAmount(command.amount, found.value.currency);
  if (!amount.ok) return amount;
  const open = requireOpen(found.value);
  if (!open.ok) return open;
  const conflict = checkExpectedVersion(command.account, command.expectedVersion, found.value.version);
  if (conflict) return conflict;
  const state = found.value;
  const memo = command.memo === undefined ? {} : { memo: command.memo };
  if (direction === 'withdraw') {
    if (amount.value > state.balanceMinor) {
      return fail(
        'INSUFFICIENT_FUNDS',
        `Insufficient funds: balance ${describeMoney(state.balanceMinor, state.currency)}, withdrawal ${describeMoney(amount.value, state.currency)}`,
        { account: state.id, balanceMinor: state.balanceMinor, amountMinor: amount.value },
      );
    }
    return succeed([
      {
        streamId: state.id,
        basedOnVersion: state.version,
        events: [{ type: 'MoneyWithdrawn', data: { amountMinor: amount.value, currency: state.currency, ...memo } }],
      },
    ]);
  }
  const overflow = checkOverflow(state, amount.value);
  if (overflow) return overflow;
  return succeed([
    {
      streamId: state.id,
      basedOnVersion: state.version,
      events: [{ type: 'MoneyDeposited', data: { amountMinor: amount.value, currency: state.currency, ...memo } }],
    },
  ]);
}

export function decideTransfer(
  source: AccountState | undefined,
  target: AccountState | undefined,
  command: ValidCommand<'transfer'>,
  transferId: string,
): Result<Decision> {
  const from = requireAccount(source, command.from);
  if (!from.ok) return from;
  const to = requireAccount(target, command.to);
  if (!to.ok) return to;
  const amount = positiveAmount(command.amount, from.value.currency);
  if (!amount.ok) return amount;
  const fromOpen = requireOpen(from.value);
  if (!fromOpen.ok) return fromOpen;
  const toOpen = requireOpen(to.value);
  if (!toOpen.ok) return toOpen;
  const conflict = checkExpectedVersion(command.from, command.expectedVersion, from.value.version);
  if (conflict) return conflict;
  if (from.value.currency !== to.value.currency) {
    return fail(
      'CURRENCY_MISMATCH',
      `Cannot transfer ${from.value.currency} from ${command.from} to ${command.to}, which holds ${to.value.currency}`,
    );
  }
  if (amount.value > from.value.balanceMinor) {
    return fail(
      'INSUFFICIENT_FUNDS',
      `Insufficient funds: balance ${describeMoney(from.value.balanceMinor, from.value.currency)}, transfer ${describeMoney(amount.value, from.value.currency)}`,
      { account: command.from, balanceMinor: from.value.balanceMinor, amountMinor: amount.value },
    );
  }
  const overflow = checkOverflow(to.value, amount.value);
  if (overflow) return overflow;
  const memo = command.memo === undefined ? {} : { memo: command.memo };
  const currency = from.value.currency;
  return succeed([
    {
      streamId: command.from,
      basedOnVersion: from.value.version,
      events: [{ type: 'TransferSent', data: { transferId, to: command.to, amountMinor: amount.value, currency, ...memo } }],
    },
    {
      streamId: command.to,
      basedOnVersion: to.value.version,
      events: [{ type: 'TransferReceived', data: { transferId, from: command.from, amountMinor: amount.value, currency, ...memo } }],
    },
  ]);
}

export function decideClose(account: AccountState | undefined, command: ValidCommand<'close'>): Result<Decision> {
  const found = requireAccount(account, command.account);
  if (!found.ok) return found;
  const open = requireOpen(found.value);
  if (!open.ok) return open;
  const conflict = checkExpectedVersion(command.account, command.expectedVersion, found.value.version);
  if (conflict) return conflict;
  if (found.value.balanceMinor !== 0) {
    return fail(
      'ACCOUNT_NOT_EMPTY',
      `Account ${command.account} still holds ${describeMoney(found.value.balanceMinor, found.value.currency)}; only an empty account can be closed`,
    );
  }
  return succeed([{ streamId: command.account, basedOnVersion: found.value.version, events: [{ type: 'AccountClosed', data: {} }] }]);
}

function requireAccount(account: AccountState | undefined, id: string): Result<AccountState> {
  return account ? succeed(account) : fail('NOT_FOUND', `Account ${id} does not exist`);
}

export function requireOpen(account: AccountState): Result<AccountState> {
  return account.status === 'open' ? succeed(account) : fail('ACCOUNT_CLOSED', `Account ${account.id} is closed`);
}

function positiveAmount(text: string, currency: string): Result<number> {
  const amount = parseAmount(text, currency);
  if (amount.ok && amount.value === 0) return fail('VALIDATION', 'The amount must be greater than zero');
  return amount;
}

function checkExpectedVersion(streamId: string, expected: number | undefined, actual: number): Failure | undefined {
  if (expected === undefined || expected === actual) return undefined;
  return fail(
    'CONCURRENCY_CONFLICT',
    `Account ${streamId} is at version ${actual}, not the expected version ${expected}; reload and try again`,
    { stream: streamId, expected, actual },
  );
}

export function checkOverflow(account: AccountState, amountMinor: number): Failure | undefined {
  if (Number.isSafeInteger(account.balanceMinor + amountMinor)) return undefined;
  return fail('VALIDATION', `The balance of ${account.id} would exceed the largest amount this ledger can hold exactly`);
}
