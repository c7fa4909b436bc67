/**
 * The dialogs of File → Export Event Log…, the audit screen's Export button and File →
 * Restore from Export…, as plain options and pure decisions, so tests read them without
 * Electron. main.ts shows the dialogs and calls these; the renderer never names a path.
 *
 *   Export:  a save dialog in Documents, `ledger-export-YYYY-MM-DD.jsonl` by default. The
 *            menu offers both formats and the chosen file name's extension decides the
 *            format; the audit screen has already chosen one, so its dialog offers only that.
 *   Restore: an open dialog for the export (*.jsonl), then a save dialog for the NEW ledger
 *            file, `restored-YYYY-MM-DD.db` next to the current ledger by default.
 */
import type { OpenDialogOptions, SaveDialogOptions } from 'electron';
import { basename, dirname, extname, join } from 'node:path';
import { EXPORT_FORMATS, type ExportFormat, type ExportSummary } from '#shared/audit';
import type { StatementFormat } from '#shared/statement';
import type { StatementFileChoice } from '#engine/handlers';
import { statementFileName } from '#engine/statement/statement-file';
import type { RestoreSummary } from './ledger-host';

/** Save-dialog filter per export format, in the order the menu's dialog offers them. */
export const EXPORT_FILTERS: Readonly<Record<ExportFormat, { name: string; extensions: string[] }>> = {
  jsonl: { name: 'Event log (JSON Lines)', extensions: ['jsonl'] },
  csv: { name: 'Spreadsheet (CSV)', extensions: ['csv'] },
};

/** Format the menu's export uses when the file name has no extension (JSON Lines can be restored). */
export const DEFAULT_EXPORT_FORMAT: ExportFormat = 'jsonl';

export const LEDGER_FILE_FILTERS = [
  { name: 'Ledger', extensions: ['db', 'ledger', 'sqlite'] },
  { name: 'All files', extensions: ['*'] },
];

/** The extension a new ledger file gets when the person typed none. */
export const LEDGER_FILE_EXTENSION = '.db';

/** YYYY-MM-DD in local time: the date the person sees on their calendar. */
export function localDate(moment: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}`;
}

/**
 * The export save dialog. `requested` is the format the audit screen asked for (only that
 * filter is offered); undefined for the menu, which offers both, JSON Lines first.
 */
export function exportSaveDialogOptions(documentsFolder: string, requested: ExportFormat | undefined, now: Date): SaveDialogOptions {
  const format = requested ?? DEFAULT_EXPORT_FORMAT;
  return {
    title: 'Export Event Log',
    buttonLabel: 'Export',
    defaultPath: join(documentsFolder, `ledger-export-${localDate(now)}.${format}`),
    filters: requested ? [EXPORT_FILTERS[requested]] : EXPORT_FORMATS.map((each) => EXPORT_FILTERS[each]),
    // The engine replaces an existing file (atomically), so the dialog must have asked first.
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
}

export type ExportTarget =
  | { readonly ok: true; readonly path: string; readonly format: ExportFormat; readonly extensionAdded: boolean }
  | { readonly ok: false; readonly message: string };

/**
 * Where and in which format to export, from the name chosen in the save dialog. Electron does
 * not say which filter was selected (and Linux dialogs do not add the extension), so:
 *   - `.jsonl` / `.csv` decide the format; for the audit screen it must be the requested one;
 *   - no extension: the requested format (the menu: JSON Lines), its extension added;
 *   - any other extension is refused rather than writing, say, CSV into `events.txt` that
 *     nothing will recognise — the person is asked again.
 */
export function exportTargetFor(filePath: string, requested: ExportFormat | undefined): ExportTarget {
  const extension = extname(filePath).slice(1).toLowerCase();
  if (extension === '') {
    const format = requested ?? DEFAULT_EXPORT_FORMAT;
    return { ok: true, path: `${filePath}.${format}`, format, extensionAdded: true };
  }
  const format = EXPORT_FORMATS.find((each) => each === extension);
  if (requested !== undefined && format !== requested) {
    return {
      ok: false,
      message: `This export is ${EXPORT_FILTERS[requested].name}: choose a file name ending in .${requested}, not ${basename(filePath)}.`,
    };
  }
  if (format === undefined) {
    return {
      ok: false,
      message: `Choose a file name ending in .jsonl (event log, can be verified and restored) or .csv (spreadsheet), not ${basename(filePath)}.`,
    };
  }
  return { ok: true, path: filePath, format, extensionAdded: false };
}

/** The message box after File → Export Event Log… succeeded. */
export function exportSucceededMessage(summary: ExportSummary): { message: string; detail: string } {
  const events = `${summary.events.toLocaleString('en')} event${summary.events === 1 ? '' : 's'}`;
  const what = summary.format === 'jsonl' ? 'event log (JSON Lines, with its hash chain and manifest)' : 'spreadsheet (CSV)';
  const restorable = summary.format === 'jsonl' ? '\n\nIt can be restored into a new ledger with File → Restore from Export….' : '';
  const sealed = summary.seal
    ? `\n\nSealed by the key ${summary.seal.fingerprint}: an auditor checks it with that key's public key.`
    : summary.seal === null
      ? '\n\nIt carries no seal of its own, so only its hashes vouch for it.'
      : '';
  return { message: 'Event log exported', detail: `${events} written as ${what} to\n${summary.path}${sealed}${restorable}` };
}

