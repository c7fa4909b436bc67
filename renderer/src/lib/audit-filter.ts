/**
 * The audit screen's filter form and its translation into the contract's AuditFilter. Pure
 * (no runes, no DOM), so the rules can be tested against the engine's schema directly.
 * A field the person has not finished (an amount such as "12.") gets a sentence of its own and
 * is left out of the filter, so the list never goes blank because of a half-typed value.
 */
import type { AuditFilter } from '../../../shared/audit';
import { EVENT_TYPES, type EventType } from '../../../shared/events';
import { AMOUNT_TEXT_PATTERN } from '../../../shared/money-format';
import { ACCOUNT_ID_PATTERN, characterCount } from '../../../shared/rules';

/** What the person typed, exactly as the form holds it (and sessionStorage keeps it). */
export type FilterForm = {
  text: string;
  account: string;
  types: EventType[];
  /** Local calendar dates from `<input type="date">` ("2026-11-26"), or "". */
  fromDate: string;
  toDate: string;
  minAmount: string;
  maxAmount: string;
};

export type FilterField = keyof FilterForm;

/** Longest free text the engine accepts (auditFilterSchema.text). */
export const FILTER_TEXT_MAX_CHARACTERS = 200;

export function emptyFilterForm(): FilterForm {
  return { text: '', account: '', types: [], fromDate: '', toDate: '', minAmount: '', maxAmount: '' };
}

const DATE_INPUT = /^(\d{4,6})-(\d{2})-(\d{2})$/;

/**
 * A local calendar day's first or last millisecond as ISO-8601 UTC. The person picks days in
 * their own time zone ("recorded at" is shown in local time), so the bounds are local days;
 * the engine's own bare-date rule (whole UTC days) is never relied on.
 */
export function localDayBound(date: string, edge: 'start' | 'end'): string | undefined {
  const match = DATE_INPUT.exec(date);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const start = new Date(year, month - 1, day);
  if (Number.isNaN(start.getTime()) || start.getMonth() !== month - 1) return undefined;
  const time = edge === 'start' ? start.getTime() : new Date(year, month - 1, day + 1).getTime() - 1;
  return new Date(time).toISOString();
}

/** Compares two amount texts that match AMOUNT_TEXT_PATTERN exactly (no floats): -1, 0 or 1. */
export function compareAmounts(a: string, b: string): number {
  const [aWhole = '0', aFraction = ''] = a.split('.');
  const [bWhole = '0', bFraction = ''] = b.split('.');
  const digits = Math.max(aFraction.length, bFraction.length);
  const left = BigInt(aWhole + aFraction.padEnd(digits, '0'));
  const right = BigInt(bWhole + bFraction.padEnd(digits, '0'));
  return left < right ? -1 : left > right ? 1 : 0;
}

export type FilterResult = {
  /** Only the fields that are set and valid: `{}` means "every event". */
  readonly filter: AuditFilter;
  /** A sentence per field that is set but not usable yet. */
  readonly errors: Partial<Record<FilterField, string>>;
};

/** Turns the form into the filter the engine receives, with a sentence for each unusable field. */
export function toAuditFilter(form: FilterForm): FilterResult {
  const errors: Partial<Record<FilterField, string>> = {};
  const filter: {
    -readonly [Key in keyof AuditFilter]: AuditFilter[Key];
  } = {};

  const text = form.text.trim();
  if (text !== '') {
    if (characterCount(text) > FILTER_TEXT_MAX_CHARACTERS) errors.text = `Use at most ${FILTER_TEXT_MAX_CHARACTERS} characters.`;
    else filter.text = text;
  }

  const account = form.account.trim();
  if (account !== '') {
    if (ACCOUNT_ID_PATTERN.test(account)) filter.accounts = [account];
    else errors.account = 'Use an account ID: letters, digits, dots, dashes or underscores.';
  }

  const types = EVENT_TYPES.filter((type) => form.types.includes(type));
  // None ticked and all ticked both mean "every type"; only a real choice narrows the list.
  if (types.length > 0 && types.length < EVENT_TYPES.length) filter.types = types;

  const from = form.fromDate === '' ? undefined : localDayBound(form.fromDate, 'start');
  const to = form.toDate === '' ? undefined : localDayBound(form.toDate, 'end');
  if (form.fromDate !== '' && from === undefined) errors.fromDate = 'Pick a date.';
  if (form.toDate !== '' && to === undefined) errors.toDate = 'Pick a date.';
  if (from !== undefined && to !== undefined && from > to) errors.toDate = 'The end date is before the start date.';
  else {
    if (from !== undefined) filter.from = from;
    if (to !== undefined) filter.to = to;
  }

  const minAmount = form.minAmount.trim();
  const maxAmount = form.maxAmount.trim();
  const amountHint = 'Use digits with an optional decimal point, such as 10.00.';
  const minValid = minAmount !== '' && AMOUNT_TEXT_PATTERN.test(minAmount);
  const maxValid = maxAmount !== '' && AMOUNT_TEXT_PATTERN.test(maxAmount);
  if (minAmount !== '' && !minValid) errors.minAmount = amountHint;
  if (maxAmount !== '' && !maxValid) errors.maxAmount = amountHint;
  if (minValid && maxValid && compareAmounts(minAmount, maxAmount) > 0) errors.maxAmount = 'The maximum is below the minimum.';
  else {
    if (minValid) filter.minAmount = minAmount;
    if (maxValid) filter.maxAmount = maxAmount;
  }

  return { filter, errors };
}

/** How many separate conditions the filter sets (for "Clear filters (3)"). */
export function conditionCount(filter: AuditFilter): number {
  let count = 0;
  if (filter.text !== undefined) count++;
  if (filter.accounts !== undefined) count++;
  if (filter.types !== undefined) count++;
  if (filter.from !== undefined || filter.to !== undefined) count++;
  if (filter.minAmount !== undefined || filter.maxAmount !== undefined) count++;
  return count;
}

export function isEveryEvent(filter: AuditFilter): boolean {
  return conditionCount(filter) === 0;
}

/**
 * Reads a stored form back, keeping only well-formed fields: sessionStorage is ours, but a
 * value from an older version of the app must not break the screen.
 */
export function parseStoredForm(text: string | null): FilterForm {
  const form = emptyFilterForm();
  if (!text) return form;
  let stored: unknown;
  try {
    stored = JSON.parse(text);
  } catch {
    return form;
  }
  if (typeof stored !== 'object' || stored === null) return form;
  const record = stored as Record<string, unknown>;
  for (const key of ['text', 'account', 'fromDate', 'toDate', 'minAmount', 'maxAmount'] as const) {
    const value = record[key];
    if (typeof value === 'string' && value.length <= 1_000) form[key] = value;
  }
  if (Array.isArray(record.types)) {
    form.types = EVENT_TYPES.filter((type) => (record.types as unknown[]).includes(type));
  }
  return form;
}
