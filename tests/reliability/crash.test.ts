/**
 * Issue 6, item 1 — crash safety. A child `ledger apply` books a steady stream of deposits,
 * withdrawals and transfers; the test SIGKILLs it at a random moment, then opens the file and
 * checks that nothing acknowledged was lost and nothing was booked by halves. The same file
 * is reused across rounds, so damage that only shows after a restart on a crashed file
 * (a hot WAL, a lagging head checkpoint) is caught too.
 *
 * The rule being proven: `apply` prints a result only after its batch is durable, so
 *   acknowledged ⇒ in the log;      refused (acknowledged failure) ⇒ not in the log;
 *   unacknowledged ⇒ either (a commit may land just before the kill, the print after it).
 * Set RELIABILITY_SEED to replay a run.
 */
import { readdirSync, statSync } from 'node:fs';
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
  toMinor,
  type LogRow,
  type ModelCommand,
} from './helpers';

const ROUNDS = Number(process.env.RELIABILITY_CRASH_ROUNDS ?? 24);
const ACCOUNTS = ['acc-1', 'acc-2', 'acc-3', 'acc-4'] as const;
/** Kill delay after the first acknowledgement of a round: spread over this range. */
const KILL_DELAY_MS = { min: 50, max: 1_500 } as const;
/** Lines written but not yet answered: keeps the child busy without a huge backlog. */
const IN_FLIGHT_WINDOW = Number(process.env.RELIABILITY_CRASH_WINDOW ?? 8);
/** Up to this many milliseconds between chunks written to the child. */
const PACE_MS = Number(process.env.RELIABILITY_CRASH_PACE_MS ?? 8);
/** Commands re-sent at the start of each later round (idempotency across a crash). */
const RESENT_PER_ROUND = 4;

type Receipt = CommandReceipt & { readonly line: number };
type ResultLine = ({ ok: true } & Receipt) | { ok: false; line: number; error: { code: string; message: string } };

type Outcome =
  | { readonly status: 'ok'; readonly receipts: Receipt[] }
  | { readonly status: 'refused'; readonly code: string }
  | { readonly status: 'unknown' };

const seed = Number(process.env.RELIABILITY_SEED ?? Date.now() % 2 ** 31);
const folder = scratchFolder('crash');
const ledgerPath = join(folder, 'crash.db');

afterAll(() => removeFolder(folder));

