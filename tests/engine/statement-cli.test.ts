/**
 * Issue 15.3 — `ledger statement`: JSON on stdout by default, CSV on stdout or to --out, PDF
 * only to --out; --out by the export's rules (never the ledger or a file beside it, never
 * through a link or into a folder, an existing file only with --force, nothing partial left);
 * and typed refusals with the CLI's exit codes (1 for a refusal, 2 for a mistake in the
 * command line).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Statement } from '#shared/statement';
import { runCli, type CliRun } from './cli-process';
import { newLedger, ok, sha256File } from './helpers';

function seeded() {
  const seed = newLedger();
  ok(seed.api.openAccount({ account: 'a1', owner: 'Алан', currency: 'EUR', initial: '10.00' }));
  ok(seed.api.deposit({ account: 'a1', amount: '2.50', memo: 'refund' }));
  ok(seed.api.withdraw({ account: 'a1', amount: '0.75' }));
  seed.ledger.close();
  return { db: seed.path, folder: join(seed.path, '..') };
}

function refusal(run: CliRun, code: string, exit: number): string {
  expect(run.code, run.stdout + run.stderr).toBe(exit);
  const answer = run.lines[0] as { ok: boolean; error: { code: string; message: string } };
  expect(answer.ok).toBe(false);
  expect(answer.error.code, answer.error.message).toBe(code);
  return answer.error.message;
}

describe('ledger statement', () => {
  it('prints JSON by default and CSV when asked, and writes a PDF to --out', async () => {
    const { db, folder } = seeded();
    const pdf = join(folder, 'statement.pdf');
    const [json, csv, written] = await Promise.all([
      runCli(['--db', db, 'statement', '--account', 'a1']),
      runCli(['--db', db, 'statement', '--account', 'a1', '--format', 'csv']),
      runCli(['--db', db, 'statement', '--account', 'a1', '--format', 'pdf', '--out', pdf]),
    ]);
    expect(json.code, json.stdout).toBe(0);
    const statement = json.lines[0] as Statement;
    expect(statement).toMatchObject({ account: 'a1', owner: 'Алан', currency: 'EUR', openingBalance: '0.00', closingBalance: '11.75' });
    expect(statement.lines.map((line) => line.amount)).toEqual(['10.00', '2.50', '-0.75']);
    expect(statement.to).toBe(new Date().toISOString().slice(0, 10));
    expect(csv.code).toBe(0);
    expect(
      csv.stdout.startsWith('\uFEFFentry,account,owner,position,recorded_at,type,amount,balance,currency,memo,reverses,reversed_by\r\n'),
    ).toBe(true);
    expect(csv.stdout.trimEnd().split('\r\n')).toHaveLength(6);
    expect(written.code, written.stdout).toBe(0);
    expect(written.lines).toEqual([{ ok: true, path: pdf, format: 'pdf', lines: 3 }]);
    expect(readFileSync(pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(readdirSync(folder).filter((name) => name.endsWith('.partial'))).toEqual([]);
  });

  it('refuses typed: bad dates, an unknown account, a period that ends before it starts, a PDF on the terminal', async () => {
    const { db } = seeded();
    const base = ['--db', db, 'statement'];
    const [badDay, notADate, unknown, inverted, pdfOnTerminal, noAccount, badFormat, forceAlone] = await Promise.all([
      runCli([...base, '--account', 'a1', '--from', '2026-02-30']),
      runCli([...base, '--account', 'a1', '--to', 'yesterday']),
      runCli([...base, '--account', 'nobody']),
      runCli([...base, '--account', 'a1', '--from', '2026-05-02', '--to', '2026-05-01']),
      runCli([...base, '--account', 'a1', '--format', 'pdf']),
      runCli([...base, '--from', '2026-05-01']),
      runCli([...base, '--account', 'a1', '--format', 'xlsx']),
      runCli([...base, '--account', 'a1', '--force']),
    ]);
    expect(refusal(badDay, 'VALIDATION', 1)).toBe('The field "from" is not a real calendar day');
    expect(refusal(notADate, 'VALIDATION', 1)).toBe('The field "to" must be a date such as 2026-12-01');
    expect(refusal(unknown, 'NOT_FOUND', 1)).toBe('Account nobody does not exist');
    expect(refusal(inverted, 'VALIDATION', 1)).toBe('The period must not end before it starts');
    expect(refusal(pdfOnTerminal, 'VALIDATION', 2)).toBe('A PDF statement is written to a file, not to the terminal: give --out FILE.pdf');
    expect(pdfOnTerminal.stdout).not.toContain('%PDF');
    expect(refusal(noAccount, 'VALIDATION', 2)).toBe('statement needs --account ID: ledger statement --account ID');
    expect(refusal(badFormat, 'VALIDATION', 2)).toBe('--format is json, csv or pdf, not "xlsx"');
    expect(refusal(forceAlone, 'VALIDATION', 2)).toBe('--force goes with --out FILE');
  });

  it('--out follows the export rules: not the ledger, its side files, a link, a folder, or an existing file without --force', async () => {
    const { db, folder } = seeded();
    const before = sha256File(db);
    const existing = join(folder, 'existing.csv');
    writeFileSync(existing, 'keep me');
    const elsewhere = join(folder, 'elsewhere.txt');
    writeFileSync(elsewhere, 'not a statement');
    symlinkSync(elsewhere, join(folder, 'link.csv'));
    mkdirSync(join(folder, 'a-folder'));
    const out = (target: string, ...more: string[]) =>
      runCli(['--db', db, 'statement', '--account', 'a1', '--format', 'csv', '--out', target, ...more]);
    const [ledger, wal, head, link, linkForced, folderTarget, missingFolder, notForced] = await Promise.all([
      out(db, '--force'),
      out(`${db}-wal`, '--force'),
      out(`${db}.head.json`, '--force'),
      out(join(folder, 'link.csv')),
      out(join(folder, 'link.csv'), '--force'),
      out(join(folder, 'a-folder')),
      out(join(folder, 'no-such-folder', 'statement.csv')),
      out(existing),
    ]);
    for (const run of [ledger, wal, head]) expect(refusal(run, 'VALIDATION', 1)).toMatch(/the ledger itself or a file kept beside it/);
    for (const run of [link, linkForced])
      expect(refusal(run, 'VALIDATION', 1)).toMatch(/is a symbolic link; an export writes only to a regular file/);
    expect(refusal(folderTarget, 'VALIDATION', 1)).toMatch(/is a folder/);
    expect(refusal(missingFolder, 'NOT_FOUND', 1)).toMatch(/does not exist/);
    expect(refusal(notForced, 'ALREADY_EXISTS', 1)).toBe(`The file ${existing} already exists; pass --force to replace it`);
    expect(sha256File(db)).toBe(before);
    expect(readFileSync(existing, 'utf8')).toBe('keep me');
    expect(readFileSync(elsewhere, 'utf8')).toBe('not a statement');
    expect(existsSync(join(folder, 'no-such-folder'))).toBe(false);

    const forced = await out(existing, '--force');
    expect(forced.lines).toEqual([{ ok: true, path: existing, format: 'csv', lines: 3 }]);
    expect(readFileSync(existing, 'utf8')).toMatch(/^\uFEFFentry,/);
    expect(readdirSync(folder).filter((name) => name.endsWith('.partial'))).toEqual([]);
  });
});
