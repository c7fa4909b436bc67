/**
 * PostgreSQL connection strings: telling them from file paths, parsing them as libpq reads a
 * URI (postgres:// or postgresql://, defaults from PGHOST, PGPORT, PGUSER, PGDATABASE,
 * PGPASSWORD, PGSSLMODE and the other PG* variables), and taking passwords out of any text
 * before it is shown.
 *
 * A parsed target never holds its password in a property: `password()` is a function, so
 * JSON.stringify, a log line or an error's details cannot carry it by accident.
 */
import { userInfo } from 'node:os';
import { fail, succeed, type Result } from '#shared/errors';

/** libpq's sslmode values, weakest first. */
export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export type PostgresTarget = {
  readonly kind: 'postgres';
  /** A host name, an address, or a folder holding the server's Unix socket (starts with "/"). */
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** The password from the string or PGPASSWORD; undefined leaves it to the password file (pgpass.ts). */
  readonly password: () => string | undefined;
  readonly sslMode: SslMode;
  /** A file of trusted certificates, or "system" for the operating system's. */
  readonly sslRootCert: string | undefined;
  readonly sslCert: string | undefined;
  readonly sslKey: string | undefined;
  readonly applicationName: string | undefined;
  readonly connectTimeoutSeconds: number | undefined;
  /** The target as it may be shown: postgres://user@host:port/database, never a password. */
  readonly display: string;
};

/** The PG* variables libpq reads, as a plain record (process.env by default). */
export type Environment = Readonly<Record<string, string | undefined>>;

const SCHEME = /^postgres(?:ql)?:\/\//i;

/** Whether a ledger target names a PostgreSQL server rather than a file. */
export function isConnectionString(text: string): boolean {
  return SCHEME.test(text.trim());
}

/** Query parameters a ledger connection string may carry (libpq keywords). */
const KNOWN_PARAMETERS = new Set([
  'host',
  'port',
  'dbname',
  'user',
  'password',
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'application_name',
  'connect_timeout',
]);

const EXAMPLE = 'postgres://user@host:5432/database';

/**
 * Parses a postgres:// or postgresql:// URI. Refusals are VALIDATION failures in plain words
 * that never repeat the string (it may hold a password).
 */
export function parseConnectionString(text: string, env: Environment = process.env): Result<PostgresTarget> {
  const trimmed = text.trim();
  if (!SCHEME.test(trimmed)) return invalid(`it does not start with postgres:// or postgresql://`);
  const givenPort = AUTHORITY_PORT.exec(trimmed)?.[1];
  if (givenPort !== undefined && givenPort !== '' && !isPort(givenPort)) return invalid('the port is not a number from 1 to 65535');
  const url = parseUri(trimmed);
  if (url === undefined) return invalid('it is not a well-formed URI');
  if (url.hash !== '') return invalid('it has a "#" part, which a connection string never has');
  const parameters = new Map<string, string>();
  for (const [name, value] of url.searchParams) {
    if (!KNOWN_PARAMETERS.has(name)) return invalid(`the parameter "${shortName(name)}" is not one a ledger connection takes`);
    if (parameters.has(name)) return invalid(`the parameter "${name}" is given twice`);
    parameters.set(name, value);
  }
  const decoded = decodeParts(url);
  if (!decoded.ok) return decoded;
  const { user: userPart, password: passwordPart, host: hostPart, database: databasePart } = decoded.value;
  if (databasePart.includes('/')) return invalid('the database name after the host holds a "/"');

  const host = parameters.get('host') ?? (hostPart.replace(NO_HOST, '') || env.PGHOST || 'localhost');
  if (host.includes(',')) return invalid('it names several hosts; a ledger connects to one server');
  const portText = parameters.get('port') ?? (url.port || env.PGPORT || '5432');
  if (!isPort(portText)) return invalid('the port is not a number from 1 to 65535');
  const port = Number(portText);
  const user = parameters.get('user') ?? (userPart || env.PGUSER || defaultUser());
  if (user === '') return invalid('it names no user, and the user running this program has no name');
  const database = parameters.get('dbname') ?? (databasePart || env.PGDATABASE || user);
  const password = parameters.get('password') ?? (passwordPart || env.PGPASSWORD || undefined);

  const sslModeText = parameters.get('sslmode') ?? env.PGSSLMODE ?? 'prefer';
  if (!(SSL_MODES as readonly string[]).includes(sslModeText)) {
    return invalid(`sslmode "${shortName(sslModeText)}" is not one of ${SSL_MODES.join(', ')}`);
  }
  const timeoutText = parameters.get('connect_timeout') ?? env.PGCONNECT_TIMEOUT;
  if (timeoutText !== undefined && !/^\d{1,6}$/.test(timeoutText)) return invalid('connect_timeout is not a whole number of seconds');

  return succeed({
    kind: 'postgres',
    host,
    port,
    database,
    user,
    password: () => password,
    sslMode: sslModeText as SslMode,
    sslRootCert: parameters.get('sslrootcert') ?? env.PGSSLROOTCERT,
    sslCert: parameters.get('sslcert') ?? env.PGSSLCERT,
    sslKey: parameters.get('sslkey') ?? env.PGSSLKEY,
    applicationName: parameters.get('application_name') ?? env.PGAPPNAME,
    connectTimeoutSeconds: timeoutText === undefined ? undefined : Number(timeoutText),
    display: displayOf(user, host, port, database),
  });
}

