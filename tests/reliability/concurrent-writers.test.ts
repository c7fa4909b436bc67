/**
 * Issue 6, item 2 — concurrent writers. Four `ledger apply` processes start together on a file
 * that does not exist yet and hammer it: they race to create it, race to open the same two
 * shared accounts, and then compete with withdrawals and transfers for the same money.
 *
 * What must hold: every command gets exactly one answer; every refusal is a typed error
 * (INSUFFICIENT_FUNDS and friends, never SQLITE_BUSY or any raw text); positions and stream
 * versions are gap-free; and the balances equal a model that applies the ACCEPTED commands in
 * the order of their positions — with every receipt showing the balance the model has right
 * after that command, which is exactly what a lost update would break. No balance below zero.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandReceipt } from '#shared/commands';
import { Ledger } from '#engine/ledger';
import {
  applyToModel,
  count,
  eventCountOf,
  isTypedFailure,
  onCompleteLines,
  primaryAccountOf,
  randomAmount,
  readLog,
  recordFigures,
  removeFolder,
  scratchFolder,
  seededRandom,
  sequenceProblems,
  spawnCli,
  type ModelCommand,
} from './helpers';

const WRITERS = 4;
const COMMANDS_PER_WRITER = 300;
const SHARED = ['shared-1', 'shared-2'] as const;
/** Lines a writer may have unanswered: small, so the four keep taking turns at the write lock. */
const IN_FLIGHT_WINDOW = 3;

type ResultLine =
  | ({ ok: true; line: number } & CommandReceipt)
  | { ok: false; line: number; error: { code: string; message: string; details?: Record<string, unknown> } };

const seed = Number(process.env.RELIABILITY_SEED ?? Date.now() % 2 ** 31);
const folder = scratchFolder('writers');
const ledgerPath = join(folder, 'contended.db');

afterAll(() => removeFolder(folder));

/** One writer's script: race to open the shared accounts and its own, then compete. */
function writerCommands(writer: number, random: () => number): ModelCommand[] {
  const own = `own-${writer}`;
  const commands: ModelCommand[] = [
    ...SHARED.map((account): ModelCommand => ({
      command: 'open',
      account,
      owner: `Shared ${account}`,
      currency: 'EUR',
      initial: '300.00',
      commandId: `w${writer}-open-${account}`,
    })),
    { command: 'open', account: own, owner: `Writer ${writer}`, currency: 'EUR', initial: '0.00', commandId: `w${writer}-open-own` },
  ];
  const shared = () => SHARED[Math.floor(random() * SHARED.length)]!;
  for (let index = 0; commands.length < COMMANDS_PER_WRITER; index++) {
    const commandId = `w${writer}-c${index}`;
    const roll = random();
    if (roll < 0.35) commands.push({ command: 'withdraw', account: shared(), amount: randomAmount(random, 100, 2_000), commandId });
    else if (roll < 0.55) commands.push({ command: 'deposit', account: shared(), amount: randomAmount(random, 100, 2_500), commandId });
    else if (roll < 0.75)
      commands.push({ command: 'transfer', from: shared(), to: own, amount: randomAmount(random, 100, 2_000), commandId });
    else if (roll < 0.85)
      commands.push({ command: 'transfer', from: own, to: shared(), amount: randomAmount(random, 100, 1_000), commandId });
    else if (roll < 0.95)
      commands.push({ command: 'transfer', from: 'shared-1', to: 'shared-2', amount: randomAmount(random, 100, 2_000), commandId });
    // A stale expectation: the account has surely moved on, so this must be a typed conflict.
    else commands.push({ command: 'withdraw', account: shared(), amount: '1.00', expectedVersion: 2, commandId });
  }
  return commands;
}

type WriterRun = {
  readonly commands: ModelCommand[];
  readonly results: ResultLine[];
  readonly code: number | null;
  readonly stderr: string;
};

