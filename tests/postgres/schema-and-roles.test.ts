/**
 * The ledger's schema on a real PostgreSQL server: migrations that can run again, refusals of
 * a newer schema and of another program's database, the immutability triggers (which hold
 * even against the table owner), and the writer and auditor roles.
 */
import { expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { LATEST_POSTGRES_SCHEMA } from '#engine/store/postgres/schema';
import { tempFolder } from '../engine/helpers';
import { describeWithPostgres, postgresBinFolder } from '../support/postgres-cluster';
import { event, failure, freshDatabase, newLedgerDatabase, ok, openLog, rawClient, request, sqlStateOf, tryOpenLog } from './helpers';

describeWithPostgres('PostgreSQL ledger schema and roles', (cluster) => {
  it('migrations create the schema once: opening again with migrate changes nothing', async () => {
    const { database, url, log } = await newLedgerDatabase(cluster());
    expect(log.schema).toEqual({ version: LATEST_POSTGRES_SCHEMA, roles: { writer: 'ledger_writer', auditor: 'ledger_auditor' } });
    ok(await log.append([request('account-1', 'no_stream', event('AccountOpened', { owner: 'Ada' }))]));
    await log.close();

    const again = await openLog(url, { migrate: true });
    expect(again.schema.version).toBe(LATEST_POSTGRES_SCHEMA);
    const admin = await rawClient(url);
    const versions = await admin.query('SELECT version FROM ledger.schema_version ORDER BY version');
    expect(versions.rows.map((row) => row.version)).toEqual([1]);
    expect((await admin.query('SELECT count(*)::int AS n FROM ledger.events')).rows[0].n).toBe(1);
    expect(database).toMatch(/^ledger_/);
  });

  it('two desks migrating a new database at once create it once', async () => {
    const database = await freshDatabase(cluster());
    const url = cluster().url(database);
    const [first, second] = await Promise.all([tryOpenLog(url, { migrate: true }), tryOpenLog(url, { migrate: true })]);
    expect(ok(first).schema.version).toBe(LATEST_POSTGRES_SCHEMA);
    expect(ok(second).schema.version).toBe(LATEST_POSTGRES_SCHEMA);
  });

  it('a desk that may not migrate finds no ledger in an empty database, and creates nothing', async () => {
    const database = await freshDatabase(cluster());
    const url = cluster().url(database);
    failure(await tryOpenLog(url), 'STORAGE', 'no-ledger');
    const admin = await rawClient(url);
    expect((await admin.query("SELECT to_regnamespace('ledger') IS NULL AS absent")).rows[0].absent).toBe(true);
  });

  it('refuses a schema from a newer version, writing nothing', async () => {
    const { url, log } = await newLedgerDatabase(cluster());
    await log.close();
    const admin = await rawClient(url);
    await admin.query("INSERT INTO ledger.schema_version (version, applied_by) VALUES ($1, 'a newer app')", [LATEST_POSTGRES_SCHEMA + 1]);
    for (const migrate of [true, false]) {
      const error = failure(await tryOpenLog(url, { migrate }), 'STORAGE', 'newer-schema');
      expect(error.message).toContain(`schema ${LATEST_POSTGRES_SCHEMA + 1}`);
    }
    expect((await admin.query('SELECT count(*)::int AS n FROM ledger.schema_version')).rows[0].n).toBe(2);
  });

  it('refuses a database of another program, and one whose ledger schema is not ours, creating nothing', async () => {
    const database = await freshDatabase(cluster(), 'shop');
    const url = cluster().url(database);
    const admin = await rawClient(url);
    await admin.query('CREATE TABLE public.customers (id int)');
    const error = failure(await tryOpenLog(url, { migrate: true }), 'STORAGE', 'foreign-database');
    expect(error.message).toContain('public.customers');
    expect((await admin.query("SELECT to_regnamespace('ledger') IS NULL AS absent")).rows[0].absent).toBe(true);

    const other = cluster().url(await freshDatabase(cluster(), 'other'));
    const otherAdmin = await rawClient(other);
    await otherAdmin.query('CREATE SCHEMA ledger; CREATE TABLE ledger.entries (id int)');
    failure(await tryOpenLog(other, { migrate: true }), 'STORAGE', 'foreign-database');
  });

  it('the owner cannot update, delete or truncate events or command records: the triggers refuse, even with replica mode on', async () => {
    const { url, log } = await newLedgerDatabase(cluster());
    ok(await log.append([request('account-1', 'no_stream', event('AccountOpened', { owner: 'Ada' }))]));
    const owner = await rawClient(url); // the superuser, owner of every table
    await owner.query("INSERT INTO ledger.commands VALUES ('c1', 'f', 1, '{}')");
    for (const table of ['ledger.events', 'ledger.commands']) {
      const column = table === 'ledger.events' ? 'data' : 'receipt';
      expect(await sqlStateOf(owner, `UPDATE ${table} SET ${column} = '{}'`)).toBe('LDG01');
      expect(await sqlStateOf(owner, `DELETE FROM ${table}`)).toBe('LDG01');
      expect(await sqlStateOf(owner, `TRUNCATE ${table}`)).toBe('LDG01');
    }
    await owner.query('SET session_replication_role = replica');
    expect(await sqlStateOf(owner, "UPDATE ledger.events SET data = '{}'")).toBe('LDG01');
    expect(await sqlStateOf(owner, 'DELETE FROM ledger.head')).toBe('LDG01');
    expect(await sqlStateOf(owner, 'UPDATE ledger.head SET position = 0')).toBe('LDG01');
    await owner.query('SET session_replication_role = origin');
    const head = ok(await log.head());
    expect(head.position).toBe(1);
    expect((await owner.query('SELECT data FROM ledger.events')).rows[0].data).toBe('{"owner":"Ada"}');
  });

  it('a writer appends and reads but may not update, delete or truncate; an auditor reads but may not write', async () => {
    const { database, url, log } = await newLedgerDatabase(cluster());
    ok(await log.append([request('account-1', 'no_stream', event('AccountOpened', { owner: 'Ada' }))]));
    const admin = await rawClient(url);
    await admin.query(
      'CREATE ROLE alice LOGIN IN ROLE ledger_writer; CREATE ROLE audrey LOGIN IN ROLE ledger_auditor; CREATE ROLE outsider LOGIN',
    );

    const writerUrl = cluster().url(database, 'alice');
    const writer = await openLog(writerUrl);
    const appended = ok(await writer.append([request('account-1', 1, event('MoneyDeposited', { amountMinor: 5 }))]));
    expect(appended.kind).toBe('appended');
    const writerSql = await rawClient(writerUrl);
    for (const sql of [
      "UPDATE ledger.events SET data = '{}'",
      'DELETE FROM ledger.events',
      'TRUNCATE ledger.events',
      'DELETE FROM ledger.commands',
    ]) {
      expect(await sqlStateOf(writerSql, sql), sql).toBe('42501');
    }
    expect(await sqlStateOf(writerSql, 'CREATE TABLE ledger.mine (id int)')).toBe('42501');
    expect(await sqlStateOf(writerSql, 'UPDATE ledger.head SET position = 0')).toBe('LDG01'); // may move it, never back

    const auditorUrl = cluster().url(database, 'audrey');
    const auditor = await openLog(auditorUrl);
    expect(ok(await auditor.readLog()).map((row) => row.position)).toEqual([1, 2]);
    const refused = failure(
      await auditor.append([request('account-1', 2, event('MoneyDeposited', { amountMinor: 1 }))]),
      'STORAGE',
      'permission',
    );
    expect(refused.message).toContain('audrey');
    const auditorSql = await rawClient(auditorUrl);
    expect(await sqlStateOf(auditorSql, "INSERT INTO ledger.commands VALUES ('x', 'f', 1, '{}')")).toBe('42501');
    expect(await sqlStateOf(auditorSql, 'UPDATE ledger.head SET position = 5')).toBe('42501');

    failure(await tryOpenLog(cluster().url(database, 'outsider')), 'STORAGE', 'permission');
    expect(ok(await log.head()).position).toBe(2);
  });

  it('a pg_dump of the ledger schema taken by the auditor restores into a ledger that opens and reads the same', async () => {
    const { database, url, log } = await newLedgerDatabase(cluster());
    ok(
      await log.append([
        request('account-1', 'no_stream', event('AccountOpened', { owner: 'Zoë' }), event('MoneyDeposited', { amountMinor: 5 })),
      ]),
    );
    const admin = await rawClient(url);
    await admin.query('CREATE ROLE dumper LOGIN IN ROLE ledger_auditor');
    const bin = postgresBinFolder()!;
    const dump = join(tempFolder('pg-dump-'), 'books.dump');
    execFileSync(join(bin, 'pg_dump'), ['-Fc', '-n', 'ledger', '-f', dump, cluster().url(database, 'dumper')], { stdio: 'pipe' });
    const restored = await freshDatabase(cluster(), 'restored');
    execFileSync(join(bin, 'pg_restore'), ['-d', cluster().url(restored), dump], { stdio: 'pipe' });
    const copy = await openLog(cluster().url(restored));
    expect(ok(await copy.readLog())).toEqual(ok(await log.readLog()));
    expect(ok(await copy.head())).toEqual(ok(await log.head()));
    const again = ok(await copy.append([request('account-1', 2, event('MoneyWithdrawn', { amountMinor: 1 }))]));
    expect(again.kind === 'appended' && again.appended.events[0]!.position).toBe(3);
    const restoredAdmin = await rawClient(cluster().url(restored));
    expect(await sqlStateOf(restoredAdmin, 'DELETE FROM ledger.events')).toBe('LDG01');
  });
});
