/**
 * Commands: what a person asks the ledger to do. One zod schema per command validates every
 * boundary (IPC, CLI flags, `ledger apply` lines, the preview host) the same way.
 * Only rules that need no ledger state live here (rule order step 1); amounts are checked
 * against the account's currency by the engine (step 3), because only it knows the currency.
 */
import { z } from 'zod';
import { isCurrency } from './money';
import {
  ACCOUNT_ID_PATTERN,
  COMMAND_ID_MAX_CHARACTERS,
  MEMO_MAX_CHARACTERS,
  OWNER_MAX_CHARACTERS,
  UNSAFE_TEXT,
  characterCount,
  describeTextProblem,
  memoProblem,
  ownerProblem,
} from './rules';

export { ACCOUNT_ID_PATTERN, COMMAND_ID_MAX_CHARACTERS, MEMO_MAX_CHARACTERS, OWNER_MAX_CHARACTERS, characterCount };

/** Amount text longer than this cannot be a valid amount; refusing it early keeps 1 MB strings cheap. */
const AMOUNT_MAX_CHARACTERS = 64;

export const accountIdSchema = z.string({ error: 'must be text' }).regex(ACCOUNT_ID_PATTERN, {
  error: 'must be 1–64 letters, digits, dots, dashes or underscores, starting with a letter or digit',
});

const ownerSchema = z
  .string({ error: 'must be text' })
  // Trimmed BEFORE the cheap length cap: the limit is on the owner as stored, so spaces
  // around a 200-character owner must not push it over. A code point takes at most two
  // UTF-16 units, so this cap never refuses an owner the character count would accept.
  .trim()
  .max(OWNER_MAX_CHARACTERS * 4, { error: `must be at most ${OWNER_MAX_CHARACTERS} characters` })
  .superRefine((owner, context) => {
    const problem = ownerProblem(owner);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: describeTextProblem(problem, OWNER_MAX_CHARACTERS) });
  });

const memoSchema = z
  .string({ error: 'must be text' })
  .max(MEMO_MAX_CHARACTERS * 2, { error: `must be at most ${MEMO_MAX_CHARACTERS} characters` })
  .superRefine((memo, context) => {
    const problem = memoProblem(memo);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: describeTextProblem(problem, MEMO_MAX_CHARACTERS, true) });
  });

export const currencySchema = z
  .string({ error: 'must be text' })
  .refine((code) => isCurrency(code), { error: 'is not an ISO 4217 currency code such as EUR, USD or JPY' });

/** Amounts travel as text so no float ever touches money; the engine parses them for the currency. */
const amountTextSchema = z
  .string({ error: 'must be text such as "12.30"' })
  .max(AMOUNT_MAX_CHARACTERS, { error: 'is too long to be an amount' });

const expectedVersionSchema = z
  .number({ error: 'must be a whole number' })
  .int({ error: 'must be a whole number' })
  .min(0, { error: 'must not be negative' })
  .max(Number.MAX_SAFE_INTEGER);

const commandIdSchema = z
  .string({ error: 'must be text' })
  .min(1, { error: 'must not be empty' })
  .max(COMMAND_ID_MAX_CHARACTERS, { error: `must be at most ${COMMAND_ID_MAX_CHARACTERS} characters` })
  .refine((id) => !UNSAFE_TEXT.test(id), { error: 'must not contain control characters, text-direction marks or unpaired surrogates' });

/** Fields every command may carry. */
const commandOptions = {
  commandId: commandIdSchema.optional(),
  expectedVersion: expectedVersionSchema.optional(),
};

export const openAccountSchema = z.strictObject({
  account: accountIdSchema,
  owner: ownerSchema,
  currency: currencySchema,
  initial: amountTextSchema.optional(),
  ...commandOptions,
});

export const depositSchema = z.strictObject({
  account: accountIdSchema,
  amount: amountTextSchema,
  memo: memoSchema.optional(),
  ...commandOptions,
});

export const withdrawSchema = depositSchema;

export const transferSchema = z
  .strictObject({
    from: accountIdSchema,
    to: accountIdSchema,
    amount: amountTextSchema,
    memo: memoSchema.optional(),
    ...commandOptions,
  })
  .refine((transfer) => transfer.from !== transfer.to, {
    error: 'A transfer needs two different accounts',
    path: ['to'],
  });

export const closeAccountSchema = z.strictObject({
  account: accountIdSchema,
  ...commandOptions,
});

/** Why a reversal is made: required, with the memo rules (1–500 characters). */
const reasonSchema = memoSchema.refine((reason) => reason.trim().length > 0, { error: 'must not be empty' });

/**
 * Reverses the whole command that recorded `position` (both legs of a transfer, in one append).
 * No expectedVersion: the reversal names the event it corrects, and refuses with ALREADY_REVERSED
 * rather than reverse twice.
 */
export const reverseSchema = z.strictObject({
  position: z
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be 1 or more' })
    .max(Number.MAX_SAFE_INTEGER),
  reason: reasonSchema,
  commandId: commandIdSchema.optional(),
});

export const COMMAND_SCHEMAS = {
  open: openAccountSchema,
  deposit: depositSchema,
  withdraw: withdrawSchema,
  transfer: transferSchema,
  close: closeAccountSchema,
  reverse: reverseSchema,
} as const;

export type CommandName = keyof typeof COMMAND_SCHEMAS;
export const COMMAND_NAMES = Object.keys(COMMAND_SCHEMAS) as CommandName[];

/** What a caller sends (before trimming and refinement). */
export type CommandInput<Name extends CommandName> = z.input<(typeof COMMAND_SCHEMAS)[Name]>;
/** What the engine works with (validated, owner trimmed). */
export type ValidCommand<Name extends CommandName> = z.output<(typeof COMMAND_SCHEMAS)[Name]>;

export type OpenAccountInput = CommandInput<'open'>;
export type DepositInput = CommandInput<'deposit'>;
export type WithdrawInput = CommandInput<'withdraw'>;
export type TransferInput = CommandInput<'transfer'>;
export type CloseAccountInput = CommandInput<'close'>;
export type ReverseInput = CommandInput<'reverse'>;

/** A command tagged with its name: the shape of one `ledger apply` line. */
export type AnyCommand = { [Name in CommandName]: { readonly name: Name; readonly input: ValidCommand<Name> } }[CommandName];

/** What a successful command answers. Positions and versions let a client wait for or check the write. */
export type CommandReceipt = {
  /** Global position of the last event the command appended. */
  readonly position: number;
  /** The account's stream version after the command (the source account's, for a transfer). */
  readonly version: number;
  readonly account: string;
  readonly balance: string;
  readonly balanceMinor: number;
  readonly currency: string;
  readonly commandId?: string;
  /** True when this answer is the stored result of an earlier run of the same commandId. */
  readonly replayed?: boolean;
  readonly transferId?: string;
  readonly to?: { readonly account: string; readonly version: number; readonly balance: string; readonly balanceMinor: number };
  /** On a reversal: the position it was asked to reverse. */
  readonly reverses?: number;
  /** On a reversal: every position it wrote, in order (two for a transfer). */
  readonly positions?: readonly number[];
};