function runWriter(writer: number, commands: ModelCommand[]): Promise<WriterRun> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(['--db', ledgerPath, 'apply']);
    const results: ResultLine[] = [];
    let written = 0;
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const feed = () => {
      while (written < commands.length && written - results.length < IN_FLIGHT_WINDOW) {
        child.stdin.write(`${JSON.stringify(commands[written])}\n`);
        written += 1;
      }
      if (written === commands.length) child.stdin.end();
    };
    onCompleteLines(child.stdout, (text) => {
      const parsed = JSON.parse(text) as ResultLine;
      // A line without a line number is the whole process refusing (e.g. it could not open the file).
      if (typeof parsed.line !== 'number') return reject(new Error(`writer ${writer}: ${text}`));
      results.push(parsed);
      feed();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ commands, results, code, stderr }));
    // The opens go out first and alone, so the race for the shared accounts is a real race.
    feed();
  });
}

/**
 * Opens the ledger in this process once a writer has created it and polls it every few
 * milliseconds (each query catches up with what other processes appended), checking that
 * the view only moves forward and never shows a negative balance. `stop` returns what it saw.
 */
function watchWhileWriting() {
  let ledger: Ledger | undefined;
  let polls = 0;
  let lastPosition = 0;
  const problems: string[] = [];
  const timer = setInterval(() => {
    if (!ledger) {
      if (!existsSync(ledgerPath) || statSync(ledgerPath).size === 0) return;
      const opened = Ledger.open({ path: ledgerPath, actor: 'reliability-observer' });
      if (!opened.ok) return void problems.push(`observer could not open: ${opened.error.message}`);
      ledger = opened.value;
    }
    polls += 1;
    const accounts = ledger.listAccounts();
    const position = ledger.info().lastPosition;
    if (position < lastPosition) problems.push(`view went back from ${lastPosition} to ${position}`);
    lastPosition = position;
    for (const account of accounts)
      if (account.balanceMinor < 0) problems.push(`${account.id} at ${account.balanceMinor} (position ${position})`);
  }, 15);
  return {
    async stop() {
      clearInterval(timer);
      const finalBalances = Object.fromEntries((ledger?.listAccounts() ?? []).map((view) => [view.id, view.balanceMinor]));
      if (ledger && !ledger.verify().ok) problems.push('observer: verify failed');
      ledger?.close();
      return { polls, problems, finalBalances };
    },
  };
}

