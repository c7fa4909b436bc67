/**
 * The shared ledger's figures (issue 13) on a private PostgreSQL cluster with fsync on, each
 * against a bare baseline on the same server in the same run: a durable single append, bulk
 * appends, four desks at once, and reading the whole log back through the store contract.
 *
 *   npx tsx bench/postgres.ts [--events N]      (default 100,000 for the bulk and the read)
 *
 * Writes bench/results/postgres-latest.json ({ figures: [{name, value, unit, baseline, ratio,
 * goal, met}] }). Skips, saying why, where PostgreSQL is not installed.
 */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { NewEvent, StoredEvent } from '#engine/store/event-store';
import { EventRowBuilder } from '#engine/store/event-row';
import { GENESIS_HASH } from '#engine/store/hash-chain';
import { PostgresEventLog } from '#engine/store/postgres/event-log';
import { timeOrderedId } from '#engine/store/time-ordered-id';
import { postgresMissingReason, startCluster, type PostgresCluster } from '../tests/support/postgres-cluster';
import { custom, latencyAgainst, percentile, rateAgainst, type Figure } from './figures';
import { describeMachine, table, writeResults } from './report';

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), 'results', 'postgres-latest.json');
const SINGLE_SAMPLES = 400;
const BATCH = 1_000;
const DESK_APPENDS = 150;

/** A deposit as the engine appends one: payload object and metadata with a command id. */
function deposit(index: number): NewEvent {
  const commandId = timeOrderedId();
  return {
    type: 'MoneyDeposited',
    schemaVersion: 2,
    data: { amountMinor: 1_000 + (index % 9_000), currency: 'EUR', memo: `bench ${index}` },
    metadata: { commandId, causationId: commandId, correlationId: commandId, actor: 'bench', appVersion: 'bench' },
  };
}

/** The bare table: the events table's columns and keys, no triggers, no head row, no chain check. */
const BARE_TABLE = `CREATE TABLE bare_events (
  position bigint PRIMARY KEY, event_id text NOT NULL UNIQUE, stream_id text NOT NULL, stream_version integer NOT NULL,
  type text NOT NULL, schema_version integer NOT NULL, data text NOT NULL, metadata text NOT NULL,
  recorded_at text NOT NULL, previous_hash text NOT NULL, hash text NOT NULL, UNIQUE (stream_id, stream_version))`;

/** Rows as the engine would store them, chained, for the bare inserts. */
class BareRows {
  private tail: { readonly position: number; readonly hash: string } = { position: 0, hash: GENESIS_HASH };
  private readonly versions = new Map<string, number>();

  private readonly builder = new EventRowBuilder();

  next(streamId: string, event: NewEvent): StoredEvent {
    const version = (this.versions.get(streamId) ?? 0) + 1;
    this.versions.set(streamId, version);
    const row = this.builder.build(this.tail, streamId, version, event, new Date().toISOString());
    this.tail = row;
    return row;
  }
}

const BARE_INSERT = `INSERT INTO bare_events SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])`;

function columnsOf(rows: readonly StoredEvent[]): unknown[] {
  return [
    rows.map((row) => row.position),
    rows.map((row) => row.eventId),
    rows.map((row) => row.streamId),
    rows.map((row) => row.streamVersion),
    rows.map((row) => row.type),
    rows.map((row) => row.schemaVersion),
    rows.map((row) => row.data),
    rows.map((row) => row.metadata),
    rows.map((row) => row.recordedAt),
    rows.map((row) => row.previousHash),
    rows.map((row) => row.hash),
  ];
}

async function newLedger(cluster: PostgresCluster, name: string): Promise<{ url: string; log: PostgresEventLog }> {
  await cluster.createDatabase(name);
  const url = cluster.url(name);
  const opened = await PostgresEventLog.open(url, { migrate: true, appVersion: 'bench', env: {} });
  if (!opened.ok) throw new Error(`${opened.error.code}: ${opened.error.message}`);
  return { url, log: opened.value };
}

