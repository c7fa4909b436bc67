/**
 * What replay (replay-thread.ts) and its read thread (replay-worker.mjs) say to each other.
 * Types only: the thread is JavaScript, typed through JSDoc from this file.
 */
import type { MessagePort } from 'node:worker_threads';

/**
 * Slots of the shared counters: pages posted, pages taken, the engine's stop flag, and the
 * thread's flags for "its code began to run" and "it has posted its last message".
 */
export type CounterSlots = {
  readonly posted: number;
  readonly taken: number;
  readonly stop: number;
  readonly started: number;
  readonly ended: number;
};

/** Everything the thread needs to agree with the engine on, sent once as workerData. */
export type ReplayThreadData = {
  /** better-sqlite3's entry file as the engine resolved it, so the thread loads the very copy the process uses. */
  readonly sqliteModule: string;
  readonly path: string;
  readonly nativeBinding: string | undefined;
  /** THREAD_PAGE_SQL and EVENTS_TABLE_IS_STRICT_SQL (replay-sql.ts). */
  readonly sql: { readonly page: string; readonly tableIsStrict: string };
  readonly separator: string;
  readonly pageSize: number;
  /** The thread reads the pages after this position. */
  readonly after: number;
  /** Int32 counters shared with the engine, at `slots`. */
  readonly counters: SharedArrayBuffer;
  readonly slots: CounterSlots;
  /** How many pages the thread may post before the engine has taken them. */
  readonly readAhead: number;
  /** The thread's end of the channel pages cross. */
  readonly port: MessagePort;
};

/** One row of THREAD_PAGE_SQL: a page's columns packed into texts (null ones only when count is 0). */
export type PackedPage = {
  readonly count: number;
  readonly last: number | null;
  readonly positions: string | null;
  readonly types: string | null;
  readonly streams: string | null;
  readonly data: string | null;
  readonly times: string | null;
};

/**
 * One page, column by column. Row i is at position `first + i`; its payload text runs from
 * just after the previous row's end (or 0) to `ends[i]`; its type is EVENT_TYPES[types[i]] at
 * the current schema version; its stream id is the delivering thread's `streamId(streams[i])`;
 * its recorded time is `times[r]` for the first run r with `timeRunEnds[r] > i`.
 */
export type ThreadPage = {
  readonly count: number;
  readonly first: number;
  readonly types: Uint8Array<ArrayBuffer>;
  readonly streams: Int32Array<ArrayBuffer>;
  readonly text: string;
  readonly ends: Uint32Array<ArrayBuffer>;
  readonly times: readonly string[];
  readonly timeRunEnds: Uint32Array<ArrayBuffer>;
  /** Stream ids first met on this page; they extend the stream table in order. */
  readonly newStreams: readonly string[];
};

/** Thread → engine, one per page (or one failure, last). */
export type PageMessage =
  | ({ readonly kind: 'page' } & ThreadPage)
  | { readonly kind: 'irregular'; readonly count: number }
  | { readonly kind: 'failed'; readonly message: string };
