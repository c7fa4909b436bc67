import { describe, expect, it } from 'vitest';
import type { Figure } from '../../bench/figures';
import { figureKey, growthPerEvent, scaleTable, sizeLabel } from '../../bench/scale-table';

const figure = (name: string, value: number, unit: string, ratio: number | null, met = true): Figure => ({
  name,
  value,
  unit,
  baseline: ratio === null ? null : value / ratio,
  ratio,
  goal: 'g',
  met,
});

describe('the scaling table of the bench', () => {
  it('labels sizes as the issue names them', () => {
    expect([100_000, 300_000, 1_000_000, 2_500_000, 10_000_000, 1_234].map(sizeLabel)).toEqual([
      '100k',
      '300k',
      '1M',
      '2.5M',
      '10M',
      '1,234',
    ]);
  });

  it('matches the export peak across sizes whatever small count an older file named', () => {
    expect(figureKey('export/verify peak RSS (baseline: at 100,487 events)')).toBe(
      figureKey('export/verify peak RSS (baseline: at 1,004,871 events)'),
    );
  });

  it('matches figures named after the ledger’s own size, not those of fixed-size ledgers', () => {
    expect(figureKey('ledger verify: chain, tree and seals (301,040 events)')).toBe('ledger verify: chain, tree and seals (N events)');
    expect(figureKey('seal: the first (checks the whole log, 1,001,040 events)')).toBe('seal: the first (checks the whole log, N events)');
    expect(figureKey('tree upkeep: share of bulk append (101,040 events, threads counted as not overlapping)')).toBe(
      'tree upkeep: share of bulk append (N events, threads counted as not overlapping)',
    );
    const fixed = 'statement: a month without activity (account with 100,000 events), median';
    expect(figureKey(fixed)).toBe(fixed);
  });

  it('reports the growth per event: ns added per event for durations, µs per event for rates, bytes per event for memory', () => {
    expect(growthPerEvent('ms', { events: 1_000_000, value: 2_000 }, { events: 10_000_000, value: 47_000 })).toBe('+5,000 ns/event');
    expect(growthPerEvent('ms', { events: 1_000_000, value: 1.5 }, { events: 10_000_000, value: 1.5 })).toBe('+0.00 ns/event');
    expect(growthPerEvent('events/s', { events: 1_000_000, value: 50_000 }, { events: 10_000_000, value: 40_000 })).toBe(
      '20.0 → 25.0 µs/event',
    );
    expect(growthPerEvent('MB', { events: 1_000_000, value: 300 }, { events: 2_000_000, value: 400 })).toBe('+105 bytes/event');
    expect(growthPerEvent('%', { events: 1, value: 1 }, { events: 2, value: 2 })).toBeNull();
  });

  it('puts each figure on one row with value, ratio and met per size, "not run" where a size is missing', () => {
    const table = scaleTable([
      { label: '100k', results: { events: 100_000, figures: [figure('startup', 200, 'ms', 1.2), figure('memory', 90, 'MB', null)] } },
      { label: '1M', results: { events: 1_000_000, figures: [figure('startup', 2_000, 'ms', 0.9, false)] } },
      { label: '10m', results: null },
    ]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(4);
    const cells = (line: string) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim());
    expect(cells(lines[0]!)).toEqual([
      'figure',
      '100k value',
      '100k ratio',
      '100k met',
      '1M value',
      '1M ratio',
      '1M met',
      '10m value',
      '10m ratio',
      '10m met',
      'growth per event',
    ]);
    expect(cells(lines[2]!)).toEqual([
      'startup',
      '200 ms',
      '1.20',
      'yes',
      '2,000 ms',
      '0.90',
      'NO',
      'not run',
      '',
      '',
      '100k→1M: +2,000 ns/event',
    ]);
    expect(cells(lines[3]!)).toEqual(['memory', '90.0 MB', '—', 'yes', '—', '', '', 'not run', '', '', '']);
    expect(
      scaleTable([
        { label: 'a', results: { events: 1_000_000, figures: [figure('memory', 300, 'MB', null)] } },
        { label: 'b', results: { events: 2_000_000, figures: [figure('memory', 400, 'MB', null)] } },
      ]),
    ).toContain('| a→b: +105 bytes/event |');
  });
});
