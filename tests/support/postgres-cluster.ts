/**
 * A private PostgreSQL cluster for one test file: initdb in a fresh temp folder, started with
 * pg_ctl on a random loopback port (its socket in the same folder), stopped and removed in
 * afterAll whatever the tests did. The server is Debian's `postgresql` package; where it is
 * missing, the suite is declared skipped with a title naming the package.
 *
 * Tests run as root and PostgreSQL refuses to run as root, so as root the folder is given to
 * the `postgres` user and initdb and pg_ctl run as that user (runuser); otherwise they run as
 * the current user. Either way the cluster's superuser is named `postgres`.
 *
 * The cluster is thrown away after its file, so it runs with fsync=off (CREATE DATABASE per
 * test costs a second with it on). synchronous_commit, the setting the ledger checks, stays on:
 * commits still wait for the WAL write, they are just not flushed to the disk.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';

/** The newest /usr/lib/postgresql/<version>/bin that holds initdb and pg_ctl, if any. */
export function postgresBinFolder(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => /^\d+$/.test(name))
    .sort((left, right) => Number(right) - Number(left));
  for (const version of versions) {
    const bin = join(root, version, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  return undefined;
}

const IS_ROOT = process.getuid?.() === 0;

/** Why the server tests cannot run here, or undefined when they can. */
export function postgresMissingReason(): string | undefined {
  if (postgresBinFolder() === undefined) {
    return "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): install Debian's `postgresql` package (.ci/run does)";
  }
  if (IS_ROOT && spawnSync('id', ['-u', 'postgres']).status !== 0) {
    return "the `postgres` user is missing (it comes with Debian's `postgresql` package), and PostgreSQL does not run as root";
  }
  return undefined;
}

export type ClusterOptions = {
  /**
   * TCP connections of roles other than `postgres` must give a password (scram-sha-256);
   * the superuser and Unix-socket connections stay trusted. Default: everything trusted.
   */
  readonly passwords?: boolean;
  /** Serve TLS with a self-signed certificate for 127.0.0.1 and localhost (see PostgresCluster.certificate). */
  readonly tls?: boolean;
  /** Flush every commit to disk as a production server does (the bench); tests run with fsync off. */
  readonly durable?: boolean;
};

export type PostgresCluster = {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The folder holding the server's Unix socket. */
  readonly socketFolder: string;
  /** The server's self-signed certificate (PEM file), when started with tls. */
  readonly certificate: string | undefined;
  /** Milliseconds from initdb to a server accepting connections. */
  readonly startMilliseconds: number;
  /** postgres://user[:password]@127.0.0.1:port/database */
  url(database: string, user?: string, password?: string): string;
  /** A connected client (superuser `postgres` unless told), ended by the caller. */
  connect(database?: string, user?: string): Promise<pg.Client>;
  /** Creates a database owned by the superuser, returning its name. */
  createDatabase(name: string): Promise<string>;
  /** The server log so far (for a failing test's message). */
  log(): string;
};

/**
 * Declares a suite that gets its own cluster: started in beforeAll, stopped and removed in
 * afterAll. When PostgreSQL is missing, the suite is skipped and its title says why.
 */
export function describeWithPostgres(title: string, body: (cluster: () => PostgresCluster) => void, options: ClusterOptions = {}): void {
  const missing = postgresMissingReason();
  if (missing !== undefined) {
    console.warn(`${title}: skipped because ${missing}`);
    describe.skip(`${title} — SKIPPED: ${missing}`, () => body(() => unavailable(missing)));
    return;
  }
  describe(title, () => {
    let running: RunningCluster | undefined;
    beforeAll(async () => {
      running = await startCluster(options);
    });
    afterAll(() => {
      running?.stop();
      running = undefined;
    });
    body(() => {
      if (running === undefined) throw new Error('The PostgreSQL cluster did not start');
      return running.cluster;
    });
  });
}

function unavailable(reason: string): never {
  throw new Error(`PostgreSQL is unavailable: ${reason}`);
}

export type RunningCluster = { readonly cluster: PostgresCluster; stop(): void };

/** Clusters of this process still running: stopped on exit if a worker ends before afterAll. */
const running = new Set<() => void>();
process.once('exit', () => {
  for (const stop of running) stop();
});

/** Starts a private cluster (see describeWithPostgres; the bench starts its own). `stop` stops and removes it. */
export async function startCluster(options: ClusterOptions): Promise<RunningCluster> {
  const bin = postgresBinFolder()!;
  const started = performance.now();
  const folder = mkdtempSync(join(tmpdir(), 'ledger-postgres-'));
  const data = join(folder, 'data');
  const logFile = join(folder, 'server.log');
  const asServerUser = (program: string, args: readonly string[]) => {
    const command = IS_ROOT ? ['runuser', '-u', 'postgres', '--', join(bin, program), ...args] : [join(bin, program), ...args];
    const result = spawnSync(command[0]!, command.slice(1), { cwd: folder, encoding: 'utf8', timeout: 60_000 });
    return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}` };
  };
  const remove = () => rmSync(folder, { recursive: true, force: true });
  try {
    if (IS_ROOT)
      chownSync(
        folder,
        Number(execFileSync('id', ['-u', 'postgres']).toString()),
        Number(execFileSync('id', ['-g', 'postgres']).toString()),
      );
    const initdb = asServerUser('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--encoding=UTF8', '--locale=C', '--no-sync']);
    if (!initdb.ok) throw new Error(`initdb failed:\n${initdb.output}`);
    if (options.passwords) writeHba(data);
    const certificate = options.tls ? makeCertificate(folder, data) : undefined;
    let port = 0;
    let lastFailure = '';
    for (let attempt = 0; attempt < 3 && port === 0; attempt++) {
      const candidate = await freePort();
      const settings = `-p ${candidate} -k ${folder} -c listen_addresses=127.0.0.1 -c shared_buffers=16MB -c max_connections=40 -c fsync=${options.durable ? 'on' : 'off'}`;
      const start = asServerUser('pg_ctl', ['-D', data, '-l', logFile, '-o', settings, '-w', '-t', '60', 'start']);
      if (start.ok) port = candidate;
      else lastFailure = `${start.output}\n${readLog(logFile)}`;
    }
    if (port === 0) throw new Error(`pg_ctl could not start the cluster:\n${lastFailure}`);
    const stop = () => {
      running.delete(stop);
      asServerUser('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      remove();
    };
    running.add(stop);
    const cluster: PostgresCluster = {
      host: '127.0.0.1',
      port,
      socketFolder: folder,
      certificate,
      startMilliseconds: Math.round(performance.now() - started),
      url: (database, user = 'postgres', password) =>
        `postgres://${encodeURIComponent(user)}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
      connect: async (database = 'postgres', user = 'postgres') => {
        const client = new pg.Client({ host: folder, port, database, user });
        await client.connect();
        return client;
      },
      createDatabase: async (name) => {
        const client = await cluster.connect();
        try {
          await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
        } finally {
          await client.end();
        }
        return name;
      },
      log: () => readLog(logFile),
    };
    console.info(`PostgreSQL cluster on 127.0.0.1:${port} started in ${cluster.startMilliseconds} ms (${bin})`);
    return { cluster, stop };
  } catch (error) {
    asServerUser('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    remove();
    throw error;
  }
}

