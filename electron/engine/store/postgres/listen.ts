/**
 * Waking a desk when another desk appends: LISTEN on the channel every append notifies
 * (append.ts), on a connection of its own. A notification is only a wake-up: the subscriber
 * reads the log by position from where it stands, so a notification lost, doubled or folded
 * into another never loses or repeats an event. PostgreSQL delivers a NOTIFY only after its
 * transaction commits.
 */
import pg from 'pg';
import { succeed, type LedgerError, type Result } from '#shared/errors';
import { APPENDED_CHANNEL } from './append';
import type { Connection } from './connect';
import { translatePostgresError } from './postgres-errors';

export type AppendListener = {
  /** Stops listening and closes the connection. */
  close(): Promise<void>;
};

/**
 * Listens for appends. `onWake` runs after each commit of an append (by any desk, this one
 * included); `onLost` runs once if the connection is lost (the caller reads the log to catch
 * up and listens again).
 */
export async function listenForAppends(
  connection: Connection,
  onWake: () => void,
  onLost: (error: LedgerError) => void,
): Promise<Result<AppendListener>> {
  const context = { ...connection.context, step: 'listen' as const };
  const client = new pg.Client(connection.config);
  let closing = false;
  let lost = false;
  const loseOnce = (error: unknown) => {
    if (closing || lost) return;
    lost = true;
    let translated: LedgerError;
    try {
      translated = translatePostgresError(error, context);
    } catch {
      translated = {
        code: 'STORAGE',
        message: `The connection listening to ${connection.context.display} was lost`,
        details: { cause: 'connection-lost' },
      };
    }
    onLost(translated);
  };
  client.on('error', loseOnce);
  client.on('end', () => loseOnce(new Error('Connection terminated unexpectedly')));
  client.on('notification', (message) => {
    if (message.channel === APPENDED_CHANNEL) onWake();
  });
  try {
    await client.connect();
    await client.query(`LISTEN ${APPENDED_CHANNEL}`);
  } catch (error) {
    closing = true;
    await client.end().catch(() => undefined);
    return { ok: false, error: translatePostgresError(error, context) };
  }
  return succeed({
    close: async () => {
      closing = true;
      await client.end().catch(() => undefined);
    },
  });
}
