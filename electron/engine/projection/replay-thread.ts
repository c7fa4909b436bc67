/**
 * Replay's reading half, on a second thread. Rebuilding the projection is two jobs of about
 * equal weight: stepping SQLite through ~1M rows and turning them into JavaScript values, then
 * parsing each payload and applying it. One after the other on one thread, that is slower
 * than a bare scan of the table; here a thread on its own read-only connection reads page
 * n+1 while the projection parses and applies page n.
 *
 * A page crosses as a few flat values (see THREAD_PAGE_SQL): every payload's JSON text in one
 * string with its end offsets, type codes and stream numbers in typed arrays (the stream ids
 * themselves once, in a table that grows page by page), and each run of equal recorded times
 * once. Taking it costs main a copy of ~150 KB of text, not a thousand rows of objects. Main
 * then parses each payload from its own slice of that text, exactly as it parses a row it read
 * itself, so a broken payload fails at its position with the same message.
 *
 * Ledger.open is synchronous, so the projection takes pages synchronously: the thread posts
 * on a MessagePort and bumps a shared counter; main blocks on the counter (Atomics.wait) and
 * takes the page with receiveMessageOnPort. A second counter (pages taken) holds the thread
 * at most READ_AHEAD pages ahead, so memory stays bounded whatever the log's length.
 *
 * Correctness never depends on the thread: it only ever shortens the work. A page it cannot
 * vouch for — an event an upcaster must see, a separator inside a value, rows out of order —
 * comes as `irregular`, and the projection reads that page itself. If the thread cannot start
 * (an in-memory ledger, an exotic runtime), fails or dies, `next` answers undefined and the
 * projection reads the rest itself from the position it has reached. It also reads the log's
 * end on its own connection, so what it applies last is never older than what it can see.
 */
import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { EventStore } from '../store/event-store';
import { EVENTS_TABLE_IS_STRICT_SQL, REPLAY_PAGE_SIZE, THREAD_PAGE_SEPARATOR, THREAD_PAGE_SQL } from './replay-sql';

/**
 * Below this many events to replay, starting a thread (~30 ms) costs more than it saves.
 * Catch-ups after another process's append are small and stay on the projection's thread.
 */
export const THREAD_REPLAY_MIN_EVENTS = 50_000;

/** Pages the thread may read ahead of the projection (~150 KB of text each). */
const READ_AHEAD = 8;

/** Slots of the shared counters. */
const POSTED = 0;
const TAKEN = 1;
const STOP = 2;

/** How long main sleeps between checks that the thread is still alive, in ms. */
const ALIVE_CHECK_MS = 50;

/**
 * One page, column by column. Row i is at position `first + i`; its payload text runs from
 * just after the previous row's end (or 0) to `ends[i]`; its type is EVENT_TYPES[types[i]] at
 * the current schema version; its stream id is the delivering thread's `streamId(streams[i])`;
 * its recorded time is `times[r]` for the first run r with `timeRunEnds[r] > i`.
 */
export type ThreadPage = {
  readonly count: number;
  readonly first: number;
  readonly types: Uint8Array;
  readonly streams: Int32Array;
  readonly text: string;
  readonly ends: Uint32Array;
  readonly times: readonly string[];
  readonly timeRunEnds: Uint32Array;
  /** Stream ids first met on this page; they extend the stream table in order. */
  readonly newStreams: readonly string[];
};

type PageMessage =
  | ({ readonly kind: 'page' } & ThreadPage)
  | { readonly kind: 'irregular'; readonly count: number }
  | { readonly kind: 'failed'; readonly message: string };

/**
 * The thread's code, evaluated as a script (Worker `eval`): an entry file would have to be
 * found again next to every bundle (the app's main.cjs, the bench's children) and inside the
 * packaged app's archive. Everything it must agree on with the engine — the SQL, the page
 * size, the separator, how to open the file — comes in workerData.
 */
