/**
 * What the event store takes and gives: appends, stored rows, reads, and the events its
 * subscribers hear of after a commit (see event-store.ts).
 */
import type { EventMetadata } from '#shared/events';
import type { ChainRow } from './hash-chain';

/** What an append expects of the stream before it writes. */
export type StreamExpectation = 'any' | 'no_stream' | 'stream_exists' | number;

export type NewEvent = {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: object;
  readonly metadata: EventMetadata;
  /** Only imports set these: they keep the original ids and timestamps. */
  readonly eventId?: string;
  readonly recordedAt?: string;
  /** Stored verbatim instead of JSON.stringify(data) (imports keep the original bytes). */
  readonly dataText?: string;
  readonly metadataText?: string;
};

export type AppendRequest = {
  readonly streamId: string;
  readonly expected: StreamExpectation;
  readonly events: readonly NewEvent[];
};

/** An event row exactly as stored: payload and metadata are the stored JSON texts. */
export type StoredEvent = ChainRow;

export type AppendResult = {
  readonly events: readonly StoredEvent[];
  /** Stream id → its version after the append. */
  readonly streamVersions: ReadonlyMap<string, number>;
};

export type ReadFilter = {
  readonly fromPosition?: number;
  readonly limit?: number;
  readonly streamId?: string;
  /** Stored type names (see storedTypesFor for the upcast ones). */
  readonly types?: readonly string[];
};

/**
 * An event as its subscribers hear of it after the commit: what a read model applies. It
 * carries the payload object its data text was serialised from, so the projection need not
 * parse back what this process has just written. Only an event appended with its stored text
 * (an import) has no payload object: its `data` and `metadata` texts are then given instead.
 */
export type CommittedEvent = {
  readonly position: number;
  readonly streamId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly recordedAt: string;
  readonly payload: object | undefined;
  readonly data?: string;
  readonly metadata?: string;
};

/** Told after each commit; an empty list means "too many to list: catch up from the log". */
export type Subscriber = (events: readonly CommittedEvent[]) => void;

/** The log's last event as an append chains from it (position 0 and the genesis hash when empty). */
export type LogTail = { readonly position: number; readonly hash: string };
