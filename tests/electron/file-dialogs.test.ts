/**
 * The export and restore dialogs as plain options and decisions (electron/hosts/main/file-dialogs.ts)
 * and the window title (window-title.ts), read without Electron: default names and folders,
 * filters, the format taken from the chosen name, names the export refuses, the messages, and
 * READ-ONLY with the first bad position in the title.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  exportSaveDialogOptions,
  exportSucceededMessage,
  exportTargetFor,
  localDate,
  restoreDefaultPath,
  restoreOpenDialogOptions,
  restoreSaveDialogOptions,
  restoreSucceededMessage,
  withLedgerExtension,
} from '../../electron/hosts/main/file-dialogs';
import { ledgerWindowTitle } from '../../electron/hosts/main/window-title';
import type { LedgerInfo } from '#shared/ipc-contract';

const NOW = new Date(2026, 10, 26, 23, 59); // local time: 26 November 2026, one minute to midnight
const DOCUMENTS = join('/home', 'me', 'Documents');

describe('export save dialog', () => {
  it('File menu: Documents, ledger-export-YYYY-MM-DD.jsonl (local date), JSON Lines then CSV, asks before replacing', () => {
    const options = exportSaveDialogOptions(DOCUMENTS, undefined, NOW);
    expect(localDate(NOW)).toBe('2026-11-26');
    expect(options.defaultPath).toBe(join(DOCUMENTS, 'ledger-export-2026-11-26.jsonl'));
    expect(options.filters).toEqual([
      { name: 'Event log (JSON Lines)', extensions: ['jsonl'] },
      { name: 'Spreadsheet (CSV)', extensions: ['csv'] },
    ]);
    expect(options.properties).toEqual(['createDirectory', 'showOverwriteConfirmation']);
  });

  it('audit screen: only the requested format', () => {
    const options = exportSaveDialogOptions(DOCUMENTS, 'csv', NOW);
    expect(options.defaultPath).toBe(join(DOCUMENTS, 'ledger-export-2026-11-26.csv'));
    expect(options.filters).toEqual([{ name: 'Spreadsheet (CSV)', extensions: ['csv'] }]);
  });
});

describe('the chosen export name', () => {
  it('File menu: the extension decides the format; none means JSON Lines with .jsonl added', () => {
    expect(exportTargetFor('/x/log.jsonl', undefined)).toEqual({ ok: true, path: '/x/log.jsonl', format: 'jsonl', extensionAdded: false });
    expect(exportTargetFor('/x/log.CSV', undefined)).toEqual({ ok: true, path: '/x/log.CSV', format: 'csv', extensionAdded: false });
    expect(exportTargetFor('/x/log', undefined)).toEqual({ ok: true, path: '/x/log.jsonl', format: 'jsonl', extensionAdded: true });
  });

  it('File menu: any other extension is refused, naming the two that work', () => {
    const refused = exportTargetFor('/x/log.txt', undefined);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.message).toMatch(/\.jsonl.*\.csv.*log\.txt/);
  });

  it('audit screen: the requested format only; none gets its extension', () => {
    expect(exportTargetFor('/x/rows', 'csv')).toEqual({ ok: true, path: '/x/rows.csv', format: 'csv', extensionAdded: true });
    expect(exportTargetFor('/x/rows.csv', 'csv')).toMatchObject({ ok: true, format: 'csv' });
    expect(exportTargetFor('/x/rows.jsonl', 'csv')).toMatchObject({ ok: false, message: expect.stringContaining('ending in .csv') });
    expect(exportTargetFor('/x/rows.txt', 'jsonl')).toMatchObject({ ok: false });
  });

  const jsonlSummary = { path: '/x/log.jsonl', format: 'jsonl', events: 12_345, lastPosition: 12_345 } as const;

  it('the result message names the count, the format, the path and the seal; JSON Lines mentions restoring', () => {
    const jsonl = exportSucceededMessage({ path: '/x/log.jsonl', format: 'jsonl', events: 12_345, lastPosition: 12_345 });
    expect(jsonl.detail).toContain('12,345 events');
    expect(jsonl.detail).toContain('/x/log.jsonl');
    expect(jsonl.detail).toContain('Restore from Export');
    const csv = exportSucceededMessage({ path: '/x/log.csv', format: 'csv', events: 1, lastPosition: 9 });
    expect(csv.detail).toContain('1 event written as spreadsheet (CSV)');
    expect(csv.detail).not.toContain('Restore');
    expect(csv.detail).not.toContain('seal');
    const fingerprint = 'SHA256:/SfR2S03KCIMtx8521sjWwzscm/BRLSjE+jJ4VrbNw4';
    const sealed = exportSucceededMessage({
      ...jsonlSummary,
      seal: { fingerprint, treeSize: 12_345, signedAt: '2026-12-02T11:05:09.677Z' },
    });
    expect(sealed.detail).toContain(`Sealed by the key ${fingerprint}`);
    expect(exportSucceededMessage({ ...jsonlSummary, seal: null }).detail).toContain('no seal of its own');
  });
});

describe('restore dialogs', () => {
  it('open dialog: one JSON Lines export', () => {
    expect(restoreOpenDialogOptions(DOCUMENTS)).toMatchObject({
      properties: ['openFile'],
      filters: [{ name: 'Event log (JSON Lines)', extensions: ['jsonl'] }],
    });
  });

  it('save dialog: never offers to replace a file', () => {
    const options = restoreSaveDialogOptions('/x/restored.db');
    expect(options.defaultPath).toBe('/x/restored.db');
    expect(options.properties).not.toContain('showOverwriteConfirmation');
  });

  it('restored-YYYY-MM-DD.db next to the current ledger (else the fallback folder), numbered when taken', () => {
    const none = () => false;
    expect(restoreDefaultPath('/data/books/ledger.db', DOCUMENTS, NOW, none)).toBe(join('/data/books', 'restored-2026-11-26.db'));
    expect(restoreDefaultPath(undefined, DOCUMENTS, NOW, none)).toBe(join(DOCUMENTS, 'restored-2026-11-26.db'));
    const taken = new Set([join('/data', 'restored-2026-11-26.db'), join('/data', 'restored-2026-11-26-2.db')]);
    expect(restoreDefaultPath('/data/ledger.db', DOCUMENTS, NOW, (path) => taken.has(path))).toBe(
      join('/data', 'restored-2026-11-26-3.db'),
    );
  });

  it('a ledger name without extension gets .db', () => {
    expect(withLedgerExtension('/x/books')).toBe('/x/books.db');
    expect(withLedgerExtension('/x/books.sqlite')).toBe('/x/books.sqlite');
  });

  it('the result message: how many events, from where, into which file, and that the chain verified', () => {
    const head = 'ab'.repeat(32);
    const { message, detail } = restoreSucceededMessage({
      exportPath: '/x/backup.jsonl',
      events: 2_500,
      head,
      info: { path: '/x/restored.db', appVersion: '0.1.0', schemaVersion: 3, lastPosition: 2_500, readOnly: false },
    });
    expect(message).toBe('Ledger restored');
    expect(detail).toContain('Restored 2,500 events from /x/backup.jsonl into the new ledger /x/restored.db');
    expect(detail).toContain('hash chain verified');
    expect(detail).toContain(head.slice(0, 16));
  });
});

describe('window title', () => {
  const info: LedgerInfo = { path: '/x/books/ledger.db', appVersion: '0.1.0', schemaVersion: 3, lastPosition: 8, readOnly: false };

  it('names the file, and only the app when no ledger is open', () => {
    expect(ledgerWindowTitle('Event Ledger', info, { state: 'verifying', checked: 2, total: 8 })).toBe('ledger.db — Event Ledger');
    expect(ledgerWindowTitle('Event Ledger', undefined, undefined)).toBe('Event Ledger');
  });

  it('says READ-ONLY with the first bad position once verification failed', () => {
    const failed = { state: 'failed', firstBadPosition: 42, reason: 'hash mismatch', checkedAt: '2026-11-26T20:00:00Z' } as const;
    expect(ledgerWindowTitle('Event Ledger', { ...info, readOnly: true, readOnlyReason: 'broken' }, failed)).toBe(
      'ledger.db — Event Ledger — READ-ONLY: integrity failure at position 42',
    );
  });

  it('says READ-ONLY for a ledger read-only for another reason (a cut-off tail found at opening)', () => {
    expect(ledgerWindowTitle('Event Ledger', { ...info, readOnly: true, readOnlyReason: 'events were removed' }, undefined)).toBe(
      'ledger.db — Event Ledger — READ-ONLY',
    );
  });
});