describe('crash: SIGKILL while `ledger apply` is booking', () => {
  it(`keeps every acknowledged command and books no transfer by halves over ${ROUNDS} kills`, async () => {
    const random = seededRandom(seed);
    const sent = new Map<string, ModelCommand>();
    const outcomes = new Map<string, Outcome>();
    let nextId = 0;
    const newCommand = (round: number): ModelCommand => {
      const commandId = `r${round}-c${nextId++}`;
      const pick = () => ACCOUNTS[Math.floor(random() * ACCOUNTS.length)]!;
      const roll = random();
      if (roll < 0.4) return { command: 'deposit', account: pick(), amount: randomAmount(random, 1, 5_000), commandId };
      if (roll < 0.7) return { command: 'withdraw', account: pick(), amount: randomAmount(random, 1, 8_000), commandId };
      const from = pick();
      let to = pick();
      while (to === from) to = pick();
      return { command: 'transfer', from, to, amount: randomAmount(random, 1, 8_000), commandId };
    };

    let kills = 0;
    let acknowledgedTotal = 0;
    let committedUnacknowledged = 0;
    let lastLog: LogRow[] = [];
    const started = Date.now();

    for (let round = 1; round <= ROUNDS; round++) {
      // Opens first (again, under the same ids, until each is known booked), then re-sends.
      const opening: ModelCommand[] = [
        ...ACCOUNTS.filter((account) => outcomes.get(`open-${account}`)?.status !== 'ok').map((account): ModelCommand => ({
          command: 'open',
          account,
          owner: `Owner ${account}`,
          currency: 'EUR',
          initial: '500.00',
          commandId: `open-${account}`,
        })),
        ...(round === 1 ? [] : pickResends(random, sent, outcomes)),
      ];
      const roundStarted = Date.now();
      const roundResult = await runRound(round, opening, () => newCommand(round), random);
      const roundRan = Date.now();
      if (roundResult.killed) kills += 1;

      // Outcomes: the latest answer for a command id is what the log must agree with.
      for (const [commandId, answers] of roundResult.answers) {
        const command = roundResult.lines.find((line) => line.commandId === commandId)!;
        sent.set(commandId, command);
        const last = answers[answers.length - 1]!;
        acknowledgedTotal += answers.length;
        if (last.ok) {
          const previous = outcomes.get(commandId);
          const receipts = previous?.status === 'ok' ? previous.receipts : [];
          outcomes.set(commandId, { status: 'ok', receipts: [...receipts, ...answers.filter((answer) => answer.ok)] as Receipt[] });
        } else {
          expect(isTypedFailure(last), `round ${round}: ${JSON.stringify(last)}`).toBe(true);
          outcomes.set(commandId, { status: 'refused', code: last.error.code });
        }
      }
      for (const command of roundResult.lines) {
        sent.set(command.commandId, command);
        if (!outcomes.has(command.commandId)) outcomes.set(command.commandId, { status: 'unknown' });
      }

      const check = checkLedger(round, sent, outcomes, round === ROUNDS);
      if (process.env.DEBUG_CRASH)
        console.log(`round ${round}: run ${roundRan - roundStarted} ms, check ${Date.now() - roundRan} ms, ${check.log.length} events`);
      lastLog = check.log;
      committedUnacknowledged = check.committedUnacknowledged;
    }

    const acknowledgedOk = [...outcomes.values()].filter((outcome) => outcome.status === 'ok').length;
    const inLog = new Set(lastLog.map((row) => row.metadata.commandId)).size;
    const seconds = (Date.now() - started) / 1000;
    const figures = {
      seed,
      rounds: ROUNDS,
      kills,
      commandsSent: sent.size,
      acknowledgedAnswers: acknowledgedTotal,
      acknowledgedBooked: acknowledgedOk,
      commandsInLog: inLog,
      committedButUnacknowledged: committedUnacknowledged,
      lost: 0,
      halfBookedTransfers: 0,
      events: lastLog.length,
      verify: 'ok',
      seconds: Math.round(seconds * 10) / 10,
    };
    console.log(
      `crash: ${ROUNDS} rounds, ${kills} kills, ${count(sent.size)} commands sent, ${count(acknowledgedTotal)} acknowledged answers ` +
        `(re-sends included; ${count(acknowledgedOk)} commands acknowledged as booked), ${count(committedUnacknowledged)} committed but unacknowledged, 0 lost, ` +
        `0 half-booked transfers, ${count(lastLog.length)} events, verify ok after every kill (seed ${seed}, ${seconds.toFixed(1)} s)`,
    );
    await recordFigures('crash', figures);
    // Every round must have been killed while working; otherwise the test proved nothing.
    expect(kills).toBe(ROUNDS);
  }, 240_000);
});

/** Re-sends a few earlier commands whose fate is known-booked or unknown (never refused ones). */
function pickResends(
  random: () => number,
  sent: ReadonlyMap<string, ModelCommand>,
  outcomes: ReadonlyMap<string, Outcome>,
): ModelCommand[] {
  const candidates = [...sent.values()].filter(
    (command) => command.command !== 'open' && outcomes.get(command.commandId)?.status !== 'refused',
  );
  const picked: ModelCommand[] = [];
  // Prefer the unknown ones (killed in flight): their re-send is the interesting case.
  const unknown = candidates.filter((command) => outcomes.get(command.commandId)?.status === 'unknown');
  for (let index = 0; index < RESENT_PER_ROUND && candidates.length > 0; index++) {
    const pool = index % 2 === 0 && unknown.length > 0 ? unknown : candidates;
    const command = pool[Math.floor(random() * pool.length)]!;
    if (!picked.includes(command)) picked.push(command);
  }
  return picked;
}

type RoundResult = {
  readonly killed: boolean;
  /** Every line written to stdin, in order (line n of apply = lines[n - 1]). */
  readonly lines: ModelCommand[];
  readonly answers: Map<string, ResultLine[]>;
};

