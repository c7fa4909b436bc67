/**
 * Issue 16.7 — ordinary mistakes get typed answers in plain words: a file to read that is
 * missing or a folder is NOT_FOUND / VALIDATION (never INTEGRITY: a typo is not tampering),
 * and no ledger is created on its account. `apply … | head` stops cleanly when its reader
 * goes away: what was committed stays, no later line is started, no stack trace.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it, vi } from 'vitest';
import { runCli, spawnCli } from './cli-process';
import { newLedger, ok, openLedger, tempFolder } from './helpers';

describe('files the CLI is told to read', () => {
  it('a missing file or a folder is answered typed, exit 1, and creates no ledger', async () => {
    const folder = tempFolder();
    const db = join(folder, 'never-created.db');
    const missing = join(folder, 'typo.jsonl');
    const cases: Array<{ args: string[]; code: string; message: RegExp }> = [
      { args: ['apply', '--file', missing], code: 'NOT_FOUND', message: /typo\.jsonl does not exist/ },
      { args: ['apply', '--file', folder], code: 'VALIDATION', message: /is a folder; --file needs a file/ },
      { args: ['import', '--file', missing], code: 'NOT_FOUND', message: /does not exist/ },
      { args: ['import', '--file', folder], code: 'VALIDATION', message: /is a folder/ },
      { args: ['import', '--legacy', '--currency', 'EUR', '--file', missing], code: 'NOT_FOUND', message: /does not exist/ },
      { args: ['verify', '--file', missing], code: 'NOT_FOUND', message: /does not exist/ },
      { args: ['verify', '--file', folder], code: 'VALIDATION', message: /is a folder/ },
      { args: ['apply', '--file', '/dev/null/x'], code: 'VALIDATION', message: /cannot be examined/ },
    ];
    const runs = await Promise.all(cases.map(({ args }) => runCli(['--db', db, ...args])));
    cases.forEach(({ args, code, message }, index) => {
      const run = runs[index]!;
      expect(run.code, `${args.join(' ')}: ${run.stdout}${run.stderr}`).toBe(1);
      expect(run.lines).toEqual([{ ok: false, error: { code, message: expect.stringMatching(message) } }]);
      expect(run.stderr).toBe('');
    });
    expect(readdirSync(folder)).toEqual([]);
  });

  it('reading commands on a ledger that does not exist answer typed and create nothing', async () => {
    const folder = tempFolder();
    const db = join(folder, 'typo.db');
    const runs = await Promise.all([runCli(['--db', db, 'accounts']), runCli(['--db', db, 'verify']), runCli(['--db', db, 'export'])]);
    for (const run of runs) {
      expect(run.code).toBe(1);
      expect(run.lines).toEqual([{ ok: false, error: { code: 'STORAGE', message: expect.stringMatching(/typo\.db does not exist/) } }]);
    }
    expect(readdirSync(folder)).toEqual([]);
  });
});

describe('apply when its reader goes away (| head)', () => {
  it('commits what it handed to the writer, starts nothing after, and exits without a trace', async () => {
    const { path, ledger, api } = newLedger();
    ok(api.openAccount({ account: 'p', owner: 'P', currency: 'EUR' }));
    ledger.close();
    const deposit = (commandId: string) => JSON.stringify({ command: 'deposit', account: 'p', amount: '1', commandId });

    const child = spawnCli(['--db', path, 'apply']);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal })),
    );
    const answers = createInterface({ input: child.stdout });
    const firstAnswer = new Promise<string>((resolve) => answers.once('line', resolve));
    child.stdin.on('error', () => undefined);

    child.stdin.write(`${deposit('first')}\n`);
    expect(JSON.parse(await firstAnswer)).toMatchObject({ ok: true, line: 1 });
    // The reader goes away, as `head -1` does after its line.
    answers.close();
    child.stdout.destroy();
    // This line is committed; printing its answer is what tells apply its reader is gone.
    child.stdin.write(`${deposit('second')}\n`);
    // Apply stops reading once its reader is gone, and exits without waiting for the end of its input.
    await vi.waitFor(() => expect(child.exitCode, 'apply has exited').not.toBeNull(), { timeout: 30_000, interval: 20 });
    // Sent after apply stopped: never started.
    child.stdin.write(`${deposit('late-1')}\n${deposit('late-2')}\n`);
    child.stdin.end();

    const { code, signal } = await exited;
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const reopened = openLedger(path);
    expect(reopened.verify()).toMatchObject({ ok: true, events: 3 });
    expect(ok(reopened.getAccount('p'))).toMatchObject({ balanceMinor: 200, version: 3 });
    expect(existsSync(path)).toBe(true);
  });
});
