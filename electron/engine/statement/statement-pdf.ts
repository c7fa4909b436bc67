/**
 * A statement as a PDF a person reads and files: a header naming the owner, the account, its
 * currency and the period; a summary (opening balance, credits, debits, closing balance); the
 * table of lines with the running balance, its column heads repeated on every page; and on
 * every page the time it was made, the ledger's head it was made at, and "Page n of m".
 *
 * Written with pdfkit in plain Node (the CLI needs no Electron), in Noto Sans SC embedded as a
 * subset (statement-fonts.ts). Pages are A4. Amounts are the statement's own decimal text, so
 * what the PDF shows is exactly what the JSON and CSV say; totals are summed as BigInt.
 */
import PDFDocument from 'pdfkit';
import { ISO_CURRENCY_NAMES } from '#shared/currency-names';
import { eventLabel } from '#shared/event-labels';
import { formatMinor } from '#shared/money';
import type { Statement, StatementLine } from '#shared/statement';
import { fingerprintOf } from '../signing/keys';
import type { Seal } from '../signing/seal';
import { statementFontPath } from './statement-fonts';

/** What the document says about where and when it was made. */
export type StatementPdfContext = {
  readonly generatedAt: Date;
  /** The ledger's last event when the statement was made: `ledger verify` prints the same head. */
  readonly head: { readonly position: number; readonly hash: string };
  /** The ledger's latest seal (a signed tree head), where the ledger has one. */
  readonly seal?: Pick<Seal, 'treeSize' | 'rootHash' | 'signedAt' | 'publicKey'>;
};

export type StatementTotals = { readonly credits: string; readonly debits: string };

/** Sums of the positive and the negative amounts, exactly (BigInt: a busy period may pass 2^53 minor units). */
export function statementTotals(statement: Statement): StatementTotals {
  let credits = 0n;
  let debits = 0n;
  for (const line of statement.lines) {
    // The text has exactly the currency's minor digits, so without its dot it is the minor units.
    const minor = BigInt(line.amount.replace('.', ''));
    if (minor > 0n) credits += minor;
    else debits += minor;
  }
  return { credits: formatMinor(credits, statement.currency), debits: formatMinor(debits, statement.currency) };
}

const PAGE = { width: 595.28, height: 841.89, margin: 48 } as const;
const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin;
/** Where the table ends on a page; the footer lives below it. */
const TABLE_BOTTOM = PAGE.height - PAGE.margin - 24;
const FOOTER_Y = PAGE.height - PAGE.margin - 8;
const TEXT_SIZE = 8;
const CELL_PADDING = 3;
const INK = '#1a1a1a';
const MUTED = '#5c5c5c';
const RULE = '#b8b8b8';
const STRIPE = '#f3f3f3';

type Column = { readonly title: string; readonly width: number; readonly align: 'left' | 'right' };
const COLUMNS: readonly Column[] = [
  { title: 'Date (UTC)', width: 76, align: 'left' },
  { title: 'Ref.', width: 38, align: 'right' },
  { title: 'Description', width: 96, align: 'left' },
  { title: 'Memo', width: CONTENT_WIDTH - 76 - 38 - 96 - 72 - 80, align: 'left' },
  { title: 'Amount', width: 72, align: 'right' },
  { title: 'Balance', width: 80, align: 'right' },
];

/** Renders the statement; resolves to the PDF's bytes. */
export function statementPdf(statement: Statement, context: StatementPdfContext): Promise<Buffer> {
  const document = new PDFDocument({
    size: 'A4',
    margin: PAGE.margin,
    // The document's own font, so pdfkit never loads a standard font (Helvetica has no Chinese or
    // Cyrillic, and its data does not survive bundling).
    font: statementFontPath('regular'),
    info: {
      Title: `Statement of account ${statement.account}, ${statement.from} to ${statement.to}`,
      Author: statement.owner,
      Subject: `Account ${statement.account} (${statement.currency})`,
      Creator: 'Event Ledger',
      CreationDate: context.generatedAt,
    },
  });
  document.registerFont('bold', statementFontPath('bold'));
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    document.on('data', (chunk: Buffer) => chunks.push(chunk));
    document.on('end', () => resolve(Buffer.concat(chunks)));
    document.on('error', reject);
  });
  // The regular face is named by its path: pdfkit keeps a font under the name it was first opened
  // by (the default font's path), and would read the file again for any other name.
  const layout = new StatementLayout(document, statement, context, { regular: statementFontPath('regular'), bold: 'bold' });
  return layout.render().then(
    () => {
      document.end();
      return done;
    },
    (error: unknown) => {
      document.end();
      throw error;
    },
  );
}

