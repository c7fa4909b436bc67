/**
 * `npm run bench:scale [-- FILE…]`: prints the scaling table (bench/scale-table.ts) of the
 * given results files, by default bench/results/scale-100k.json, scale-1m.json and
 * scale-10m.json (each written by `npm run bench -- --events N --out FILE`); a file that does
 * not exist is a size shown as "not run".
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Results } from './report';
import { scaleTable, sizeLabel, type ScaleColumn } from './scale-table';

const PROJECT_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const DEFAULT_FILES = ['scale-100k.json', 'scale-1m.json', 'scale-10m.json'].map((name) => join(PROJECT_ROOT, 'bench/results', name));

const files = process.argv.slice(2).length > 0 ? process.argv.slice(2) : DEFAULT_FILES;
const columns: ScaleColumn[] = files.map((file) => {
  if (!existsSync(file)) return { label: basename(file, '.json').replace(/^scale-/, ''), results: null };
  const results = JSON.parse(readFileSync(file, 'utf8')) as Results;
  return { label: sizeLabel(results.events), results };
});
process.stdout.write(`${scaleTable(columns)}\n\n`);
for (const [index, column] of columns.entries()) {
  const results = column.results as Results | null;
  const about = results
    ? `${formatCount(results.events)} events${results.accounts ? ` over ${formatCount(results.accounts)} accounts` : ''}, ` +
      `${results.startedAt}, ${results.durationSeconds} s, ${results.machine.cpu} × ${results.machine.cores}, Node ${results.node}, SQLite ${results.sqlite}`
    : 'not run';
  process.stdout.write(`- ${column.label}: ${about} (${files[index]})\n`);
}

function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}
