/**
 * Idempotency as one thing: a command that succeeded with a commandId leaves a record (the
 * `commands` table, see domain/command-records.ts), and a repeat of that id answers the first
 * receipt instead of acting twice. Records of batches staged for the bulk writer's thread are
 * kept here until that thread has committed them with their events, so a repeat is answered
 * even while its first use is still on its way to the disk.
 */
import type { Statement } from 'better-sqlite3';
import type { AnyCommand, CommandReceipt } from '#shared/commands';
import { fail, succeed, type Result } from '#shared/errors';
import type { EventMetadata } from '#shared/events';
import { FIND_COMMAND_RECORD_SQL, INSERT_COMMAND_RECORD_SQL, type CommandRecord, type CommandRecordRow } from '../domain/command-records';
import { fingerprintOf } from '../domain/receipts';
import type { EventStore } from '../store/event-store';

/** Records of staged, not yet committed batches, by command id (shared by every batch staged on one basis). */
export type StagedCommandRecords = Map<string, CommandRecord>;

/** What a command's id says before it is decided. */
export type EarlierUse =
  /** No earlier success: decide the command, then record it with this fingerprint. */
  | { readonly answer: undefined; readonly fingerprint: string | undefined }
  /** Answered already: the first receipt (replayed), or a refusal when the id was used for another command. */
  | { readonly answer: Result<CommandReceipt> };

export class CommandLog {
  private statements: { readonly insert: Statement; readonly find: Statement } | undefined;
  /** Set while a batch is staged: where records go instead of the commands table. */
  private staging: { readonly staged: StagedCommandRecords; readonly rows: CommandRecordRow[] } | undefined;

  /**
   * @param refuseForged called with the reason when a record names an event that is not its
   *   command's (the table sits outside the hash chain); it must throw.
   */
  constructor(
    private readonly store: EventStore,
    private readonly refuseForged: (reason: string) => never,
  ) {}

  /** The answer an earlier use of the command's id gives, or the fingerprint to record it under. */
  earlierUse(command: AnyCommand): EarlierUse {
    const commandId = command.input.commandId;
    if (commandId === undefined) return { answer: undefined, fingerprint: undefined };
    const fingerprint = fingerprintOf(command);
    const earlier = this.find(commandId);
    if (earlier === undefined) return { answer: undefined, fingerprint };
    if (earlier.fingerprint !== fingerprint) {
      return { answer: fail('VALIDATION', `The command id ${commandId} was already used for a different command`) };
    }
    return { answer: succeed({ ...(JSON.parse(earlier.receipt) as CommandReceipt), replayed: true }) };
  }

  /** Records a success: in the commands table, or with the batch being staged. */
  record(commandId: string, fingerprint: string, receipt: CommandReceipt): void {
    const row: CommandRecordRow = [commandId, fingerprint, receipt.position, JSON.stringify(receipt)];
    if (this.staging === undefined) {
      this.prepared.insert.run(row);
      return;
    }
    // Written by the bulk writer's thread with the events; until then, later batches find it here.
    this.staging.rows.push(row);
    this.staging.staged.set(commandId, { fingerprint, position: receipt.position, receipt: row[3] });
  }

  /** Runs `work` (deciding one staged batch) with its records kept in `staged`; returns them as rows too. */
  stagingInto<T>(staged: StagedCommandRecords, work: () => T): { readonly value: T; readonly rows: readonly CommandRecordRow[] } {
    const rows: CommandRecordRow[] = [];
    this.staging = { staged, rows };
    try {
      return { value: work(), rows };
    } finally {
      this.staging = undefined;
    }
  }

  /** A staged batch's records are in the table now: later lookups read them there. */
  landed(staged: StagedCommandRecords, rows: readonly CommandRecordRow[]): void {
    for (const [commandId] of rows) staged.delete(commandId);
  }

  /**
   * The record of an earlier success with this command id: from a batch staged but not yet
   * committed (our own, not on disk yet), else from the commands table. A record from the table
   * is trusted only when the event it names really belongs to this command: a forged row must
   * not fake a receipt.
   */
  private find(commandId: string): CommandRecord | undefined {
    const staged = this.staging?.staged.get(commandId);
    if (staged !== undefined) return staged;
    const earlier = this.prepared.find.get(commandId) as CommandRecord | undefined;
    if (earlier === undefined) return undefined;
    const [named] = this.store.readPositions([earlier.position]);
    if (!named || (JSON.parse(named.metadata) as EventMetadata).commandId !== commandId) {
      this.refuseForged(`the record of command ${commandId} names position ${earlier.position}, which holds no event of that command`);
    }
    return earlier;
  }

  /** The table's statements, prepared once: the renderer sends a commandId with every command. */
  private get prepared() {
    return (this.statements ??= {
      insert: this.store.db.prepare(INSERT_COMMAND_RECORD_SQL),
      find: this.store.db.prepare(FIND_COMMAND_RECORD_SQL),
    });
  }
}
