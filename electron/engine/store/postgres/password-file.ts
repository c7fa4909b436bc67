/**
 * The libpq password file (~/.pgpass, or the file PGPASSFILE names; %APPDATA%\postgresql\pgpass.conf
 * on Windows), read as libpq reads it: lines of host:port:database:user:password, `*` matching
 * anything in the first four fields, `\:` and `\\` escapes, the first matching line winning,
 * and a Unix socket connection matching "localhost". On POSIX systems a file that its group or
 * others may read is ignored, as libpq ignores it.
 *
 * node-postgres reads this file itself only through a deprecated path (removed in pg 9), so
 * the ledger reads it and hands the password to pg as its password function.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Environment, PostgresTarget } from './connection-string';

/** The password file libpq would read for this environment. */
export function passwordFilePath(env: Environment = process.env): string | undefined {
  if (env.PGPASSFILE !== undefined && env.PGPASSFILE !== '') return env.PGPASSFILE;
  if (process.platform === 'win32') return env.APPDATA === undefined ? undefined : join(env.APPDATA, 'postgresql', 'pgpass.conf');
  try {
    return join(homedir(), '.pgpass');
  } catch {
    return undefined;
  }
}

type Wanted = Pick<PostgresTarget, 'host' | 'port' | 'database' | 'user'>;

/** The password the password file holds for this connection, or undefined (no file, no match, unsafe file). */
export function passwordFromFile(target: Wanted, env: Environment = process.env): string | undefined {
  const path = passwordFilePath(env);
  if (path === undefined) return undefined;
  let text: string;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) return undefined;
    if (process.platform !== 'win32' && (stats.mode & 0o077) !== 0) return undefined;
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const host = target.host.startsWith('/') ? 'localhost' : target.host;
  const wanted = [host, String(target.port), target.database, target.user];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const fields = splitLine(line);
    if (fields.length < 5) continue;
    if (wanted.every((value, index) => fields[index] === '*' || fields[index] === value)) return fields.slice(4).join(':');
  }
  return undefined;
}

/** host:port:database:user:password with `\` escaping the next character (a ":" or a "\"). */
function splitLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  for (let index = 0; index < line.length; index++) {
    const character = line[index]!;
    if (character === '\\' && index + 1 < line.length) {
      field += line[++index];
    } else if (character === ':' && fields.length < 4) {
      fields.push(field);
      field = '';
    } else {
      field += character;
    }
  }
  fields.push(field);
  return fields;
}
