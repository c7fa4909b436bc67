/**
 * Two writers on one file never lose an update: the final balance equals the opening plus
 * every acknowledged deposit minus every acknowledged withdrawal, positions stay gap-free
 * and the chain verifies. Writers are two Ledger instances in this process, and two child
 * processes running `ledger apply`.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startApply } from './cli-process';
import { failure, handlersFor, newLedger, ok, openLedger, tempLedgerPath } from './helpers';

type Answer = { ok: boolean; line?: number; balanceMinor?: number; error?: { code: string } };

describe('two Ledger instances on one file', () => {
  it('property: interleaved writers lose no update', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            writer: fc.integer({ min: 0, max: 1 }),
            kind: fc.constantFrom('deposit', 'withdraw'),
            cents: fc.integer({ min: 1, max: 5_000 }),
          }),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        (steps) => {
          const { path, ledger } = newLedger();
          const other = openLedger(path);
          const apis = [handlersFor(ledger), handlersFor(other)];
          ok(apis[0]!.openAccount({ account: 'shared', owner: 'Shared', currency: 'EUR', initial: '20.00' }));
          let expected = 2_000;
          for (const step of steps) {
            const amount = (step.cents / 100).toFixed(2);
            const result =
              step.kind === 'deposit'
                ? apis[step.writer]!.deposit({ account: 'shared', amount })
                : apis[step.writer]!.withdraw({ account: 'shared', amount });
            if (result.ok) {
              expected += step.kind === 'deposit' ? step.cents : -step.cents;
              // The receipt is computed from the writer's fresh view of the stream.
              expect(result.value.balanceMinor).toBe(expected);
            } else {
              expect(result.error.code).toBe('INSUFFICIENT_FUNDS');
              expect(step.cents).toBeGreaterThan(expected);
            }
          }
          for (const instance of [ledger, other]) {
            expect(ok(instance.getAccount('shared')).balanceMinor).toBe(expected);
          }
          const positions = ledger.events().map((event) => event.position);
          expect(positions).toEqual(positions.map((_, index) => index + 1));
          expect(ledger.verify()).toMatchObject({ ok: true });
          ledger.close();
          other.close();
        },
      ),
      { numRuns: 25 },
    );
  });

  it('a stale expectedVersion from the other writer is a typed conflict and writes nothing', () => {
    const { path, api } = newLedger();
    ok(api.openAccount({ account: 'a', owner: 'A', currency: 'EUR', initial: '10' }));
    const other = openLedger(path);
    const seenVersion = ok(handlersFor(other).getAccount({ account: 'a' })).version;
    ok(api.deposit({ account: 'a', amount: '1' }));
    const conflict = failure(
      handlersFor(other).withdraw({ account: 'a', amount: '10', expectedVersion: seenVersion }),
      'CONCURRENCY_CONFLICT',
    );
    expect(conflict.details).toMatchObject({ stream: 'a', expected: 1, actual: 2 });
    expect(other.logHead().position).toBe(2);
  });

  it('a write lock held past the busy timeout is a typed STORAGE failure, not a raw SQLite error', () => {
    const path = tempLedgerPath();
    const ledger = openLedger(path, { busyTimeoutMs: 20 });
    const api = handlersFor(ledger);
    ok(api.openAccount({ account: 'a', owner: 'A', currency: 'EUR' }));
    const holder = new Database(path);
    try {
      holder.exec('BEGIN IMMEDIATE');
      const refused = failure(api.deposit({ account: 'a', amount: '1' }), 'STORAGE');
      expect(refused.message).toContain(path);
      expect(refused.message).toMatch(/locked/);
      holder.exec('ROLLBACK');
      expect(ok(api.deposit({ account: 'a', amount: '1' })).balanceMinor).toBe(100);
    } finally {
      holder.close();
    }
    expect(ledger.events().map((event) => event.position)).toEqual([1, 2]);
  });
});

describe('two processes running `ledger apply`', () => {
  it('never lose an acknowledged deposit or withdrawal', async () => {
    const { path, ledger, api } = newLedger();
    ok(api.openAccount({ account: 'shared', owner: 'Shared', currency: 'EUR', initial: '5.00' }));
    ledger.close();

    const amountFor = (writer: number, index: number) => 1 + ((index * 37 + writer * 11) % 900);
    const lineFor = (writer: number, index: number) => {
      const cents = amountFor(writer, index);
      const command = index % 4 === 3 ? 'withdraw' : 'deposit';
      return {
        command,
        cents,
        text: JSON.stringify({ command, account: 'shared', amount: (cents / 100).toFixed(2), commandId: `w${writer}-${index}` }),
      };
    };
    const PER_WRITER = 60;

    let acknowledged = 500;
    const acknowledgedIds: string[] = [];
    // Both processes are started and have answered once before the race begins.
    const processes = [startApply(path), startApply(path)];
    const warmUps = (await Promise.all(
      processes.map((process, writer) =>
        process.send([JSON.stringify({ command: 'deposit', account: 'shared', amount: '0.01', commandId: `w${writer}-warm-up` })]),
      ),
    )) as Answer[][];
    for (const [answer] of warmUps) expect(answer).toMatchObject({ ok: true });
    acknowledged += 2;
    acknowledgedIds.push('w0-warm-up', 'w1-warm-up');

    const drive = async (writer: number, chunk: number) => {
      const process = processes[writer]!;
      for (let start = 0; start < PER_WRITER; start += chunk) {
        const lines = Array.from({ length: Math.min(chunk, PER_WRITER - start) }, (_, offset) => lineFor(writer, start + offset));
        const answers = (await process.send(lines.map((line) => line.text))) as Answer[];
        answers.forEach((answer, offset) => {
          const line = lines[offset]!;
          if (answer.ok) {
            acknowledged += line.command === 'deposit' ? line.cents : -line.cents;
            acknowledgedIds.push(JSON.parse(line.text).commandId as string);
          } else expect(answer.error?.code).toBe('INSUFFICIENT_FUNDS');
        });
      }
      return process.finish();
    };
    // One writer sends a line at a time, the other in chunks of 7 (one transaction per chunk).
    const [first, second] = await Promise.all([drive(0, 1), drive(1, 7)]);
    expect(first.stderr).toBe('');
    expect(second.stderr).toBe('');

    const reopened = openLedger(path);
    const view = ok(reopened.getAccount('shared'));
    expect(view.balanceMinor).toBe(acknowledged);
    const events = reopened.events({ limit: 10_000 });
    expect(events.map((event) => event.position)).toEqual(events.map((_, index) => index + 1));
    expect(view.version).toBe(events.length);
    expect(reopened.verify()).toMatchObject({ ok: true, events: events.length });
    // Exactly the acknowledged commands are in the log, each once.
    const stored = events.slice(1).map((event) => String(event.metadata.commandId));
    expect([...stored].sort()).toEqual([...acknowledgedIds].sort());
  });
});
