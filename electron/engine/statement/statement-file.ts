/**
 * A statement in one of its formats, as bytes, and written to a file by the export's rules
 * (export-target.ts): never the ledger or a file beside it, never through a link, into a
 * folder or a special file, an existing file only when the caller says so; written under a
 * temporary name and renamed once whole, so a failed write leaves nothing behind.
 */
import { succeed, type Result } from '#shared/errors';
import type { Statement, StatementFormat, StatementRequest, StatementSaved } from '#shared/statement';
import { checkExportTarget, writeWholeFile, type ExportTargetOptions } from '../export/export-target';
import type { Ledger } from '../ledger';
import { statementCsv } from './statement-csv';
import { statementPdf, type StatementPdfContext } from './statement-pdf';
import { latestLedgerSeal } from '../history/ledger-history';

/** The statement as the bytes of a file in `format` (JSON is the contract's shape, indented for a reader). */
export async function statementBytes(statement: Statement, format: StatementFormat, context: StatementPdfContext): Promise<Buffer> {
  if (format === 'pdf') return statementPdf(statement, context);
  const text = format === 'csv' ? statementCsv(statement) : `${JSON.stringify(statement, null, 2)}\n`;
  return Buffer.from(text, 'utf8');
}

/** Writes the statement to `path`; `ledgerPath` is the ledger it came from (never replaced). */
export async function writeStatementFile(
  ledgerPath: string,
  path: string,
  statement: Statement,
  format: StatementFormat,
  context: StatementPdfContext,
  target: ExportTargetOptions = {},
): Promise<Result<StatementSaved>> {
  const allowed = checkExportTarget(ledgerPath, path, target);
  if (!allowed.ok) return allowed;
  const written = writeWholeFile(ledgerPath, path, await statementBytes(statement, format, context), 'statement', target);
  if (!written.ok) return written;
  return succeed({ path, format, lines: statement.lines.length });
}

/** When and at which head of the ledger a statement is made (the PDF prints both). */
export function statementContext(ledger: Ledger, generatedAt: Date = new Date()): StatementPdfContext {
  // The statement is built from the projection: the head is the event it was built up to.
  const head = ledger.readHead();
  // The latest seal, where the ledger has one; a statement is still made when seals cannot be read.
  const latest = latestLedgerSeal(ledger);
  const seal = latest.ok && latest.value !== null ? latest.value : undefined;
  return seal === undefined ? { generatedAt, head } : { generatedAt, head, seal };
}

/** Builds the statement from the ledger as it is now and writes it to `path` (see writeStatementFile). */
export async function saveStatement(
  ledger: Ledger,
  request: StatementRequest,
  format: StatementFormat,
  path: string,
  target: ExportTargetOptions = {},
): Promise<Result<StatementSaved>> {
  const built = ledger.statement(request);
  if (!built.ok) return built;
  return writeStatementFile(ledger.path, path, built.value, format, statementContext(ledger), target);
}

/** `statement-<account>-<from>-to-<to>.<format>`, the name a save dialog offers (account ids are safe in file names). */
export function statementFileName(choice: { account: string; from: string; to: string; format: StatementFormat }): string {
  return `statement-${choice.account}-${choice.from}-to-${choice.to}.${choice.format}`;
}
