/**
 * Replay's reading half, on a second thread: the engine's side of it (the thread's own code is
 * replay-worker.mjs, their messages replay-protocol.ts). Rebuilding the projection is two jobs
 * of about equal weight: stepping SQLite through the rows and turning them into JavaScript
 * values, then parsing each payload and applying it. One after the other on one thread, that
 * is slower than a bare scan of the table; here a thread on its own read-only connection reads
 * page n+1 while the projection parses and applies page n.
 *
 * A page crosses as a few flat values (see THREAD_PAGE_SQL): every payload's JSON text in one
 * string with its end offsets, type codes and stream numbers in typed arrays (the stream ids
 * themselves once, in a table that grows page by page), and each run of equal recorded times
 * once. Taking it costs main a copy of one page's text, not a page of row objects. Main
 * then parses each payload from its own slice of that text, exactly as it parses a row it read
 * itself, so a broken payload fails at its position with the same message.
 *
 * Ledger.open is synchronous, so the projection takes pages synchronously: the thread posts
 * on a MessagePort and bumps a shared counter; main blocks on the counter (Atomics.wait) and
 * takes the page with receiveMessageOnPort. A second counter (pages taken) holds the thread
 * at most READ_AHEAD pages ahead, so memory stays bounded whatever the log's length; a thread
 * that far ahead sleeps until main has taken half of them, and main wakes it only then.
 *
 * Correctness never depends on the thread: it only ever shortens the work. A page it cannot
 * vouch for — an event an upcaster must see, a separator inside a value, rows out of order —
 * comes as `irregular`, and the projection reads that page itself. If the thread cannot start
 * (an in-memory ledger, an exotic runtime), fails or dies, `next` answers undefined and the
 * projection reads the rest itself from the position it has reached. It also reads the log's
 * end on its own connection, so what it applies last is never older than what it can see.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { EventStore } from '../store/event-store';
import type { CounterSlots, PageMessage, ReplayThreadData, ThreadPage } from './replay-protocol';
import { EVENTS_TABLE_IS_STRICT_SQL, REPLAY_PAGE_SIZE, THREAD_PAGE_SEPARATOR, THREAD_PAGE_SQL } from './replay-sql';

export type { ThreadPage } from './replay-protocol';

/**
 * Below this many events to replay, starting a thread costs more than it saves (see
 * docs/performance.md). Catch-ups after another process's append are small and stay on the
 * projection's thread.
 */
export const THREAD_REPLAY_MIN_EVENTS = 50_000;

/** Pages the thread may read ahead of the projection (memory stays bounded by this many pages' text). */
const READ_AHEAD = 8;

/** Slots of the shared counters. */
const POSTED = 0;
const TAKEN = 1;
const STOP = 2;
const STARTED = 3;
const ENDED = 4;
const SLOTS: CounterSlots = { posted: POSTED, taken: TAKEN, stop: STOP, started: STARTED, ended: ENDED };

/** How long main sleeps between checks that the thread is still alive, in ms. */
const ALIVE_CHECK_MS = 50;

/**
 * How long main waits for the thread's code to begin running, in ms. A thread whose file
 * cannot be loaded never runs a line, and nothing else says so without an event loop turn
 * (which a synchronous replay never gives): past this, replay goes on without it.
 */
const START_DEADLINE_MS = 5_000;

/** The thread's entry file, beside this module (and beside every bundle of it, see scripts/lib/engine-workers.mjs). */
const WORKER_FILE = new URL('./replay-worker.mjs', import.meta.url);

export class ReplayThread {
  /** Stream ids by the numbers pages give them. */
  private readonly streamIds: string[] = [];
  private taken = 0;
  /** No more pages to wait for (the last came, or the thread failed or was stopped). */
  private finished = false;
  private stopped = false;
  private mayBlock = true;
  private readonly startDeadline = Date.now() + START_DEADLINE_MS;

  private constructor(
    private readonly thread: Worker,
    private readonly port: MessagePort,
    private readonly signal: Int32Array,
  ) {}

  /**
   * Starts reading the log after `after`; undefined where a second connection cannot exist (an
   * in-memory ledger) or the thread's file is not there (a bundle built without it).
   */
  static start(store: EventStore, after: number): ReplayThread | undefined {
    if (store.path === ':memory:') return undefined;
    try {
      if (!existsSync(fileURLToPath(WORKER_FILE))) return undefined;
      const counters = new SharedArrayBuffer(5 * Int32Array.BYTES_PER_ELEMENT);
      const { port1, port2 } = new MessageChannel();
      const thread = new Worker(WORKER_FILE, {
        workerData: {
          sqliteModule: sqliteModulePath(),
          path: store.path,
          nativeBinding: store.nativeBinding,
          sql: { page: THREAD_PAGE_SQL, tableIsStrict: EVENTS_TABLE_IS_STRICT_SQL },
          separator: THREAD_PAGE_SEPARATOR,
          pageSize: REPLAY_PAGE_SIZE,
          after,
          counters,
          slots: SLOTS,
          readAhead: READ_AHEAD,
          port: port2,
        } satisfies ReplayThreadData,
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
      // Read before the port: the thread sets it after posting its last message, so once it is
      // set, an empty port means there is nothing more to come.
      const ended = Atomics.load(this.signal, ENDED) !== 0;
      const received = receiveMessageOnPort(this.port) as { message: PageMessage } | undefined;
      if (received) return this.take(received.message);
      // Gone without a last page: it ended, it was torn down, or its code never began to run.
      if (ended || this.thread.threadId === -1) break;
      if (Atomics.load(this.signal, STARTED) === 0 && Date.now() > this.startDeadline) break;
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
    // The thread, once READ_AHEAD pages ahead, sleeps until it is at most half that (see
    // replay-worker.mjs): no one to wake before. While it sleeps it posts nothing, so the
    // posted count read here is its own. A wake-up can switch threads (on a busy machine, for
    // milliseconds): one per page made taking pages cost seconds on a million events.
    if (Atomics.load(this.signal, POSTED) - this.taken <= READ_AHEAD / 2) Atomics.notify(this.signal, TAKEN);
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
