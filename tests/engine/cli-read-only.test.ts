/**
 * Issue 16.8 — a ledger that is read-only on disk, or locked by another process's write
 * transaction, can still be read: the reading commands open it read-only (WAL lets readers
 * go on beside a writer), and `--read-only` says so explicitly.
 */
import Database from 'better-sqlite3';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliRun } from './cli-process';
import { newLedger, ok, sha256File } from './helpers';

function seeded() {
  const seed = newLedger();
  ok(seed.api.openAccount({ account: 'a', owner: 'A', currency: 'EUR', initial: '10' }));
  ok(seed.api.openAccount({ account: 'b', owner: 'B', currency: 'EUR' }));
  ok(seed.api.transfer({ from: 'a', to: 'b', amount: '4' }));
  seed.ledger.close();
  return { path: seed.path, folder: join(seed.path, '..') };
}

/** Every reading command, each answering from the three-event ledger. */
function expectEveryReadAnswered(runs: readonly CliRun[]): void {
  for (const run of runs) expect(run.code, run.stdout + run.stderr).toBe(0);
  const [accounts, account, history, events, verify, exported] = runs;
  expect((accounts!.lines[0] as Array<{ id: string; balanceMinor: number }>).map((view) => [view.id, view.balanceMinor])).toEqual([
    ['a', 600],
    ['b', 400],
  ]);
  expect(account!.lines[0]).toMatchObject({ id: 'b', balanceMinor: 400 });
  expect(history!.lines).toHaveLength(2);
  expect(events!.lines).toHaveLength(4);
  expect(verify!.lines).toEqual([{ ok: true, events: 4, head: expect.any(String) }]);
  expect(exported!.lines.at(-1)).toMatchObject({ manifest: { format: 'event-ledger-export', count: 4 } });
}

const READS = (path: string, extra: string[] = []) => [
  ['--db', path, ...extra, 'accounts'],
  ['--db', path, ...extra, 'account', 'b'],
  ['--db', path, ...extra, 'history', 'a'],
  ['--db', path, ...extra, 'events'],
  ['--db', path, ...extra, 'verify'],
  // A signed export stores its seal (a write) when the head is not sealed yet; --unsigned makes none.
  ['--db', path, ...extra, 'export', '--unsigned'],
];

describe('reading a ledger the CLI cannot write', () => {
  it('reads proceed while another process holds the write lock', async () => {
    const { path } = seeded();
    const writer = new Database(path);
    writer.pragma('journal_mode = WAL');
    writer.exec('BEGIN IMMEDIATE');
    try {
      const runs = await Promise.all(READS(path).map((args) => runCli(args)));
      expectEveryReadAnswered(runs);
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
    }
  });

  it('reads a ledger whose file is read-only (chmod 0444); writes are refused in plain words', async () => {
    const { path } = seeded();
    chmodSync(path, 0o444);
    const before = sha256File(path);
    const runs = await Promise.all([
      ...READS(path).map((args) => runCli(args)),
      ...READS(path, ['--read-only']).map((args) => runCli(args)),
      runCli(['--db', path, 'deposit', '--account', 'a', '--amount', '1']),
      runCli(['--db', path, '--read-only', 'deposit', '--account', 'a', '--amount', '1']),
    ]);
    expectEveryReadAnswered(runs.slice(0, 6));
    expectEveryReadAnswered(runs.slice(6, 12));
    const [deposit, readOnlyDeposit] = runs.slice(12);
    expect(deposit!.code).toBe(1);
    expect(deposit!.lines).toEqual([{ ok: false, error: { code: 'STORAGE', message: expect.stringMatching(/is read-only/) } }]);
    expect(readOnlyDeposit!.code).toBe(2);
    expect(readOnlyDeposit!.lines).toEqual([
      { ok: false, error: { code: 'VALIDATION', message: '--read-only is for commands that only read; deposit records' } },
    ]);
    expect(sha256File(path)).toBe(before);
  });

  it('--read-only never creates a ledger', async () => {
    const { folder } = seeded();
    const missing = join(folder, 'missing.db');
    const run = await runCli(['--db', missing, '--read-only', 'accounts']);
    expect(run.code).toBe(1);
    expect(run.lines).toEqual([{ ok: false, error: { code: 'STORAGE', message: expect.stringMatching(/does not exist/) } }]);
    writeFileSync(join(folder, 'marker'), '');
  });
});
