/**
 * The read thread (projection/replay-thread.ts) only ever shortens a replay: whatever the log
 * holds — several pages, non-ASCII and astral text, runs of equal and distinct times, legacy
 * events, a tampered payload, a table not written by us, events appended meanwhile — a
 * projection replayed through it equals, field for field, one replayed on a single thread,
 * and fails at the same position with the same message. And it does start where the app
 * runs it: from a CommonJS bundle with replay-worker.mjs copied beside it, the thread loading
 * the better-sqlite3 its engine resolved; a bundle without that file, or with one that does
 * not load, still replays.
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnyCommand } from '#shared/commands';
import { AccountsProjection, ReplayError } from '#engine/projection/accounts-projection';
import { ReplayThread } from '#engine/projection/replay-thread';
import { REPLAY_PAGE_SIZE } from '#engine/projection/replay-sql';
import { EventStore } from '#engine/store/event-store';
import type { Ledger } from '#engine/ledger';
import { IMPORT_META_URL_IN_CJS } from '../../scripts/build-electron.mjs';
import { copyEngineWorkers } from '../../scripts/lib/engine-workers.mjs';
import { fixturesFolder, newLedger, ok, openLedger, projectionOf, repoRoot, storeOf, tamper, tempFolder, withConnection } from './helpers';

const OWNERS = ['Zoë Ångström', 'José Núñez', '李小龙', 'Ada Lovelace'];
const MEMOS = [undefined, 'rent', 'café crème', 'party 🎉 (astral)', 'tab\there', 'quote " and \\ backslash'];
const CURRENCIES = ['EUR', 'JPY', 'KWD'];

/** A deterministic mixed workload: opens, deposits, withdrawals, transfers with memos, a close. */
function fillLedger(ledger: Ledger, events: number): void {
  let seed = 7;
  const next = (below: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % below;
  };
  const accounts = Array.from({ length: 12 }, (_, index) => `acct-${index}`);
  const opens: AnyCommand[] = accounts.map((account, index) => ({
    name: 'open',
    input: { account, owner: OWNERS[index % OWNERS.length]!, currency: CURRENCIES[index % 3]!, initial: '1000' },
  }));
  ok(ledger.executeBatch(opens)[0]!);
  while (ledger.logHead().position < events) {
    const batch: AnyCommand[] = [];
    for (let index = 0; index < 1 + next(300); index++) {
      const account = accounts[next(accounts.length)]!;
      const memo = MEMOS[next(MEMOS.length)];
      const kind = next(3);
      if (kind === 0) batch.push({ name: 'deposit', input: { account, amount: String(1 + next(50)), ...(memo ? { memo } : {}) } });
      else if (kind === 1) batch.push({ name: 'withdraw', input: { account, amount: '1', ...(memo ? { memo } : {}) } });
      else {
        // Same-currency partner: accounts i and i + 3 share a currency.
        const to = accounts[(accounts.indexOf(account) + 3) % accounts.length]!;
        batch.push({ name: 'transfer', input: { from: account, to, amount: '2', ...(memo ? { memo } : {}) } });
      }
    }
    // Some commands one by one (each its own recorded time), most in batches (shared times).
    if (next(4) === 0) for (const command of batch.slice(0, 5)) ledger.execute(command);
    else ledger.executeBatch(batch);
  }
  ledger.execute({ name: 'close', input: { account: 'acct-11' } });
}

