/**
 * The store contract (event-log.ts) on a desk's own SQLite file, over the EventStore. SQLite
 * answers at once: each call runs synchronously under the file's write lock and resolves with
 * its Result, so the contract's promises add no waiting, only a microtask.
 */
import { fail, succeed, LedgerFailure, type Failure, type LedgerError, type Result } from '#shared/errors';
import { FIND_COMMAND_RECORD_SQL, INSERT_COMMAND_RECORD_SQL, type CommandRecord } from '../domain/command-records';
import type { Statement } from 'better-sqlite3';
import { verbatimAppend } from '../import/verbatim-append';
import { EventStore, MAX_READ_LIMIT, type AppendRequest, type AppendResult, type ReadFilter, type StoredEvent } from './event-store';
import {
  continuationProblem,
  endsElsewhere,
  logPages,
  storedRowsOf,
  type AppendOutcome,
  type CommandRecordRequest,
  type EventLog,
  type LogHead,
} from './event-log';
import { watchForOtherWriters } from './file-changes';
import { toStorageFailure } from './storage-errors';
import type { OpenOptions } from './open-database';

export class SqliteEventLog implements EventLog {
  readonly engine = 'sqlite';

  /** The commands table's statements, prepared once for this connection. */
  private readonly insertRecord: Statement;
  private readonly findRecordStatement: Statement;

  private constructor(private readonly store: EventStore) {
    this.insertRecord = store.db.prepare(INSERT_COMMAND_RECORD_SQL);
    this.findRecordStatement = store.db.prepare(FIND_COMMAND_RECORD_SQL);
  }

  /** Opens (creating if needed) a ledger file; a refusal is a typed STORAGE failure naming the file. */
  static open(path: string, options: OpenOptions = {}): Result<SqliteEventLog> {
    try {
      return succeed(new SqliteEventLog(EventStore.open(path, options)));
    } catch (error) {
      return toStorageFailure(error, path);
    }
  }

  get display(): string {
    return this.store.path;
  }

  append(requests: readonly AppendRequest[], command?: CommandRecordRequest): Promise<Result<AppendOutcome>> {
    return this.answer(() =>
      this.store.writeTransaction((): AppendOutcome => {
        if (command !== undefined) {
          const record = this.findRecord(command.commandId);
          if (record !== undefined) return { kind: 'recorded-before', record };
        }
        const appended = storedRowsOf(this.store.append(requests));
        if (command !== undefined) {
          const receipt = command.receipt(appended);
          this.insertRecord.run(command.commandId, command.fingerprint, receipt.position, receipt.text);
        }
        return { kind: 'appended', appended };
      }),
    );
  }

  appendRows(rows: readonly StoredEvent[]): Promise<Result<AppendResult>> {
    return this.answer(() =>
      this.store.writeTransaction((): AppendResult => {
        const versions = new Map<string, number>();
        this.appendVerbatim(rows, versions);
        return { events: rows, streamVersions: versions };
      }),
    );
  }

  async appendRowPages(pages: () => AsyncIterable<readonly StoredEvent[]>, expectedHead: LogHead): Promise<Result<LogHead>> {
    try {
      return succeed(
        await this.store.writeTransactionAsync(async () => {
          const versions = new Map<string, number>();
          for await (const rows of pages()) this.appendVerbatim(rows, versions);
          const tail = this.store.readTail();
          if (tail.position !== expectedHead.position || tail.hash !== expectedHead.hash) throw refusal(endsElsewhere(tail, expectedHead));
          return tail;
        }),
      );
    } catch (error) {
      return toStorageFailure(error, this.display);
    }
  }

  /**
   * Inside a write transaction: appends rows built elsewhere, byte for byte, if they continue
   * the log exactly and hold together; the store checks each stream's version as it appends.
   */
  private appendVerbatim(rows: readonly StoredEvent[], versions: Map<string, number>): void {
    const problem = continuationProblem(rows, this.store.readTail(), this.display);
    if (problem !== undefined) throw refusal(problem);
    for (const row of rows) {
      const appended = this.store.append([verbatimAppend(row)]).events[0]!;
      // The store recomputes the chain from the same texts: a different hash is a row not stored as given.
      if (appended.hash !== row.hash) {
        throw refusal(fail('INTEGRITY', `The row at position ${row.position} does not store as given; nothing was recorded`));
      }
      versions.set(row.streamId, row.streamVersion);
    }
  }

  readStream(streamId: string, afterVersion = 0, limit = -1): Promise<Result<StoredEvent[]>> {
    return this.answer(() => this.store.readStream(streamId, afterVersion, limit));
  }

  readLog(filter: ReadFilter = {}): Promise<Result<StoredEvent[]>> {
    return this.answer(() => this.store.readAll(filter));
  }

  readLogPages(fromPosition = 1, pageSize = MAX_READ_LIMIT): AsyncGenerator<Result<StoredEvent[]>> {
    return logPages((filter) => this.readLog(filter), fromPosition, pageSize);
  }

  head(): Promise<Result<LogHead>> {
    return this.answer(() => this.store.readTail());
  }

  findCommandRecord(commandId: string): Promise<Result<CommandRecord | undefined>> {
    return this.answer(() => this.findRecord(commandId));
  }

  /**
   * This connection's appends wake at once, after their commit (the store's subscribers);
   * another connection's or process's, when the file changes (file-changes.ts) and SQLite's
   * data_version says another connection committed.
   */
  listen(onWake: () => void, onLost: (error: LedgerError) => void): Promise<Result<{ close(): Promise<void> }>> {
    const unsubscribe = this.store.subscribe(() => onWake());
    let seen = this.store.dataVersion();
    const watch = watchForOtherWriters(
      {
        path: this.store.path,
        refresh: () => {
          const now = this.store.dataVersion();
          if (now === seen) return false;
          seen = now;
          onWake();
          return true;
        },
      },
      (message) => onLost({ code: 'STORAGE', message }),
    );
    return Promise.resolve(
      succeed({
        close: async () => {
          watch.close();
          unsubscribe();
        },
      }),
    );
  }

  async close(): Promise<void> {
    this.store.close();
  }

  private findRecord(commandId: string): CommandRecord | undefined {
    return this.findRecordStatement.get(commandId) as CommandRecord | undefined;
  }

  /** Runs a synchronous step and answers its Result; a refusal or a SQLite error becomes a typed failure. */
  private answer<T>(step: () => T): Promise<Result<T>> {
    try {
      return Promise.resolve(succeed(step()));
    } catch (error) {
      return Promise.resolve(toStorageFailure(error, this.display));
    }
  }
}

function refusal(failure: Failure): LedgerFailure {
  return new LedgerFailure(failure.error);
}
