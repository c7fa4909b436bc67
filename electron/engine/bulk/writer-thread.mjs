/**
 * The bulk writer's SQLite thread (see pipelined-writer.ts): it commits batches the main
 * thread has already decided, built and hashed, while the main thread decides the next one.
 *
 * Plain JavaScript on purpose: a worker's entry file is loaded by Node itself, which on
 * Node 20 runs no TypeScript loader in worker threads (not under tsx, not under vitest).
 * Everything it needs to agree with the engine on — the connection's pragmas, the SQL, the
 * genesis hash — comes from the engine in workerData, so nothing here is a second copy of it.
 *
 * The invariant it protects: a batch is written only onto the exact log it was decided on.
 * Inside BEGIN IMMEDIATE (the file's write lock) the log's last position AND hash must equal
 * the tail the batch was built on; if another process appended meanwhile, the batch is
 * refused whole ("moved") and the main thread decides it again. After any batch that was not
 * committed, every later one is refused ("skipped") until the main thread says "resume": the
 * later batches were built on top of the refused one.
 *
 * A batch's rows come in chunks ('rows') while the main thread stages it, then the batch
 * message itself with the last ones; 'discard' drops the chunks of a batch that could not be
 * staged, so they never join another batch.
 *
 * Batches that are already waiting when one arrives join its transaction: one commit (one
 * fsync, one write of each index page they touch) for all of them. When this thread is the
 * slower of the two, its batches thus grow by themselves and each event's share of the
 * commit shrinks.
 */
/** @import { EventValues, LogTail, ThreadReply, WriterMessage, WriterThreadData } from './writer-protocol' */
import Database from 'better-sqlite3';
import { parentPort as maybeParentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';

if (!maybeParentPort) throw new Error('writer-thread.mjs runs only as a worker thread');
const parentPort = maybeParentPort;
const { path, nativeBinding, pragmas, sql, genesisHash, valuesPerEvent, valuesPerRecord } = /** @type {WriterThreadData} */ (workerData);

const db = new Database(path, nativeBinding ? { nativeBinding } : {});
for (const pragma of pragmas) db.pragma(pragma);
const tail = db.prepare(sql.tail);
const insertEvent = db.prepare(sql.insertEvent);
const insertRecord = db.prepare(sql.insertRecord);
const insertTreeNode = db.prepare(sql.insertTreeNode);
const begin = db.prepare('BEGIN IMMEDIATE');
const commit = db.prepare('COMMIT');
const rollback = db.prepare('ROLLBACK');
/** @type {ThreadReply} */
const SKIPPED = { outcome: 'skipped' };
/** @type {ThreadReply} */
const COMMITTED = { outcome: 'committed' };
/** @type {LogTail} */
const GENESIS = { position: 0, hash: genesisHash };
// The values are read spelled out (no array per row): the engine says how many it sends.
if (valuesPerEvent !== 11) throw new Error(`the writer thread reads 11 values per event, not ${valuesPerEvent}`);

let halted = false;
/**
 * Chunks of rows of the batch being received ('rows' messages), in order, until its 'batch' message.
 * @type {EventValues[]}
 */
let receiving = [];

/**
 * @typedef {{ readonly expectedTail: LogTail; readonly chunks: readonly EventValues[]; readonly records: readonly unknown[]; readonly treeNodes: readonly unknown[] }} Batch
 * A batch with all its rows.
 */

/**
 * Takes a chunk of rows, or drops the chunks of a batch that was not staged; false for any other message.
 * @param {WriterMessage} message
 * @returns {message is Extract<WriterMessage, { kind: 'rows' | 'discard' }>}
 */
function receiveRows(message) {
  if (message.kind === 'rows') receiving.push(message.events);
  else if (message.kind === 'discard') receiving = [];
  else return false;
  return true;
}

/**
 * A batch message with all its rows: the chunks received before it, then its own.
 * @param {Extract<WriterMessage, { kind: 'batch' }>} message
 * @returns {Batch}
 */
function completeBatch(message) {
  const chunks = [...receiving, message.events];
  receiving = [];
  return { expectedTail: message.expectedTail, chunks, records: message.records, treeNodes: message.treeNodes };
}

parentPort.on('message', (/** @type {WriterMessage} */ message) => {
  if (receiveRows(message)) return;
  if (message.kind === 'resume') {
    halted = false;
    return;
  }
  if (message.kind === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  const first = completeBatch(message);
  if (halted) {
    parentPort.postMessage(SKIPPED);
    return;
  }
  // Every batch already waiting joins this one's transaction (see the file comment). Chunks of
  // a batch still being staged are kept for it.
  const group = [first];
  for (let waiting = receiveMessageOnPort(parentPort); waiting !== undefined; waiting = receiveMessageOnPort(parentPort)) {
    const next = /** @type {WriterMessage} */ (waiting.message);
    if (receiveRows(next)) continue;
    if (next.kind !== 'batch') throw new Error(`the writer thread got ${next.kind} behind a batch: bug`);
    group.push(completeBatch(next));
  }
  for (const reply of commitGroup(group)) parentPort.postMessage(reply);
});

/**
 * Commits the batches in one transaction, or none of them.
 * @param {readonly Batch[]} batches
 * @returns {ThreadReply[]}
 */
function commitGroup(batches) {
  const notCommitted = (/** @type {ThreadReply} */ first) => [first, ...batches.slice(1).map(() => SKIPPED)];
  try {
    begin.run();
    let { position: lastPosition, hash: lastHash } = /** @type {LogTail | undefined} */ (tail.get()) ?? GENESIS;
    for (const [index, { expectedTail, chunks, records, treeNodes }] of batches.entries()) {
      if (expectedTail.position !== lastPosition || expectedTail.hash !== lastHash) {
        // Each batch was built on the one before it, so only the first can meet a log that
        // moved: another process appended since the main thread decided it.
        if (index > 0) throw new Error(`a batch built on position ${expectedTail.position} follows one ending at ${lastPosition}: bug`);
        rollback.run();
        halted = true;
        return notCommitted({ outcome: 'moved', message: `the log ends at position ${lastPosition}, not ${expectedTail.position}` });
      }
      // Each row's previous hash must be the hash of the row before it (the tail's for the first).
      for (const events of chunks) {
        for (let at = 0; at < events.length; at += valuesPerEvent) {
          if (events[at + 9] !== lastHash) throw new Error(`the row at position ${events[at]} does not chain onto the one before: bug`);
          const hash = /** @type {string} */ (events[at + 10]);
          insertEvent.run(
            events[at],
            events[at + 1],
            events[at + 2],
            events[at + 3],
            events[at + 4],
            events[at + 5],
            events[at + 6],
            events[at + 7],
            events[at + 8],
            lastHash,
            hash,
          );
          lastPosition = /** @type {number} */ (events[at]);
          lastHash = hash;
        }
      }
      for (let at = 0; at < records.length; at += valuesPerRecord) {
        insertRecord.run(records.slice(at, at + valuesPerRecord));
      }
      // The Merkle tree nodes the rows complete (level, index, hash as latin1): they commit with the rows.
      for (let at = 0; at < treeNodes.length; at += 3) {
        insertTreeNode.run(treeNodes[at], treeNodes[at + 1], Buffer.from(/** @type {string} */ (treeNodes[at + 2]), 'latin1'));
      }
    }
    commit.run();
    return batches.map(() => COMMITTED);
  } catch (error) {
    if (db.inTransaction) rollback.run();
    halted = true;
    return notCommitted({ outcome: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
}
