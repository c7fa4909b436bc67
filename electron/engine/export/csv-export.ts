/**
 * CSV of the audit view with its filters, for spreadsheets: RFC 4180 (CRLF line ends,
 * fields quoted when they hold a comma, quote or line break, quotes doubled), UTF-8 with a
 * byte-order mark so spreadsheet programs do not mistake it for a legacy code page.
 * Newest first, like the screen. Written page by page: memory stays flat at any size.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { AuditFilter, AuditRow } from '#shared/audit';
import { LEADING_INVISIBLE } from '#shared/rules';
import type { AuditQueries } from '../audit/audit-queries';

const COLUMNS = [
  'position',
  'recorded_at',
  'type',
  'account',
  'owner',
  'counterparty',
  'amount',
  'currency',
  'balance_after',
  'memo',
  'command_id',
  'actor',
  'event_id',
  'schema_version',
] as const;

/** Written first, so spreadsheet programs read the file as UTF-8. */
export const BYTE_ORDER_MARK = '\uFEFF';

export async function exportCsv(queries: AuditQueries, filter: AuditFilter, out: Writable): Promise<number> {
  let count = 0;
  out.write(BYTE_ORDER_MARK + csvLine(COLUMNS));
  for (const positions of queries.positions(filter)) {
    let chunk = '';
    for (const row of queries.rowsAt(positions)) chunk += csvLine(csvFields(row, queries.ownerOf(row.account) ?? ''));
    count += positions.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  return count;
}

/**
 * Every field a person or an imported file could choose (owner, memo, command id, actor,
 * a legacy event id) is neutralised; the ones the ledger makes (positions, types, amounts,
 * account ids, which must start with a letter or digit) are written as they are.
 */
function csvFields(row: AuditRow, owner: string): string[] {
  return [
    String(row.position),
    row.recordedAt,
    row.type,
    row.account,
    neutraliseFormula(owner),
    row.counterparty ?? '',
    row.amount,
    row.currency,
    row.balanceAfter,
    neutraliseFormula(row.memo ?? ''),
    neutraliseFormula(row.commandId ?? ''),
    neutraliseFormula(row.actor ?? ''),
    neutraliseFormula(row.eventId),
    String(row.storedSchemaVersion),
  ];
}

export function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * A memo such as "=HYPERLINK(…)" would run as a formula when the file is opened in a
 * spreadsheet (CSV injection). Free text is prefixed with an apostrophe, which spreadsheets
 * show as text, when it starts with a tab or a carriage return (OWASP's list), or when it
 * starts with = + - @ once it is folded the way a spreadsheet may read it: NFKC (full-width
 * ＝ ＋ － ＠ and small ﹦ ﹢ ﹣ ﹫ become = + - @) and without the invisible characters before it
 * (white space such as LF, NBSP, U+2028; format characters such as U+200B, U+FEFF, direction
 * marks; fillers and lone combining marks: shared/rules.ts). Amounts are never touched.
 */
export function neutraliseFormula(text: string): string {
  return startsLikeFormula(text) ? `'${text}` : text;
}

function startsLikeFormula(text: string): boolean {
  const first = text.charCodeAt(0);
  // Most cells start with an ASCII letter or digit, which no folding or stripping changes.
  if ((first >= 0x30 && first <= 0x39) || (first >= 0x41 && first <= 0x5a) || (first >= 0x61 && first <= 0x7a)) return false;
  if (first === 0x09 || first === 0x0d) return true;
  return FORMULA_START.test(text.normalize('NFKC').replace(LEADING_INVISIBLE, ''));
}

const FORMULA_START = /^[=+\-@]/;
