/**
 * The bulk writer's SQLite thread (see pipelined-writer.ts): it commits batches the main
 * thread has already decided, built and hashed, while the main thread decides the next one.
 *
 * Plain JavaScript on purpose: a worker's entry file is loaded by Node itself, which on
 * Node 20 runs no TypeScript loader in worker threads (not under tsx, not under vitest).
 * Everything it needs to agree with the engine on — the connection's pragmas and the SQL —
 * comes from the engine in workerData, so nothing here is a second copy of it.
 *
 * The invariant it protects: a batch is written only onto the exact log it was decided on.
 * Inside BEGIN IMMEDIATE (the file's write lock) the log must end at the position the batch
 * was built after — positions are the table's key and the log only grows (its triggers
 * refuse UPDATE and DELETE), so any append by another process moves it — otherwise the batch
 * is refused whole ("moved") and the main thread decides it again. The rows are chained
 * from the hash of the tail found there, with the engine's own hash function, and the hashes
 * go back to the main thread with the answer. After any batch that was not committed, every
 * later one is refused ("skipped") until the main thread says "resume": the later batches
 * were built on top of the refused one.
 *
 * Batches that are already waiting when one arrives join its transaction: one commit (one
 * fsync, one write of each index page they touch) for all of them. When this thread is the
 * slower of the two, its batches thus grow by themselves and each event's share of the
 * commit shrinks.
 */
import Database from 'better-sqlite3';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { GENESIS_HASH, hashEventValues } from '../store/event-hash.mjs';

const { path, nativeBinding, pragmas, sql, valuesPerEvent, valuesPerRecord } = workerData;

const db = new Database(path, nativeBinding ? { nativeBinding } : {});
for (const pragma of pragmas) db.pragma(pragma);
const tail = db.prepare(sql.tail);
const insertEvent = db.prepare(sql.insertEvent);
const insertRecord = db.prepare(sql.insertRecord);
const begin = db.prepare('BEGIN IMMEDIATE');
const commit = db.prepare('COMMIT');
const rollback = db.prepare('ROLLBACK');
const GENESIS = { position: 0, hash: GENESIS_HASH };
// The values are read spelled out (no array per row): the engine says how many it sends.
if (valuesPerEvent !== 9) throw new Error(`the writer thread reads 9 values per event, not ${valuesPerEvent}`);

let halted = false;

parentPort.on('message', (message) => {
  if (message.kind === 'resume') {
    halted = false;
    return;
  }
  if (message.kind === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  if (halted) {
    parentPort.postMessage({ outcome: 'skipped' });
    return;
  }
  // Every batch already waiting joins this one's transaction (see the file comment).
  const group = [message];
  for (let waiting = receiveMessageOnPort(parentPort); waiting !== undefined; waiting = receiveMessageOnPort(parentPort)) {
    if (waiting.message.kind !== 'batch') throw new Error(`the writer thread got ${waiting.message.kind} behind a batch: bug`);
    group.push(waiting.message);
  }
  for (const reply of commitGroup(group)) parentPort.postMessage(reply);
});

function commitGroup(batches) {
  const notCommitted = (first) => [first, ...batches.slice(1).map(() => ({ outcome: 'skipped' }))];
  try {
    begin.run();
    const found = tail.get() ?? GENESIS;
    let previousHash = found.hash;
    let lastPosition = found.position;
    const replies = [];
    for (const { afterPosition, events, records } of batches) {
      if (afterPosition !== lastPosition) {
        // Each batch was built to follow the one before it, so only the first can meet a log
        // that moved: another process appended since the main thread decided it.
        if (replies.length > 0) throw new Error(`a batch built after position ${afterPosition} follows one ending at ${lastPosition}: bug`);
        rollback.run();
        halted = true;
        return notCommitted({ outcome: 'moved', message: `the log ends at position ${lastPosition}, not ${afterPosition}` });
      }
      const hashBefore = previousHash;
      const hashes = [];
      for (let index = 0; index < events.length; index += valuesPerEvent) {
        const position = events[index];
        const eventId = events[index + 1];
        const streamId = events[index + 2];
        const streamVersion = events[index + 3];
        const type = events[index + 4];
        const schemaVersion = events[index + 5];
        const data = events[index + 6];
        const metadata = events[index + 7];
        const recordedAt = events[index + 8];
        const hash = hashEventValues(previousHash, position, eventId, streamId, streamVersion, type, schemaVersion, recordedAt, data, metadata);
        insertEvent.run(position, eventId, streamId, streamVersion, type, schemaVersion, data, metadata, recordedAt, previousHash, hash);
        hashes.push(hash);
        previousHash = hash;
        lastPosition = position;
      }
      for (let index = 0; index < records.length; index += valuesPerRecord) {
        insertRecord.run(records.slice(index, index + valuesPerRecord));
      }
      replies.push({ outcome: 'committed', previousHash: hashBefore, hashes: hashes.join('') });
    }
    commit.run();
    return replies;
  } catch (error) {
    if (db.inTransaction) rollback.run();
    halted = true;
    return notCommitted({ outcome: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
}
