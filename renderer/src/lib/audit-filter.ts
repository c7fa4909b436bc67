/**
 * The audit screen's filter form and its translation into the contract's AuditFilter. Pure
 * (no runes, no DOM), so the rules can be tested against the engine's schema directly.
 * A field that cannot be used (an amount such as "12.", an account nobody has) gets a sentence
 * of its own and is never sent; the screen then shows no rows and names the field, rather
 * than a list that quietly ignores a condition the person believes is applied.
 */
import type { AuditFilter } from '#shared/audit';
import { readAmountInput } from '#shared/amount-input';
import { EVENT_TYPES, type EventType } from '#shared/events';
import { ACCOUNT_ID_PATTERN, characterCount } from '#shared/rules';

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
/** Most accounts one filter may name (auditFilterSchema.accounts). */
const FILTER_MAX_ACCOUNTS = 50;
/** Longest amount bound the engine accepts (auditFilterSchema's amountBound). */
const AMOUNT_BOUND_MAX_CHARACTERS = 40;

/** The field names as the filter bar labels them, for "the Min amount filter is not valid". */
export const FILTER_LABELS: Record<FilterField, string> = {
  text: 'Search',
  account: 'Account',
  types: 'Types',
  fromDate: 'From date',
  toDate: 'To date',
  minAmount: 'Min amount',
  maxAmount: 'Max amount',
};

/** What the Account field is matched against. */
export type AccountRef = { readonly id: string; readonly owner: string };

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

/**
 * The accounts the Account field names, ignoring case: the account whose id it is, else the
 * accounts whose owner it is. `accounts` undefined (not loaded yet): an id is taken as typed.
 * `named` is how many accounts the text names in all, when `accounts` holds only some of them.
 */
export function resolveAccountField(
  text: string,
  accounts: readonly AccountRef[] | undefined,
  named?: number,
): { ids: string[] } | { error: string } {
  const wanted = text.toLowerCase();
  if (accounts === undefined) {
    return ACCOUNT_ID_PATTERN.test(text) ? { ids: [text] } : { error: 'Use an account ID or an owner’s name.' };
  }
  const byId = accounts.filter((account) => account.id.toLowerCase() === wanted);
  const matched = byId.length > 0 ? byId : accounts.filter((account) => account.owner.trim().toLowerCase() === wanted);
  if (matched.length === 0) return { error: `No account has the ID or owner “${text}”.` };
  if (matched.length > FILTER_MAX_ACCOUNTS) {
    return {
      error: `${Math.max(matched.length, named ?? 0)} accounts belong to “${text}”; type one account ID (at most ${FILTER_MAX_ACCOUNTS} at once).`,
    };
  }
  return { ids: matched.map((account) => account.id) };
}

/** An amount bound as typed under the locale → the engine's decimal text, or a sentence. */
function readBound(text: string, locale: string | undefined): { decimal: string } | { error: string } {
  const reading = readAmountInput(text, undefined, { allowZero: true, locale });
  if (!reading.ok) return { error: reading.problem };
  if (reading.decimal.length > AMOUNT_BOUND_MAX_CHARACTERS) return { error: 'This amount is too long.' };
  return { decimal: reading.decimal };
}

/**
 * Turns the form into the filter the engine receives, with a sentence for each unusable field
 * (left out of `filter`). `accounts` resolves the Account field (`accountMatches`: how many
 * accounts its text names in all, when `accounts` holds only some); `locale` reads amounts.
 */
export function toAuditFilter(
  form: FilterForm,
  options: { accounts?: readonly AccountRef[]; accountMatches?: number; locale?: string } = {},
): FilterResult {
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
    const resolved = resolveAccountField(account, options.accounts, options.accountMatches);
    if ('ids' in resolved) filter.accounts = resolved.ids;
    else errors.account = resolved.error;
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

  const min = form.minAmount.trim() === '' ? undefined : readBound(form.minAmount, options.locale);
  const max = form.maxAmount.trim() === '' ? undefined : readBound(form.maxAmount, options.locale);
  if (min && 'error' in min) errors.minAmount = min.error;
  if (max && 'error' in max) errors.maxAmount = max.error;
  const minAmount = min && 'decimal' in min ? min.decimal : undefined;
  const maxAmount = max && 'decimal' in max ? max.decimal : undefined;
  if (minAmount !== undefined && maxAmount !== undefined && compareAmounts(minAmount, maxAmount) > 0) {
    errors.maxAmount = 'The maximum is below the minimum.';
  } else {
    if (minAmount !== undefined) filter.minAmount = minAmount;
    if (maxAmount !== undefined) filter.maxAmount = maxAmount;
  }

  return { filter, errors };
}

/** "The Min amount and Max amount filters are not valid", or undefined when every field is usable. */
export function invalidFiltersSentence(errors: Partial<Record<FilterField, string>>): string | undefined {
  const labels = (Object.keys(FILTER_LABELS) as FilterField[]).filter((field) => errors[field]).map((field) => FILTER_LABELS[field]);
  if (labels.length === 0) return undefined;
  const list = labels.length === 1 ? labels[0] : `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}`;
  return `The ${list} filter${labels.length === 1 ? ' is' : 's are'} not valid`;
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

/**
 * The filter in words, for the printed list's heading: 'types Reversal; accounts ACC-1;
 * from 2026-12-01T00:00:00.000Z', or 'every event'.
 */
export function describeFilter(filter: AuditFilter, label: (type: EventType) => string): string {
  const parts: string[] = [];
  if (filter.text !== undefined) parts.push(`search “${filter.text}”`);
  if (filter.accounts !== undefined) parts.push(`account${filter.accounts.length === 1 ? '' : 's'} ${filter.accounts.join(', ')}`);
  if (filter.types !== undefined) parts.push(`type${filter.types.length === 1 ? '' : 's'} ${filter.types.map(label).join(', ')}`);
  if (filter.from !== undefined) parts.push(`from ${filter.from}`);
  if (filter.to !== undefined) parts.push(`to ${filter.to}`);
  if (filter.minAmount !== undefined) parts.push(`amount at least ${filter.minAmount}`);
  if (filter.maxAmount !== undefined) parts.push(`amount at most ${filter.maxAmount}`);
  return parts.length === 0 ? 'every event' : parts.join('; ');
}