async function must<T>(result: Promise<{ ok: true; value: T } | { ok: false; error: { code: string; message: string } }>): Promise<T> {
  const answer = await result;
  if (!answer.ok) throw new Error(`${answer.error.code}: ${answer.error.message}`);
  return answer.value;
}

/** Durable single appends (a deposit with its command record) against bare BEGIN, INSERT, COMMIT, interleaved. */
async function singleAppends(cluster: PostgresCluster, bare: pg.Client): Promise<Figure> {
  const { log } = await newLedger(cluster, 'bench_single');
  const rows = new BareRows();
  const engine: number[] = [];
  const baseline: number[] = [];
  for (let index = 0; index < SINGLE_SAMPLES; index++) {
    const event = deposit(index);
    const commandId = (event.metadata as { commandId: string }).commandId;
    let started = performance.now();
    await must(
      log.append([{ streamId: `account-${index % 50}`, expected: 'any', events: [event] }], {
        commandId,
        fingerprint: `deposit:${index}`,
        receipt: (appended) => ({
          position: appended.events.at(-1)!.position,
          text: JSON.stringify({ position: appended.events.at(-1)!.position }),
        }),
      }),
    );
    engine.push(performance.now() - started);
    const row = rows.next(`account-${index % 50}`, event);
    started = performance.now();
    await bare.query('BEGIN');
    await bare.query(BARE_INSERT, columnsOf([row]));
    await bare.query('COMMIT');
    baseline.push(performance.now() - started);
  }
  await log.close();
  return latencyAgainst(
    'PostgreSQL durable single append p50 (with its command record)',
    percentile(engine, 50),
    'ms',
    percentile(baseline, 50),
    1.5,
  );
}

/** Bulk: appends of BATCH events each against bare multi-row inserts of as many rows, each in its own transaction. */
async function bulkAppends(
  cluster: PostgresCluster,
  bare: pg.Client,
  events: number,
): Promise<{ figure: Figure; log: PostgresEventLog; url: string }> {
  const { url, log } = await newLedger(cluster, 'bench_bulk');
  let started = performance.now();
  for (let done = 0; done < events; done += BATCH) {
    const count = Math.min(BATCH, events - done);
    const requests = Array.from({ length: 10 }, (_, stream) => ({
      streamId: `account-${stream}`,
      expected: 'any' as const,
      events: Array.from({ length: count / 10 }, (_, index) => deposit(done + stream * (count / 10) + index)),
    }));
    await must(log.append(requests));
  }
  const engineSeconds = (performance.now() - started) / 1_000;
  await bare.query('TRUNCATE bare_events');
  const rows = new BareRows();
  started = performance.now();
  for (let done = 0; done < events; done += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, events - done) }, (_, index) =>
      rows.next(`account-${index % 10}`, deposit(done + index)),
    );
    await bare.query('BEGIN');
    await bare.query(BARE_INSERT, columnsOf(batch));
    await bare.query('COMMIT');
  }
  const bareSeconds = (performance.now() - started) / 1_000;
  return {
    figure: rateAgainst(
      `PostgreSQL bulk append (${BATCH.toLocaleString('en-US')} events per append)`,
      events / engineSeconds,
      'events/s',
      events / bareSeconds,
      0.5,
    ),
    log,
    url,
  };
}