const THREAD_SOURCE = `
const { workerData } = require('node:worker_threads');
const { sqliteModule, path, nativeBinding, sql, strictSql, separator, pageSize, after, counters, port, readAhead } = workerData;
const signal = new Int32Array(counters);
const post = (message, transfer) => {
  port.postMessage(message, transfer);
  Atomics.add(signal, ${POSTED}, 1);
  Atomics.notify(signal, ${POSTED});
};
const streamNumbers = new Map();

/** Comma-separated integers into \`into\`; false unless there are exactly into.length of them. */
const parseIntegers = (text, into, check) => {
  let index = 0;
  let value = 0;
  let negative = false;
  for (let at = 0; at <= text.length; at++) {
    const code = at === text.length ? 44 : text.charCodeAt(at);
    if (code === 44) {
      if (index === into.length || !check(negative ? -value : value, index)) return false;
      into[index++] = negative ? -value : value;
      value = 0;
      negative = false;
    } else if (code === 45) negative = true;
    else value = value * 10 + code - 48;
  }
  return index === into.length;
};

/** The page as ThreadPage columns, or undefined if the thread cannot vouch for it. */
const columns = ({ count, last, positions, types, streams, data, times }) => {
  const first = last - count + 1;
  if (!parseIntegers(positions, new Float64Array(count), (position, index) => position === first + index)) return undefined;
  const typeCodes = new Uint8Array(count);
  if (!parseIntegers(types, typeCodes, (code) => code >= 0)) return undefined;
  const ids = streams.split(separator);
  if (ids.length !== count) return undefined;
  const streamCodes = new Int32Array(count);
  const newStreams = [];
  for (let index = 0; index < count; index++) {
    let number = streamNumbers.get(ids[index]);
    if (number === undefined) {
      number = streamNumbers.size;
      streamNumbers.set(ids[index], number);
      newStreams.push(ids[index]);
    }
    streamCodes[index] = number;
  }
  // Exactly count - 1 separators: one more would mean a payload holding one (not valid JSON), and misaligned rows.
  const ends = new Uint32Array(count);
  let from = 0;
  for (let index = 0; index < count - 1; index++) {
    const end = data.indexOf(separator, from);
    if (end === -1) return undefined;
    ends[index] = end;
    from = end + 1;
  }
  if (data.indexOf(separator, from) !== -1) return undefined;
  ends[count - 1] = data.length;
  const recorded = times.split(separator);
  if (recorded.length !== count) return undefined;
  const runTimes = [];
  const runEnds = [];
  for (let index = 0; index < count; index++) {
    if (index === 0 || recorded[index] !== recorded[index - 1]) {
      if (index > 0) runEnds.push(index);
      runTimes.push(recorded[index]);
    }
  }
  runEnds.push(count);
  const timeRunEnds = Uint32Array.from(runEnds);
  return { kind: 'page', count, first, types: typeCodes, streams: streamCodes, text: data, ends, times: runTimes, timeRunEnds, newStreams };
};

let db;
try {
  const Database = require(sqliteModule);
  db = new Database(path, nativeBinding ? { readonly: true, fileMustExist: true, nativeBinding } : { readonly: true, fileMustExist: true });
  if (db.prepare(strictSql).pluck().get() !== 1) throw new Error('the events table is not STRICT');
  const read = db.prepare(sql);
  let position = after;
  for (;;) {
    const row = read.get(position);
    const page = row.count === 0 ? { kind: 'page', count: 0, first: position + 1, types: new Uint8Array(0), streams: new Int32Array(0),
      text: '', ends: new Uint32Array(0), times: [], timeRunEnds: new Uint32Array(0), newStreams: [] } : columns(row);
    if (page) post(page, [page.types.buffer, page.streams.buffer, page.ends.buffer, page.timeRunEnds.buffer]);
    else post({ kind: 'irregular', count: row.count });
    if (row.count < pageSize) break;
    position = row.last;
    for (;;) {
      if (Atomics.load(signal, ${STOP}) !== 0) break;
      const taken = Atomics.load(signal, ${TAKEN});
      if (Atomics.load(signal, ${POSTED}) - taken < readAhead) break;
      Atomics.wait(signal, ${TAKEN}, taken, 1000);
    }
    if (Atomics.load(signal, ${STOP}) !== 0) break;
  }
} catch (error) {
  post({ kind: 'failed', message: String(error && error.message) });
} finally {
  if (db) db.close();
  port.close();
}
`;

