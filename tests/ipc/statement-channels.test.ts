/**
 * Issue 15.3 — the statement channels as every host calls them (the handler table): `statement`
 * answers the preview's Statement; `saveStatement` asks the HOST where to write (the page never
 * names a path), refuses before asking when the statement cannot be made, writes nothing when
 * the dialog is cancelled, and answers what it wrote. The preview host's stand-in for the
 * dialog names a fresh file in its folder, never one that exists.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHandlers, type StatementFileChoice } from '#engine/handlers';
import { freshStatementPath } from '../../electron/hosts/preview/export-folder';
import { failure, newLedger, ok, tempFolder } from '../engine/helpers';

function seeded() {
  const made = newLedger();
  ok(made.api.openAccount({ account: 'a1', owner: '李白', currency: 'EUR', initial: '12.34' }));
  ok(made.api.withdraw({ account: 'a1', amount: '2.34', memo: 'tea' }));
  return made;
}

describe('the statement channels', () => {
  it('statement answers the account over the period, validated like every channel', () => {
    const { api } = seeded();
    const today = new Date().toISOString().slice(0, 10);
    expect(ok(api.statement({ account: 'a1' }))).toMatchObject({ from: today, to: today, openingBalance: '0.00', closingBalance: '10.00' });
    failure(api.statement({ account: 'a1', to: 20260501 }), 'VALIDATION');
    failure(api.statement(undefined), 'VALIDATION');
    failure(api.statement({ account: 'a 1' }), 'VALIDATION');
  });

  it('saveStatement asks the host where, writes there, and answers what it wrote', async () => {
    const { ledger } = seeded();
    const folder = tempFolder();
    const asked: StatementFileChoice[] = [];
    let answer: string | undefined = join(folder, 'chosen.pdf');
    const api = createHandlers(() => ledger, {
      chooseStatementPath: async (choice) => {
        asked.push(choice);
        return answer;
      },
    });
    const today = new Date().toISOString().slice(0, 10);
    const saved = ok(await api.saveStatement({ statement: { account: 'a1', from: '2026-01-01' }, format: 'pdf' }));
    expect(saved).toEqual({ path: join(folder, 'chosen.pdf'), format: 'pdf', lines: 2 });
    expect(asked).toEqual([{ account: 'a1', from: '2026-01-01', to: today, format: 'pdf' }]);
    expect(readFileSync(saved!.path).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // The dialog asked before replacing, so an existing file is replaced (whole, never half).
    answer = join(folder, 'chosen.csv');
    writeFileSync(answer, 'old');
    expect(ok(await api.saveStatement({ statement: { account: 'a1' }, format: 'csv' }))).toMatchObject({ format: 'csv', lines: 2 });
    expect(readFileSync(answer, 'utf8')).toMatch(/^\uFEFFentry,/);

    answer = undefined;
    expect(ok(await api.saveStatement({ statement: { account: 'a1' }, format: 'json' }))).toBeNull();
    expect(readdirSync(folder).sort()).toEqual(['chosen.csv', 'chosen.pdf']);

    // Refused before any dialog: the account, the period, the format.
    asked.length = 0;
    failure(await api.saveStatement({ statement: { account: 'nobody' }, format: 'pdf' }), 'NOT_FOUND');
    failure(await api.saveStatement({ statement: { account: 'a1', from: '2026-02-02', to: '2026-02-01' }, format: 'pdf' }), 'VALIDATION');
    failure(await api.saveStatement({ statement: { account: 'a1' }, format: 'docx' }), 'VALIDATION');
    failure(await api.saveStatement({ statement: { account: 'a1' }, format: 'pdf', path: '/tmp/x.pdf' }), 'VALIDATION');
    expect(asked).toEqual([]);
  });

  it('saveStatement refuses where the host cannot ask, and never writes over the ledger', async () => {
    const { ledger, api, path } = seeded();
    expect(failure(await api.saveStatement({ statement: { account: 'a1' }, format: 'pdf' }), 'VALIDATION').message).toBe(
      'Saving a statement is not available in this window',
    );
    const careless = createHandlers(() => ledger, { chooseStatementPath: async () => path });
    failure(await careless.saveStatement({ statement: { account: 'a1' }, format: 'json' }), 'VALIDATION');
    expect(ok(ledger.getAccount('a1')).balance).toBe('10.00');
  });

  it("the preview's stand-in names a fresh file: the dialog's name, then -2, -3, …", () => {
    const folder = tempFolder();
    const handedOut = new Set<string>();
    const choice: StatementFileChoice = { account: 'a1', from: '2026-03-01', to: '2026-03-31', format: 'pdf' };
    const first = freshStatementPath(folder, choice, handedOut);
    expect(first).toBe(join(folder, 'statement-a1-2026-03-01-to-2026-03-31.pdf'));
    writeFileSync(join(folder, 'statement-a1-2026-03-01-to-2026-03-31-2.pdf'), 'taken');
    expect(freshStatementPath(folder, choice, handedOut)).toBe(join(folder, 'statement-a1-2026-03-01-to-2026-03-31-3.pdf'));
    expect(existsSync(first)).toBe(false);
  });
});
