/**
 * A benchmark figure: one measured value, the baseline measured beside it in the same run
 * (where there is one), their ratio, and whether the goal is met. Only ratios compare across
 * runs: the machines are shared and noisy, absolute numbers move with the neighbours.
 */

export type Figure = {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The bare-SQLite counterpart measured in the same run, or null when the goal is absolute. */
  readonly baseline: number | null;
  /** value / baseline for rates and latencies, baseline / value for durations (see `ratioOf`); null without a baseline. */
  readonly ratio: number | null;
  /** The goal in words: a bound on the ratio ("ratio ≥ 0.6") or on the value in its unit. */
  readonly goal: string;
  readonly met: boolean;
};

/** A rate (higher is better) against its baseline rate: met when value / baseline ≥ minimum. */
export function rateAgainst(name: string, value: number, unit: string, baseline: number, minimum: number): Figure {
  const ratio = value / baseline;
  return { name, value, unit, baseline, ratio, goal: `ratio ≥ ${minimum}`, met: ratio >= minimum };
}

/** A duration (lower is better) against its baseline duration: ratio = baseline / value, met when ≥ minimum. */
export function durationAgainst(name: string, value: number, unit: string, baseline: number, minimum: number): Figure {
  const ratio = baseline / value;
  return { name, value, unit, baseline, ratio, goal: `ratio ≥ ${minimum}`, met: ratio >= minimum };
}

/** A latency against its baseline latency: ratio = value / baseline (how many times slower), met when ≤ maximum. */
export function latencyAgainst(name: string, value: number, unit: string, baseline: number, maximum: number | null): Figure {
  const ratio = value / baseline;
  return {
    name,
    value,
    unit,
    baseline,
    ratio,
    goal: maximum === null ? 'reported' : `≤ ${maximum}× baseline`,
    met: maximum === null ? true : ratio <= maximum,
  };
}

export function atMost(name: string, value: number, unit: string, maximum: number): Figure {
  return { name, value, unit, baseline: null, ratio: null, goal: `≤ ${maximum} ${unit}`, met: value <= maximum };
}

export function atLeast(name: string, value: number, unit: string, minimum: number): Figure {
  return { name, value, unit, baseline: null, ratio: null, goal: `≥ ${formatNumber(minimum)} ${unit}`, met: value >= minimum };
}

/** A figure whose goal is stated by the caller (e.g. "flat from 100k to 1M"). */
export function custom(name: string, value: number, unit: string, baseline: number | null, goal: string, met: boolean): Figure {
  return { name, value, unit, baseline, ratio: baseline === null ? null : value / baseline, goal, met };
}

export function formatNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) >= 1000) return value.toLocaleString('en-US');
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Percentile by nearest rank (p in 0..100) of an unsorted sample. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}
