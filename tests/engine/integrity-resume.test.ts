/**
 * In a host that verifies in the background, a command pays for no walk of its own appends:
 * the walk of what it appended runs after it answers, against the head checkpoint as it is
 * then (it may lag the commit, never lead it). The next command still records nothing on a
 * chain it has not checked, appends by another connection included.
 */
import { describe, expect, it } from 'vitest';
import { readCheckpoint } from '#engine/store/head-checkpoint';
import { failure, newLedger, ok, openLedger, withConnection } from './helpers';

const deposit = { name: 'deposit', input: { account: 'a', amount: '1.00' } } as const;

async function appLedger() {
  const { path, ledger: seeding } = newLedger();
  ok(seeding.execute({ name: 'open', input: { account: 'a', owner: 'Ada', currency: 'EUR', initial: '0' } }));
  ok(seeding.execute(deposit));
  seeding.close();
  const ledger = openLedger(path, { verifyInBackground: true });
  expect(await ledger.integrity.verify()).toMatchObject({ state: 'verified', verifiedThrough: 2 });
  return { path, ledger };
}

describe('the walk of a command’s own appends', () => {
  it('runs after the command answers, and accepts a head checkpoint that lags the commit', async () => {
    const { path, ledger } = await appLedger();
    const receipt = ok(ledger.execute(deposit));
    expect(receipt.position).toBe(3);
    // Nothing of the walk ran inside the command: neither the verified point nor the checkpoint moved.
    expect(ledger.integrity.status).toMatchObject({ state: 'verified', verifiedThrough: 2 });
    expect(readCheckpoint(path)?.position).toBe(2);
    expect(await ledger.integrity.verify()).toMatchObject({ state: 'verified', verifiedThrough: 3, head: ledger.logHead().hash });
    // Further commands walk on from there, each one's appends verified after it.
    for (let i = 0; i < 5; i++) ok(ledger.execute(deposit));
    expect(await ledger.integrity.verify()).toMatchObject({ state: 'verified', verifiedThrough: 8, head: ledger.logHead().hash });
    // A whole walk brings the checkpoint up to the head and holds it against the log.
    expect(ledger.verify()).toMatchObject({ ok: true, events: 8 });
    expect(readCheckpoint(path)).toMatchObject({ position: 8, hash: ledger.logHead().hash });
    ledger.close();
  });

  it('the next command checks what the walk has not reached yet', () => {
    const { path, ledger: seeding } = newLedger();
    ok(seeding.execute({ name: 'open', input: { account: 'a', owner: 'Ada', currency: 'EUR', initial: '0' } }));
    seeding.close();
    const ledger = openLedger(path, { verifyInBackground: true });
    // No await in between: each command's own appends are still unwalked when the next one starts.
    for (let i = 0; i < 3; i++) ok(ledger.execute(deposit));
    expect(ledger.integrity.status).toMatchObject({ state: 'verified', verifiedThrough: 3 });
    ledger.close();
  });

  it('refuses the next command when another connection appended a row that breaks the chain', async () => {
    const { path, ledger } = await appLedger();
    ok(ledger.execute(deposit));
    await ledger.integrity.verify();
    withConnection(path, (db) => {
      db.prepare(
        `INSERT INTO events (position, event_id, stream_id, stream_version, type, schema_version, data, metadata,
           recorded_at, previous_hash, hash)
         SELECT position + 1, event_id || '-forged', stream_id, stream_version + 1, type, schema_version,
           '{"amountMinor":100000,"currency":"EUR"}', metadata, recorded_at, hash, hash
         FROM events WHERE position = 3`,
      ).run();
    });
    failure(ledger.execute(deposit), 'INTEGRITY');
    expect(ledger.logHead().position).toBe(4);
    expect(ledger.integrity.status).toMatchObject({ state: 'failed', firstBadPosition: 4 });
    expect(ledger.info()).toMatchObject({ readOnly: true });
    ledger.close();
  });
});
