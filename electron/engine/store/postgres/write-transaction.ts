/**
 * The one way anything is written to the log on PostgreSQL: a READ COMMITTED transaction that
 * first takes the head row's lock (SELECT … FROM ledger.head FOR UPDATE), so that writers from
 * every desk queue on that one row for the instant of their append. Positions and previous
 * hashes are assigned under the lock and the lock is held until COMMIT, so positions are
 * gap-free and in commit order, and a rolled-back transaction burns none (a sequence would
 * burn one on rollback and hand them out in start order, not commit order).
 *
 * Everything an append reads must be read AFTER the lock statement, in statements of its own:
 * under READ COMMITTED a statement that waited for a row lock rechecks only that row, and
 * whatever else it read comes from the snapshot taken before it waited.
 *
 * Failures that wrote nothing (serialization failures, deadlocks, lock timeouts, a connection
 * found dead at the first statement) are tried again a few times; every failure is answered as
 * a typed error, never a driver error.
 */
import type pg from 'pg';
import { fail, type Result } from '#shared/errors';
import { synchronousCommitRefusal } from './connect';
import { isConnectionLost, retryableKind, translatePostgresError, type ErrorContext } from './postgres-errors';

/** The head as the lock statement read it: the last position and its hash. */
export type LockedHead = { readonly position: number; readonly hash: string };

/** Tries a transaction that wrote nothing (serialization failure, deadlock, lock timeout) up to this many times. */
export const WRITE_ATTEMPTS = 3;

const BEGIN_AND_LOCK =
  'BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE; ' +
  "SELECT position, hash, current_setting('synchronous_commit') AS synchronous_commit FROM ledger.head WHERE only_row FOR UPDATE";

/**
 * Runs `work` inside one write transaction holding the head lock. `work` answers a Result: a
 * failure rolls the transaction back (nothing written) and is answered as it is; a success is
 * committed and answered only once COMMIT has returned, that is once it is durable.
 */
export async function writeTransaction<T>(
  pool: pg.Pool,
  context: Omit<ErrorContext, 'step'>,
  work: (client: pg.PoolClient, head: LockedHead) => Promise<Result<T>>,
): Promise<Result<T>> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptOnce(pool, context, work);
    if (outcome.kind === 'done') return outcome.result;
    if (attempt >= WRITE_ATTEMPTS) return { ok: false, error: translatePostgresError(outcome.error, { ...context, step: 'write' }) };
    await pause(attempt);
  }
}

type Attempt<T> = { readonly kind: 'done'; readonly result: Result<T> } | { readonly kind: 'retry'; readonly error: unknown };

async function attemptOnce<T>(
  pool: pg.Pool,
  context: Omit<ErrorContext, 'step'>,
  work: (client: pg.PoolClient, head: LockedHead) => Promise<Result<T>>,
): Promise<Attempt<T>> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    return { kind: 'done', result: { ok: false, error: translatePostgresError(error, { ...context, step: 'connect' }) } };
  }
  let step: ErrorContext['step'] = 'write';
  let broken: Error | undefined;
  /** Whether the lock statement has answered: before that, nothing of this attempt can have been written. */
  let locked = false;
  try {
    const results = (await client.query(BEGIN_AND_LOCK)) as unknown as pg.QueryResult[];
    locked = true;
    const row = results[1]?.rows[0] as { position: number; hash: string; synchronous_commit: string } | undefined;
    if (row === undefined || !Number.isSafeInteger(row.position)) {
      await client.query('ROLLBACK');
      return {
        kind: 'done',
        result: fail('STORAGE', `The ledger at ${context.display} has no readable head row; nothing was recorded`, { cause: 'damaged' }),
      };
    }
    const refusal = synchronousCommitRefusal(row.synchronous_commit, context);
    if (refusal !== undefined) {
      await client.query('ROLLBACK');
      return { kind: 'done', result: refusal };
    }
    const result = await work(client, { position: row.position, hash: row.hash });
    if (!result.ok) {
      await client.query('ROLLBACK');
      return { kind: 'done', result };
    }
    step = 'commit';
    await client.query('COMMIT');
    return { kind: 'done', result };
  } catch (error) {
    if (isConnectionLost(error)) broken = error instanceof Error ? error : new Error(String(error));
    else {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error('rollback failed');
      });
    }
    // A serialization failure or deadlock at COMMIT also rolled everything back: safe to retry.
    if (retryableKind(error) !== undefined && broken === undefined) return { kind: 'retry', error };
    // A pooled connection found dead at the first statement (the server restarted, or dropped it
    // while idle) wrote nothing: try again on a fresh one.
    if (broken !== undefined && !locked) return { kind: 'retry', error };
    return { kind: 'done', result: { ok: false, error: translatePostgresError(error, { ...context, step }) } };
  } finally {
    // A connection that failed is dropped, never handed to the next append.
    client.release(broken);
  }
}

/** A short, growing, jittered pause before trying again, so that colliding desks spread out. */
function pause(attempt: number): Promise<void> {
  const milliseconds = 5 * 2 ** attempt + Math.random() * 10 * attempt;
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