/** Everything a projection answers from: views, timelines and every audit column. */
function snapshot(projection: AccountsProjection) {
  const accounts = projection.list();
  const audit = projection.audit;
  const rows = [];
  for (let position = 1; position <= audit.size; position++) {
    rows.push([
      audit.typeAt(position),
      audit.accountAt(position),
      audit.amountAt(position),
      audit.balanceAfterAt(position),
      audit.timeAt(position),
    ]);
  }
  const memoHits = ['é', '🎉', '"'].map((text) =>
    audit.scan(audit.compile({ text, idPositions: [] }), Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  );
  return {
    lastPosition: projection.lastPosition,
    accounts,
    timelines: accounts.map((view) => Array.from({ length: view.version }, (_, index) => projection.balanceAfter(view.id, index + 1))),
    rows,
    memoHits,
  };
}

function replayed(store: EventStore, threaded: boolean): AccountsProjection {
  const projection = new AccountsProjection(threaded ? { threadReplayFrom: 0 } : { threadReplayFrom: Number.POSITIVE_INFINITY });
  projection.rebuild(store);
  return projection;
}

/** What the thread hands over, page by page: 'irregular' or the page's row count. */
function threadPages(store: EventStore, after = 0): Array<number | 'irregular'> {
  const thread = ReplayThread.start(store, after);
  if (!thread) throw new Error('the read thread did not start');
  const pages: Array<number | 'irregular'> = [];
  for (let page = thread.next(); page !== undefined; page = thread.next()) pages.push(page === 'irregular' ? page : page.count);
  return pages;
}

function replayFailure(store: EventStore, threaded: boolean): ReplayError {
  try {
    replayed(store, threaded);
  } catch (error) {
    if (error instanceof ReplayError) return error;
    throw error;
  }
  throw new Error('the replay did not fail');
}

describe('replay through the read thread', () => {
  it('gives exactly the projection of a one-thread replay, over several pages of mixed text and times', () => {
    const { ledger } = newLedger();
    fillLedger(ledger, 3 * REPLAY_PAGE_SIZE + 250);
    const events = ledger.logHead().position;
    const pages = threadPages(storeOf(ledger));
    expect(pages).not.toContain('irregular');
    expect(pages.reduce<number>((sum, count) => sum + (count as number), 0)).toBe(events);
    expect(pages.length).toBe(Math.floor(events / REPLAY_PAGE_SIZE) + 1);

    const threaded = snapshot(replayed(storeOf(ledger), true));
    expect(threaded).toEqual(snapshot(replayed(storeOf(ledger), false)));
    expect(threaded).toEqual(snapshot(projectionOf(ledger)));
    expect(threaded.memoHits.every((hits) => hits.length > 0)).toBe(true);
  });

  it('reports progress up to the whole log and ends on a log of exactly full pages', () => {
    const { ledger } = newLedger();
    ok(ledger.execute({ name: 'open', input: { account: 'a', owner: 'A', currency: 'EUR' } }));
    ledger.executeBatch(
      Array.from({ length: 2 * REPLAY_PAGE_SIZE - 1 }, () => ({ name: 'deposit', input: { account: 'a', amount: '1' } }) as AnyCommand),
    );
    expect(threadPages(storeOf(ledger))).toEqual([REPLAY_PAGE_SIZE, REPLAY_PAGE_SIZE, 0]);
    const progress: Array<[number, number]> = [];
    const projection = new AccountsProjection({ threadReplayFrom: 0 });
    projection.rebuild(storeOf(ledger), (applied, total) => progress.push([applied, total]));
    expect(progress.at(-1)).toEqual([2 * REPLAY_PAGE_SIZE, 2 * REPLAY_PAGE_SIZE]);
    expect(projection.account('a')).toMatchObject({ balanceMinor: (2 * REPLAY_PAGE_SIZE - 1) * 100, version: 2 * REPLAY_PAGE_SIZE });
  });

  it('leaves pages with legacy events (upcast with their metadata) to the projection, with the same result', () => {
    const { ledger } = newLedger();
    ok(ledger.importLegacy(readFileSync(join(fixturesFolder, 'legacy-seed-log.jsonl'), 'utf8'), 'EUR'));
    const legacyEvents = ledger.logHead().position;
    ok(ledger.execute({ name: 'open', input: { account: 'new', owner: 'N', currency: 'EUR' } }));
    ledger.executeBatch(
      Array.from({ length: 2 * REPLAY_PAGE_SIZE }, () => ({ name: 'deposit', input: { account: 'new', amount: '1' } }) as AnyCommand),
    );
    const pages = threadPages(storeOf(ledger));
    expect(pages[0]).toBe('irregular');
    expect(pages.filter((page) => page === 'irregular').length).toBe(Math.ceil(legacyEvents / REPLAY_PAGE_SIZE));
    expect(snapshot(replayed(storeOf(ledger), true))).toEqual(snapshot(replayed(storeOf(ledger), false)));
  });

  it.each([
    ['invalid JSON', () => 'not json'],
    ['a separator inside the payload', () => '{"amountMinor":1,"currency":"EUR"}\u0001{"amountMinor":1,"currency":"EUR"}'],
    ['a payload that is not an object', () => '42'],
  ])('fails at the tampered position with the one-thread message: %s', (_name, payload) => {
    const { path, ledger } = newLedger();
    fillLedger(ledger, 2 * REPLAY_PAGE_SIZE + 100);
    const target = 1_500;
    ledger.close();
    tamper(path, (db) => db.prepare('UPDATE events SET data = ? WHERE position = ?').run(payload(), target));
    const store = EventStore.open(path, { readOnly: true });
    try {
      const threaded = replayFailure(store, true);
      const plain = replayFailure(store, false);
      expect(threaded.position).toBe(target);
      expect(threaded.message).toBe(plain.message);
    } finally {
      store.close();
    }
  });

  it('fails at a tampered stream id holding the separator as a one-thread replay does', () => {
    const { path, ledger } = newLedger();
    fillLedger(ledger, 2 * REPLAY_PAGE_SIZE);
    ledger.close();
    tamper(path, (db) => db.prepare("UPDATE events SET stream_id = 'acct-1\u0001acct-2' WHERE position = 1200").run());
    const store = EventStore.open(path, { readOnly: true });
    try {
      expect(threadPages(store)[1]).toBe('irregular');
      expect(replayFailure(store, true).message).toBe(replayFailure(store, false).message);
    } finally {
      store.close();
    }
  });

  it('declines a table not written by this engine (not STRICT), and the projection reads it all itself', () => {
    const { path, ledger } = newLedger();
    fillLedger(ledger, 1_200);
    ledger.close();
    withConnection(path, (db) => {
      const columns =
        'position, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, previous_hash, hash';
      db.exec(`CREATE TABLE loose AS SELECT ${columns} FROM events; DROP TABLE events;
        CREATE TABLE events (position INTEGER PRIMARY KEY, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, previous_hash, hash);
        INSERT INTO events SELECT ${columns} FROM loose; DROP TABLE loose;`);
    });
    const store = EventStore.open(path, { readOnly: true });
    try {
      expect(threadPages(store)).toEqual([]);
      const threaded = snapshot(replayed(store, true));
      expect(threaded.lastPosition).toBe(store.lastPosition());
      expect(threaded).toEqual(snapshot(replayed(store, false)));
    } finally {
      store.close();
    }
  });

  it('catches up from a later position, including events another connection appended', () => {
    const { path, ledger } = newLedger();
    fillLedger(ledger, 1_500);
    const projection = replayed(storeOf(ledger), true);
    const other = openLedger(path);
    other.executeBatch(Array.from({ length: 1_100 }, () => ({ name: 'deposit', input: { account: 'acct-0', amount: '3' } }) as AnyCommand));
    expect(threadPages(storeOf(ledger), projection.lastPosition)).toEqual([1_000, 100]);
    projection.catchUp(storeOf(ledger));
    expect(snapshot(projection)).toEqual(snapshot(replayed(storeOf(ledger), false)));
  });

  it('starts no thread for an in-memory ledger (a second connection would see another database)', () => {
    const store = EventStore.open(':memory:');
    try {
      expect(ReplayThread.start(store, 0)).toBeUndefined();
    } finally {
      store.close();
    }
  });

  it('starts from a CommonJS bundle built as main.cjs is, its worker file beside it; without a loadable file replay reads it all', async () => {
    const { path, ledger } = newLedger();
    fillLedger(ledger, 1_500);
    const events = ledger.logHead().position;
    ledger.close();
    const folder = tempFolder();
    const entry = join(folder, 'entry.ts');
    writeFileSync(
      entry,
      `import { EventStore } from ${JSON.stringify(join(repoRoot, 'electron/engine/store/event-store'))};
       import { AccountsProjection } from ${JSON.stringify(join(repoRoot, 'electron/engine/projection/accounts-projection'))};
       import { ReplayThread } from ${JSON.stringify(join(repoRoot, 'electron/engine/projection/replay-thread'))};
       const store = EventStore.open(process.argv[2], { readOnly: true });
       const thread = ReplayThread.start(store, 0);
       const pages = [];
       for (let page = thread?.next(); page !== undefined; page = thread.next()) pages.push(page === 'irregular' ? page : page.count);
       const projection = new AccountsProjection({ threadReplayFrom: 0 });
       projection.rebuild(store);
       process.stdout.write(JSON.stringify({ started: thread !== undefined, pages, replayed: projection.lastPosition }));
       store.close();`,
    );
    await build({
      entryPoints: [entry],
      outfile: join(folder, 'entry.cjs'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      external: ['better-sqlite3'],
      logLevel: 'error',
      ...IMPORT_META_URL_IN_CJS,
    });
    const run = () =>
      JSON.parse(
        execFileSync(process.execPath, [join(folder, 'entry.cjs'), path], {
          env: { ...process.env, NODE_PATH: join(repoRoot, 'node_modules') },
          timeout: 60_000,
        }).toString(),
      ) as unknown;
    // No worker file beside the bundle: no thread, and replay reads it all itself.
    expect(run()).toEqual({ started: false, pages: [], replayed: events });
    // A file that cannot be loaded: the thread never begins, and replay goes on without it (after the start deadline).
    writeFileSync(join(folder, 'replay-worker.mjs'), 'this is not JavaScript (');
    expect(run()).toEqual({ started: true, pages: [], replayed: events });
    expect(copyEngineWorkers(folder)).toContain('replay-worker.mjs');
    expect(run()).toEqual({ started: true, pages: [1_000, events - 1_000], replayed: events });
  });
});
