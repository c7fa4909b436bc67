/**
 * `ledger statement`: one account over one period, as JSON (on stdout by default), CSV or PDF.
 * --out follows the export's rules (export-target.ts): never the ledger or a file beside it,
 * never through a link or into a folder, an existing file only with --force, written under a
 * temporary name and renamed once whole. A PDF is never written to stdout.
 */
import { STATEMENT_FORMATS, statementRequestSchema, type StatementFormat } from '#shared/statement';
import { validate } from '#shared/validation';
import { statementCsv } from '#engine/statement/statement-csv';
import { saveStatement } from '#engine/statement/statement-file';
import { answer, orRefuse, withOk, type CliCommand, type CommandContext } from './command-context';
import { EXIT, UsageError, printText } from './output';

export const STATEMENT_COMMANDS = {
  statement: {
    summary: 'one account over a period: opening balance, every line with the running balance, closing balance',
    synopsis: '--account ID [--from DATE] [--to DATE] [--format json|csv|pdf] [--out FILE [--force]]',
    details: [
      'DATE is a day, YYYY-MM-DD, in UTC; both ends are included. --from defaults to the day the account was opened,',
      '--to to today. JSON and CSV go to stdout unless --out is given; a PDF needs --out FILE.',
      '--out never replaces the ledger or a file beside it, never writes through a link or into a special file,',
      'and replaces an existing file only with --force.',
    ],
    flags: { strings: ['account', 'from', 'to', 'format', 'out'], booleans: ['force'] },
    access: 'read',
    run: runStatement,
  },
} satisfies Record<string, CliCommand>;

function statementFormat(context: CommandContext): StatementFormat {
  const format = context.string('format') ?? 'json';
  const known = STATEMENT_FORMATS.find((each) => each === format);
  if (known === undefined) throw new UsageError(`--format is json, csv or pdf, not "${format}"`);
  return known;
}

async function runStatement(context: CommandContext): Promise<number> {
  const format = statementFormat(context);
  const out = context.string('out');
  const account = context.string('account');
  if (account === undefined) throw new UsageError('statement needs --account ID: ledger statement --account ID');
  if (context.values.force && out === undefined) throw new UsageError('--force goes with --out FILE');
  if (format === 'pdf' && out === undefined) {
    throw new UsageError('A PDF statement is written to a file, not to the terminal: give --out FILE.pdf');
  }
  const from = context.string('from');
  const to = context.string('to');
  const request = orRefuse(
    validate(statementRequestSchema, { account, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) }),
  );
  return context.withLedger(async (ledger) => {
    if (out !== undefined) {
      return answer(await saveStatement(ledger, request, format, out, { force: context.values.force === true }), withOk);
    }
    const statement = ledger.statement(request);
    if (!statement.ok || format === 'json') return answer(statement);
    printText(statementCsv(statement.value));
    return EXIT.ok;
  });
}
