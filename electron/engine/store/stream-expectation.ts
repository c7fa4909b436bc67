/** The check every append makes of a stream's version before it writes (see EventStore.append). */
import { LedgerFailure, type LedgerError } from '#shared/errors';
import type { StreamExpectation } from './event-types';

/** Throws CONCURRENCY_CONFLICT unless a stream at version `actual` (0: no events) meets `expected`. */
export function checkExpectation(streamId: string, expected: StreamExpectation, actual: number): void {
  const holds =
    expected === 'any' || (expected === 'no_stream' && actual === 0) || (expected === 'stream_exists' && actual > 0) || expected === actual;
  if (holds) return;
  const described = typeof expected === 'number' ? `version ${expected}` : expected.replace('_', ' ');
  const error: LedgerError = {
    code: 'CONCURRENCY_CONFLICT',
    message: `Stream ${streamId} was expected at ${described} but is at version ${actual}; reload and try again`,
    details: { stream: streamId, expected, actual },
  };
  throw new LedgerFailure(error);
}
