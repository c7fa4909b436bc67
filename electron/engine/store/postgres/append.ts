/**
 * Appending to the log on PostgreSQL, with the SQLite store's semantics and bytes: the same
 * expectations checked in the same order with the same refusal, the same texts (data and
 * metadata serialised as the SQLite store serialises them, or kept verbatim), one recorded
 * time per append, and the same hash function (hash-chain.ts), so a log appended on either
 * engine holds identical rows.
 *
 * All of an append's writes go in ONE statement (the rows through unnest, the command record,
 * the head, and the NOTIFY that desks wake on after the commit), run under the head lock that
 * write-transaction.ts takes.
 */
import type pg from 'pg';
import { fail, succeed, type Result } from '#shared/errors';
import type { CommandRecord } from '../../domain/command-records';
import type { AppendRequest, AppendResult, StoredEvent } from '../event-store';
import { EventRowBuilder } from '../event-row';
import type { LogTail } from '../event-types';
import { expectationRefusal } from '../stream-expectation';
import { continuationProblem, endsElsewhere, type AppendOutcome, type CommandRecordRequest } from '../event-log';
import type { ErrorContext } from './postgres-errors';
import { writeTransaction, type LockedHead } from './write-transaction';

/** The channel every append notifies after its commit; its payload is empty (a wake-up only). */
export const APPENDED_CHANNEL = 'ledger_appended';

/**
 * Appends to one or several streams atomically; every expectation is checked under the head
 * lock before anything is written, so a refused append writes nothing and burns no position.
 */
export async function appendEvents(
  pool: pg.Pool,
  context: Omit<ErrorContext, 'step'>,
  requests: readonly AppendRequest[],
  command?: CommandRecordRequest,
): Promise<Result<AppendOutcome>> {
  const unstorable = unstorableTextRefusal(textsOfRequests(requests));
  if (unstorable !== undefined) return unstorable;
  return writeTransaction<AppendOutcome>(pool, context, async (client, head) => {
    if (command !== undefined) {
      const earlier = await client.query<CommandRecord>(
        'SELECT fingerprint, receipt, position FROM ledger.commands WHERE command_id = $1',
        [command.commandId],
      );
      if (earlier.rows[0] !== undefined) return succeed({ kind: 'recorded-before', record: earlier.rows[0] });
    }
    const current = await streamVersions(
      client,
      requests.map((request) => request.streamId),
    );
    // Parts are checked in order, as if appended one after another (as the SQLite store does).
    const versions = new Map<string, number>();
    const startVersions: number[] = [];
    for (const request of requests) {
      const actual = versions.get(request.streamId) ?? current.get(request.streamId) ?? 0;
      const refusal = expectationRefusal(request.streamId, request.expected, actual);
      if (refusal !== undefined) return { ok: false, error: refusal };
      startVersions.push(actual);
      versions.set(request.streamId, actual + request.events.length);
    }
    const rows = buildRows(requests, startVersions, head);
    const appended: AppendResult = { events: rows, streamVersions: versions };
    const receipt = command?.receipt(appended);
    const record =
      command === undefined || receipt === undefined
        ? undefined
        : ([command.commandId, command.fingerprint, receipt.position, receipt.text] as const);
    await writeRows(client, rows, head, record);
    return succeed({ kind: 'appended', appended });
  });
}

/**
 * Appends rows built elsewhere, byte for byte (a restore, or a copy from the other engine):
 * they must continue the log exactly (first position and previous hash at the head), hold
 * together as a chain, and continue each stream's versions.
 */
export async function appendRows(
  pool: pg.Pool,
  context: Omit<ErrorContext, 'step'>,
  rows: readonly StoredEvent[],
): Promise<Result<AppendResult>> {
  const unstorable = unstorableTextRefusal(textsOfRows(rows));
  if (unstorable !== undefined) return unstorable;
  return writeTransaction<AppendResult>(pool, context, async (client, head) => {
    const versions = new Map<string, number>();
    const checked = await checkRows(client, context, head, rows, versions);
    if (!checked.ok) return checked;
    if (rows.length > 0) await writeRows(client, rows, head, undefined);
    return succeed({ events: rows, streamVersions: versions });
  });
}

/**
 * Appends pages of rows built elsewhere (a restore) in ONE transaction, each page checked as
 * appendRows checks its rows: all of them are written, or none. `pages` is called again if
 * the transaction is tried again, so it must read its source from the start each time.
 */
export async function appendRowPages(
  pool: pg.Pool,
  context: Omit<ErrorContext, 'step'>,
  pages: () => AsyncIterable<readonly StoredEvent[]>,
  expectedHead: LockedHead,
): Promise<Result<LockedHead>> {
  return writeTransaction<LockedHead>(pool, context, async (client, head) => {
    const versions = new Map<string, number>();
    let tail: LockedHead = head;
    for await (const rows of pages()) {
      const unstorable = unstorableTextRefusal(textsOfRows(rows));
      if (unstorable !== undefined) return unstorable;
      const checked = await checkRows(client, context, tail, rows, versions);
      if (!checked.ok) return checked;
      if (rows.length === 0) continue;
      await writeRows(client, rows, tail, undefined);
      const last = rows[rows.length - 1]!;
      tail = { position: last.position, hash: last.hash };
    }
    if (tail.position !== expectedHead.position || tail.hash !== expectedHead.hash) return endsElsewhere(tail, expectedHead);
    return succeed(tail);
  });
}

/**
 * Checks that `rows` continue the log at `head` exactly and hold together, and that each
 * continues its stream's version (read once per stream, then carried in `versions`).
 */
