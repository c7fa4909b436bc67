/**
 * One command, one moment: every event a command appends carries the same recorded time, on
 * every path — the handler table (IPC, preview host, CLI commands), a batch through
 * executeBatch, and the pipelined bulk writer (`ledger apply`) that stages rows for its thread.
 * The wall clock is made to move on every reading, so a time taken per event would differ.
 * Times still never go backwards along the log while the clock moves forward.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AnyCommand } from '#shared/commands';
import { PipelinedWriter } from '#engine/bulk/pipelined-writer';
import type { Ledger } from '#engine/ledger';
import { newLedger, ok, readLedgerFile } from './helpers';

/** Every reading of the clock is 3 ms after the one before. */
function clockThatMovesOnEveryReading(): void {
  let now = Date.UTC(2030, 0, 1);
  vi.spyOn(Date, 'now').mockImplementation(() => (now += 3));
}

afterEach(() => {
  vi.restoreAllMocks();
});

type Row = { position: number; recordedAt: string; metadata: string; type: string };

function rows(ledger: Ledger): Row[] {
  return readLedgerFile(
    ledger.path,
    (db) => db.prepare('SELECT position, recorded_at AS recordedAt, metadata, type FROM events ORDER BY position').all() as Row[],
  );
}

/** Recorded times grouped by the command (its correlation id) that appended them. */
function timesByCommand(ledger: Ledger): Map<string, Set<string>> {
  const byCommand = new Map<string, Set<string>>();
  for (const row of rows(ledger)) {
    const { correlationId } = JSON.parse(row.metadata) as { correlationId: string };
    const times = byCommand.get(correlationId) ?? new Set<string>();
    times.add(row.recordedAt);
    byCommand.set(correlationId, times);
  }
  return byCommand;
}

function expectOneTimePerCommandAndTimeOrder(ledger: Ledger, commands: number): void {
  const byCommand = timesByCommand(ledger);
  expect(byCommand.size).toBe(commands);
  for (const [command, times] of byCommand) expect([...times], command).toHaveLength(1);
  const times = rows(ledger).map((row) => Date.parse(row.recordedAt));
  for (let index = 1; index < times.length; index++) expect(times[index]!).toBeGreaterThanOrEqual(times[index - 1]!);
  // The clock moved between commands, so distinct commands got distinct times.
  expect(new Set(rows(ledger).map((row) => row.recordedAt)).size).toBe(commands);
}

const transfers = (count: number): AnyCommand[] =>
  Array.from({ length: count }, (_, index) => ({
    name: 'transfer',
    input: { from: index % 2 ? 'b' : 'a', to: index % 2 ? 'a' : 'b', amount: '1.00' },
  }));

describe('one command, one recorded time', () => {
  it('both legs of a transfer through the handler table carry one recorded time', () => {
    const { ledger, api } = newLedger();
    clockThatMovesOnEveryReading();
    ok(api.openAccount({ account: 'a', owner: 'Ada', currency: 'EUR', initial: '10.00' }));
    ok(api.openAccount({ account: 'b', owner: 'Bob', currency: 'EUR' }));
    const receipt = ok(api.transfer({ from: 'a', to: 'b', amount: '2.50', commandId: 'pay-1' }));
    const legs = rows(ledger).filter((row) => row.type.startsWith('Transfer'));
    expect(legs.map((leg) => leg.type)).toEqual(['TransferSent', 'TransferReceived']);
    expect(legs[1]!.position).toBe(receipt.position);
    expect(legs[0]!.recordedAt).toBe(legs[1]!.recordedAt);
    expectOneTimePerCommandAndTimeOrder(ledger, 3);
    // What the views read back is that same moment.
    const history = ok(api.accountHistory({ account: 'b' })).entries;
    expect(history[history.length - 1]!.recordedAt).toBe(legs[0]!.recordedAt);
  });

  it('every transfer of one executeBatch carries one recorded time for both legs', () => {
    const { ledger } = newLedger();
    ok(ledger.execute({ name: 'open', input: { account: 'a', owner: 'Ada', currency: 'EUR', initial: '100.00' } }));
    ok(ledger.execute({ name: 'open', input: { account: 'b', owner: 'Bob', currency: 'EUR', initial: '100.00' } }));
    clockThatMovesOnEveryReading();
    for (const result of ledger.executeBatch(transfers(20))) ok(result);
    expect(rows(ledger)).toHaveLength(2 + 40);
    expectOneTimePerCommandAndTimeOrder(ledger, 22);
  });

  it('the pipelined bulk writer (stageBatch) stamps each staged transfer once too', async () => {
    const { ledger } = newLedger();
    ok(ledger.execute({ name: 'open', input: { account: 'a', owner: 'Ada', currency: 'EUR', initial: '100.00' } }));
    ok(ledger.execute({ name: 'open', input: { account: 'b', owner: 'Bob', currency: 'EUR', initial: '100.00' } }));
    clockThatMovesOnEveryReading();
    const writer = new PipelinedWriter(ledger);
    try {
      const answers = await Promise.all([writer.submit(transfers(30)), writer.submit(transfers(30))]);
      for (const result of answers.flat()) ok(result);
    } finally {
      await writer.close();
    }
    ledger.refresh();
    expect(rows(ledger)).toHaveLength(2 + 120);
    expectOneTimePerCommandAndTimeOrder(ledger, 62);
  });
});
