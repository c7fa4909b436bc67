/**
 * Backups in the BUNDLED main process against the stand-in Electron (fake-electron.ts): the
 * File menu's Back Up Now, Backup Folder… and Restore from Backup… (the message box lists the
 * backups; the stand-in answers its first button, the newest), and the backup made on quit
 * after a change. Real ledger files, real backups.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Ledger } from '#engine/ledger';
import { tempFolder } from '../ipc/fixtures';
import { useMainBundle, invoke, menuItem, quit, startAppOnRenderer, WAIT } from './main-bundle';

const build = useMainBundle();

const backupsIn = (folder: string) => (existsSync(folder) ? readdirSync(folder).filter((name) => name.endsWith('.ledger-backup.db')) : []);

describe('backups in the main process', () => {
  it('File → Back Up Now writes a verified backup into userData/backups and says so', async () => {
    const work = tempFolder();
    const fake = await startAppOnRenderer(build.bundle, join(work.folder, 'ledger.db'), work.folder);
    try {
      expect(menuItem(fake, 'file.back-up-now').label).toBe('Back Up Now');
      await invoke(fake, 'openAccount', { account: 'alice', owner: 'Alice', currency: 'EUR', initial: '5.00' });
      menuItem(fake, 'file.back-up-now').click();
      await vi.waitFor(() => expect(fake.messageBoxes.length === 1, 'the message box').toBe(true), WAIT);
      expect(fake.messageBoxes[0]).toMatchObject({ type: 'info', message: 'Backup made' });
      const folder = join(work.folder, 'user-data', 'backups');
      expect(backupsIn(folder)).toHaveLength(1);
      expect(fake.messageBoxes[0]!.detail).toContain(backupsIn(folder)[0]);
    } finally {
      quit(fake);
      work.cleanup();
    }
  });

  it('File → Backup Folder… remembers the folder in settings.json; the next backup goes there', async () => {
    const work = tempFolder();
    const fake = await startAppOnRenderer(build.bundle, join(work.folder, 'ledger.db'), work.folder);
    try {
      await invoke(fake, 'openAccount', { account: 'alice', owner: 'Alice', currency: 'EUR' });
      const chosen = join(work.folder, 'external-disk');
      fake.dialogAnswers.open.push({ canceled: false, filePaths: [chosen] });
      menuItem(fake, 'file.backup-folder').click();
      await vi.waitFor(() => expect(fake.messageBoxes.length === 1, 'the confirmation').toBe(true), WAIT);
      expect(fake.dialogOptions.open.at(-1)).toMatchObject({ properties: expect.arrayContaining(['openDirectory']) });
      expect(JSON.parse(readFileSync(join(work.folder, 'user-data', 'settings.json'), 'utf8'))).toEqual({ backupFolder: chosen });
      menuItem(fake, 'file.back-up-now').click();
      await vi.waitFor(() => expect(fake.messageBoxes.length === 2, 'the backup message').toBe(true), WAIT);
      expect(backupsIn(chosen)).toHaveLength(1);
    } finally {
      quit(fake);
      work.cleanup();
    }
  });

  it('File → Restore from Backup… lists the backups, restores the chosen one into a new file and opens it', async () => {
    const work = tempFolder();
    const fake = await startAppOnRenderer(build.bundle, join(work.folder, 'ledger.db'), work.folder);
    try {
      await invoke(fake, 'openAccount', { account: 'alice', owner: 'Alice', currency: 'EUR', initial: '5.00' });
      menuItem(fake, 'file.back-up-now').click();
      await vi.waitFor(() => expect(fake.messageBoxes.length === 1, 'the backup').toBe(true), WAIT);
      await invoke(fake, 'deposit', { account: 'alice', amount: '1.00' });

      const target = join(work.folder, 'restored');
      fake.dialogAnswers.save.push({ canceled: false, filePath: target });
      menuItem(fake, 'file.restore-from-backup').click();
      await vi.waitFor(() => expect(fake.messageBoxes.length === 3, 'the list and the result').toBe(true), WAIT);
      const list = fake.messageBoxes[1]!;
      expect(list.buttons).toEqual([expect.stringMatching(/ — .* — up to event 1 \(ledger\)$/), 'Other Backup File…', 'Cancel']);
      expect(list.cancelId).toBe(2);
      expect(list.detail).toContain('up to event 1');
      expect(fake.messageBoxes[2]).toMatchObject({ message: 'Backup restored' });
      // The restored ledger is open: it holds the backup's one event, not the later deposit.
      await vi.waitFor(
        () => expect(fake.windows[0]!.titles.at(-1) === 'restored.db — Event Ledger', 'the restored ledger in the title').toBe(true),
        WAIT,
      );
      const accounts = await invoke(fake, 'listAccounts');
      expect(accounts).toMatchObject({ ok: true, value: [{ id: 'alice', balance: '5.00' }] });
    } finally {
      quit(fake);
      work.cleanup();
    }
  });

  it('quitting after a change waits for a backup, then quits; quitting again does not back up again', async () => {
    const work = tempFolder();
    const ledgerPath = join(work.folder, 'ledger.db');
    const fake = await startAppOnRenderer(build.bundle, ledgerPath, work.folder);
    const folder = join(work.folder, 'user-data', 'backups');
    try {
      await invoke(fake, 'openAccount', { account: 'alice', owner: 'Alice', currency: 'EUR', initial: '5.00' });
      let prevented = false;
      fake.electron.app.emit('before-quit', { preventDefault: () => (prevented = true) });
      expect(prevented).toBe(true);
      await vi.waitFor(() => expect(fake.log.includes('quit'), 'the quit after the backup').toBe(true), WAIT);
      expect(backupsIn(folder)).toHaveLength(1);
      const copy = Ledger.open({ path: join(folder, backupsIn(folder)[0]!), actor: 'test', readOnly: true });
      if (!copy.ok) throw new Error(copy.error.message);
      expect(copy.value.verify()).toMatchObject({ ok: true, events: 1 });
      copy.value.close();
      let preventedAgain = false;
      fake.electron.app.emit('before-quit', { preventDefault: () => (preventedAgain = true) });
      expect(preventedAgain).toBe(false);
    } finally {
      quit(fake);
      work.cleanup();
    }
  });
});
