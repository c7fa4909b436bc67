/**
 * Turns zod's issues into the ledger's VALIDATION failure with one plain sentence.
 */
import type { z } from 'zod';
import { fail, succeed, type Result } from './errors';

/** Validates `input` against `schema`; a failure names the first offending field. */
export function validate<Schema extends z.ZodType>(schema: Schema, input: unknown): Result<z.output<Schema>> {
  // Parsed first without options: any parse options take zod off its compiled fast path, which
  // every line of a bulk apply goes through (docs/performance.md has the figure).
  const parsed = schema.safeParse(input);
  if (parsed.success) return succeed(parsed.data);
  // Only a refusal is parsed again, with the offending inputs, to word its message.
  const issue = schema.safeParse(input, { reportInput: true }).error?.issues[0];
  return fail('VALIDATION', describeIssue(issue));
}

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'The request is not valid';
  if (issue.code === 'unrecognized_keys') {
    return `Unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.map((key) => shorten(key)).join(', ')}`;
  }
  const field = issue.path.map(String).join('.');
  if (issue.code === 'invalid_type' && issue.input === undefined) return `The field "${field}" is required`;
  // Refinements that speak for the whole request carry a full sentence already.
  if (/^[A-Z]/.test(issue.message)) return issue.message;
  return field ? `The field "${field}" ${issue.message}` : `The request ${issue.message}`;
}

function shorten(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
