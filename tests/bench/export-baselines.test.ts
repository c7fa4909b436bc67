import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bareExport, bareSha256 } from '../../bench/export-baselines';
import { newLedger, ok, tempFolder } from '../engine/helpers';

describe('the export baselines of the bench', () => {
  it('bareExport writes every stored row as one JSON line, in position order, data and metadata as stored', async () => {
    const { path, ledger } = newLedger();
    const deposits = Array.from({ length: 2_345 }, (_, index) => ({
      name: 'deposit' as const,
      input: { account: 'a', amount: `${index + 1}.00` },
    }));
    for (const result of ledger.executeBatch([{ name: 'open', input: { account: 'a', owner: 'A', currency: 'EUR' } }, ...deposits]))
      ok(result);
    const out = join(tempFolder(), 'bare.jsonl');
    expect(await bareExport(path, out)).toBe(2_346);
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    const stored = new Database(path, { readonly: true });
    const rows = stored.prepare('SELECT position, data, metadata FROM events ORDER BY position').all() as Array<{
      position: number;
      data: string;
      metadata: string;
    }>;
    stored.close();
    expect(lines).toHaveLength(rows.length);
    lines.forEach((line, index) => {
      const parsed = JSON.parse(line) as { row: unknown[]; data: unknown; metadata: unknown };
      expect(parsed.row[0]).toBe(rows[index]!.position);
      expect(parsed.data).toEqual(JSON.parse(rows[index]!.data));
      expect(parsed.metadata).toEqual(JSON.parse(rows[index]!.metadata));
    });
  });

  it('bareSha256 is the SHA-256 of the whole file', async () => {
    const file = join(tempFolder(), 'some.jsonl');
    const text = Array.from({ length: 50_000 }, (_, index) => `{"line":${index}}\n`).join('');
    writeFileSync(file, text);
    expect(await bareSha256(file)).toBe(createHash('sha256').update(text).digest('hex'));
  });
});
