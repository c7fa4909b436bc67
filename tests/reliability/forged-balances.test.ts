/**
 * Issue 16, item 4 — no money is booked on a forged balance, whatever the host. Someone edits
 * a stored amount in the file (triggers dropped, payload edited, triggers put back): `verify`
 * fails, and every way of booking — the engine through the handler table, the CLI's single
 * commands, and `apply` (the pipelined bulk path) — must refuse with INTEGRITY and write
 * nothing, not only the hosts that verify the whole chain in the background.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, dispatch } from '#engine/handlers';
import { Ledger } from '#engine/ledger';
import { hashEvent, type ChainRow } from '#engine/store/hash-chain';
import { checkpointPathFor } from '#engine/store/head-checkpoint';
import { forge, ledgerFingerprint, removeFolder, runCli, scratchFolder } from './helpers';

let folder: string;
let pristine: string;
/** Position of alice's deposit whose amount the forger raises. */
let forgedPosition = 0;

const SELECT_ROW =
  'SELECT position, event_id AS eventId, stream_id AS streamId, stream_version AS streamVersion, type, schema_version AS schemaVersion, ' +
  'data, metadata, recorded_at AS recordedAt, previous_hash AS previousHash, hash FROM events WHERE position = ?';

/** alice's 5.00 deposit now says 5,000.00. */
function raiseAmount(db: Database.Database): ChainRow {
  const row = db.prepare(SELECT_ROW).get(forgedPosition) as ChainRow;
  const data = JSON.parse(row.data) as { amountMinor: number };
  const forged = { ...row, data: JSON.stringify({ ...data, amountMinor: 500_000 }) };
  db.prepare('UPDATE events SET data = ? WHERE position = ?').run(forged.data, forgedPosition);
  return forged;
}

const FORGERIES = [
  { name: 'the amount edited, its hash left as it was', edit: (db: Database.Database) => void raiseAmount(db) },
  {
    // The row is a perfect link again; the next row's previous hash no longer fits.
    name: "the amount edited and that row's hash recomputed",
    edit: (db: Database.Database) => {
      const forged = raiseAmount(db);
      db.prepare('UPDATE events SET hash = ? WHERE position = ?').run(hashEvent(forged.previousHash, forged), forgedPosition);
    },
  },
] as const;

beforeAll(() => {
  folder = scratchFolder('forged-balances');
  pristine = join(folder, 'pristine.db');
  const opened = Ledger.open({ path: pristine, actor: 'reliability-setup' });
  if (!opened.ok) throw new Error(JSON.stringify(opened.error));
  const ledger = opened.value;
  const book = (command: Parameters<Ledger['execute']>[0]) => {
    const result = ledger.execute(command);
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    return result.value;
  };
  book({ name: 'open', input: { account: 'alice', owner: 'Alice', currency: 'EUR', initial: '10.00' } });
  book({ name: 'open', input: { account: 'bob', owner: 'Bob', currency: 'EUR', initial: '0' } });
  forgedPosition = book({ name: 'deposit', input: { account: 'alice', amount: '5.00' } }).position;
  book({ name: 'deposit', input: { account: 'bob', amount: '1.00' } });
  book({ name: 'deposit', input: { account: 'alice', amount: '1.00' } });
  ledger.close();
});

afterAll(() => removeFolder(folder));

function forgedCopy(name: string, edit: (db: Database.Database) => void): string {
  const path = join(folder, `${name}.db`);
  copyFileSync(pristine, path);
  copyFileSync(checkpointPathFor(pristine), checkpointPathFor(path));
  forge(path, edit);
  return path;
}

describe('a command is never decided on a stream whose chain does not verify', () => {
  FORGERIES.forEach((forgery, index) => {
    it(`${forgery.name}: withdraw through the handler table answers INTEGRITY and writes nothing`, async () => {
      const path = forgedCopy(`engine-${index}`, forgery.edit);
      const before = ledgerFingerprint(path);
      const opened = Ledger.open({ path, actor: 'reliability-check' });
      if (!opened.ok) throw new Error(JSON.stringify(opened.error));
      const ledger = opened.value;
      try {
        const table = createHandlers(() => ledger);
        // The forged balance (5,011.00) would cover it; the true one (16.00) would not.
        const answer = await dispatch(table, 'withdraw', { account: 'alice', amount: '1000.00' });
        expect(answer).toMatchObject({ ok: false, error: { code: 'INTEGRITY', message: expect.stringMatching(/position \d+/) } });
        expect(ledger.info()).toMatchObject({ readOnly: true, readOnlyReason: expect.stringMatching(/hash chain is broken at position/) });
        // Once broken, nothing else is booked either.
        expect(await dispatch(table, 'deposit', { account: 'bob', amount: '1.00' })).toMatchObject({
          ok: false,
          error: { code: 'INTEGRITY' },
        });
      } finally {
        ledger.close();
      }
      expect(ledgerFingerprint(path)).toEqual(before);
    });
  });

  it('the CLI: withdraw exits 3 with INTEGRITY, and the file is unchanged', async () => {
    const path = forgedCopy('cli-withdraw', FORGERIES[0].edit);
    const before = ledgerFingerprint(path);
    const run = await runCli(['--db', path, 'withdraw', '--account', 'alice', '--amount', '1000.00']);
    expect(run.code, run.stdout + run.stderr).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: { code: 'INTEGRITY' } });
    expect(ledgerFingerprint(path)).toEqual(before);
    const verify = await runCli(['--db', path, 'verify']);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: false, firstBadPosition: forgedPosition });
  });

  it('the CLI: apply (the pipelined bulk path) answers every line INTEGRITY, and the file is unchanged', async () => {
    const path = forgedCopy('cli-apply', FORGERIES[1].edit);
    const before = ledgerFingerprint(path);
    const lines = [
      { command: 'withdraw', account: 'alice', amount: '1000.00' },
      { command: 'transfer', from: 'alice', to: 'bob', amount: '900.00' },
      { command: 'deposit', account: 'bob', amount: '1.00' },
    ].map((line) => JSON.stringify(line));
    const run = await runCli(['--db', path, 'apply'], `${lines.join('\n')}\n`);
    expect(run.lines, run.stderr).toHaveLength(3);
    for (const line of run.lines) expect(line).toMatchObject({ ok: false, error: { code: 'INTEGRITY' } });
    expect(run.code).not.toBe(0);
    expect(ledgerFingerprint(path)).toEqual(before);
  });

  it('an untouched copy still books through the CLI (the check is not always-fail)', async () => {
    const path = forgedCopy('untouched', () => undefined);
    const run = await runCli(['--db', path, 'withdraw', '--account', 'alice', '--amount', '16.00']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, balanceMinor: 0 });
  });
});
