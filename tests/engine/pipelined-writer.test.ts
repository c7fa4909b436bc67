/**
 * The pipelined bulk writer (`ledger apply`'s path) answers exactly what executeBatch answers,
 * in order, and writes exactly the same log — also when another connection appends between
 * its batches, when the file stays locked past the busy timeout, when a command id repeats
 * across batches still in flight, and when its thread is lost mid-batch.
 */
import fc from 'fast-check';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { AnyCommand, CommandReceipt } from '#shared/commands';
import type { Result } from '#shared/errors';
import { PipelinedWriter } from '#engine/bulk/pipelined-writer';
import type { Ledger } from '#engine/ledger';
import { connectionOf, failure, newLedger, ok, openLedger } from './helpers';

const ACCOUNTS = ['a', 'b', 'c'] as const;
const AMOUNTS = ['0.01', '1.00', '7.50', '40.00'] as const;

const account = fc.constantFrom(...ACCOUNTS);
const amount = fc.constantFrom(...AMOUNTS);
const commandId = fc.option(fc.constantFrom('k1', 'k2', 'k3', 'k4'), { nil: undefined, freq: 3 });
const withId = <T extends object>(input: T, id: string | undefined) => (id === undefined ? input : { ...input, commandId: id });

/** Commands over three accounts: many refused (unknown or closed accounts, overdrafts, repeated ids). */
const command: fc.Arbitrary<AnyCommand> = fc.oneof(
  fc
    .tuple(account, commandId)
    .map(
      ([id, key]) =>
        ({ name: 'open', input: withId({ account: id, owner: 'Owner', currency: 'EUR', initial: '20.00' }, key) }) as AnyCommand,
    ),
  fc
    .tuple(account, amount, commandId)
    .map(([id, money, key]) => ({ name: 'deposit', input: withId({ account: id, amount: money }, key) }) as AnyCommand),
  fc
    .tuple(account, amount, commandId)
    .map(([id, money, key]) => ({ name: 'withdraw', input: withId({ account: id, amount: money }, key) }) as AnyCommand),
  fc
    .tuple(account, account, amount, commandId)
    .map(([from, to, money, key]) => ({ name: 'transfer', input: withId({ from, to, amount: money }, key) }) as AnyCommand),
  fc.tuple(account, commandId).map(([id, key]) => ({ name: 'close', input: withId({ account: id }, key) }) as AnyCommand),
);

/** A receipt without what differs between two runs by design (transfer ids are random). */
function comparable(result: Result<CommandReceipt>): unknown {
  if (!result.ok) return { code: result.error.code };
  const { transferId: _transferId, ...rest } = result.value;
  return rest;
}

/** What a ledger holds, without ids and times: the same commands must leave the same of it. */
function contentOf(ledger: Ledger) {
  return {
    accounts: ledger.listAccounts().map(({ openedAt: _openedAt, lastTransactionAt: _lastTransactionAt, ...rest }) => rest),
    events: ledger.events({ limit: 10_000 }).map(({ position, streamId, streamVersion, type, data }) => ({
      position,
      streamId,
      streamVersion,
      type,
      data: { ...data, transferId: undefined },
    })),
  };
}

function deposits(count: number, account = 'a', prefix?: string): AnyCommand[] {
  return Array.from({ length: count }, (_, index) => ({
    name: 'deposit',
    input: { account, amount: '1.00', ...(prefix === undefined ? {} : { commandId: `${prefix}-${index}` }) },
  }));
}

async function withWriter<T>(ledger: Ledger, work: (writer: PipelinedWriter) => Promise<T>): Promise<T> {
  const writer = new PipelinedWriter(ledger);
  try {
    return await work(writer);
  } finally {
    await writer.close();
  }
}

