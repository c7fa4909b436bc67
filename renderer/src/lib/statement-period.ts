/**
 * The statement's period: two calendar days, both inclusive, in UTC (the engine's rule in
 * shared/statement.ts), and the presets a person picks most. Pure, so the presets are tested
 * for any "today", month ends and year ends included.
 */

export type PeriodPreset = 'this-month' | 'last-month' | 'this-year' | 'all-time';

export const PERIOD_PRESETS: ReadonlyArray<{ readonly preset: PeriodPreset; readonly label: string }> = [
  { preset: 'this-month', label: 'This month' },
  { preset: 'last-month', label: 'Last month' },
  { preset: 'this-year', label: 'This year' },
  { preset: 'all-time', label: 'All time' },
];

/** From and to as `<input type="date">` text ("2026-12-01"); '' means open-ended (the account's opening day, or today). */
export type PeriodForm = { from: string; to: string };

/** The UTC calendar day of a moment, YYYY-MM-DD. */
export function utcDay(moment: Date): string {
  return moment.toISOString().slice(0, 10);
}

function day(year: number, monthIndex: number, date: number): string {
  return utcDay(new Date(Date.UTC(year, monthIndex, date)));
}

/** The days a preset stands for, as of `now`; a period running now ends today (no statement covers days to come). */
export function presetPeriod(preset: PeriodPreset, now: Date): PeriodForm {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  switch (preset) {
    case 'this-month':
      return { from: day(year, month, 1), to: utcDay(now) };
    case 'last-month':
      return { from: day(year, month - 1, 1), to: day(year, month, 0) };
    case 'this-year':
      return { from: day(year, 0, 1), to: utcDay(now) };
    case 'all-time':
      return { from: '', to: '' };
  }
}

/** The preset the form's days are exactly, if any (so its button shows as chosen). */
export function presetOf(form: PeriodForm, now: Date): PeriodPreset | undefined {
  return PERIOD_PRESETS.map(({ preset }) => preset).find((preset) => {
    const period = presetPeriod(preset, now);
    return period.from === form.from && period.to === form.to;
  });
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function isDay(text: string): boolean {
  if (!DAY.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && utcDay(date) === text;
}

export type PeriodCheck =
  | { readonly ok: true; readonly request: { from?: string; to?: string } }
  | { readonly ok: false; readonly errors: { from?: string; to?: string } };

/** The form as the statement request's period, or a sentence for each field that cannot be sent. */
export function checkPeriod(form: PeriodForm): PeriodCheck {
  const errors: { from?: string; to?: string } = {};
  if (form.from !== '' && !isDay(form.from)) errors.from = 'Pick a date.';
  if (form.to !== '' && !isDay(form.to)) errors.to = 'Pick a date.';
  if (!errors.from && !errors.to && form.from !== '' && form.to !== '' && form.from > form.to) {
    errors.to = 'The end date is before the start date.';
  }
  if (errors.from || errors.to) return { ok: false, errors };
  return { ok: true, request: { ...(form.from === '' ? {} : { from: form.from }), ...(form.to === '' ? {} : { to: form.to }) } };
}