async function checkRows(
  client: pg.PoolClient,
  context: Omit<ErrorContext, 'step'>,
  head: LockedHead,
  rows: readonly StoredEvent[],
  versions: Map<string, number>,
): Promise<Result<void>> {
  const problem = continuationProblem(rows, head, context.display);
  if (problem !== undefined) return problem;
  const unread = [...new Set(rows.map((row) => row.streamId))].filter((streamId) => !versions.has(streamId));
  const current = unread.length === 0 ? new Map<string, number>() : await streamVersions(client, unread);
  for (const row of rows) {
    const expected = (versions.get(row.streamId) ?? current.get(row.streamId) ?? 0) + 1;
    if (row.streamVersion !== expected) {
      return fail(
        'CONCURRENCY_CONFLICT',
        `The row at position ${row.position} is version ${row.streamVersion} of stream ${row.streamId}, which is at version ${expected - 1}; nothing was recorded`,
        {
          stream: row.streamId,
          expected: row.streamVersion - 1,
          actual: expected - 1,
        },
      );
    }
    versions.set(row.streamId, expected);
  }
  return succeed(undefined);
}

async function streamVersions(client: pg.PoolClient, streamIds: readonly string[]): Promise<Map<string, number>> {
  const unique = [...new Set(streamIds)];
  const found = await client.query<{ stream_id: string; version: number }>(
    'SELECT stream_id, max(stream_version) AS version FROM ledger.events WHERE stream_id = ANY($1::text[]) GROUP BY stream_id',
    [unique],
  );
  return new Map(found.rows.map((row) => [row.stream_id, row.version]));
}

/** The rows, built by the SQLite store's own builder (event-row.ts): same ids, texts and hashes; one recorded time per append. */
function buildRows(requests: readonly AppendRequest[], startVersions: readonly number[], head: LockedHead): StoredEvent[] {
  const recordedAt = new Date().toISOString();
  const builder = new EventRowBuilder();
  const rows: StoredEvent[] = [];
  let previous: LogTail = head;
  requests.forEach(({ streamId, events }, index) => {
    let version = startVersions[index]!;
    for (const event of events) {
      version += 1;
      // The payload object is the SQLite store's, for its subscribers: these rows are as stored.
      const { payload: _, ...row } = builder.build(previous, streamId, version, event, recordedAt);
      rows.push(row);
      previous = row;
    }
  });
  return rows;
}

const WRITE_SQL = `
WITH inserted AS (
  INSERT INTO ledger.events (position, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, previous_hash, hash)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::integer[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
  RETURNING 1
), recorded AS (
  INSERT INTO ledger.commands (command_id, fingerprint, position, receipt)
  SELECT $12::text, $13::text, $14::bigint, $15::text WHERE $12::text IS NOT NULL
  RETURNING 1
)
UPDATE ledger.head SET position = $16, hash = $17 WHERE only_row
RETURNING (SELECT count(*) FROM inserted) AS inserted, (SELECT count(*) FROM recorded) AS recorded, pg_notify('${APPENDED_CHANNEL}', '')`;

type RecordRow = readonly [commandId: string, fingerprint: string, position: number, receipt: string];

async function writeRows(
  client: pg.PoolClient,
  rows: readonly StoredEvent[],
  head: LockedHead,
  record: RecordRow | undefined,
): Promise<void> {
  if (rows.length === 0 && record === undefined) return;
  const last = rows.at(-1) ?? head;
  const column = <K extends keyof StoredEvent>(key: K) => rows.map((row) => row[key]);
  const written = await client.query<{ inserted: number; recorded: number }>(WRITE_SQL, [
    column('position'),
    column('eventId'),
    column('streamId'),
    column('streamVersion'),
    column('type'),
    column('schemaVersion'),
    column('data'),
    column('metadata'),
    column('recordedAt'),
    column('previousHash'),
    column('hash'),
    record?.[0] ?? null,
    record?.[1] ?? null,
    record?.[2] ?? null,
    record?.[3] ?? null,
    last.position,
    last.hash,
  ]);
  const counts = written.rows[0];
  if (counts?.inserted !== rows.length || counts.recorded !== (record === undefined ? 0 : 1)) {
    throw new Error(`The append wrote ${counts?.inserted} of ${rows.length} rows: bug`);
  }
}

/**
 * PostgreSQL text holds neither NUL nor half of a surrogate pair (the UTF-8 encoder would
 * replace it, changing the hashed bytes): such a text is refused before anything is sent.
 * JSON texts from JSON.stringify never hold either; ids, types and verbatim texts might.
 */
function unstorableTextRefusal(texts: Iterable<string | undefined>): Result<never> | undefined {
  for (const text of texts) {
    if (text !== undefined && UNSTORABLE.test(text)) {
      return fail(
        'VALIDATION',
        'A text of the append holds a NUL character or half of a surrogate pair, which PostgreSQL cannot store; nothing was recorded',
      );
    }
  }
  return undefined;
}

function* textsOfRequests(requests: readonly AppendRequest[]): Iterable<string | undefined> {
  for (const request of requests) {
    yield request.streamId;
    for (const event of request.events) yield* [event.type, event.eventId, event.recordedAt, event.dataText, event.metadataText];
  }
}

function* textsOfRows(rows: readonly StoredEvent[]): Iterable<string> {
  for (const row of rows) yield* [row.eventId, row.streamId, row.type, row.recordedAt, row.data, row.metadata, row.previousHash, row.hash];
}

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
