/**
 * The store contract suite runs every test on both engines: a SQLite file in a temp folder,
 * and a fresh database on a private PostgreSQL cluster (skipped, saying why, where PostgreSQL
 * is not installed). A test asks for a new, empty ledger and for more desks on it.
 */
import { join } from 'node:path';
import { afterEach, describe } from 'vitest';
import type { EventLog, StoreEngine } from '#engine/store/event-log';
import { SqliteEventLog } from '#engine/store/sqlite-event-log';
import { ok, tempFolder } from '../engine/helpers';
import { newLedgerDatabase, openLog } from '../postgres/helpers';
import { describeWithPostgres } from '../support/postgres-cluster';

/** A new, empty ledger on one engine, and a way to open another desk (another connection or pool) on it. */
export type ContractLedger = { readonly log: EventLog; readonly openDesk: () => Promise<EventLog> };

export type ContractContext = { readonly engine: StoreEngine; readonly newLedger: () => Promise<ContractLedger> };

const openedSqlite: EventLog[] = [];
afterEach(async () => {
  for (const log of openedSqlite.splice(0).reverse()) await log.close();
});

function openSqlite(path: string): EventLog {
  const log = ok(SqliteEventLog.open(path));
  openedSqlite.push(log);
  return log;
}

/** Declares `body` once per engine, as "<title> on SQLite" and "<title> on PostgreSQL". */
export function describeOnEachEngine(title: string, body: (context: ContractContext) => void): void {
  describe(`${title} on SQLite`, () => {
    body({
      engine: 'sqlite',
      newLedger: async () => {
        const path = join(tempFolder('ledger-contract-'), 'ledger.db');
        return { log: openSqlite(path), openDesk: async () => openSqlite(path) };
      },
    });
  });
  describeWithPostgres(`${title} on PostgreSQL`, (cluster) => {
    body({
      engine: 'postgres',
      newLedger: async () => {
        const { url, log } = await newLedgerDatabase(cluster());
        return { log, openDesk: () => openLog(url, { maxConnections: 2 }) };
      },
    });
  });
}
