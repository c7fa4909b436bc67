/**
 * Statements at scale: one account with N events (100,000 by default) on a ledger of its own,
 * built through the engine in batches, then through the IPC handler (validation + refresh +
 * build) as the Statement screen asks:
 *  - the statement of the account's whole life (every event a line);
 *  - the statement of a day without activity (the edges only: no event is read);
 * and the PDF of a 1,000-line statement, its time and its size (fonts embedded as subsets).
 * Also runnable alone: `npx tsx bench/statement.ts [EVENTS]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnyCommand } from '#shared/commands';
import type { Statement } from '#shared/statement';
import { createHandlers, dispatch } from '#engine/handlers';
import { Ledger } from '#engine/ledger';
import { statementContext } from '#engine/statement/statement-file';
import { statementPdf } from '#engine/statement/statement-pdf';
import { atMost, custom, median, type Figure } from './figures';

const BATCH = 1_000;
const RUNS = 5;

function openLedger(path: string): Ledger {
  const opened = Ledger.open({ path, actor: 'bench' });
  if (!opened.ok) throw new Error(`cannot open ${path}: ${opened.error.message}`);
  return opened.value;
}

/** Account `busy` with `events` events (deposits, withdrawals and transfers to `other`), and `thousand` with 1,000. */
export function buildStatementLedger(path: string, events: number): void {
  const ledger = openLedger(path);
  try {
    const commands: AnyCommand[] = [
      { name: 'open', input: { account: 'busy', owner: 'Алан 李白', currency: 'EUR', initial: '1000000.00' } },
      { name: 'open', input: { account: 'other', owner: 'Other', currency: 'EUR' } },
      { name: 'open', input: { account: 'thousand', owner: '李白', currency: 'EUR' } },
    ];
    for (let index = 1; index < events; index++) {
      // Deposits are three times the size of the two kinds of outflow, so the balance only grows.
      const whole = ((index % 500) + 1) * (index % 3 === 1 ? 3 : 1);
      const amount = `${whole}.${String(index % 100).padStart(2, '0')}`;
      const memo = index % 7 === 0 ? `invoice ${index}` : undefined;
      if (index % 3 === 0) commands.push({ name: 'transfer', input: { from: 'busy', to: 'other', amount, ...(memo ? { memo } : {}) } });
      else commands.push({ name: index % 3 === 1 ? 'deposit' : 'withdraw', input: { account: 'busy', amount, ...(memo ? { memo } : {}) } });
    }
    for (let index = 1; index < 1_000; index++) {
      commands.push({ name: 'deposit', input: { account: 'thousand', amount: `${index}.00`, memo: `payment ${index}` } });
    }
    for (let start = 0; start < commands.length; start += BATCH) {
      const refused = ledger.executeBatch(commands.slice(start, start + BATCH)).find((result) => !result.ok);
      if (refused && !refused.ok) throw new Error(`building the statement ledger was refused: ${refused.error.message}`);
    }
  } finally {
    ledger.close();
  }
}

export async function measureStatements(folder: string, events: number, log: (message: string) => void): Promise<Figure[]> {
  const path = join(folder, 'statement.db');
  buildStatementLedger(path, events);
  const ledger = openLedger(path);
  try {
    const handlers = createHandlers(() => ledger);
    const ask = (request: Record<string, unknown>): { ms: number; statement: Statement } => {
      const started = performance.now();
      const answer = dispatch(handlers, 'statement', request) as { ok: boolean; value: Statement };
      const ms = performance.now() - started;
      if (!answer.ok) throw new Error(`statement failed: ${JSON.stringify(answer)}`);
      return { ms, statement: answer.value };
    };
    const today = new Date().toISOString().slice(0, 10);
    const whole = Array.from({ length: RUNS }, () => ask({ account: 'busy', from: '2000-01-01', to: today }));
    const lines = whole[0]!.statement.lines.length;
    if (lines !== events) throw new Error(`the whole statement has ${lines} lines, not ${events}`);
    const quiet = Array.from({ length: RUNS * 20 }, () => ask({ account: 'busy', from: '2000-01-01', to: '2000-01-31' }));
    const thousand = ask({ account: 'thousand' }).statement;
    const pdfRuns: Array<{ ms: number; bytes: number }> = [];
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      const bytes = await statementPdf(thousand, statementContext(ledger));
      pdfRuns.push({ ms: performance.now() - started, bytes: bytes.length });
    }
    const wholeMs = median(whole.map((each) => each.ms));
    const quietMs = median(quiet.map((each) => each.ms));
    const pdfMs = median(pdfRuns.map((each) => each.ms));
    const pdfKb = pdfRuns[0]!.bytes / 1024;
    const label = `${events.toLocaleString('en-US')} events`;
    log(
      `statement of an account with ${label}: every line ${wholeMs.toFixed(0)} ms, a quiet month ${quietMs.toFixed(2)} ms; ` +
        `PDF of ${thousand.lines.length.toLocaleString('en-US')} lines ${pdfMs.toFixed(0)} ms, ${pdfKb.toFixed(1)} KB`,
    );
    return [
      atMost(`statement: every line of an account with ${label}, median`, wholeMs, 'ms', 2_000),
      atMost(`statement: a month without activity (account with ${label}), median`, quietMs, 'ms', 5),
      custom(`statement: PDF of ${thousand.lines.length.toLocaleString('en-US')} lines, median`, pdfMs, 'ms', null, 'reported', true),
      atMost(`statement: PDF size, ${thousand.lines.length.toLocaleString('en-US')} lines`, pdfKb, 'KB', 200),
    ];
  } finally {
    ledger.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const folder = mkdtempSync(join(tmpdir(), 'ledger-bench-statement-'));
  try {
    const figures = await measureStatements(folder, Number(process.argv[2] ?? 100_000), (message) => console.error(message));
    for (const figure of figures)
      console.log(`${figure.name}: ${figure.value.toFixed(2)} ${figure.unit} (${figure.goal}: ${figure.met ? 'met' : 'NOT met'})`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
