/**
 * Issue 15.3 — the app's "Save statement" dialog (electron/hosts/main/file-dialogs.ts), read without
 * Electron: in Documents, named for the account and period, offering only the format the
 * screen asked for; a name without an extension gets it, another extension is explained and
 * the dialog shown again, and so is an added extension that lands on an existing file.
 */
import type { SaveDialogOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import type { StatementFileChoice } from '#engine/handlers';
import { chooseStatementFile, statementSaveDialogOptions } from '../../electron/hosts/main/file-dialogs';

const CHOICE: StatementFileChoice = { account: 'a1', from: '2026-03-01', to: '2026-03-31', format: 'pdf' };

/** A stand-in dialog answering `picks` in turn (undefined: cancelled), recording what it showed. */
function dialogs(picks: Array<string | undefined>, existing: string[] = []) {
  const shown: SaveDialogOptions[] = [];
  const errors: string[] = [];
  return {
    shown,
    errors,
    host: {
      showSaveDialog: async (options: SaveDialogOptions) => {
        shown.push(options);
        const filePath = picks.shift();
        return filePath === undefined ? { canceled: true } : { canceled: false, filePath };
      },
      showError: async (message: string, detail: string) => void errors.push(`${message}: ${detail}`),
      exists: (path: string) => existing.includes(path),
    },
  };
}

describe('the statement save dialog', () => {
  it('offers statement-<account>-<from>-to-<to> in Documents, in the format asked for only', () => {
    expect(statementSaveDialogOptions('/home/li/Documents', CHOICE)).toEqual({
      title: 'Save Statement',
      buttonLabel: 'Save',
      defaultPath: '/home/li/Documents/statement-a1-2026-03-01-to-2026-03-31.pdf',
      filters: [{ name: 'PDF document', extensions: ['pdf'] }],
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
  });

  it('answers the chosen file, adding the extension, and undefined when cancelled', async () => {
    expect(await chooseStatementFile(dialogs(['/tmp/march.pdf']).host, '/docs', CHOICE)).toBe('/tmp/march.pdf');
    expect(await chooseStatementFile(dialogs(['/tmp/March.PDF']).host, '/docs', CHOICE)).toBe('/tmp/March.PDF');
    expect(await chooseStatementFile(dialogs(['/tmp/march']).host, '/docs', CHOICE)).toBe('/tmp/march.pdf');
    expect(await chooseStatementFile(dialogs([undefined]).host, '/docs', CHOICE)).toBeUndefined();
  });

  it('asks again after a name it cannot use, starting from that name', async () => {
    const wrong = dialogs(['/tmp/march.csv', '/tmp/march', '/tmp/other'], ['/tmp/march.pdf']);
    expect(await chooseStatementFile(wrong.host, '/docs', CHOICE)).toBe('/tmp/other.pdf');
    expect(wrong.errors).toEqual([
      'Choose another file name: This statement is a PDF document: choose a file name ending in .pdf, not march.csv.',
      'A file with this name already exists: /tmp/march.pdf already exists. Choose another name, or choose that file itself to replace it.',
    ]);
    expect(wrong.shown.map((options) => options.defaultPath)).toEqual([
      '/docs/statement-a1-2026-03-01-to-2026-03-31.pdf',
      '/tmp/march.csv',
      '/tmp/march',
    ]);
  });
});
