/**
 * Faults on a real PostgreSQL server, each answered as a typed error with nothing partial
 * left: a connection killed mid-transaction, a head lock held past the lock timeout,
 * serialization failures and deadlocks (tried again, then CONCURRENCY_CONFLICT), and a server
 * or database running with synchronous_commit=off.
 */
import { expect, it, vi } from 'vitest';
import { describeWithPostgres } from '../support/postgres-cluster';
import { event, failure, newLedgerDatabase, ok, openLog, rawClient, request, tryOpenLog } from './helpers';

describeWithPostgres('PostgreSQL append faults', (cluster) => {
  it('a connection killed mid-transaction answers STORAGE and leaves nothing partial; the desk goes on with a new connection', async () => {
    const { url, log } = await newLedgerDatabase(cluster());
    ok(await log.append([request('account-1', 'no_stream', event('AccountOpened', { owner: 'Ada' }))]));
    // Another session holds the command id uncommitted: the append inserts its events, then waits on that key.
    const blocker = await rawClient(url);
    await blocker.query("BEGIN; INSERT INTO ledger.commands VALUES ('command-9', 'f', 0, '{}')");
    const command = { commandId: 'command-9', fingerprint: 'f', receipt: () => ({ position: 3, text: '{}' }) };
    const pending = log.append(
      [request('account-2', 'no_stream', event('AccountOpened', { owner: 'Ben' }), event('MoneyDeposited', { amountMinor: 7 }))],
      command,
    );
    const admin = await rawClient(url);
    const waiting = await vi.waitFor(
      async () => {
        const found = await admin.query("SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%ledger.events%'");
        expect(found.rows).toHaveLength(1);
        return found.rows[0].pid as number;
      },
      { timeout: 10_000, interval: 20 },
    );
    await admin.query('SELECT pg_terminate_backend($1)', [waiting]);
    const error = failure(await pending, 'STORAGE', 'connection-lost');
    expect(error.message).toContain('nothing was recorded');
    await blocker.query('ROLLBACK');
    expect((await admin.query('SELECT count(*)::int AS n FROM ledger.events')).rows[0].n).toBe(1);
    expect(ok(await log.head()).position).toBe(1);
    const next = ok(await log.append([request('account-2', 'no_stream', event('AccountOpened', { owner: 'Ben' }))]));
    expect(next.kind === 'appended' && next.appended.events[0]!.position).toBe(2);
  });

  it('a head lock held past the lock timeout is tried again, then answered STORAGE lock-timeout, writing nothing', async () => {
    const { url } = await newLedgerDatabase(cluster());
    const desk = await openLog(url, { lockTimeoutMs: 100 });
    const holder = await rawClient(url);
    await holder.query('BEGIN; SELECT * FROM ledger.head FOR UPDATE');
    const started = performance.now();
    const error = failure(await desk.append([request('account-1', 'any', event('Tick', {}))]), 'STORAGE', 'lock-timeout');
    expect(performance.now() - started).toBeGreaterThanOrEqual(300); // three tries of 100 ms each
    expect(error.message).toContain('locked for too long');
    await holder.query('ROLLBACK');
    expect(ok(await desk.head()).position).toBe(0);
  });

  it('refuses a server or a database with synchronous_commit=off, at open and at the next append', async () => {
    const { database, url } = await newLedgerDatabase(cluster());
    const before = await openLog(url, { applicationName: 'desk-before' });
    const admin = await rawClient(cluster().url('postgres'));
    await admin.query(`ALTER DATABASE "${database}" SET synchronous_commit = off`);
    failure(await tryOpenLog(url), 'STORAGE', 'synchronous-commit-off');
    // The desk opened before keeps a connection made under the old setting; drop it so the next one has the new.
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'desk-before'");
    await vi.waitFor(async () =>
      expect((await admin.query("SELECT pid FROM pg_stat_activity WHERE application_name = 'desk-before'")).rows).toHaveLength(0),
    );
    const refused = failure(await before.append([request('account-1', 'any', event('Tick', {}))]), 'STORAGE', 'synchronous-commit-off');
    expect(refused.message).toContain('synchronous_commit=off');
    await admin.query(`ALTER DATABASE "${database}" RESET synchronous_commit`);
    expect(ok(await before.head()).position).toBe(0);
  });

  it('a pooled connection the server dropped while idle is replaced: the next append and the next read succeed at once', async () => {
    const { url } = await newLedgerDatabase(cluster());
    const desk = await openLog(url, { applicationName: 'idle-desk', maxConnections: 1 });
    ok(await desk.head());
    const admin = await rawClient(url);
    const killed = await admin.query("SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = 'idle-desk'");
    expect(killed.rows).toEqual([{ done: true }]);
    const appended = ok(await desk.append([request('account-1', 'no_stream', event('AccountOpened', { owner: 'Ada' }))]));
    expect(appended.kind === 'appended' && appended.appended.events[0]!.position).toBe(1);
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'idle-desk'");
    expect(ok(await desk.head()).position).toBe(1);
  });

  /**
   * A trigger on the server fails the first `failures` inserts with `sqlState`: a sequence
   * counts the tries, since a rolled-back transaction keeps the numbers it drew.
   */
  async function failFirstInserts(url: string, sqlState: string, failures: number): Promise<void> {
    const admin = await rawClient(url);
    await admin.query(`CREATE SEQUENCE public.tries;
      CREATE FUNCTION public.fail_first() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('public.tries') <= ${failures} THEN RAISE EXCEPTION 'made to fail' USING ERRCODE = '${sqlState}'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER fail_first BEFORE INSERT ON ledger.events FOR EACH ROW EXECUTE FUNCTION public.fail_first();`);
  }

  it('serialization failures and deadlocks are tried again: two failed tries, then the append succeeds with no gap', async () => {
    for (const sqlState of ['40001', '40P01']) {
      const { url, log } = await newLedgerDatabase(cluster());
      await failFirstInserts(url, sqlState, 2);
      const appended = ok(await log.append([request('account-1', 'no_stream', event('AccountOpened', { owner: 'Ada' }))]));
      expect(appended.kind === 'appended' && appended.appended.events[0]!.position, sqlState).toBe(1);
      const admin = await rawClient(url);
      expect((await admin.query('SELECT last_value::int AS tries FROM public.tries')).rows[0].tries, sqlState).toBe(3);
    }
  });

  it('a serialization failure on every try is answered CONCURRENCY_CONFLICT after three tries, writing nothing', async () => {
    const { url, log } = await newLedgerDatabase(cluster());
    await failFirstInserts(url, '40001', 100);
    const error = failure(
      await log.append([request('account-1', 'no_stream', event('AccountOpened', { owner: 'Ada' }))]),
      'CONCURRENCY_CONFLICT',
      'contention',
    );
    expect(error.message).toContain('nothing was recorded');
    const admin = await rawClient(url);
    expect((await admin.query('SELECT last_value::int AS tries FROM public.tries')).rows[0].tries).toBe(3);
    expect(ok(await log.head()).position).toBe(0);
  });
});