/**
 * One round: start `ledger apply`, keep feeding it in random chunks, and SIGKILL it at a
 * random moment after its first acknowledgement.
 */
function runRound(round: number, opening: readonly ModelCommand[], next: () => ModelCommand, random: () => number): Promise<RoundResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(['--db', ledgerPath, 'apply']);
    const lines: ModelCommand[] = [];
    const answers = new Map<string, ResultLine[]>();
    let answered = 0;
    let killed = false;
    let exited = false;
    let paced = false;
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdin.on('error', () => undefined); // EPIPE once the child is dead

    const feed = () => {
      if (exited || killed) return;
      const chunk = 1 + Math.floor(random() * Number(process.env.RELIABILITY_CRASH_CHUNK ?? 4));
      let text = '';
      for (let index = 0; index < chunk; index++) {
        const command = lines.length < opening.length ? opening[lines.length]! : next();
        lines.push(command);
        text += `${JSON.stringify(command)}\n`;
      }
      child.stdin.write(text);
    };

    onCompleteLines(child.stdout, (text) => {
      const result = JSON.parse(text) as ResultLine;
      const command = lines[result.line - 1];
      if (!command)
        return reject(
          new Error(
            `round ${round}: a line that answers no command: ${text.slice(0, 500)} ${JSON.stringify(readdirSync(folder).map((f) => [f, statSync(join(folder, f)).size]))}`,
          ),
        );
      answers.set(command.commandId, [...(answers.get(command.commandId) ?? []), result]);
      answered += 1;
      if (answered === 1) {
        const delay = KILL_DELAY_MS.min + random() * (KILL_DELAY_MS.max - KILL_DELAY_MS.min);
        setTimeout(() => {
          if (exited) return;
          killed = true;
          child.kill('SIGKILL');
        }, delay);
      }
      // Paced: the next chunk goes out a few milliseconds later, so a kill can land while the
      // child parses, commits, prints or waits — and the log grows by hundreds, not thousands,
      // of events per round (every check replays all of it).
      if (!paced && !killed && lines.length - answered < IN_FLIGHT_WINDOW) {
        paced = true;
        setTimeout(() => {
          paced = false;
          while (!killed && !exited && lines.length - answered < IN_FLIGHT_WINDOW) feed();
        }, PACE_MS * random());
      }
    });

    child.on('error', reject);
    child.on('close', (code, signal) => {
      exited = true;
      if (signal !== 'SIGKILL') {
        reject(new Error(`round ${round}: apply ended by itself (code ${code}, signal ${signal}): ${stderr.slice(0, 2_000)}`));
        return;
      }
      resolve({ killed, lines, answers });
    });
    feed();
  });
}

/**
 * After a kill: the ledger opens, verify passes, positions and versions are gap-free, every
 * command in the log is whole and matches what was sent, every acknowledged command is
 * there and no refused one is, and balances replayed from the log equal the model.
 */
