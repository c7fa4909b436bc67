/**
 * Connection strings and connection failures: telling a connection string from a path,
 * parsing it as libpq does, taking passwords out of any text, and a typed error in plain words
 * (never echoing a password) for a string that does not parse, a server that is down, wrong or
 * missing credentials, a missing database and a role without rights. Passwords come from the
 * string, PGPASSWORD or the password file; TLS follows sslmode against a real TLS server.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isConnectionString, parseConnectionString, redactConnectionString } from '#engine/store/postgres/connection-string';
import { tempFolder } from '../engine/helpers';
import { describeWithPostgres, freePort, writeSelfSignedCertificate } from '../support/postgres-cluster';
import { failure, newLedgerDatabase, ok, openLog, rawClient, tryOpenLog } from './helpers';

const SECRET = 'top$ecret-7';

describe('connection strings', () => {
  it('tells a connection string from a ledger file path', () => {
    for (const text of ['postgres://db/books', 'postgresql://alice@db:5432/books', ' POSTGRES://db', 'postgres:///books']) {
      expect(isConnectionString(text), text).toBe(true);
    }
    for (const text of [
      '/tmp/ledger.db',
      'ledger.db',
      'postgres.db',
      'file:ledger.db',
      'postgres:/db',
      'C:\\ledgers\\a.db',
      'mysql://db',
    ]) {
      expect(isConnectionString(text), text).toBe(false);
    }
  });

  it('parses user, password, host, port, database and parameters; the password is never a property', () => {
    const target = ok(
      parseConnectionString('postgresql://alice:s%40cret@db.example:6543/books?sslmode=verify-full&application_name=desk-2', {}),
    );
    expect(target).toMatchObject({
      host: 'db.example',
      port: 6543,
      user: 'alice',
      database: 'books',
      sslMode: 'verify-full',
      applicationName: 'desk-2',
    });
    expect(target.password()).toBe('s@cret');
    expect(target.display).toBe('postgres://alice@db.example:6543/books');
    expect(JSON.stringify(target)).not.toContain('cret');
    expect(ok(parseConnectionString('postgres://bob@[::1]/books', {}))).toMatchObject({
      host: '::1',
      port: 5432,
      display: 'postgres://bob@[::1]:5432/books',
    });
    expect(ok(parseConnectionString('postgres://bob@/books?host=/var/run/postgresql', {})).host).toBe('/var/run/postgresql');
  });

  it('takes what the string leaves out from PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD and PGSSLMODE, as libpq does', () => {
    const env = {
      PGHOST: 'db.internal',
      PGPORT: '7000',
      PGUSER: 'carol',
      PGDATABASE: 'books',
      PGPASSWORD: 'from-env',
      PGSSLMODE: 'require',
    };
    const target = ok(parseConnectionString('postgres://', env));
    expect(target).toMatchObject({ host: 'db.internal', port: 7000, user: 'carol', database: 'books', sslMode: 'require' });
    expect(target.password()).toBe('from-env');
    expect(ok(parseConnectionString('postgres://dan:given@h/x', env)).password()).toBe('given');
    const defaults = ok(parseConnectionString('postgres://erin@h', {}));
    expect(defaults).toMatchObject({ database: 'erin', sslMode: 'prefer', port: 5432 });
    expect(defaults.password()).toBeUndefined();
  });

  it('refuses a string that cannot be used with VALIDATION in plain words, never repeating its password', () => {
    const cases: Array<[string, string]> = [
      [`postgres://u:${SECRET}@h:99999/d`, 'port'],
      [`postgres://u:${SECRET}@h/d?sslmode=require&colour=blue`, 'colour'],
      [`postgres://u:${SECRET}@h/d?sslmode=sometimes`, 'sslmode'],
      [`postgres://u:${SECRET}@h1,h2/d`, 'several hosts'],
      [`postgres://u:top%zz${SECRET}@h/d`, 'percent-escape'],
      [`postgres://u:${SECRET}@[bad/d`, 'well-formed'],
      [`postgres://u:${SECRET}@h/d/e`, '"/"'],
      [`postgres://u:${SECRET}@h/d?connect_timeout=soon`, 'connect_timeout'],
    ];
    for (const [text, words] of cases) {
      const error = failure(parseConnectionString(text, {}), 'VALIDATION', 'unparsable');
      expect(error.message, text).toContain(words);
      expect(error.message, text).not.toContain(SECRET);
    }
  });

  it('redaction takes every password out of any text and leaves the rest', () => {
    expect(
      redactConnectionString(`cannot reach postgres://alice:${SECRET}@db:5432/books?sslmode=require&password=${SECRET}x (is it running?)`),
    ).toBe('cannot reach postgres://alice@db:5432/books?sslmode=require (is it running?)');
    expect(redactConnectionString(`postgresql://db/books?password=${SECRET}&sslmode=disable`)).toBe(
      'postgresql://db/books?sslmode=disable',
    );
    expect(redactConnectionString(`host=db password=${SECRET} user=alice`)).toBe('host=db password=[removed] user=alice');
    expect(redactConnectionString(`host=db password='${SECRET} x' user=alice`)).toBe('host=db password=[removed] user=alice');
    // A raw "@" or "/" typed inside the password: at worst more is hidden, never part of the password shown.
    for (const text of ['postgres://bob:p@ss/w@rd@db/books', 'postgres://bob:pa/ss@db/books?x=1']) {
      expect(redactConnectionString(text)).not.toMatch(/ss|w@rd|pa\//);
    }
    expect(redactConnectionString('/tmp/ledger.db is fine')).toBe('/tmp/ledger.db is fine');
  });
});

describeWithPostgres(
  'connecting to a ledger server',
  (cluster) => {
    /** A ledger whose writer role has two login members with passwords, one of them with ':' and '\' in it. */
    async function ledgerWithUsers() {
      const made = await newLedgerDatabase(cluster());
      const admin = await rawClient(made.url);
      await admin.query(`DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'carol') THEN
          CREATE ROLE carol LOGIN PASSWORD '${SECRET}' IN ROLE ledger_writer;
          CREATE ROLE dave LOGIN PASSWORD 'pa:ss\\word' IN ROLE ledger_writer;
          CREATE ROLE outsider LOGIN PASSWORD 'outsider';
        END IF; END $$`);
      return made;
    }

    it('a server that is down: STORAGE server-down naming it, without the password', async () => {
      const port = await freePort();
      const error = failure(await tryOpenLog(`postgres://carol:${SECRET}@127.0.0.1:${port}/books`), 'STORAGE', 'server-down');
      expect(error.message).toContain(`postgres://carol@127.0.0.1:${port}/books`);
      expect(error.message).toContain('connection refused');
      expect(JSON.stringify(error)).not.toContain(SECRET);
    });

    it('wrong or missing credentials, a missing database and a role without rights each answer their own typed error', async () => {
      const { database } = await ledgerWithUsers();
      const wrong = failure(await tryOpenLog(cluster().url(database, 'carol', 'not-the-password')), 'STORAGE', 'credentials');
      expect(wrong.message).toContain('refused the password of user carol');
      expect(JSON.stringify(wrong)).not.toContain('not-the-password');
      const none = failure(await tryOpenLog(cluster().url(database, 'carol')), 'STORAGE', 'credentials');
      expect(none.message).toContain('none was given');
      const missing = failure(await tryOpenLog(cluster().url('no_such_books', 'postgres')), 'STORAGE', 'missing-database');
      expect(missing.message).toContain('The database no_such_books does not exist');
      const outsider = failure(await tryOpenLog(cluster().url(database, 'outsider', 'outsider')), 'STORAGE', 'permission');
      expect(outsider.message).toContain('User outsider may not read');
      ok(await tryOpenLog(cluster().url(database, 'carol', SECRET)));
    });

    it('takes the password from PGPASSWORD, then from the password file when only its owner may read it', async () => {
      const { database } = await ledgerWithUsers();
      const url = cluster().url(database, 'carol');
      await openLog(url, { env: { PGPASSWORD: SECRET } });
      const folder = tempFolder('pgpass-');
      const file = join(folder, 'pgpass');
      writeFileSync(
        file,
        `# desks\nother:*:*:*:nope\n127.0.0.1:${cluster().port}:${database}:carol:${SECRET}\n*:*:*:dave:pa\\:ss\\\\word\n`,
      );
      chmodSync(file, 0o600);
      await openLog(url, { env: { PGPASSFILE: file } });
      await openLog(cluster().url(database, 'dave'), { env: { PGPASSFILE: file } });
      chmodSync(file, 0o644); // libpq ignores a password file others may read
      failure(await tryOpenLog(url, { env: { PGPASSFILE: file } }), 'STORAGE', 'credentials');
    });

    it('follows sslmode: TLS for prefer, require and verify-full, none for disable; an untrusted certificate is refused', async () => {
      const { database } = await newLedgerDatabase(cluster());
      const admin = await rawClient(cluster().url(database));
      const usesTls = async (query: string, name: string) => {
        await openLog(`${cluster().url(database)}?application_name=${name}&${query}`);
        const found = await admin.query(
          'SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = $1',
          [name],
        );
        return found.rows[0]?.ssl as boolean | undefined;
      };
      const root = cluster().certificate!;
      expect(await usesTls('sslmode=prefer', 'prefer')).toBe(true);
      expect(await usesTls('sslmode=require', 'require')).toBe(true);
      expect(await usesTls('sslmode=disable', 'disable')).toBe(false);
      expect(await usesTls(`sslmode=verify-full&sslrootcert=${root}`, 'full')).toBe(true);
      expect(await usesTls(`sslmode=verify-ca&sslrootcert=${root}`, 'ca')).toBe(true);

      const stranger = join(tempFolder('stranger-ca-'), 'other.crt');
      writeSelfSignedCertificate(`${stranger}.key`, stranger);
      failure(await tryOpenLog(`${cluster().url(database)}?sslmode=verify-full&sslrootcert=${stranger}`), 'STORAGE', 'tls');
      failure(await tryOpenLog(`${cluster().url(database)}?sslmode=verify-ca`), 'VALIDATION', 'tls');

      // A server without TLS: require is refused, prefer falls back to plain as libpq does.
      await admin.query('ALTER SYSTEM SET ssl = off');
      await admin.query('SELECT pg_reload_conf()');
      try {
        failure(await tryOpenLog(`${cluster().url(database)}?sslmode=require`), 'STORAGE', 'tls');
        expect(await usesTls('sslmode=prefer', 'prefer-plain')).toBe(false);
      } finally {
        await admin.query('ALTER SYSTEM RESET ssl');
        await admin.query('SELECT pg_reload_conf()');
      }
    });
  },
  { passwords: true, tls: true },
);