describe('concurrent writers: four processes on one file', () => {
  it('lose no update, overdraw nothing and answer every failure with a typed error', async () => {
    const random = seededRandom(seed);
    const scripts = Array.from({ length: WRITERS }, (_, writer) => writerCommands(writer + 1, random));
    const started = Date.now();
    const writing = Promise.all(scripts.map((commands, index) => runWriter(index + 1, commands)));
    // Meanwhile the app: a long-lived Ledger in this process that only reads, catching up with
    // the four foreign writers on every query. Its view must never go backwards or below zero.
    const observer = watchWhileWriting();
    const runs = await writing;
    const watched = await observer.stop();
    const seconds = (Date.now() - started) / 1000;

    // Every command answered once, in order; each process ended on its own with 0 or 1.
    const accepted: Array<{ command: ModelCommand; receipt: CommandReceipt }> = [];
    const failureCodes: Record<string, number> = {};
    const untyped: unknown[] = [];
    for (const [index, run] of runs.entries()) {
      expect(run.stderr, `writer ${index + 1} wrote to stderr`).toBe('');
      expect([0, 1], `writer ${index + 1} exit code`).toContain(run.code);
      expect(run.results.map((result) => result.line)).toEqual(run.commands.map((_, line) => line + 1));
      for (const result of run.results) {
        const command = run.commands[result.line - 1]!;
        if (result.ok) {
          expect(result.replayed, `${command.commandId} replayed`).toBeUndefined();
          accepted.push({ command, receipt: result });
        } else {
          if (!isTypedFailure(result)) untyped.push(result);
          failureCodes[result.error.code] = (failureCodes[result.error.code] ?? 0) + 1;
        }
      }
    }
    expect(untyped, 'failures that are not typed ledger errors').toEqual([]);
    expect(failureCodes.INSUFFICIENT_FUNDS ?? 0, 'competing withdrawals must have run dry').toBeGreaterThan(0);
    expect(Object.keys(failureCodes).sort()).toEqual(expect.arrayContaining(['ALREADY_EXISTS', 'INSUFFICIENT_FUNDS']));
    for (const code of Object.keys(failureCodes)) {
      expect(['ALREADY_EXISTS', 'INSUFFICIENT_FUNDS', 'NOT_FOUND', 'CONCURRENCY_CONFLICT'], `unexpected failure ${code}`).toContain(code);
    }

    // Exactly one writer opened each shared account.
    for (const account of SHARED) {
      expect(accepted.filter(({ command }) => command.command === 'open' && command.account === account)).toHaveLength(1);
    }

    // The log: gap-free, and exactly the accepted commands, each whole.
    const log = readLog(ledgerPath);
    expect(sequenceProblems(log)).toEqual([]);
    expect(log).toHaveLength(accepted.reduce((sum, { command }) => sum + eventCountOf(command), 0));
    const logCommands = new Map<string, number>();
    for (const row of log) logCommands.set(row.metadata.commandId as string, (logCommands.get(row.metadata.commandId as string) ?? 0) + 1);
    for (const { command } of accepted) expect(logCommands.get(command.commandId), command.commandId).toBe(eventCountOf(command));

    // The writers really took turns: in position order, the writer changes many times.
    const writerAt = log.map((row) => String(row.metadata.commandId).split('-')[0]);
    const switches = writerAt.filter((writer, index) => index > 0 && writer !== writerAt[index - 1]).length;
    // (Run one after another they would change 3 times; the usual count is 75–300.)
    expect(switches, 'the four writers did not interleave').toBeGreaterThan(20);

    // The model in position order; each receipt must show the model's balance right after it.
    accepted.sort((a, b) => a.receipt.position - b.receipt.position);
    const model = new Map<string, number>();
    let lowest = Number.POSITIVE_INFINITY;
    for (const { command, receipt } of accepted) {
      applyToModel(model, command);
      expect(receipt.balanceMinor, `receipt of ${command.commandId}`).toBe(model.get(primaryAccountOf(command)));
      if (command.command === 'transfer') expect(receipt.to?.balanceMinor, `receipt of ${command.commandId}`).toBe(model.get(command.to));
      lowest = Math.min(lowest, ...model.values());
    }
    expect(lowest).toBeGreaterThanOrEqual(0);

    const opened = Ledger.open({ path: ledgerPath, actor: 'reliability-check' });
    if (!opened.ok) throw new Error(JSON.stringify(opened.error));
    const ledger = opened.value;
    try {
      const report = ledger.verify();
      expect(report).toMatchObject({ ok: true });
      const balances = Object.fromEntries(ledger.listAccounts().map((view) => [view.id, view.balanceMinor]));
      expect(balances).toEqual(Object.fromEntries([...model].sort()));
      // The watching app caught up to the same balances without reopening.
      expect(watched.problems).toEqual([]);
      expect(watched.finalBalances).toEqual(balances);
      expect(watched.polls).toBeGreaterThan(10);
    } finally {
      ledger.close();
    }

    const failures = Object.values(failureCodes).reduce((sum, value) => sum + value, 0);
    const figures = {
      seed,
      writers: WRITERS,
      commands: WRITERS * COMMANDS_PER_WRITER,
      accepted: accepted.length,
      refused: failures,
      ...Object.fromEntries(Object.entries(failureCodes).map(([code, value]) => [`refused${code}`, value])),
      untypedFailures: 0,
      events: log.length,
      writerSwitchesInLog: switches,
      observerPolls: watched.polls,
      lostUpdates: 0,
      lowestBalanceMinor: lowest,
      verify: 'ok',
      seconds: Math.round(seconds * 10) / 10,
    };
    console.log(
      `concurrent writers: ${WRITERS} processes, ${count(WRITERS * COMMANDS_PER_WRITER)} commands, ${count(accepted.length)} accepted, ` +
        `${count(failures)} refused (${Object.entries(failureCodes)
          .map(([code, value]) => `${code} ${value}`)
          .join(', ')}), ` +
        `0 untyped, 0 lost updates, lowest balance ${lowest}, ${count(log.length)} events gap-free (writer changed ${count(switches)} times along the log), an in-process observer polled ${watched.polls} times and caught up to the same balances, verify ok (seed ${seed}, ${seconds.toFixed(1)} s)`,
    );
    await recordFigures('concurrentWriters', figures);
  }, 120_000);
});
