/**
 * Replay's read thread (see replay-thread.ts, which starts it and takes its pages): on its own
 * read-only connection it reads the log page by page, each page packed by SQLite into a few
 * texts (THREAD_PAGE_SQL), and posts it as a ThreadPage, or as `irregular` when it cannot
 * vouch for the page, or one `failed` message if anything goes wrong.
 *
 * Plain JavaScript on purpose: a worker's entry file is loaded by Node itself, which on
 * Node 20 runs no TypeScript loader in worker threads. Everything it must agree on with the
 * engine — the SQL, the page size, the separator, the counters' slots, how to open the file,
 * which better-sqlite3 to load — comes in workerData (replay-protocol.ts).
 *
 * It sets `started` first thing. After posting a page it bumps the `posted` counter; it never
 * runs more than `readAhead` pages ahead of the `taken` counter, and once that far ahead it
 * waits until it is at most `readAhead / 2` ahead; it ends at the log's last
 * page (fewer than `pageSize` rows) or as soon as `stop` is set, and sets `ended` once its
 * last message is posted.
 */
/** @import { PackedPage, PageMessage, ReplayThreadData } from './replay-protocol' */
import { createRequire } from 'node:module';
import { workerData } from 'node:worker_threads';

const { sqliteModule, path, nativeBinding, sql, separator, pageSize, after, counters, slots, readAhead, port } =
  /** @type {ReplayThreadData} */ (workerData);
const signal = new Int32Array(counters);
Atomics.store(signal, slots.started, 1);
Atomics.notify(signal, slots.posted);

/**
 * @param {PageMessage} message
 * @param {import('node:worker_threads').TransferListItem[]} [transfer]
 */
function post(message, transfer = []) {
  port.postMessage(message, transfer);
  Atomics.add(signal, slots.posted, 1);
  Atomics.notify(signal, slots.posted);
}

/** Stream ids by the numbers this thread gave them (the engine builds the same table from `newStreams`). */
const streamNumbers = new Map();

/**
 * Comma-separated integers into `into`; false unless there are exactly into.length of them and
 * `check` accepts each.
 * @param {string} text
 * @param {Float64Array | Uint8Array} into
 * @param {(value: number, index: number) => boolean} check
 */
function parseIntegers(text, into, check) {
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
}

/**
 * A page of at least one row as ThreadPage columns, or undefined if the thread cannot vouch for it.
 * @param {PackedPage} page
 * @returns {Extract<PageMessage, { kind: 'page' }> | undefined}
 */
function columns({ count, last, positions, types, streams, data, times }) {
  if (last === null || positions === null || types === null || streams === null || data === null || times === null) return undefined;
  const first = last - count + 1;
  if (!parseIntegers(positions, new Float64Array(count), (position, index) => position === first + index)) return undefined;
  const typeCodes = new Uint8Array(count);
  if (!parseIntegers(types, typeCodes, (code) => code >= 0)) return undefined;
  const ids = streams.split(separator);
  if (ids.length !== count) return undefined;
  const streamCodes = new Int32Array(count);
  /** @type {string[]} */
  const newStreams = [];
  for (let index = 0; index < count; index++) {
    const id = /** @type {string} */ (ids[index]);
    let number = streamNumbers.get(id);
    if (number === undefined) {
      number = streamNumbers.size;
      streamNumbers.set(id, number);
      newStreams.push(id);
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
  /** @type {string[]} */
  const runTimes = [];
  /** @type {number[]} */
  const runEnds = [];
  for (let index = 0; index < count; index++) {
    if (index === 0 || recorded[index] !== recorded[index - 1]) {
      if (index > 0) runEnds.push(index);
      runTimes.push(/** @type {string} */ (recorded[index]));
    }
  }
  runEnds.push(count);
  const timeRunEnds = Uint32Array.from(runEnds);
  return { kind: 'page', count, first, types: typeCodes, streams: streamCodes, text: data, ends, times: runTimes, timeRunEnds, newStreams };
}

/**
 * The page after `position` that holds no rows: the log ends there.
 * @param {number} position
 * @returns {Extract<PageMessage, { kind: 'page' }>}
 */
function emptyPage(position) {
  return {
    kind: 'page',
    count: 0,
    first: position + 1,
    types: new Uint8Array(0),
    streams: new Int32Array(0),
    text: '',
    ends: new Uint32Array(0),
    times: [],
    timeRunEnds: new Uint32Array(0),
    newStreams: [],
  };
}

/**
 * True once the engine has set the stop flag. Otherwise returns at once while the thread is
 * fewer than `readAhead` pages ahead; once it is that far ahead, waits until the engine has
 * taken down to `readAhead / 2` (the engine wakes it only then: one wake-up, and one switch
 * between threads, per half a read-ahead of pages, not one per page).
 */
function waitForRoom() {
  let full = false;
  for (;;) {
    if (Atomics.load(signal, slots.stop) !== 0) return true;
    const taken = Atomics.load(signal, slots.taken);
    const ahead = Atomics.load(signal, slots.posted) - taken;
    if (full ? ahead <= readAhead / 2 : ahead < readAhead) return false;
    full = true;
    Atomics.wait(signal, slots.taken, taken, 1000);
  }
}

/** @type {import('better-sqlite3').Database | undefined} */
let db;
try {
  const Database = /** @type {typeof import('better-sqlite3')} */ (createRequire(import.meta.url)(sqliteModule));
  db = new Database(path, nativeBinding ? { readonly: true, fileMustExist: true, nativeBinding } : { readonly: true, fileMustExist: true });
  if (db.prepare(sql.tableIsStrict).pluck().get() !== 1) throw new Error('the events table is not STRICT');
  const read = db.prepare(sql.page);
  let position = after;
  for (;;) {
    const row = /** @type {PackedPage} */ (read.get(position));
    const page = row.count === 0 ? emptyPage(position) : columns(row);
    if (page) post(page, [page.types.buffer, page.streams.buffer, page.ends.buffer, page.timeRunEnds.buffer]);
    else post({ kind: 'irregular', count: row.count });
    if (row.count < pageSize || row.last === null) break;
    position = row.last;
    if (waitForRoom()) break;
  }
} catch (error) {
  post({ kind: 'failed', message: String(error instanceof Error ? error.message : error) });
} finally {
  db?.close();
  port.close();
  Atomics.store(signal, slots.ended, 1);
  Atomics.notify(signal, slots.posted);
}