function checkLedger(
  round: number,
  sent: ReadonlyMap<string, ModelCommand>,
  outcomes: ReadonlyMap<string, Outcome>,
  rebuildAgain: boolean,
) {
  const where = `after kill ${round}`;
  const opened = Ledger.open({ path: ledgerPath, actor: 'reliability-check' });
  expect(opened.ok, `${where}: ${JSON.stringify(!opened.ok && opened.error)}`).toBe(true);
  if (!opened.ok) throw new Error('unreachable');
  const ledger = opened.value;
  try {
    const report = ledger.verify();
    expect(report, where).toMatchObject({ ok: true });

    const log = readLog(ledgerPath);
    expect(sequenceProblems(log), where).toEqual([]);

    // Group events by the command that caused them.
    const byCommand = new Map<string, LogRow[]>();
    for (const row of log) {
      const commandId = row.metadata.commandId;
      expect(typeof commandId, `${where}: event ${row.position} without commandId`).toBe('string');
      byCommand.set(commandId as string, [...(byCommand.get(commandId as string) ?? []), row]);
    }
    for (const [commandId, rows] of byCommand) {
      const command = sent.get(commandId);
      expect(command, `${where}: event for a command never sent: ${commandId}`).toBeDefined();
      expect(rows.length, `${where}: ${commandId} has ${rows.length} events`).toBe(eventCountOf(command!));
      expectEventsMatch(command!, rows, where);
    }

    // Both legs of every transfer, adjacent in the log.
    const legs = new Map<string, LogRow[]>();
    for (const row of log) {
      if (row.type !== 'TransferSent' && row.type !== 'TransferReceived') continue;
      const transferId = row.data.transferId as string;
      legs.set(transferId, [...(legs.get(transferId) ?? []), row]);
    }
    for (const [transferId, rows] of legs) {
      expect(rows.map((row) => row.type).sort(), `${where}: transfer ${transferId}`).toEqual(['TransferReceived', 'TransferSent']);
    }

    let committedUnacknowledged = 0;
    for (const [commandId, outcome] of outcomes) {
      if (outcome.status === 'ok') expect(byCommand.has(commandId), `${where}: acknowledged ${commandId} is lost`).toBe(true);
      if (outcome.status === 'refused') expect(byCommand.has(commandId), `${where}: refused ${commandId} was booked`).toBe(false);
      if (outcome.status === 'unknown' && byCommand.has(commandId)) committedUnacknowledged += 1;
    }

    // The model: the commands found in the log, applied in log order. It throws on an overdraft.
    const model = new Map<string, number>();
    const afterCommand = new Map<string, Map<string, number>>();
    for (const [commandId] of byCommand) {
      const command = sent.get(commandId)!;
      applyToModel(model, command);
      afterCommand.set(commandId, new Map(model));
    }
    // Each receipt reported the balance right after its command: a lost update would show here.
    for (const [commandId, outcome] of outcomes) {
      if (outcome.status !== 'ok') continue;
      const command = sent.get(commandId)!;
      const balances = afterCommand.get(commandId)!;
      for (const receipt of outcome.receipts) {
        expect(receipt.balanceMinor, `${where}: receipt of ${commandId}`).toBe(balances.get(primaryAccountOf(command)));
        if (command.command === 'transfer')
          expect(receipt.to?.balanceMinor, `${where}: receipt of ${commandId}`).toBe(balances.get(command.to));
      }
    }
    const expected = Object.fromEntries([...model].sort());
    const projected = () => Object.fromEntries(ledger.listAccounts().map((view) => [view.id, view.balanceMinor]));
    // Opening replays the whole log into a fresh projection; the last round also asks for an
    // explicit rebuild (the CLI's `rebuild`), which must land on the same balances.
    expect(projected(), `${where}: projection rebuilt from the log at open`).toEqual(expected);
    if (rebuildAgain) {
      ledger.rebuild();
      expect(projected(), `${where}: projection rebuilt again`).toEqual(expected);
    }
    for (const balance of model.values()) expect(balance).toBeGreaterThanOrEqual(0);
    return { log, committedUnacknowledged };
  } finally {
    ledger.close();
  }
}

function expectEventsMatch(command: ModelCommand, rows: readonly LogRow[], where: string): void {
  const label = `${where}: events of ${command.commandId}`;
  const amountOf = (row: LogRow) => row.data.amountMinor;
  const minor = toMinor;
  switch (command.command) {
    case 'open':
      expect(
        rows.map((row) => [row.type, row.streamId]),
        label,
      ).toEqual([['AccountOpened', command.account]]);
      return;
    case 'deposit':
      expect(
        rows.map((row) => [row.type, row.streamId, amountOf(row)]),
        label,
      ).toEqual([['MoneyDeposited', command.account, minor(command.amount)]]);
      return;
    case 'withdraw':
      expect(
        rows.map((row) => [row.type, row.streamId, amountOf(row)]),
        label,
      ).toEqual([['MoneyWithdrawn', command.account, minor(command.amount)]]);
      return;
    case 'transfer':
      expect(
        rows.map((row) => [row.type, row.streamId, amountOf(row)]),
        label,
      ).toEqual([
        ['TransferSent', command.from, minor(command.amount)],
        ['TransferReceived', command.to, minor(command.amount)],
      ]);
      expect(rows[0]!.data.transferId, label).toBe(rows[1]!.data.transferId);
      expect(rows[1]!.position, `${label}: legs not adjacent`).toBe(rows[0]!.position + 1);
  }
}
