/**
 * While another process holds the ledger's write lock, the preview host keeps answering:
 * a command waits for the lock off the event loop (and is booked once the lock is free, or
 * answers STORAGE if it never is), and reads are answered meanwhile.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, runCli, startPreviewHost, temporaryFolder, type PreviewHost } from './support/preview-host';

/** Only keeps a broken build from hanging the file; the assertions are about order, not time. */
const SAFETY_CAP_MS = 15_000;

describe('the preview host while another process writes', () => {
  const temporary = temporaryFolder('ledger-preview-busy');
  const database = join(temporary.folder, 'ledger.db');
  let host: PreviewHost;

  beforeAll(async () => {
    await runCli(database, ['open', '--account', 'acc-1', '--owner', 'Ada', '--currency', 'EUR', '--initial', '10']);
    host = await startPreviewHost(database);
  });

  afterAll(async () => {
    await host?.stop();
    temporary.remove();
  });

  it('answers reads while a deposit waits for the lock, then books the deposit once', async () => {
    const holder = new Database(database);
    holder.exec('BEGIN IMMEDIATE');
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      holder.exec('ROLLBACK');
    };
    const cap = setTimeout(release, SAFETY_CAP_MS);
    try {
      const order: string[] = [];
      const deposit = callApi(host, 'deposit', { account: 'acc-1', amount: '2.50', commandId: 'busy-deposit-1' }).then((answer) => {
        order.push(released ? 'deposit after release' : 'deposit while locked');
        return answer;
      });
      // The deposit reached the host first: it is now waiting for the lock.
      await new Promise((done) => setTimeout(done, 300));
      const read = await callApi(host, 'getAccount', { account: 'acc-1' });
      order.push(released ? 'read after release' : 'read while locked');
      expect(read.json).toMatchObject({ ok: true, value: { balance: '10.00' } });
      expect(order).toEqual(['read while locked']);

      release();
      const booked = await deposit;
      expect(booked.json, JSON.stringify(booked.json)).toMatchObject({ ok: true, value: { balance: '12.50' } });
      expect(order).toEqual(['read while locked', 'deposit after release']);
      const after = await callApi(host, 'getAccount', { account: 'acc-1' });
      expect(after.json.value.balance).toBe('12.50');
    } finally {
      clearTimeout(cap);
      release();
      holder.close();
    }
  });

  it('answers STORAGE in plain words when the lock is never released, having written nothing', async () => {
    const holder = new Database(database);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const refused = await callApi(host, 'withdraw', { account: 'acc-1', amount: '1', commandId: 'busy-withdraw-1' });
      expect(refused.json).toMatchObject({ ok: false, error: { code: 'STORAGE' } });
      expect(refused.json.error.message).toContain('Nothing was recorded');
      expect(refused.json.error.message).toContain(database);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    const account = await callApi(host, 'getAccount', { account: 'acc-1' });
    expect(account.json.value.balance).toBe('12.50');
  });
});