export function restoreOpenDialogOptions(documentsFolder: string): OpenDialogOptions {
  return {
    title: 'Restore from Export',
    buttonLabel: 'Choose Export',
    defaultPath: documentsFolder,
    properties: ['openFile'],
    filters: [EXPORT_FILTERS.jsonl],
  };
}

/**
 * The save dialog for the NEW ledger a restore writes. No overwrite confirmation: a restore
 * never replaces a file (the engine refuses an existing one, and says so).
 */
export function restoreSaveDialogOptions(defaultPath: string): SaveDialogOptions {
  return {
    title: 'Restore into a New Ledger File',
    buttonLabel: 'Restore',
    defaultPath,
    filters: LEDGER_FILE_FILTERS,
    properties: ['createDirectory'],
  };
}

/**
 * `restored-YYYY-MM-DD.db` next to the current ledger (else in `fallbackFolder`); with `-2`,
 * `-3`, … when that name is taken, so accepting the default never runs into a refusal.
 */
export function restoreDefaultPath(
  currentLedger: string | undefined,
  fallbackFolder: string,
  now: Date,
  exists: (path: string) => boolean,
): string {
  const folder = currentLedger ? dirname(currentLedger) : fallbackFolder;
  const stem = `restored-${localDate(now)}`;
  for (let attempt = 1; ; attempt++) {
    const candidate = join(folder, `${attempt === 1 ? stem : `${stem}-${attempt}`}${LEDGER_FILE_EXTENSION}`);
    if (!exists(candidate) || attempt >= 1_000) return candidate;
  }
}

/** A ledger file name as chosen in a save dialog, with `.db` added when it has no extension. */
export function withLedgerExtension(filePath: string): string {
  return extname(filePath) ? filePath : `${filePath}${LEDGER_FILE_EXTENSION}`;
}

/** The message box after a successful restore: how many events, and that the chain verified. */
export function restoreSucceededMessage(summary: RestoreSummary): { message: string; detail: string } {
  const events = `${summary.events.toLocaleString('en')} event${summary.events === 1 ? '' : 's'}`;
  return {
    message: 'Ledger restored',
    detail:
      `Restored ${events} from ${summary.exportPath} into the new ledger ${summary.info.path}, which is now open.\n\n` +
      `The hash chain verified: every event matched the export's chain, and the restored ledger ends at the same head hash (${summary.head.slice(0, 16)}…).`,
  };
}

/** Save-dialog filter per statement format. */
export const STATEMENT_FILTERS: Readonly<Record<StatementFormat, { name: string; extensions: string[] }>> = {
  json: { name: 'Statement (JSON)', extensions: ['json'] },
  csv: { name: 'Spreadsheet (CSV)', extensions: ['csv'] },
  pdf: { name: 'PDF document', extensions: ['pdf'] },
};

/** The statement's save dialog, in Documents, offering only the format the screen asked for. */
export function statementSaveDialogOptions(documentsFolder: string, choice: StatementFileChoice): SaveDialogOptions {
  return {
    title: 'Save Statement',
    buttonLabel: 'Save',
    defaultPath: join(documentsFolder, statementFileName(choice)),
    filters: [STATEMENT_FILTERS[choice.format]],
    // The engine replaces an existing file (atomically), so the dialog must have asked first.
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
}

/** What main lends the statement's save dialog (kept as parameters so tests need no Electron). */
export type SaveDialogHost = {
  readonly showSaveDialog: (options: SaveDialogOptions) => Promise<{ canceled: boolean; filePath?: string }>;
  readonly showError: (message: string, detail: string) => Promise<void>;
  readonly exists: (path: string) => boolean;
};

/**
 * Asks where to save a statement (the saveStatement channel's chooseStatementPath). A name
 * without an extension gets the format's; a name with another extension is explained and the
 * dialog shown again, as is an added extension that lands on an existing file (the dialog
 * asked about the name as typed). Undefined when the person cancels.
 */
export async function chooseStatementFile(
  host: SaveDialogHost,
  documentsFolder: string,
  choice: StatementFileChoice,
): Promise<string | undefined> {
  return chooseSavePath(
    host,
    statementSaveDialogOptions(documentsFolder, choice),
    choice.format,
    (name) => `This statement is a ${STATEMENT_FILTERS[choice.format].name}: choose a file name ending in .${choice.format}, not ${name}.`,
  );
}

/**
 * Asks where to save a file of one `extension` until the person cancels (undefined) or picks a
 * usable path: a name without the extension gets it (and must not name an existing file then,
 * since the person never saw that name), a name with another extension is refused with
 * `wrongExtension(name)` and asked again.
 */
export async function chooseSavePath(
  host: SaveDialogHost,
  firstOptions: SaveDialogOptions,
  extension: string,
  wrongExtension: (name: string) => string,
): Promise<string | undefined> {
  let options = firstOptions;
  for (;;) {
    const picked = await host.showSaveDialog(options);
    if (picked.canceled || !picked.filePath) return undefined;
    const given = extname(picked.filePath).slice(1).toLowerCase();
    const path = given === '' ? `${picked.filePath}.${extension}` : picked.filePath;
    if (given !== '' && given !== extension) {
      await host.showError('Choose another file name', wrongExtension(basename(picked.filePath)));
    } else if (given === '' && host.exists(path)) {
      await host.showError(
        'A file with this name already exists',
        `${path} already exists. Choose another name, or choose that file itself to replace it.`,
      );
    } else {
      return path;
    }
    options = { ...options, defaultPath: picked.filePath };
  }
}
