/**
 * Turns the flags of `ledger open|deposit|withdraw|transfer|close|reverse` into the same input object
 * a `ledger apply` line or an IPC call carries, so all three are validated by one schema.
 */
import type { CommandName } from '#shared/commands';

/** Flag name → command field, per command. Field names match `apply` lines. */
export const COMMAND_FLAGS: Readonly<Record<CommandName, readonly string[]>> = {
  open: ['account', 'owner', 'currency', 'initial', 'command-id', 'expected-version'],
  deposit: ['account', 'amount', 'memo', 'expected-version', 'command-id'],
  withdraw: ['account', 'amount', 'memo', 'expected-version', 'command-id'],
  transfer: ['from', 'to', 'amount', 'memo', 'expected-version', 'command-id'],
  close: ['account', 'expected-version', 'command-id'],
  reverse: ['position', 'reason', 'command-id'],
};

const NUMBER_FIELDS: ReadonlySet<string> = new Set(['expectedVersion', 'position']);

export function flagsToInput(values: Readonly<Record<string, string | boolean | undefined>>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [flag, value] of Object.entries(values)) {
    if (value === undefined || flag === 'db') continue;
    const field = flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
    // A version or a position is a number in the schema; text that is not plain digits stays
    // text so the schema rejects it with its own message instead of us guessing.
    input[field] = NUMBER_FIELDS.has(field) && typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;
  }
  return input;
}