/** Four desks appending at once against one desk alone: throughput, and p99 against p50 under contention. */
async function fourDesks(url: string): Promise<Figure[]> {
  const open = async () => must(PostgresEventLog.open(url, { env: {}, maxConnections: 2 }));
  const run = async (desks: PostgresEventLog[]) => {
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      desks.map(async (desk, deskIndex) => {
        for (let index = 0; index < DESK_APPENDS; index++) {
          const before = performance.now();
          await must(desk.append([{ streamId: `desk-${deskIndex}`, expected: 'any', events: [deposit(index)] }]));
          latencies.push(performance.now() - before);
        }
      }),
    );
    return { rate: (desks.length * DESK_APPENDS) / ((performance.now() - started) / 1_000), latencies };
  };
  const one = await open();
  const alone = await run([one]);
  const desks = [one, await open(), await open(), await open()];
  const together = await run(desks);
  for (const desk of desks) await desk.close();
  const p50 = percentile(together.latencies, 50);
  const p99 = percentile(together.latencies, 99);
  return [
    rateAgainst('PostgreSQL four desks appending at once, together (vs one desk alone)', together.rate, 'appends/s', alone.rate, 1.0),
    custom('PostgreSQL four desks: p99 against p50', p99, 'ms', p50, 'p99 ≤ 10× p50', p99 <= 10 * p50),
  ];
}

/** The whole log read back through the contract's pages (the read under a rebuild) against a bare keyset SELECT. */
async function readBack(log: PostgresEventLog, bare: pg.Client, events: number): Promise<Figure> {
  let started = performance.now();
  let read = 0;
  for await (const page of log.readLogPages(1)) {
    if (!page.ok) throw new Error(page.error.message);
    for (const row of page.value) if (JSON.parse(row.data) !== null) read += 1;
  }
  const engineSeconds = (performance.now() - started) / 1_000;
  if (read !== events) throw new Error(`read ${read} of ${events} events`);
  started = performance.now();
  let bareRead = 0;
  for (let after = 0; ;) {
    const page = await bare.query<{ position: string; data: string }>(
      'SELECT position, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, previous_hash, hash FROM bare_events WHERE position > $1 ORDER BY position LIMIT 10000',
      [after],
    );
    if (page.rows.length === 0) break;
    for (const row of page.rows) if (JSON.parse(row.data) !== null) bareRead += 1;
    after = Number(page.rows.at(-1)!.position);
  }
  const bareSeconds = (performance.now() - started) / 1_000;
  if (bareRead !== events) throw new Error(`the bare read found ${bareRead} of ${events} rows`);
  return custom(
    `PostgreSQL read of the whole log through the store contract (${events.toLocaleString('en-US')} events)`,
    engineSeconds,
    's',
    bareSeconds,
    '≤ 1.5× baseline',
    engineSeconds <= 1.5 * bareSeconds,
  );
}

async function serverVersion(cluster: PostgresCluster): Promise<string | undefined> {
  const client = await cluster.connect();
  try {
    return (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version;
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const missing = postgresMissingReason();
  if (missing !== undefined) {
    console.log(`PostgreSQL figures skipped: ${missing}`);
    return;
  }
  const eventsFlag = process.argv.indexOf('--events');
  const events = eventsFlag === -1 ? 100_000 : Number(process.argv[eventsFlag + 1]);
  if (!Number.isSafeInteger(events) || events < BATCH || events % BATCH !== 0) throw new Error(`--events must be a multiple of ${BATCH}`);
  const running = await startCluster({ durable: true });
  try {
    const cluster = running.cluster;
    await cluster.createDatabase('bench_bare');
    const bare = new pg.Client({ connectionString: cluster.url('bench_bare') });
    await bare.connect();
    await bare.query(BARE_TABLE);
    const started = performance.now();
    const startedAt = new Date().toISOString();
    const figures: Figure[] = [];
    figures.push(await singleAppends(cluster, bare));
    await bare.query('TRUNCATE bare_events');
    const bulk = await bulkAppends(cluster, bare, events);
    figures.push(bulk.figure);
    figures.push(await readBack(bulk.log, bare, events));
    await bulk.log.close();
    figures.push(...(await fourDesks(bulk.url)));
    await bare.end();
    console.log(table(figures));
    writeResults(RESULTS, {
      machine: describeMachine(),
      node: process.version,
      sqlite: `PostgreSQL ${(await serverVersion(cluster)) ?? 'unknown'}`,
      events,
      startedAt,
      durationSeconds: Math.round((performance.now() - started) / 1_000),
      figures,
    });
  } finally {
    running.stop();
  }
}

await main();
