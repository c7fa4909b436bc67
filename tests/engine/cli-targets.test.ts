/**
 * Issue 16.1 — a ledger target must be a file on disk. SQLite would accept "", ":memory:" and
 * "file:" URIs and answer every write with positions that vanish when the process exits; the
 * CLI and the preview host refuse them (VALIDATION, exit 2) before opening or creating anything.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseLedgerTarget } from '#engine/ledger-target';
import { runCli } from './cli-process';
import { repoRoot, tempFolder } from './helpers';

const REFUSED_TARGETS = [
  '',
  '   ',
  ':memory:',
  'file::memory:',
  'file::memory:?cache=shared',
  'file:ledger.db',
  'file:///tmp/x.db?mode=memory',
  'x.db/',
  'sub/',
];

describe('parseLedgerTarget', () => {
  it('refuses every target that is not a path to a file on disk, with a plain sentence', () => {
    const folder = tempFolder();
    for (const text of [...REFUSED_TARGETS, folder, 'a\0b']) {
      const target = parseLedgerTarget(text);
      expect(target.ok, JSON.stringify(text)).toBe(false);
      if (!target.ok) {
        expect(target.error.code).toBe('VALIDATION');
        expect(target.error.message).toMatch(/^[A-Z].*[a-z]/);
      }
    }
  });

  it('accepts plain paths, relative or absolute, existing or not', () => {
    const folder = tempFolder();
    for (const text of ['ledger.db', './ledger.db', join(folder, 'new.db'), 'C:\\ledgers\\a.db', 'my:ledger.db']) {
      expect(parseLedgerTarget(text), text).toEqual({ ok: true, value: { kind: 'file', path: text } });
    }
  });
});

describe('ledger --db', () => {
  it('refuses targets that are not files on disk with VALIDATION, exit 2, creating nothing', async () => {
    const cwd = tempFolder();
    mkdirSync(join(cwd, 'folder.db'));
    const deposit = ['deposit', '--account', 'a', '--amount', '1'];
    const runs = await Promise.all([
      ...REFUSED_TARGETS.map((db) => runCli(['--db', db, ...deposit], '', { cwd })),
      runCli(['--db', 'folder.db', 'accounts'], '', { cwd }),
      runCli(['open', '--account', 'a', '--owner', 'A', '--currency', 'EUR'], '', { cwd, env: { LEDGER_DB: ':memory:' } }),
      runCli(['apply'], '{"command":"open","account":"a","owner":"A","currency":"EUR"}\n', { cwd, env: { LEDGER_DB: 'file::memory:' } }),
    ]);
    for (const run of runs) {
      expect(run.code, run.stdout + run.stderr).toBe(2);
      expect(run.lines).toEqual([
        { ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/file on disk|path separator|folder|URI/) } },
      ]);
    }
    // Nothing was created: no ledger, no -wal, no .head.json in the working directory.
    expect(readdirSync(cwd)).toEqual(['folder.db']);
    expect(readdirSync(join(cwd, 'folder.db'))).toEqual([]);
  });
});

describe('npm run preview -- --db', () => {
  it('refuses an empty or in-memory ledger before building or opening anything', async () => {
    const serve = join(repoRoot, 'electron/hosts/preview/serve.ts');
    const runs = await Promise.all(
      ['', ':memory:'].map((db) =>
        promisify(execFile)(process.execPath, ['--import', 'tsx', serve, '--db', db, '--port', '0'], {
          cwd: repoRoot,
          env: { ...process.env, LEDGER_DB: '', NODE_OPTIONS: '' },
        }).then(
          () => ({ code: 0, stderr: '', stdout: '' }),
          (error: { code: number; stderr: string; stdout: string }) => error,
        ),
      ),
    );
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stdout).toBe('');
    }
    expect(runs[0]!.stderr).toMatch(/ledger file is empty/);
    expect(runs[1]!.stderr).toMatch(/in-memory ledger keeps nothing/);
    // An empty name used to leave the head checkpoint ".head.json" in the working directory.
    expect(existsSync(join(repoRoot, '.head.json'))).toBe(false);
  });
});
