/**
 * One durable command at a time: deposits through the IPC handler against a bare
 * INSERT+COMMIT on the same file, with and without a commandId.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createHandlers, dispatch } from '#engine/handlers';
import type { Ledger } from '#engine/ledger';
import { openDatabase } from '#engine/store/open-database';
import { BareSingleInsert } from './baselines';
import { latencyAgainst, percentile, type Figure } from './figures';
import { accountId } from './workload';

/**
 * Durable deposits through the IPC handler vs bare INSERT+COMMIT on the same file, interleaved
 * A, B, C, A, B, C… so the machine's noise hits all alike: A a plain deposit, B the bare row,
 * C a deposit with a commandId, as the renderer sends every command (the engine then also
 * records the receipt for idempotency, in the same transaction).
 */
async function measureDurable(
  ledger: Ledger,
  accounts: number,
  samples: number,
): Promise<{ engine: number[]; bare: number[]; withCommandId: number[] }> {
  const handlers = createHandlers(() => ledger);
  // The bare rows go to a file of their own beside the ledger, with the engine's settings: the
  // same disk and the same durable commit, and no commit the ledger's connection must catch up with.
  const bareConnection = openDatabase(`${ledger.path}.bare.db`, { appVersion: 'bench' });
  const bareInsert = new BareSingleInsert(bareConnection);
  const engine: number[] = [];
  const bare: number[] = [];
  const withCommandId: number[] = [];
  const metadata = JSON.stringify({ correlationId: randomUUID(), actor: 'bench', appVersion: '0.1.0' });
  const deposit = (request: Record<string, unknown>): number => {
    const started = performance.now();
    const answer = dispatch(handlers, 'deposit', request) as { ok: boolean };
    const ms = performance.now() - started;
    if (!answer.ok) throw new Error(`durable deposit failed: ${JSON.stringify(answer)}`);
    return ms;
  };
  for (let sample = -20; sample < samples; sample++) {
    // Each IPC command arrives as its own task: let the event loop turn between samples, so
    // work deferred past the answer (the head checkpoint) runs where it would in the app.
    await new Promise((resolve) => setImmediate(resolve));
    const account = accountId(((sample % accounts) + accounts) % accounts);
    const memo = sample % 3 === 0 ? { memo: 'groceries' } : {};
    const engineMs = deposit({ account, amount: '12.34', ...memo });
    const bareMs = bareInsert.run({
      eventId: randomUUID(),
      streamId: account,
      data: JSON.stringify({ amountMinor: 1234, currency: 'EUR', ...memo }),
      metadata,
      hash: randomUUID().replace(/-/g, '').repeat(2),
    });
    const commandIdMs = deposit({ account, amount: '12.34', ...memo, commandId: randomUUID() });
    if (sample >= 0) {
      engine.push(engineMs);
      bare.push(bareMs);
      withCommandId.push(commandIdMs);
    }
  }
  bareConnection.close();
  return { engine, bare, withCommandId };
}

const DURABLE_P50 = 'durable deposit p50';
/** A durable single command's p50 is at most this many times a bare INSERT+COMMIT's. */
const DURABLE_MAXIMUM = 1.2;
/** …and at most this many times its own p50 on the 1M-event ledger of a reference run. */
const REFERENCE_MAXIMUM = 1.1;

/** The durable-deposit figures (the ledger grows by two deposits a sample). */
export async function durableFigures(ledger: Ledger, accounts: number, samples: number, log: (message: string) => void): Promise<Figure[]> {
  const durable = await measureDurable(ledger, accounts, samples);
  log(
    `durable deposit: p50 ${percentile(durable.engine, 50).toFixed(2)} ms (with commandId ` +
      `${percentile(durable.withCommandId, 50).toFixed(2)} ms) vs bare ${percentile(durable.bare, 50).toFixed(2)} ms`,
  );
  return [
    latencyAgainst(DURABLE_P50, percentile(durable.engine, 50), 'ms', percentile(durable.bare, 50), DURABLE_MAXIMUM),
    latencyAgainst('durable deposit p99', percentile(durable.engine, 99), 'ms', percentile(durable.bare, 99), null),
    latencyAgainst('durable deposit with commandId p50', percentile(durable.withCommandId, 50), 'ms', percentile(durable.bare, 50), null),
  ];
}

export type DurableReference = { readonly path: string; readonly events: number; readonly p50: number };

/** The durable p50 of a results file (read when the bench starts, so a bad file fails at once). */
export function readDurableReference(path: string): DurableReference {
  const results = JSON.parse(readFileSync(path, 'utf8')) as { events?: number; figures?: Figure[] };
  const p50 = results.figures?.find((figure) => figure.name === DURABLE_P50)?.value;
  if (typeof results.events !== 'number' || typeof p50 !== 'number') throw new Error(`no events or '${DURABLE_P50}' in ${path}`);
  return { path, events: results.events, p50 };
}

/**
 * This run's durable p50 against the one of a reference run (`--durable-reference FILE`, a
 * 1M-event run): a single command's cost must not grow with the log.
 */
export function durableAgainstReference(figures: readonly Figure[], reference: DurableReference): Figure {
  const p50 = figures.find((figure) => figure.name === DURABLE_P50);
  if (!p50) throw new Error(`no '${DURABLE_P50}' figure`);
  const size = reference.events % 1_000_000 === 0 ? `${reference.events / 1_000_000}M` : reference.events.toLocaleString('en-US');
  return latencyAgainst(`${DURABLE_P50} against ${size}`, p50.value, 'ms', reference.p50, REFERENCE_MAXIMUM);
}
