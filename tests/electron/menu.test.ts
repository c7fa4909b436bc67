/**
 * The application menu template (electron/hosts/main/menu.ts) and the About text, read without
 * Electron: the items the issues ask for (Export Event Log… and Restore from Export… enabled),
 * View items that navigate the renderer, development tools only in development builds.
 */
import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { aboutDetail, buildMenuTemplate, MENU_IDS, type MenuActions } from '../../electron/hosts/main/menu';

function record() {
  const calls: string[] = [];
  const actions: MenuActions = {
    newLedger: () => calls.push('new'),
    openLedger: () => calls.push('open'),
    exportEventLog: () => calls.push('export'),
    restoreFromExport: () => calls.push('restore'),
    sealNow: () => calls.push('seal-now'),
    backUpNow: () => calls.push('back-up-now'),
    restoreFromBackup: () => calls.push('restore-backup'),
    chooseBackupFolder: () => calls.push('backup-folder'),
    navigate: (screen) => calls.push(`navigate:${screen}`),
    about: () => calls.push('about'),
  };
  return { calls, actions };
}

function items(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? items(item.submenu) : [])]);
}

function byId(template: MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions {
  const found = items(template).find((item) => item.id === id);
  if (!found) throw new Error(`no menu item ${id}`);
  return found;
}

function click(item: MenuItemConstructorOptions): void {
  (item.click as () => void)();
}

describe('menu template (Windows/Linux)', () => {
  const { calls, actions } = record();
  const template = buildMenuTemplate(actions, { appName: 'Event Ledger', platform: 'linux', developmentTools: false });

  it('has File, Edit, View, Account and Help', () => {
    expect(template.map((item) => item.label)).toEqual(['&File', '&Edit', '&View', '&Account', '&Help']);
  });

  it('File: New ledger…, Open ledger…, Export event log…, Restore from export…, Seal now, backups, Quit', () => {
    const file = template[0]!.submenu as MenuItemConstructorOptions[];
    const labels = file.filter((item) => item.type !== 'separator').map((item) => item.label ?? item.role);
    expect(labels).toEqual([
      'New Ledger…',
      'Open Ledger…',
      'Export Event Log…',
      'Restore from Export…',
      'Seal Now',
      'Back Up Now',
      'Restore from Backup…',
      'Backup Folder…',
      'Quit',
    ]);
    expect(byId(template, MENU_IDS.exportEventLog).enabled).not.toBe(false);
    expect(byId(template, MENU_IDS.restoreFromExport).enabled).not.toBe(false);
    expect(file.at(-1)?.role).toBe('quit');
  });

  it('items call their actions', () => {
    click(byId(template, MENU_IDS.newLedger));
    click(byId(template, MENU_IDS.openLedger));
    click(byId(template, MENU_IDS.exportEventLog));
    click(byId(template, MENU_IDS.restoreFromExport));
    click(byId(template, MENU_IDS.sealNow));
    click(byId(template, MENU_IDS.accounts));
    click(byId(template, MENU_IDS.audit));
    click(byId(template, MENU_IDS.statement));
    click(byId(template, MENU_IDS.about));
    expect(calls).toEqual([
      'new',
      'open',
      'export',
      'restore',
      'seal-now',
      'navigate:accounts',
      'navigate:audit',
      'navigate:statement',
      'about',
    ]);
  });

  it('offers no reload or DevTools in a packaged build', () => {
    const roles = items(template).map((item) => item.role);
    expect(roles).not.toContain('toggleDevTools');
    expect(roles).not.toContain('reload');
  });

  it('offers the standard edit roles (copy/paste shortcuts in text fields)', () => {
    const roles = items(template).map((item) => item.role);
    for (const role of ['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']) expect(roles).toContain(role);
  });
});

describe('menu template (macOS and development)', () => {
  it('macOS gets an application menu with About and Quit first', () => {
    const template = buildMenuTemplate(record().actions, { appName: 'Event Ledger', platform: 'darwin', developmentTools: false });
    expect(template[0]!.label).toBe('Event Ledger');
    const roles = items([template[0]!]).map((item) => item.role);
    expect(roles).toContain('quit');
    expect(byId(template, MENU_IDS.about).label).toBe('About Event Ledger');
  });

  it('development builds add reload and DevTools', () => {
    const template = buildMenuTemplate(record().actions, { appName: 'Event Ledger', platform: 'linux', developmentTools: true });
    const roles = items(template).map((item) => item.role);
    expect(roles).toContain('toggleDevTools');
  });
});

describe('About', () => {
  it('names the app version, the schema version and the ledger file', () => {
    const text = aboutDetail(
      '0.1.0',
      3,
      { path: '/home/me/.config/Event Ledger/ledger.db', appVersion: '0.1.0', schemaVersion: 3, lastPosition: 12, readOnly: false },
      { Electron: '45.5.0' },
    );
    expect(text).toContain('Version 0.1.0');
    expect(text).toContain('Ledger schema version 3');
    expect(text).toContain('Ledger file: /home/me/.config/Event Ledger/ledger.db');
    expect(text).toContain('Electron 45.5.0');
  });

  it('says when the ledger is read-only, and why', () => {
    const text = aboutDetail('0.1.0', 3, {
      path: '/tmp/ledger.db',
      appVersion: '0.1.0',
      schemaVersion: 3,
      lastPosition: 12,
      readOnly: true,
      readOnlyReason: 'the hash chain is broken at position 4: hash mismatch',
    });
    expect(text).toContain('Read-only: the hash chain is broken at position 4');
  });

  it('says when no ledger is open', () => {
    expect(aboutDetail('0.1.0', 3, undefined)).toContain('Ledger file: none open');
  });
});
