/**
 * The events table refuses UPDATE and DELETE through two triggers (schema.ts), and so do the
 * tables beside it that only grow: the Merkle tree's nodes and the seals. Editing any of them
 * in place therefore starts with dropping or altering its triggers; a ledger whose triggers
 * are not exactly ours has lost that protection, which the engine reports rather than
 * repairs: putting them back would erase the evidence that they were removed.
 */
import type Database from 'better-sqlite3';

/** Per protected table: each trigger's SQL as the migration created it, whitespace collapsed, and what its loss exposes. */
const PROTECTED: ReadonlyArray<{ readonly table: string; readonly exposes: string; readonly triggers: ReadonlyMap<string, string> }> = [
  {
    table: 'events',
    exposes: 'its events could have been edited in place',
    triggers: refusals('events', 'ledger events are immutable'),
  },
  {
    table: 'tree_nodes',
    exposes: 'its stored Merkle tree could have been edited in place',
    triggers: refusals('tree_nodes', 'ledger tree nodes are immutable'),
  },
  {
    table: 'seals',
    exposes: 'its seals could have been edited or removed in place',
    triggers: refusals('seals', 'ledger seals are immutable'),
  },
];

function refusals(table: string, message: string): ReadonlyMap<string, string> {
  return new Map(
    (['update', 'delete'] as const).map((operation) => [
      `${table}_refuse_${operation}`,
      `CREATE TRIGGER ${table}_refuse_${operation} BEFORE ${operation.toUpperCase()} ON ${table} BEGIN SELECT RAISE(ABORT, '${message}'); END`,
    ]),
  );
}

/** Why the protected tables' triggers are not exactly ours (missing, altered or added), or undefined when they are. */
export function triggerProblem(db: Database.Database): string | undefined {
  const found = db.prepare("SELECT name, sql, tbl_name AS tableName FROM sqlite_master WHERE type = 'trigger'").all() as Array<{
    name: string;
    sql: string | null;
    tableName: string;
  }>;
  const tables = new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]).map((name) => name.toLowerCase()),
  );
  const sentences: string[] = [];
  for (const { table, exposes, triggers } of PROTECTED) {
    // A table a read-only connection finds missing belongs to a later schema than the file's.
    if (table !== 'events' && !tables.has(table)) continue;
    const onTable = found.filter((trigger) => trigger.tableName.toLowerCase() === table);
    const problems: string[] = [];
    for (const [name, sql] of triggers) {
      const trigger = onTable.find((candidate) => candidate.name === name);
      if (trigger === undefined) problems.push(`${name} was dropped`);
      else if (collapse(trigger.sql ?? '') !== sql) problems.push(`${name} was altered`);
    }
    for (const trigger of onTable) if (!triggers.has(trigger.name)) problems.push(`${trigger.name} was added`);
    if (problems.length > 0) {
      sentences.push(`the immutability triggers of the ${table} table are not the ledger's own (${problems.join(', ')}): ${exposes}`);
    }
  }
  return sentences.length === 0 ? undefined : sentences.join('; ');
}

function collapse(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim();
}
