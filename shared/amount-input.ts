/**
 * Money as people type it, turned into the one amount text the engine takes ("1525.50").
 * Under de-DE a person types "12,50" or "1.525,50"; under en-US "1,525.50"; anyone may type
 * the canonical "1525.50" or group with spaces ("1 525,50"). Only text: no float ever holds
 * the amount. Text that can be read two ways ("1.525" under de-DE: 1525 by the locale's
 * grouping, or 1.525 by an English habit) is refused with a sentence rather than guessed,
 * because guessing wrong moves a thousand times the money. Pure: no DOM, no Node.
 */
import { checkAmountText } from './money-format';

export type AmountReading = { readonly ok: true; readonly decimal: string } | { readonly ok: false; readonly problem: string };

type Separators = { readonly decimal: '.' | ','; readonly group: '.' | ',' };

/** The locale's decimal mark, '.' or ','; the other of the two is its grouping mark. */
export function separatorsOf(locale: string | undefined): Separators {
  const parts = new Intl.NumberFormat(locale).formatToParts(1.5);
  const decimal = parts.find((part) => part.type === 'decimal')?.value === ',' ? ',' : '.';
  return { decimal, group: decimal === ',' ? '.' : ',' };
}

/** "12,30" or "12.30": how the locale writes an example amount, for hints. */
export function exampleAmount(locale: string | undefined): string {
  return separatorsOf(locale).decimal === ',' ? '12,30' : '12.30';
}

/** Spaces of any width and apostrophes (de-CH "1’525.50") group digits in some locales; never a decimal mark. */
const SPACE_GROUPS = /[\s\u00A0\u202F\u2009'’]/;
const GROUPED_BY_SPACES = /^\d{1,3}([\s\u00A0\u202F\u2009'’]\d{3})+$/;

/** Whole-number text with optional grouping marks `mark` every three digits → plain digits, or undefined. */
function ungroup(whole: string, mark: string): string | undefined {
  if (/^\d+$/.test(whole)) return whole;
  if (SPACE_GROUPS.test(whole)) return GROUPED_BY_SPACES.test(whole) ? whole.replace(/\D/g, '') : undefined;
  const escaped = mark === '.' ? '\\.' : mark;
  return new RegExp(`^\\d{1,3}(${escaped}\\d{3})+$`).test(whole) ? whole.split(mark).join('') : undefined;
}

/**
 * Reads typed amount text under `locale` (undefined: the runtime's own, as the screen formats
 * money) into canonical decimal text, then applies the engine's rules for `currency`.
 */
export function readAmountInput(
  text: string,
  currency: string | undefined,
  options: { locale?: string | undefined; allowZero?: boolean } = {},
): AmountReading {
  const trimmed = text.trim();
  const { decimal, group } = separatorsOf(options.locale);
  const unreadable = `Use digits with an optional decimal ${decimal === ',' ? 'comma' : 'point'}, such as ${exampleAmount(options.locale)}.`;
  let canonical: string | undefined;
  if (trimmed === '') canonical = '';
  else if (/[^\d.,\s\u00A0\u202F\u2009'’]/.test(trimmed)) canonical = undefined;
  else {
    const decimals = trimmed.split(decimal).length - 1;
    const groups = trimmed.split(group).length - 1;
    if (decimals === 1) {
      const [whole = '', fraction = ''] = trimmed.split(decimal);
      const digits = ungroup(whole, group);
      canonical = digits !== undefined && /^\d+$/.test(fraction) ? `${digits}.${fraction}` : undefined;
    } else if (decimals === 0 && groups === 1 && /^\d+$/.test(trimmed.replace(group, ''))) {
      const [whole = '', after = ''] = trimmed.split(group);
      // One mark before three digits: the locale's grouping, or someone else's decimal mark.
      if (after.length === 3 && whole.length <= 3) {
        return {
          ok: false,
          problem: `“${trimmed}” can be read two ways. Type ${whole}${after} for the whole number, or use the decimal ${decimal === ',' ? 'comma' : 'point'}: ${whole}${decimal}${after}.`,
        };
      }
      // Not a group of three: only a decimal mark can stand there (the canonical "12.50" under de-DE).
      canonical = `${whole}.${after}`;
    } else if (decimals === 0) canonical = ungroup(trimmed, group);
  }
  if (canonical === undefined) return { ok: false, problem: unreadable };
  const problem = checkAmountText(canonical, currency, { allowZero: options.allowZero ?? false });
  if (problem === undefined) return { ok: true, decimal: canonical };
  return { ok: false, problem: problem.startsWith('Use digits') ? unreadable : problem };
}
