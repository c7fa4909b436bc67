/**
 * The head checkpoint as the event store keeps it while a ledger is open: the file stays open
 * for the writes, and readCheckpoint in the same process reads through that descriptor. The
 * file is still read every time, so what another process writes (or puts in its place) is
 * seen exactly as a reader that opens the path would see it. And a command reads the log's
 * tail once: the tail it is decided on is the one its events chain from.
 */
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventStore, type NewEvent } from '#engine/store/event-store';
import { checkpointPathFor, readCheckpoint } from '#engine/store/head-checkpoint';
import { ok, openLedger, tempLedgerPath } from './helpers';

/** An open ledger of three events whose checkpoint has been written (the store holds the file open). */
function openWithCheckpoint() {
  const path = tempLedgerPath();
  const ledger = openLedger(path);
  ok(ledger.execute({ name: 'open', input: { account: 'alice', owner: 'Alice', currency: 'EUR', initial: '10.00' } }));
  ok(ledger.execute({ name: 'deposit', input: { account: 'alice', amount: '1.00' } }));
  ok(ledger.execute({ name: 'deposit', input: { account: 'alice', amount: '2.00' } }));
  ledger.flushCheckpoint();
  return { path, ledger };
}

/** A record as another process (or an older version) writes it: short JSON with no check. */
function otherProcessWrites(path: string, position: number, hash: string): void {
  writeFileSync(checkpointPathFor(path), JSON.stringify({ position, hash }));
}

describe('the head checkpoint read while the store holds it open', () => {
  it('reads what is in the file now, not what this process wrote last', () => {
    const { path, ledger } = openWithCheckpoint();
    expect(readCheckpoint(path)).toEqual({ position: 3, hash: ledger.logHead().hash });
    // Written in place through another descriptor: same file, new content.
    otherProcessWrites(path, 7, 'ab'.repeat(32));
    expect(readCheckpoint(path)).toEqual({ position: 7, hash: 'ab'.repeat(32) });
    ledger.close();
  });

  it('sees a file put in the place of the open one, a link, a folder and a removal', () => {
    const { path, ledger } = openWithCheckpoint();
    const checkpoint = checkpointPathFor(path);
    writeFileSync(`${checkpoint}.new`, JSON.stringify({ position: 2, hash: 'cd'.repeat(32) }));
    renameSync(`${checkpoint}.new`, checkpoint);
    expect(readCheckpoint(path)).toEqual({ position: 2, hash: 'cd'.repeat(32) });

    rmSync(checkpoint);
    expect(readCheckpoint(path)).toBeUndefined();

    writeFileSync(`${path}.elsewhere`, JSON.stringify({ position: 99, hash: 'ef'.repeat(32) }));
    symlinkSync(`${path}.elsewhere`, checkpoint);
    expect(() => readCheckpoint(path)).toThrow(/symbolic link/);

    rmSync(checkpoint);
    mkdirSync(checkpoint);
    expect(() => readCheckpoint(path)).toThrow(/not a file/);
    rmSync(checkpoint, { recursive: true });
    ledger.close();
  });

  it('reports content that is not a checkpoint, and a record read half-written as none', () => {
    const { path, ledger } = openWithCheckpoint();
    writeFileSync(checkpointPathFor(path), 'my notes');
    expect(() => readCheckpoint(path)).toThrow(/something other than a head checkpoint/);
    // One of our fixed-size records whose check fails (as a torn read leaves it): absent.
    const record = JSON.stringify({ position: 3, hash: 'ab'.repeat(32), writtenAt: '', check: '0000000000000000' });
    writeFileSync(checkpointPathFor(path), `${record.padEnd(1_023)}\n`);
    expect(readCheckpoint(path)).toBeUndefined();
    ledger.close();
  });

  it('is read from the path again once the ledger is closed', () => {
    const { path, ledger } = openWithCheckpoint();
    ledger.close();
    otherProcessWrites(path, 5, 'ab'.repeat(32));
    expect(readCheckpoint(path)).toEqual({ position: 5, hash: 'ab'.repeat(32) });
  });
});

describe('the tail a write transaction appends onto', () => {
  const noted = (): NewEvent => ({
    type: 'Noted',
    schemaVersion: 1,
    data: { n: 1 },
    metadata: { correlationId: 'c', actor: 'test', appVersion: 'test' },
  });

  it('is read once and moves with the transaction’s own appends', () => {
    const store = EventStore.open(tempLedgerPath(), { appVersion: 'test' });
    store.append([{ streamId: 'a', expected: 'any', events: [noted(), noted(), noted()] }]);
    const head = store.readTail();
    store.writeTransaction(() => {
      expect(store.appendTailPosition()).toBe(3);
      const { events } = store.append([{ streamId: 'b', expected: 'no_stream', events: [noted()] }]);
      expect(events[0]).toMatchObject({ position: 4, previousHash: head.hash });
      expect(store.appendTailPosition()).toBe(4);
    });
    expect(store.appendTailPosition()).toBe(4);
    expect(store.readTail().position).toBe(4);
    store.close();
  });
});