/**
 * A self-signed certificate for 127.0.0.1 and localhost: the key and certificate in the data
 * folder (the server's, key readable by it alone), and a copy of the certificate beside it for
 * clients to trust.
 */
function makeCertificate(folder: string, data: string): string {
  const key = join(data, 'server.key');
  const certificate = join(data, 'server.crt');
  writeSelfSignedCertificate(key, certificate);
  chmodSync(key, 0o600);
  if (IS_ROOT) {
    const [uid, gid] = postgresIds();
    chownSync(key, uid, gid);
    chownSync(certificate, uid, gid);
  }
  // In the configuration file, not on the command line, so that a test may turn TLS off with ALTER SYSTEM.
  appendFileSync(join(data, 'postgresql.conf'), "\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n");
  const copy = join(folder, 'root.crt');
  copyFileSync(certificate, copy);
  return copy;
}

/** A new key and a self-signed certificate for 127.0.0.1 and localhost, valid two days, written to the two paths. */
export function writeSelfSignedCertificate(keyPath: string, certificatePath: string): void {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      keyPath,
      '-out',
      certificatePath,
    ],
    { stdio: 'ignore' },
  );
}

function postgresIds(): [number, number] {
  return [Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString())];
}

/** Socket connections and the superuser trusted; every other role gives its password over TCP. */
function writeHba(data: string): void {
  writeFileSync(
    join(data, 'pg_hba.conf'),
    ['local all all trust', 'host all postgres 127.0.0.1/32 trust', 'host all all 127.0.0.1/32 scram-sha-256', ''].join('\n'),
  );
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '(no server log)';
  }
}

/** A loopback port nothing listens on right now (a server may still lose a race for it: startCluster retries). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