/** postgres://user@host:port/database, the form every message uses. */
export function displayOf(user: string, host: string, port: number, database: string): string {
  const shownHost = host.startsWith('/') ? encodeURIComponent(host) : host.includes(':') ? `[${host}]` : host;
  return `postgres://${encodeURIComponent(user)}@${shownHost}:${port}/${encodeURIComponent(database)}`;
}

/**
 * Takes passwords out of any text: the password of every postgres:// or postgresql:// URI in
 * it (user:password@ becomes user@), `password=` query parameters and libpq `password=` keywords.
 * Meant for every message, log line or error that might quote a connection string.
 */
export function redactConnectionString(text: string): string {
  return text
    .replace(/postgres(?:ql)?:\/\/[^\s'"<>]*/gi, redactUri)
    .replace(/\bpassword\s*=\s*('(?:[^'\\]|\\.)*'|[^\s&'"]+)/gi, 'password=[removed]');
}

/**
 * One URI without its password: the user info keeps only the user, and password= parameters go.
 * The user info ends at the LAST "@" before the query, so a raw "@" or "/" typed inside a
 * password is hidden too (at worst more than the password is left out, never less).
 */
function redactUri(uri: string): string {
  const schemeEnd = uri.indexOf('//') + 2;
  const queryAt = uri.slice(schemeEnd).search(/[?#]/);
  const queryStart = queryAt === -1 ? uri.length : schemeEnd + queryAt;
  const beforeQuery = uri.slice(schemeEnd, queryStart);
  const at = beforeQuery.lastIndexOf('@');
  const shown = at === -1 ? beforeQuery : `${beforeQuery.slice(0, at).split(':')[0]}${beforeQuery.slice(at)}`;
  const query = uri
    .slice(queryStart)
    .replace(/([?&])password=[^&#]*(&?)/gi, (_match, separator: string, next: string) => (next ? separator : ''));
  return `${uri.slice(0, schemeEnd)}${shown}${query}`;
}

/** The port in a URI's authority, if it has one: checked before parsing, whose refusal would not say why. */
const AUTHORITY_PORT = /^postgres(?:ql)?:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^:/?#]*)(?::([^/?#]*))?/i;

/** Stands in for the empty host of "postgres://user@/database" (a URL parser refuses it, libpq does not). */
const NO_HOST = 'no-host.invalid';

function isPort(text: string): boolean {
  return /^\d{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 65_535;
}

function parseUri(text: string): URL | undefined {
  for (const candidate of [text, text.replace('@/', `@${NO_HOST}/`)]) {
    try {
      return new URL(candidate);
    } catch {
      // the next candidate, or not a URI at all
    }
  }
  return undefined;
}

type UriParts = { readonly user: string; readonly password: string; readonly host: string; readonly database: string };

function decodeParts(url: URL): Result<UriParts> {
  try {
    const host = decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, '$1');
    return succeed({
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      host,
      database: decodeURIComponent(url.pathname.replace(/^\//, '')),
    });
  } catch {
    return invalid('a percent-escape in it (%xx) does not decode');
  }
}

function defaultUser(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}

/** A parameter name or value quoted in a message, cut short (it is never a password). */
function shortName(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function invalid(reason: string): Result<never> {
  return fail('VALIDATION', `The connection string cannot be used: ${reason}. Write it as ${EXAMPLE}`, { cause: 'unparsable' });
}
