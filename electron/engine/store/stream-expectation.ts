/** The check every append makes of a stream's version before it writes, worded the same on either engine. */
import { LedgerFailure, type LedgerError } from '#shared/errors';
import type { StreamExpectation } from './event-types';

/** The CONCURRENCY_CONFLICT of a stream at version `actual` (0: no events) that does not meet `expected`, or undefined when it does. */
export function expectationRefusal(streamId: string, expected: StreamExpectation, actual: number): LedgerError | undefined {
  const holds =
    expected === 'any' || (expected === 'no_stream' && actual === 0) || (expected === 'stream_exists' && actual > 0) || expected === actual;
  if (holds) return undefined;
  const described = typeof expected === 'number' ? `version ${expected}` : expected.replace('_', ' ');
  return {
    code: 'CONCURRENCY_CONFLICT',
    message: `Stream ${streamId} was expected at ${described} but is at version ${actual}; reload and try again`,
    details: { stream: streamId, expected, actual },
  };
}

/** Throws the refusal (a LedgerFailure) unless a stream at version `actual` meets `expected`. */
export function checkExpectation(streamId: string, expected: StreamExpectation, actual: number): void {
  const refusal = expectationRefusal(streamId, expected, actual);
  if (refusal !== undefined) throw new LedgerFailure(refusal);
}