/** Rows laid out between turns of the event loop, so a long statement never stalls its host (Electron's main process). */
const ROWS_PER_TURN = 500;

/**
 * Lays the statement out twice with the same code: once measuring only, to learn the number of
 * pages (and each row's height), then drawing, each page's footer ("Page n of m") as the page
 * is left. pdfkit then writes every page out as soon as it is done: memory stays flat however
 * long the statement is.
 */
class StatementLayout {
  private y = PAGE.margin;
  /** False while measuring: nothing is drawn, heights and page breaks are computed the same way. */
  private drawing = false;
  private page = 1;
  private pageCount = 1;
  private readonly rowHeights: number[] = [];

  constructor(
    private readonly document: PDFKit.PDFDocument,
    private readonly statement: Statement,
    private readonly context: StatementPdfContext,
    private readonly fonts: Readonly<Record<'regular' | 'bold', string>>,
  ) {}

  async render(): Promise<void> {
    await this.layOut();
    this.pageCount = this.page;
    this.drawing = true;
    this.y = PAGE.margin;
    this.page = 1;
    await this.layOut();
    this.footer();
  }

  private async layOut(): Promise<void> {
    this.header();
    this.summary();
    this.tableHead();
    if (this.statement.lines.length === 0) {
      this.text('No activity in this period: the balance did not change.', PAGE.margin + CELL_PADDING, this.y + 6, {
        color: MUTED,
        width: CONTENT_WIDTH,
      });
      this.y += 22;
    }
    const { lines } = this.statement;
    for (let index = 0; index < lines.length; index++) {
      if (index > 0 && index % ROWS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
      this.row(lines[index]!, index);
    }
    this.closing();
  }

  private header(): void {
    const { statement } = this;
    this.text('Account statement', PAGE.margin, this.y, { font: 'bold', size: 18 });
    this.y += 26;
    this.y += this.text(statement.owner, PAGE.margin, this.y, { font: 'bold', size: 13, width: CONTENT_WIDTH }) + 8;
    const currencyName = ISO_CURRENCY_NAMES.get(statement.currency);
    const facts: Array<[string, string]> = [
      ['Account', statement.account],
      ['Currency', currencyName === undefined ? statement.currency : `${statement.currency} (${currencyName})`],
      ['Period', `${statement.from} to ${statement.to} (whole days, UTC, both included)`],
      ['Generated', `${dateTime(this.context.generatedAt.toISOString(), true)} UTC`],
    ];
    for (const [label, value] of facts) {
      this.text(label, PAGE.margin, this.y, { color: MUTED, size: 9 });
      this.y += this.text(value, PAGE.margin + 70, this.y, { size: 9, width: CONTENT_WIDTH - 70 }) + 3;
    }
    this.y += 8;
  }

  private summary(): void {
    const { statement } = this;
    const totals = statementTotals(statement);
    const cells: Array<[string, string, string]> = [
      ['Opening balance', statement.openingBalance, `at the start of ${statement.from}`],
      ['Credits', totals.credits, 'money in'],
      ['Debits', totals.debits, 'money out'],
      ['Closing balance', statement.closingBalance, `at the end of ${statement.to}`],
    ];
    const width = CONTENT_WIDTH / cells.length;
    if (this.drawing) this.document.rect(PAGE.margin, this.y, CONTENT_WIDTH, 50).fillColor(STRIPE).fill();
    cells.forEach(([label, value, note], index) => {
      const x = PAGE.margin + index * width + 8;
      this.text(label, x, this.y + 6, { color: MUTED, size: 8, width: width - 12, lineBreak: false });
      this.fitted(`${value} ${statement.currency}`, x, this.y + 18, width - 12, { font: 'bold', size: 11 });
      this.text(note, x, this.y + 35, { color: MUTED, size: 7, width: width - 12, lineBreak: false });
    });
    this.y += 58;
    const count = statement.lines.length;
    this.text(
      `${count.toLocaleString('en')} ${count === 1 ? 'entry' : 'entries'}. Amounts in ${statement.currency}; Ref. is the entry's position in the ledger.`,
      PAGE.margin,
      this.y,
      {
        color: MUTED,
        size: 8,
        width: CONTENT_WIDTH,
      },
    );
    this.y += 16;
  }

  /** The column heads, with a rule under them (on the first page and again on every later one). */
  private tableHead(): void {
    let x = PAGE.margin;
    for (const column of COLUMNS) {
      this.text(column.title, x + CELL_PADDING, this.y, { font: 'bold', width: column.width - 2 * CELL_PADDING, align: column.align });
      x += column.width;
    }
    this.y += 13;
    this.rule();
    this.y += 3;
  }

  private row(line: StatementLine, index: number): void {
    const cells = [dateTime(line.recordedAt, false), String(line.position), description(line), line.memo ?? '', line.amount, line.balance];
    const height = (this.rowHeights[index] ??=
      Math.max(...cells.map((cell, column) => this.cellHeight(cell, COLUMNS[column]!))) + 2 * CELL_PADDING);
    if (this.y + height > TABLE_BOTTOM) this.newPage();
    if (!this.drawing) {
      this.y += height;
      return;
    }
    if (index % 2 === 1) this.document.rect(PAGE.margin, this.y, CONTENT_WIDTH, height).fillColor(STRIPE).fill();
    let x = PAGE.margin;
    cells.forEach((cell, column) => {
      const spec = COLUMNS[column]!;
      const numeric = column >= 4;
      if (numeric) this.fitted(cell, x + CELL_PADDING, this.y + CELL_PADDING, spec.width - 2 * CELL_PADDING, { align: 'right' });
      else
        this.text(cell, x + CELL_PADDING, this.y + CELL_PADDING, {
          width: spec.width - 2 * CELL_PADDING,
          align: spec.align,
          color: column === 1 ? MUTED : INK,
        });
      x += spec.width;
    });
    this.y += height;
  }

  private closing(): void {
    const { statement, context } = this;
    if (this.y + 90 > TABLE_BOTTOM) this.newPage();
    this.rule();
    this.y += 6;
    this.text(`Closing balance, end of ${statement.to}`, PAGE.margin + CELL_PADDING, this.y, { font: 'bold', size: 9 });
    this.fitted(`${statement.closingBalance} ${statement.currency}`, PAGE.margin, this.y, CONTENT_WIDTH - CELL_PADDING, {
      font: 'bold',
      size: 9,
      align: 'right',
    });
    this.y += 26;
    const attestation =
      `Made at the ledger's head: position ${context.head.position}, whose SHA-256 chain hash is ${context.head.hash}. ` +
      'Each event is chained to the one before it: the command "ledger verify" walks the chain of the ledger file and prints ' +
      'its head, which is this one as long as nothing was recorded after this statement.';
    this.y += this.text(attestation, PAGE.margin, this.y, { color: MUTED, size: 7.5, width: CONTENT_WIDTH }) + 4;
    const { seal } = context;
    if (seal === undefined) return;
    if (this.y + 40 > TABLE_BOTTOM) this.newPage();
    const sealed =
      `The ledger's latest seal: a signed tree head over its first ${seal.treeSize} events, root hash ${seal.rootHash}, ` +
      `signed at ${seal.signedAt} by the key ${fingerprintOf(seal.publicKey)}. Every event it covers can be proved to be in it.`;
    this.text(sealed, PAGE.margin, this.y, { color: MUTED, size: 7.5, width: CONTENT_WIDTH });
  }

  private newPage(): void {
    this.footer();
    if (this.drawing) this.document.addPage();
    this.page += 1;
    this.y = PAGE.margin;
    const { statement } = this;
    this.text(
      `Statement of account ${statement.account} · ${statement.owner} · ${statement.from} to ${statement.to}`,
      PAGE.margin,
      this.y,
      {
        color: MUTED,
        size: 8,
        width: CONTENT_WIDTH,
        lineBreak: false,
        ellipsis: true,
      },
    );
    this.y += 18;
    this.tableHead();
  }

  /** The current page's footer: when and at which head it was made, and "Page n of m". */
  private footer(): void {
    if (!this.drawing) return;
    const generated = `${dateTime(this.context.generatedAt.toISOString(), true)} UTC`;
    const head = `ledger head ${this.context.head.position} (${this.context.head.hash.slice(0, 16)}…)`;
    // Text below the bottom margin would make pdfkit start another page.
    this.document.page.margins.bottom = 0;
    this.text(`${this.statement.account} · generated ${generated} · ${head}`, PAGE.margin, FOOTER_Y, {
      color: MUTED,
      size: 7,
      lineBreak: false,
    });
    this.text(`Page ${this.page} of ${this.pageCount}`, PAGE.margin, FOOTER_Y, {
      color: MUTED,
      size: 7,
      width: CONTENT_WIDTH,
      align: 'right',
      lineBreak: false,
    });
  }

  private rule(): void {
    if (!this.drawing) return;
    this.document
      .moveTo(PAGE.margin, this.y)
      .lineTo(PAGE.margin + CONTENT_WIDTH, this.y)
      .lineWidth(0.6)
      .strokeColor(RULE)
      .stroke();
  }

  private cellHeight(text: string, column: Column): number {
    if (text === '') return TEXT_SIZE * 1.3;
    this.document.font(this.fonts.regular).fontSize(TEXT_SIZE);
    return this.document.heightOfString(text, { width: column.width - 2 * CELL_PADDING });
  }

  /** Draws text (when drawing); returns its height either way. */
  private text(value: string, x: number, y: number, options: TextStyle & PDFKit.Mixins.TextOptions = {}): number {
    const { font = 'regular', size = TEXT_SIZE, color = INK, ...layout } = options;
    this.document.font(this.fonts[font]).fontSize(size).fillColor(color);
    const height = layout.width === undefined ? size * 1.3 : this.document.heightOfString(value, layout);
    if (this.drawing) this.document.text(value, x, y, layout);
    return height;
  }

  /** One line of text, made smaller until it fits `width` (a very large amount still shows whole). */
  private fitted(value: string, x: number, y: number, width: number, options: TextStyle & { align?: 'left' | 'right' } = {}): void {
    if (!this.drawing) return;
    let size = options.size ?? TEXT_SIZE;
    this.document.font(this.fonts[options.font ?? 'regular']);
    while (size > 4 && this.document.fontSize(size).widthOfString(value) > width) size -= 0.5;
    this.text(value, x, y, { ...options, size, width, lineBreak: false });
  }
}

type TextStyle = { readonly font?: 'regular' | 'bold'; readonly size?: number; readonly color?: string };

/** "2026-01-05 14:03" (with seconds when asked), in UTC whatever offset the event was recorded with. */
function dateTime(recordedAt: string, seconds: boolean): string {
  const iso = new Date(Date.parse(recordedAt)).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, seconds ? 19 : 16)}`;
}

/** The line's kind as a person says it, with the link between a reversal and what it reversed. */
function description(line: StatementLine): string {
  const label = line.reverses === undefined ? eventLabel(line.type) : `Reversal of ${line.reverses}`;
  return line.reversedBy === undefined ? label : `${label}\nReversed by ${line.reversedBy}`;
}