describe('the pipelined bulk writer', () => {
  it('property: answers and log are those of executeBatch, batch for batch', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(command, { minLength: 0, maxLength: 12 }), { minLength: 1, maxLength: 8 }), async (batches) => {
        const plain = newLedger().ledger;
        const pipelined = newLedger().ledger;
        const expected = batches.map((batch) => plain.executeBatch(batch).map(comparable));
        // All batches submitted at once: several are staged on one another before any commits.
        const answered = await withWriter(pipelined, (writer) => Promise.all(batches.map((batch) => writer.submit(batch))));
        expect(answered.map((results) => results.map(comparable))).toEqual(expected);
        expect(contentOf(pipelined)).toEqual(contentOf(plain));
        expect(pipelined.verify().ok).toBe(true);
        // What the writer's thread wrote replays to the views the commits were announced with.
        expect(openLedger(pipelined.path).listAccounts()).toEqual(pipelined.listAccounts());
      }),
      { numRuns: 40 },
    );
  });

  it('answers in order, only after the commit, and the projection follows each commit', async () => {
    const { ledger } = newLedger();
    const seen: number[] = [];
    ledger.onChange((change) => seen.push(change.lastPosition));
    const order: number[] = [];
    await withWriter(ledger, async (writer) => {
      const first = writer.submit([{ name: 'open', input: { account: 'a', owner: 'A', currency: 'EUR' } }, ...deposits(999)]);
      const second = writer.submit(deposits(1_000));
      const third = writer.submit(deposits(1_000));
      await Promise.all([first, second, third].map((answer, index) => answer.then(() => order.push(index))));
      // Each answer is on disk: a second connection reads it.
      expect(openLedger(ledger.path).getAccount('a')).toMatchObject({ ok: true, value: { balanceMinor: 2_999 * 100, version: 3_000 } });
    });
    expect(order).toEqual([0, 1, 2]);
    expect(seen).toEqual([1_000, 2_000, 3_000]);
    expect(ledger.lastPosition).toBe(3_000);
    expect(ledger.verify()).toMatchObject({ ok: true, events: 3_000 });
  });

  it('a command id repeated while its first use is still in flight answers the first receipt', async () => {
    const { ledger } = newLedger();
    const [[opened], [first], [repeat], [clash]] = await withWriter(ledger, (writer) =>
      Promise.all([
        writer.submit([{ name: 'open', input: { account: 'a', owner: 'A', currency: 'EUR' } }]),
        writer.submit([{ name: 'deposit', input: { account: 'a', amount: '5.00', commandId: 'once' } }]),
        writer.submit([{ name: 'deposit', input: { account: 'a', amount: '5.00', commandId: 'once' } }]),
        writer.submit([{ name: 'withdraw', input: { account: 'a', amount: '5.00', commandId: 'once' } }]),
      ]),
    );
    ok(opened!);
    expect(ok(repeat!)).toEqual({ ...ok(first!), replayed: true });
    failure(clash!, 'VALIDATION');
    expect(ledger.events()).toHaveLength(2);
    // The record reached the commands table with the events: a new connection answers the repeat too.
    expect(
      ok(openLedger(ledger.path).execute({ name: 'deposit', input: { account: 'a', amount: '5.00', commandId: 'once' } })),
    ).toMatchObject({
      replayed: true,
      position: 2,
    });
  });

  it('decides on batches still in flight: a withdrawal may spend a deposit not yet committed', async () => {
    const { ledger } = newLedger();
    const answers = await withWriter(ledger, (writer) =>
      Promise.all([
        writer.submit([{ name: 'open', input: { account: 'a', owner: 'A', currency: 'EUR' } }]),
        writer.submit([{ name: 'deposit', input: { account: 'a', amount: '10.00' } }]),
        writer.submit([
          { name: 'withdraw', input: { account: 'a', amount: '10.00' } },
          { name: 'withdraw', input: { account: 'a', amount: '0.01' } },
        ]),
      ]),
    );
    expect(ok(answers[2]![0]!).balanceMinor).toBe(0);
    failure(answers[2]![1]!, 'INSUFFICIENT_FUNDS');
  });

  it('another connection appending between batches: the batch is decided again on top of it', async () => {
    const { ledger, path } = newLedger();
    ledger.execute({ name: 'open', input: { account: 'a', owner: 'A', currency: 'EUR', initial: '10.00' } });
    const other = openLedger(path, { actor: 'other' });
    // The other connection takes the write lock first, so the writer's thread must wait for it.
    connectionOf(other).exec('BEGIN IMMEDIATE');
    const answers = await withWriter(ledger, async (writer) => {
      const pending = [writer.submit([{ name: 'withdraw', input: { account: 'a', amount: '10.00' } }]), writer.submit(deposits(3))];
      // Meanwhile the other connection spends the money and commits.
      ok(other.execute({ name: 'withdraw', input: { account: 'a', amount: '6.00' } }));
      connectionOf(other).exec('COMMIT');
      return Promise.all(pending);
    });
    // Decided again on the log as it really was: 4.00 left, so the withdrawal of 10.00 is refused.
    expect(failure(answers[0]![0]!, 'INSUFFICIENT_FUNDS').message).toMatch(/balance 4\.00/);
    expect(answers[1]!.map((result) => ok(result).balanceMinor)).toEqual([500, 600, 700]);
    expect(ledger.events().map((event) => [event.position, event.metadata.actor])).toEqual([
      [1, 'test'],
      [2, 'other'],
      [3, 'test'],
      [4, 'test'],
      [5, 'test'],
    ]);
    expect(ledger.verify().ok).toBe(true);
    expect(ok(openLedger(path).getAccount('a')).balanceMinor).toBe(700);
  });

  it('a refusal decided before another connection appended is decided again (it writes no row that could clash)', async () => {
    const { ledger, path } = newLedger();
    ledger.execute({ name: 'open', input: { account: 'a', owner: 'A', currency: 'EUR' } });
    const other = openLedger(path, { actor: 'other' });
    connectionOf(other).exec('BEGIN IMMEDIATE');
    const [[withdrawal]] = await withWriter(ledger, async (writer) => {
      // Staged on a balance of 0.00: refused, and a refused batch has no rows to write.
      const pending = Promise.all([writer.submit([{ name: 'withdraw', input: { account: 'a', amount: '5.00' } }])]);
      ok(other.execute({ name: 'deposit', input: { account: 'a', amount: '5.00' } }));
      connectionOf(other).exec('COMMIT');
      return pending;
    });
    // Under the lock the log had moved on: decided again, the withdrawal goes through.
    expect(ok(withdrawal!)).toMatchObject({ position: 3, balanceMinor: 0 });
  });

  it('a file locked past the busy timeout: the batch waits out the lock on the plain path', async () => {
    const { ledger, path } = newLedger({ busyTimeoutMs: 50 });
    ledger.execute({ name: 'open', input: { account: 'a', owner: 'A', currency: 'EUR' } });
    const other = openLedger(path);
    connectionOf(other).exec('BEGIN IMMEDIATE');
    const answers = await withWriter(ledger, async (writer) => {
      const pending = Promise.all([writer.submit(deposits(2)), writer.submit(deposits(2))]);
      // Hold the lock well past the thread's 50 ms busy timeout (this thread sleeps; the writer's does not).
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
      connectionOf(other).exec('COMMIT');
      return pending;
    });
    expect(answers.flat().map((result) => ok(result).balanceMinor)).toEqual([100, 200, 300, 400]);
    expect(ledger.verify()).toMatchObject({ ok: true, events: 5 });
  });

  it('a lost thread: batches it committed are answered, the rest are written on the main thread', async () => {
    const { ledger } = newLedger();
    ledger.execute({ name: 'open', input: { account: 'a', owner: 'A', currency: 'EUR' } });
    const writer = new PipelinedWriter(ledger);
    const pending = [
      writer.submit(deposits(500, 'a', 'first')),
      writer.submit(deposits(500, 'a', 'second')),
      writer.submit(deposits(500, 'a', 'third')),
    ];
    // Fault injection: the thread is stopped wherever it is — before, during or after a commit.
    await (writer as unknown as { thread: Worker }).thread.terminate();
    const answers = await Promise.all(pending);
    await writer.close();
    expect(answers.flat().map((result) => ok(result).balanceMinor)).toEqual(Array.from({ length: 1_500 }, (_, index) => (index + 1) * 100));
    expect(ledger.verify()).toMatchObject({ ok: true, events: 1_501 });
    expect(ok(openLedger(ledger.path).getAccount('a')).version).toBe(1_501);
    // Later batches take the main thread's path and still work.
    const more = new PipelinedWriter(ledger);
    expect(ok((await more.submit(deposits(1)))[0]!).balanceMinor).toBe(150_100);
    await more.close();
  });

  it('a batch that fails while staged, after chunks of its rows went to the thread: they are dropped, and it is decided again', async () => {
    const { ledger } = newLedger();
    ledger.execute({ name: 'open', input: { account: 'a', owner: 'A', currency: 'EUR' } });
    // Fault injection: the second batch throws after 700 of its rows were sent (two chunks).
    const bulkStaging = ledger.bulkStaging.bind(ledger);
    let batches = 0;
    ledger.bulkStaging = () => {
      const staging = bulkStaging();
      const stage = staging.stage.bind(staging);
      staging.stage = (commands, basis, send) => {
        batches += 1;
        if (batches !== 2) return stage(commands, basis, send);
        let rows = 0;
        return stage(commands, basis, (row) => {
          send(row);
          if (++rows === 700) throw new Error('injected');
        });
      };
      return staging;
    };
    const executeBatch = ledger.executeBatch.bind(ledger);
    let plainBatches = 0;
    ledger.executeBatch = (commands) => ((plainBatches += 1), executeBatch(commands));
    const answers = await withWriter(ledger, (writer) =>
      Promise.all([
        writer.submit(deposits(1_000, 'a', 'first')),
        writer.submit(deposits(1_000, 'a', 'second')),
        writer.submit(deposits(1_000, 'a', 'third')),
      ]),
    );
    expect(answers.flat().map((result) => ok(result).balanceMinor)).toEqual(Array.from({ length: 3_000 }, (_, index) => (index + 1) * 100));
    // Only the failed batch took the plain path: the thread committed the third one as staged.
    // (Had it kept the dropped chunks, it would have put them before the third batch's rows.)
    expect(plainBatches).toBe(1);
    expect(ledger.verify()).toMatchObject({ ok: true, events: 3_001 });
    expect(ok(openLedger(ledger.path).getAccount('a')).version).toBe(3_001);
  });

  it('an in-memory ledger (which a second connection cannot share) is written on the main thread', async () => {
    const memory = openLedger(':memory:');
    const [[opened, deposited]] = await withWriter(memory, (writer) =>
      Promise.all([writer.submit([{ name: 'open', input: { account: 'a', owner: 'A', currency: 'EUR' } }, ...deposits(1)])]),
    );
    ok(opened!);
    expect(ok(deposited!)).toMatchObject({ position: 2, balanceMinor: 100 });
    expect(memory.verify()).toMatchObject({ ok: true, events: 2 });
  });

  it('a read-only ledger refuses every command of every batch, as executeBatch does', async () => {
    const { ledger } = newLedger();
    ledger.execute({ name: 'open', input: { account: 'a', owner: 'A', currency: 'EUR' } });
    ledger.markReadOnly('tampering found');
    const [results] = await withWriter(ledger, (writer) => Promise.all([writer.submit(deposits(2))]));
    for (const result of results!) expect(failure(result, 'INTEGRITY').message).toMatch(/tampering found/);
    expect(ledger.events()).toHaveLength(1);
  });
});
