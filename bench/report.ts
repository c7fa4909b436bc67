/**
 * The bench's output: a table on stdout and bench/results/latest.json.
 */
import Database from 'better-sqlite3';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem, type } from 'node:os';
import { dirname } from 'node:path';
import { formatNumber, type Figure } from './figures';

export type Machine = { readonly cpu: string; readonly cores: number; readonly memoryGb: number; readonly os: string };

export type Results = {
  readonly machine: Machine;
  readonly node: string;
  readonly sqlite: string;
  readonly events: number;
  /** Absent in files written before it was recorded. */
  readonly accounts?: number;
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly figures: readonly Figure[];
};

export function describeMachine(): Machine {
  const processors = cpus();
  return {
    cpu: processors[0]?.model.trim() ?? 'unknown',
    cores: processors.length,
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${type()} ${release()}`,
  };
}

export function sqliteVersion(): string {
  const db = new Database(':memory:');
  try {
    return db.prepare('SELECT sqlite_version()').pluck().get() as string;
  } finally {
    db.close();
  }
}

/** The figures as a Markdown table (readable on a terminal and pasteable into the README). */
export function table(figures: readonly Figure[]): string {
  const rows = figures.map((figure) => [
    figure.name,
    `${formatNumber(figure.value)} ${figure.unit}`,
    figure.baseline === null ? '—' : `${formatNumber(figure.baseline)} ${figure.unit}`,
    figure.ratio === null ? '—' : figure.ratio.toFixed(2),
    figure.goal,
    figure.met ? 'yes' : 'NO',
  ]);
  const header = ['figure', 'value', 'baseline (same run)', 'ratio', 'goal', 'met'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Writes the results file whole (temp file, then rename). */
export function writeResults(path: string, results: Results): void {
  mkdirSync(dirname(path), { recursive: true });
  const rounded = { ...results, figures: results.figures.map(roundFigure) };
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(rounded, null, 2)}\n`);
  renameSync(temporary, path);
}

function roundFigure(figure: Figure): Figure {
  const round = (value: number) => (Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 1000) / 1000);
  return {
    ...figure,
    value: round(figure.value),
    baseline: figure.baseline === null ? null : round(figure.baseline),
    ratio: figure.ratio === null ? null : Math.round(figure.ratio * 1000) / 1000,
  };
}
