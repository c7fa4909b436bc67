/**
 * Issue 16, item 8 — a killed restore. `ledger import --file EXPORT` restores into a new
 * file; a SIGKILL in the middle must not leave a ledger (empty or half-restored) under the
 * target's name. The restore writes a temporary in the same folder and gives it the target's
 * name only once restored and verified; the next run removes the killed one's temporary.
 */
import { createWriteStream, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Ledger } from '#engine/ledger';
import { removeFolder, runCli, scratchFolder, spawnCli } from './helpers';

/** Enough events that the restore takes a few seconds: time to be killed in the middle. */
const DEPOSIT_BATCHES = 60;
/** The opening event and 1,000 deposits a batch. */
const EVENTS = 1 + DEPOSIT_BATCHES * 1_000;

let folder: string;
let exportPath: string;

beforeAll(async () => {
  folder = scratchFolder('killed-restore');
  const source = join(folder, 'source.db');
  const opened = Ledger.open({ path: source, actor: 'reliability-setup' });
  if (!opened.ok) throw new Error(JSON.stringify(opened.error));
  const ledger = opened.value;
  ledger.execute({ name: 'open', input: { account: 'a1', owner: 'Alice', currency: 'EUR', initial: '0' } });
  const deposits = Array.from({ length: 1_000 }, () => ({ name: 'deposit' as const, input: { account: 'a1', amount: '1.00' } }));
  for (let batch = 0; batch < DEPOSIT_BATCHES; batch++) ledger.executeBatch(deposits);
  exportPath = join(folder, 'export.jsonl');
  const out = createWriteStream(exportPath);
  await ledger.exportJsonLines(out);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  ledger.close();
}, 120_000);

afterAll(() => removeFolder(folder));

const temporariesOf = (name: string) => readdirSync(folder).filter((entry) => entry.startsWith(`.${name}.restoring-`));

describe('a restore killed in the middle leaves no ledger behind', () => {
  it('SIGKILL mid-restore: no file under the target name; the next restore removes the leftover and completes', async () => {
    const target = join(folder, 'restored.db');
    const child = spawnCli(['--db', target, 'import', '--file', exportPath]);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    // Killed once rows are being written (a write-ahead log exists, under whichever name it writes).
    const writing = () => existsSync(`${target}-wal`) || temporariesOf('restored.db').some((name) => name.endsWith('-wal'));
    await vi.waitFor(() => expect(writing(), 'the restore never started writing').toBe(true), { timeout: 60_000, interval: 10 });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    expect(existsSync(target), 'a killed restore left a file under the target name').toBe(false);
    expect(temporariesOf('restored.db').length).toBeGreaterThan(0);

    const again = await runCli(['--db', target, 'import', '--file', exportPath]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(temporariesOf('restored.db')).toEqual([]);
    const verify = await runCli(['--db', target, 'verify']);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, events: EVENTS });
  }, 180_000);

  it('a restore refused (the export fails verification) leaves neither the target nor a temporary', async () => {
    const target = join(folder, 'refused.db');
    const bogus = join(folder, 'bogus.jsonl');
    await new Promise<void>((resolve) => createWriteStream(bogus).end('{"not":"an export"}\n', resolve));
    const run = await runCli(['--db', target, 'import', '--file', bogus]);
    expect(run.code).not.toBe(0);
    expect(existsSync(target)).toBe(false);
    expect(temporariesOf('refused.db')).toEqual([]);
  });
});