export class ReplayThread {
  /** Stream ids by the numbers pages give them. */
  private readonly streamIds: string[] = [];
  private taken = 0;
  /** No more pages to wait for (the last came, or the thread failed or was stopped). */
  private finished = false;
  private stopped = false;
  private mayBlock = true;

  private constructor(
    private readonly thread: Worker,
    private readonly port: MessagePort,
    private readonly signal: Int32Array,
  ) {}

  /** Starts reading the log after `after`; undefined where a second connection cannot exist (an in-memory ledger). */
  static start(store: EventStore, after: number): ReplayThread | undefined {
    if (store.path === ':memory:') return undefined;
    try {
      const counters = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
      const { port1, port2 } = new MessageChannel();
      const thread = new Worker(THREAD_SOURCE, {
        eval: true,
        workerData: {
          sqliteModule: sqliteModulePath(),
          path: store.path,
          nativeBinding: store.nativeBinding,
          sql: THREAD_PAGE_SQL,
          strictSql: EVENTS_TABLE_IS_STRICT_SQL,
          separator: THREAD_PAGE_SEPARATOR,
          pageSize: REPLAY_PAGE_SIZE,
          after,
          counters,
          port: port2,
          readAhead: READ_AHEAD,
        },
        transferList: [port2],
      });
      // Never the reason a process stays alive; an error here only means "read it yourself".
      thread.unref();
      thread.on('error', () => undefined);
      return new ReplayThread(thread, port1, new Int32Array(counters));
    } catch {
      return undefined;
    }
  }

  /**
   * The next page, waiting for it if need be: its columns, or `irregular` for a page to read
   * again; undefined once the thread has nothing more to give (it failed, died, or already
   * sent the log's last page — one holding fewer than a full page of rows).
   */
  next(): ThreadPage | 'irregular' | undefined {
    while (!this.finished) {
      const received = receiveMessageOnPort(this.port) as { message: PageMessage } | undefined;
      if (received) return this.take(received.message);
      // threadId turns -1 as soon as the thread is gone, before any event could tell us.
      if (this.thread.threadId === -1) break;
      this.waitForPost();
    }
    this.stop();
    return undefined;
  }

  /** The stream id a page's number stands for. */
  streamId(number: number): string {
    return this.streamIds[number]!;
  }

  /** Ends the thread (also midway, when replay stops at an unreadable event). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.finished = true;
    Atomics.store(this.signal, STOP, 1);
    Atomics.notify(this.signal, TAKEN);
    this.port.close();
    void this.thread.terminate();
  }

  /**
   * Sleeps until the thread posts (or ALIVE_CHECK_MS pass). A host whose main thread may not
   * block (Atomics.wait throws there, as on a browser's main thread) polls instead: the thread
   * reads faster than pages are applied, so such waits are short.
   */
  private waitForPost(): void {
    if (!this.mayBlock) return;
    try {
      Atomics.wait(this.signal, POSTED, this.taken, ALIVE_CHECK_MS);
    } catch {
      this.mayBlock = false;
    }
  }

  private take(message: PageMessage): ThreadPage | 'irregular' | undefined {
    this.taken += 1;
    Atomics.store(this.signal, TAKEN, this.taken);
    Atomics.notify(this.signal, TAKEN);
    if (message.kind === 'failed') {
      this.stop();
      return undefined;
    }
    if (message.count < REPLAY_PAGE_SIZE) this.finished = true;
    if (message.kind === 'irregular') return 'irregular';
    for (const id of message.newStreams) this.streamIds.push(id);
    return message;
  }
}

/** better-sqlite3's entry file, so the thread loads the very copy this process uses. */
function sqliteModulePath(): string {
  return createRequire(import.meta.url).resolve('better-sqlite3');
}
