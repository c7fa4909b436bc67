/**
 * Raw PostgreSQL and node-postgres errors never cross the engine's boundary: each becomes a
 * typed error with a plain sentence naming the server (as postgres://user@host:port/database,
 * never with a password) and a machine-readable `cause`. The one translation for the whole
 * PostgreSQL store, like storage-errors.ts for SQLite. Anything that is not a driver, network
 * or server error is a bug and is rethrown.
 */
import pg from 'pg';
import { LedgerFailure, type LedgerError } from '#shared/errors';
import { redactConnectionString } from './connection-string';

/** What the store was doing, for the sentence: the server as shown, the user and database. */
export type ErrorContext = {
  readonly display: string;
  readonly user: string;
  readonly database: string;
  /** The step that failed: a lost connection during the commit leaves the outcome unknown. */
  readonly step: 'connect' | 'write' | 'commit' | 'read' | 'migrate' | 'listen';
};

/** Thrown by the password function when neither the string, PGPASSWORD nor the password file has one. */
export class NoPasswordGiven extends Error {
  constructor() {
    super('no password was given');
    this.name = 'NoPasswordGiven';
  }
}

/** SQLSTATE of the ledger's own refusals (its immutability triggers, see schema.ts). */
export const IMMUTABLE_SQLSTATE = 'LDG01';

/** A failed transaction that can simply be run again: it wrote nothing. */
export type Retryable = 'serialization' | 'deadlock' | 'lock-timeout';

export function retryableKind(error: unknown): Retryable | undefined {
  const code = sqlState(error);
  if (code === '40001') return 'serialization';
  if (code === '40P01') return 'deadlock';
  if (code === '55P03') return 'lock-timeout';
  return undefined;
}

/** Whether the error means the connection can no longer be used (the pool must drop it). */
export function isConnectionLost(error: unknown): boolean {
  const code = sqlState(error);
  if (code !== undefined) return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03';
  const systemCode = systemErrorCode(error);
  if (systemCode !== undefined) return true;
  return error instanceof Error && /Connection terminated|connection error|not queryable|Query read timeout/i.test(error.message);
}

const NODE_NETWORK_WORDS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'nothing answers there (connection refused): is the server running, and on that port?',
  ENOTFOUND: 'that host name cannot be found',
  EAI_AGAIN: 'that host name cannot be looked up right now',
  ETIMEDOUT: 'the server did not answer in time',
  EHOSTUNREACH: 'that host cannot be reached from here',
  ENETUNREACH: 'that network cannot be reached from here',
  ECONNRESET: 'the server closed the connection',
  EPIPE: 'the server closed the connection',
  ENOENT: 'no server socket is in that folder: is the server running?',
  EACCES: 'this program may not open the server socket',
};

/**
 * The typed error an error met while talking to the server stands for. Rethrows what is not a
 * driver, network or server error: that is a bug, and dressing it up would hide it.
 */
export function translatePostgresError(error: unknown, context: ErrorContext): LedgerError {
  if (error instanceof LedgerFailure) return error.error;
  const at = context.display;
  const lost = lostOutcome(context);
  if (error instanceof NoPasswordGiven) {
    return storage(
      `${at} asks user ${context.user} for a password, and none was given (in the connection string, PGPASSWORD or the password file ~/.pgpass)`,
      'credentials',
    );
  }
  const code = sqlState(error);
  if (code !== undefined) return fromSqlState(code, error as pg.DatabaseError, context);
  const systemCode = systemErrorCode(error);
  if (systemCode !== undefined) {
    if (isTlsCode(systemCode)) return storage(`The certificate of ${at} cannot be trusted (${systemCode}); ${lost}`, 'tls');
    const words = NODE_NETWORK_WORDS[systemCode] ?? `the network reported ${systemCode}`;
    const cause = context.step === 'connect' || systemCode === 'ECONNREFUSED' ? 'server-down' : 'connection-lost';
    return storage(`The ledger server ${at} cannot be used: ${words}; ${lost}`, cause);
  }
  if (error instanceof Error) {
    const message = redactConnectionString(error.message);
    if (/does not support SSL/i.test(message)) return storage(`${at} does not offer TLS, which sslmode asks for; ${lost}`, 'tls');
    if (/client password must be a string/i.test(message)) {
      return storage(`${at} asks user ${context.user} for a password, and none was given`, 'credentials');
    }
    if (/timeout expired|timeout exceeded when trying to connect/i.test(message)) {
      return storage(
        `The ledger server ${at} did not answer in time; ${lost}`,
        context.step === 'connect' ? 'server-down' : 'connection-lost',
      );
    }
    if (isConnectionLost(error)) return storage(`The connection to the ledger server ${at} was lost; ${lost}`, 'connection-lost');
    if (/self[- ]signed|certificate|Hostname\/IP does not match/i.test(message)) {
      return storage(`The certificate of ${at} cannot be trusted; ${lost}`, 'tls');
    }
  }
  throw error;
}

