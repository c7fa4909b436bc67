import type { Result } from './errors';

/**
 * True for a value shaped like a Result (what every boundary answers): `{ ok: true, value }`
 * or `{ ok: false, error: { code, message } }` with string code and message. The code is not
 * checked against ERROR_CODES: a reply from a newer host still reads as a failure.
 */
export function isResultEnvelope(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const envelope = value as { ok?: unknown; value?: unknown; error?: { code?: unknown; message?: unknown } };
  if (envelope.ok === true) return 'value' in envelope;
  return envelope.ok === false && typeof envelope.error?.code === 'string' && typeof envelope.error.message === 'string';
}
