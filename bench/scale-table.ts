/**
 * The scaling table (`npm run bench:scale`): the figures of several bench runs of growing size
 * side by side, one row per figure, value / ratio / met at each size, and how the time-like
 * and memory figures grow per event between consecutive sizes. Pure: bench/scale.ts reads the files.
 */
import { formatNumber, type Figure } from './figures';
import type { Results } from './report';

/** One column group: a results file, or null where that size was not run. */
export type ScaleColumn = { readonly label: string; readonly results: Pick<Results, 'events' | 'figures'> | null };

/**
 * The name a figure is matched by across sizes. Some names carry the ledger's own event count
 * at the start of a parenthesis ("ledger verify: … (301,040 events)", "seal: the first (checks
 * the whole log, 301,040 events)"): it becomes N. Counts of fixed-size ledgers
 * ("(account with 100,000 events)") stay. Older files named the export's peak after the
 * small ledger's count ("baseline: at 100,487 events"), which differs at every size.
 */
export function figureKey(name: string): string {
  return name
    .replace(/\(baseline: at [\d,]+ events\)/, '(baseline: at a tenth of the events)')
    .replace(/\((?:checks the whole log, )?[\d,]+ events\b/, (match) => match.replace(/[\d,]+ events/, 'N events'));
}

/** "100k", "1M", "10M", "300k"; other counts as they are. */
export function sizeLabel(events: number): string {
  if (events >= 1_000_000 && events % 100_000 === 0) return `${events / 1_000_000}M`;
  if (events >= 1_000 && events % 1_000 === 0) return `${events / 1_000}k`;
  return formatNumber(events);
}

/**
 * How a time-like or memory figure grows with the log between two sizes:
 *  - a duration or latency (ms): the slope, nanoseconds added per event added — 0 for a
 *    figure that does not grow with the log, the per-event cost for one that grows linearly;
 *  - a rate (…/s): the time per event at each size, in µs (flat when the cost per event is);
 *  - memory (MB): the bytes added per event added — what an event costs once the fixed
 *    costs (runtime, accounts) are left out, which RSS / events at one size cannot show.
 * Null for other units (shares, counts, sizes: their own figures say what they mean).
 */
export function growthPerEvent(
  unit: string,
  from: { events: number; value: number },
  to: { events: number; value: number },
): string | null {
  if (unit === 'ms') {
    const nanoseconds = ((to.value - from.value) * 1e6) / (to.events - from.events);
    return `${nanoseconds >= 0 ? '+' : ''}${formatNumber(nanoseconds)} ns/event`;
  }
  if (unit === 'MB') {
    const bytes = ((to.value - from.value) * 2 ** 20) / (to.events - from.events);
    return `${bytes >= 0 ? '+' : ''}${formatNumber(bytes)} bytes/event`;
  }
  if (unit.endsWith('/s')) return `${formatNumber(1e6 / from.value)} → ${formatNumber(1e6 / to.value)} µs/event`;
  return null;
}

/** The Markdown table: a row per figure (in order of first appearance), three columns per size, then the growth. */
export function scaleTable(columns: readonly ScaleColumn[]): string {
  const keys: string[] = [];
  const byKey = columns.map((column) => {
    const figures = new Map<string, Figure>();
    for (const figure of column.results?.figures ?? []) {
      const key = figureKey(figure.name);
      if (!keys.includes(key)) keys.push(key);
      figures.set(key, figure);
    }
    return figures;
  });
  const header = [
    'figure',
    ...columns.flatMap((column) => [`${column.label} value`, `${column.label} ratio`, `${column.label} met`]),
    'growth per event',
  ];
  const rows = keys.map((key) => {
    const cells = columns.flatMap((column, index) => {
      if (column.results === null) return ['not run', '', ''];
      const figure = byKey[index]!.get(key);
      if (!figure) return ['—', '', ''];
      return [
        `${formatNumber(figure.value)} ${figure.unit}`,
        figure.ratio === null ? '—' : figure.ratio.toFixed(2),
        figure.met ? 'yes' : 'NO',
      ];
    });
    return [key, ...cells, growthCell(columns, byKey, key)];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** The growth between each pair of consecutive sizes that both have the figure ("100k→1M: …; 1M→10M: …"). */
function growthCell(columns: readonly ScaleColumn[], byKey: ReadonlyArray<Map<string, Figure>>, key: string): string {
  const present = columns.flatMap((column, index) => {
    const figure = byKey[index]!.get(key);
    return column.results && figure ? [{ label: column.label, events: column.results.events, figure }] : [];
  });
  const steps: string[] = [];
  for (let index = 1; index < present.length; index++) {
    const from = present[index - 1]!;
    const to = present[index]!;
    if (to.events === from.events || from.figure.unit !== to.figure.unit) continue;
    const growth = growthPerEvent(
      to.figure.unit,
      { events: from.events, value: from.figure.value },
      { events: to.events, value: to.figure.value },
    );
    if (growth !== null) steps.push(`${from.label}→${to.label}: ${growth}`);
  }
  return steps.join('; ');
}
