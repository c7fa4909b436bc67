/**
 * Real ledger files for the Electron-layer tests: a seeded ledger written by the engine (as
 * the CLI would), an export of it, and the two kinds of damage the app must catch — a payload
 * edited behind the app's back (immutability triggers dropped, hash left as it was) and an
 * export line edited after it was written.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { exportToFile } from '#engine/handlers';
import { Ledger } from '#engine/ledger';
import type { AccountView } from '#shared/views';
import { forge } from '../reliability/helpers';

/** Opens, runs `work`, closes. */
export async function withLedger<T>(path: string, work: (ledger: Ledger) => T | Promise<T>): Promise<T> {
  const opened = Ledger.open({ path, actor: 'test' });
  if (!opened.ok) throw new Error(opened.error.message);
  try {
    return await work(opened.value);
  } finally {
    opened.value.close();
  }
}

/**
 * Two accounts, deposits, a withdrawal, a transfer and a closed account: 8 events.
 * Returns the accounts as the projection shows them.
 */
export async function seedLedger(path: string): Promise<AccountView[]> {
  return withLedger(path, (ledger) => {
    const commands = [
      { name: 'open', input: { account: 'alice', owner: 'Alice', currency: 'EUR', initial: '100.00' } },
      { name: 'open', input: { account: 'bob', owner: 'Bob', currency: 'EUR' } },
      { name: 'deposit', input: { account: 'alice', amount: '7.50', memo: 'refund' } },
      { name: 'withdraw', input: { account: 'alice', amount: '2.25' } },
      { name: 'transfer', input: { from: 'alice', to: 'bob', amount: '40.00', memo: 'rent share' } },
      { name: 'open', input: { account: 'carol', owner: 'Carol', currency: 'USD' } },
      { name: 'close', input: { account: 'carol' } },
    ] as const;
    for (const command of commands) {
      const result = ledger.execute(command as Parameters<Ledger['execute']>[0]);
      if (!result.ok) throw new Error(`${command.name}: ${result.error.message}`);
    }
    return ledger.listAccounts();
  });
}

/** The whole log of `path` as a JSON Lines export at `exportPath`; returns the event count. */
export async function exportLedger(path: string, exportPath: string): Promise<number> {
  return withLedger(path, async (ledger) => {
    const written = await exportToFile(ledger, exportPath, 'jsonl', {});
    if (!written.ok) throw new Error(written.error.message);
    return written.value.events;
  });
}

/**
 * Edits the payload of the event at `position` with a raw connection, the immutability
 * triggers dropped and put back, the stored hash left alone: only a walk of the chain finds it.
 */
export function tamperPayload(path: string, position: number, edit: (data: string) => string): void {
  forge(path, (db) => {
    const { data } = db.prepare('SELECT data FROM events WHERE position = ?').get(position) as { data: string };
    const changed = edit(data);
    if (changed === data) throw new Error('the edit changed nothing');
    db.prepare('UPDATE events SET data = ? WHERE position = ?').run(changed, position);
  });
}

/** Replaces the first occurrence of `from` in an export file (an edit after the export was written). */
export function tamperExport(exportPath: string, from: string, to: string): void {
  const text = readFileSync(exportPath, 'utf8');
  if (!text.includes(from)) throw new Error(`${from} is not in the export`);
  writeFileSync(exportPath, text.replace(from, to));
}
