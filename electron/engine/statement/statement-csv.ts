/**
 * A statement as CSV, by the export's rules (csv-export.ts): RFC 4180 quoting, CRLF line ends,
 * UTF-8 with a byte-order mark, and free text (the owner, memos) neutralised against formula
 * injection. One table a spreadsheet reads as it is: a first row with the opening balance, one
 * row per line, a last row with the closing balance; the `entry` column tells them apart, so
 * summing the amount column over the lines gives closing − opening.
 */
import type { Statement } from '#shared/statement';
import { BYTE_ORDER_MARK, csvLine, neutraliseFormula } from '../export/csv-export';

export const STATEMENT_CSV_COLUMNS = [
  'entry',
  'account',
  'owner',
  'position',
  'recorded_at',
  'type',
  'amount',
  'balance',
  'currency',
  'memo',
  'reverses',
  'reversed_by',
] as const;

export function statementCsv(statement: Statement): string {
  const owner = neutraliseFormula(statement.owner);
  const edge = (entry: string, day: string, balance: string) =>
    csvLine([entry, statement.account, owner, '', day, '', '', balance, statement.currency, '', '', '']);
  let text = BYTE_ORDER_MARK + csvLine(STATEMENT_CSV_COLUMNS) + edge('opening balance', statement.from, statement.openingBalance);
  for (const line of statement.lines) {
    text += csvLine([
      'line',
      statement.account,
      owner,
      String(line.position),
      line.recordedAt,
      line.type,
      line.amount,
      line.balance,
      statement.currency,
      neutraliseFormula(line.memo ?? ''),
      line.reverses === undefined ? '' : String(line.reverses),
      line.reversedBy === undefined ? '' : String(line.reversedBy),
    ]);
  }
  return text + edge('closing balance', statement.to, statement.closingBalance);
}
