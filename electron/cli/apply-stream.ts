/**
 * `ledger apply`: JSON lines of commands in, one result line per command out, in order.
 * Lines that arrive together run as one batch in one transaction (one fsync for all), and a
 * result is printed only after its batch has committed: a printed result is on disk.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { COMMAND_SCHEMAS, type AnyCommand, type CommandName } from '../../shared/commands';
import { fail, type Failure } from '../../shared/errors';
import { validate } from '../../shared/validation';
import type { Ledger } from '../core/ledger';
import { printJson } from './output';

/** Upper bound of one batch: keeps a huge input file from holding the write lock for long. */
const MAX_BATCH = 2_000;

export function parseCommandLine(text: string): AnyCommand | Failure {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail('VALIDATION', 'The line is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return fail('VALIDATION', 'The line must be a JSON object with a "command" field');
  }
  const { command, ...input } = parsed as Record<string, unknown>;
  if (typeof command !== 'string' || !Object.prototype.hasOwnProperty.call(COMMAND_SCHEMAS, command)) {
    return fail('VALIDATION', `Unknown command ${JSON.stringify(command)}; use one of ${Object.keys(COMMAND_SCHEMAS).join(', ')}`);
  }
  const name = command as CommandName;
  const valid = validate(COMMAND_SCHEMAS[name], input);
  return valid.ok ? ({ name, input: valid.value } as AnyCommand) : valid;
}

/** Applies every line of `input`; resolves to the number of lines that failed. */
export async function applyStream(ledger: Ledger, input: Readable): Promise<number> {
  let failures = 0;
  let lineNumber = 0;
  let batch: Array<{ line: number; command: AnyCommand | Failure }> = [];
  const flush = () => {
    if (batch.length === 0) return;
    const current = batch;
    batch = [];
    const results = ledger.executeBatch(current.map((entry) => entry.command));
    results.forEach((result, index) => {
      const line = current[index]!.line;
      if (result.ok) printJson({ ok: true, line, ...result.value });
      else {
        failures += 1;
        printJson({ ok: false, line, error: result.error });
      }
    });
  };
  let scheduled = false;
  const reader = createInterface({ input, crlfDelay: Infinity });
  for await (const text of reader) {
    lineNumber += 1;
    if (text.trim() === '') continue;
    batch.push({ line: lineNumber, command: parseCommandLine(text) });
    if (batch.length >= MAX_BATCH) flush();
    // Whatever arrived in the same chunk is batched; once the chunk is consumed we commit,
    // so a slow producer still gets each answer right away.
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        flush();
      });
    }
  }
  flush();
  return failures;
}
