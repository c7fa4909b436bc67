/**
 * The idempotency records: one row per command that succeeded with a commandId (schema.ts's
 * `commands` table), so a repeat of the command answers the first result instead of acting twice.
 */

/** Positional: command id, fingerprint, position of the command's last event, receipt JSON. */
export const INSERT_COMMAND_RECORD_SQL = 'INSERT INTO commands (command_id, fingerprint, position, receipt) VALUES (?, ?, ?, ?)';
export const FIND_COMMAND_RECORD_SQL = 'SELECT fingerprint, receipt, position FROM commands WHERE command_id = ?';

/** A record as stored (receipt as JSON text). */
export type CommandRecord = { readonly fingerprint: string; readonly receipt: string; readonly position: number };

/** The values of one record in INSERT_COMMAND_RECORD_SQL's order. */
export type CommandRecordRow = readonly [commandId: string, fingerprint: string, position: number, receipt: string];
