/**
 * The events table refuses UPDATE and DELETE through two triggers (schema.ts). Editing the
 * log in place therefore starts with dropping or altering them; a ledger whose triggers are
 * not exactly ours has lost that protection, which the engine reports rather than repairs:
 * putting them back would erase the evidence that they were removed.
 */
import type Database from 'better-sqlite3';

/** Each trigger's SQL as the first migration created it, whitespace collapsed. */
const EXPECTED: ReadonlyMap<string, string> = new Map([
  [
    'events_refuse_update',
    "CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'ledger events are immutable'); END",
  ],
  [
    'events_refuse_delete',
    "CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'ledger events are immutable'); END",
  ],
]);

/** Why the events table's triggers are not exactly ours (missing, altered or added), or undefined when they are. */
export function triggerProblem(db: Database.Database): string | undefined {
  const found = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'").all() as Array<{
    name: string;
    sql: string | null;
  }>;
  const problems: string[] = [];
  for (const [name, sql] of EXPECTED) {
    const trigger = found.find((candidate) => candidate.name === name);
    if (trigger === undefined) problems.push(`${name} was dropped`);
    else if (collapse(trigger.sql ?? '') !== sql) problems.push(`${name} was altered`);
  }
  for (const trigger of found) if (!EXPECTED.has(trigger.name)) problems.push(`${trigger.name} was added`);
  if (problems.length === 0) return undefined;
  return `the immutability triggers of the events table are not the ledger's own (${problems.join(', ')}): its events could have been edited in place`;
}

function collapse(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim();
}