/** The error as a LedgerFailure, for code that unwinds by throwing. */
export function postgresFailure(error: unknown, context: ErrorContext): LedgerFailure {
  return error instanceof LedgerFailure ? error : new LedgerFailure(translatePostgresError(error, context));
}

function fromSqlState(code: string, error: pg.DatabaseError, context: ErrorContext): LedgerError {
  const at = context.display;
  const lost = lostOutcome(context);
  const details = { sqlState: code };
  switch (code) {
    case '28P01':
      return storage(`${at} refused the password of user ${context.user}`, 'credentials', details);
    case '28000':
      return storage(
        `${at} does not let user ${context.user} in (the role may not exist, or pg_hba.conf has no entry for it from this machine)`,
        'credentials',
        details,
      );
    case '3D000':
      return storage(
        `The database ${context.database} does not exist on ${at}; create it first (createdb ${context.database})`,
        'missing-database',
        details,
      );
    case '42501':
      return storage(
        `User ${context.user} may not ${context.step === 'read' ? 'read' : 'write'} the ledger at ${at} (permission denied); ` +
          `its owner grants the ledger's writer or auditor role; ${lost}`,
        'permission',
        details,
      );
    case '53300':
      return storage(`${at} has no connection left for another desk (too many connections); ${lost}`, 'server-busy', details);
    case '40001':
    case '40P01':
      return {
        code: 'CONCURRENCY_CONFLICT',
        message: `Other desks kept writing to the ledger at ${at} at the same moment, and the write was given up after several tries; nothing was recorded: try again`,
        details: { ...details, cause: 'contention' },
      };
    case '55P03':
      return storage(`Another desk kept the ledger at ${at} locked for too long; nothing was recorded`, 'lock-timeout', details);
    case IMMUTABLE_SQLSTATE:
      return {
        code: 'INTEGRITY',
        message: `The ledger at ${at} refused the change: ${error.message}`,
        details: { ...details, cause: 'immutable' },
      };
    case '23505':
      if (error.constraint === 'commands_pkey') {
        return {
          code: 'CONCURRENCY_CONFLICT',
          message: `Another desk recorded a command with the same command id at ${at} at the same moment; nothing was recorded: try again`,
          details: { ...details, cause: 'command-id' },
        };
      }
      break;
  }
  if (code.startsWith('08') || code.startsWith('57P'))
    return storage(`The connection to the ledger server ${at} was lost; ${lost}`, 'connection-lost', details);
  if (code.startsWith('53')) return storage(`${at} is out of resources (SQLSTATE ${code}); ${lost}`, 'server-resources', details);
  return storage(`${at} answered SQLSTATE ${code} (${redactConnectionString(error.message)}); ${lost}`, 'server-error', details);
}

/** What became of the write, said plainly: only a connection lost during COMMIT leaves it open. */
function lostOutcome(context: ErrorContext): string {
  if (context.step === 'commit') {
    return 'the connection was lost while committing, so the write may have been recorded in whole or not at all (never in part): read the log, or repeat it with the same command id';
  }
  if (context.step === 'write' || context.step === 'migrate') return 'nothing was recorded';
  return 'nothing was changed';
}

function storage(message: string, cause: string, details: Record<string, string> = {}): LedgerError {
  return { code: 'STORAGE', message, details: { ...details, cause } };
}

function sqlState(error: unknown): string | undefined {
  if (!(error instanceof pg.DatabaseError)) return undefined;
  return typeof error.code === 'string' && /^[0-9A-Z]{5}$/.test(error.code) ? error.code : undefined;
}

function systemErrorCode(error: unknown): string | undefined {
  if (!(error instanceof Error) || error instanceof pg.DatabaseError) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^(E[A-Z_]+|ERR_TLS_[A-Z_]+|[A-Z_]*CERT[A-Z_]*|UNABLE_TO_[A-Z_]+)$/.test(code) ? code : undefined;
}

function isTlsCode(code: string): boolean {
  return code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('UNABLE_TO');
}
