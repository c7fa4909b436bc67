/**
 * Backups of a ledger file (electron/engine/backup): made with SQLite's online backup API into a
 * temporary, verified, then renamed; listed with their head; restored into a new file only;
 * old ones removed by the retention policy, and nothing in the folder that is not ours touched.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnyCommand } from '#shared/commands';
import { hashAt } from '#engine/backup/backup-check';
import { createBackup } from '#engine/backup/create-backup';
import { listBackups, pruneBackups } from '#engine/backup/list-backups';
import { restoreBackup } from '#engine/backup/restore-backup';
import { backupFolderSetting, defaultBackupFolder, saveBackupFolderSetting, SETTINGS_FILE_NAME } from '#engine/backup/backup-settings';
import { backupFileName, parseBackupFileName, parseTemporaryFileName, temporaryFileName } from '#engine/backup/backup-names';
import { failure, handlersFor, listFolder, newLedger, ok, openLedger, readLedgerFile, sha256File, tamper, tempFolder } from './helpers';

function seed(count: number) {
  const { path, ledger } = newLedger();
  const api = handlersFor(ledger);
  ok(api.openAccount({ account: 'a1', owner: 'Ada', currency: 'EUR', initial: '100.00' }));
  for (let index = 0; index < count; index++) ok(api.deposit({ account: 'a1', amount: '1.00' }));
  return { path, ledger, api };
}

describe('createBackup', () => {
  it('writes one verified backup with a sortable name, and nothing else, into the folder', async () => {
    const { path, ledger } = seed(20);
    const folder = join(tempFolder(), 'backups', 'nested');
    const summary = ok(await createBackup(path, folder, { now: () => new Date('2025-01-14T09:30:05.123Z') }));
    expect(summary.file).toBe(join(folder, 'ledger-20250114T093005123Z.ledger-backup.db'));
    expect(summary.position).toBe(ledger.logHead().position);
    expect(summary.head).toBe(ledger.logHead().hash);
    expect(summary.bytes).toBe(lstatSync(summary.file).size);
    expect(listFolder(folder)).toEqual(['ledger-20250114T093005123Z.ledger-backup.db']);
    // The backup is a ledger of its own: it opens and verifies, with the same accounts.
    const copy = openLedger(summary.file, { readOnly: true });
    expect(copy.verify()).toEqual({ ok: true, events: 21, head: summary.head });
    expect(ok(copy.getAccount('a1')).balanceMinor).toBe(12_000);
  });

  it('finishes while another connection commits between every slice of the copy, holding a prefix of the log', async () => {
    // Without the one-step fallback (copy-database.ts) SQLite restarts such a copy forever.
    const { path, ledger, api } = seed(0);
    ledger.executeBatch(
      Array.from(
        { length: 6_000 },
        () => ({ name: 'deposit', input: { account: 'a1', amount: '1.00', memo: 'x'.repeat(300) } }) as AnyCommand,
      ),
    );
    let writing = true;
    let commits = 0;
    const deadline = Date.now() + 20_000;
    const writer = (async () => {
      while (writing && Date.now() < deadline) {
        ok(api.deposit({ account: 'a1', amount: '0.01' }));
        commits += 1;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const made = await createBackup(path, tempFolder());
    const finishedWhileWriting = writing && Date.now() < deadline;
    writing = false;
    await writer;
    expect(finishedWhileWriting).toBe(true);
    const summary = ok(made);
    expect(commits).toBeGreaterThan(0);
    expect(summary.position).toBeGreaterThan(6_001);
    expect(ledger.events({ fromPosition: summary.position, limit: 1 })).toHaveLength(1);
    expect(readLedgerFile(ledger.path, (db) => hashAt(db, summary.position))).toBe(summary.head);
    expect(openLedger(summary.file, { readOnly: true }).verify()).toMatchObject({ ok: true, events: summary.position });
  }, 60_000);

  it('never writes over an existing file: a second backup in the same millisecond gets the next one', async () => {
    const { path } = seed(1);
    const folder = tempFolder();
    const at = () => new Date('2025-01-14T09:30:05.123Z');
    const first = ok(await createBackup(path, folder, { now: at }));
    const before = sha256File(first.file);
    const second = ok(await createBackup(path, folder, { now: at }));
    expect(second.file).toBe(join(folder, 'ledger-20250114T093005124Z.ledger-backup.db'));
    expect(sha256File(first.file)).toBe(before);
  });

  it('refuses to keep a copy of a ledger whose chain is broken, leaving nothing behind', async () => {
    const { path, ledger } = seed(5);
    ledger.close();
    tamper(path, (db) => db.prepare("UPDATE events SET data = replace(data, '100', '900') WHERE position = 3").run());
    const folder = tempFolder();
    const refused = failure(await createBackup(path, folder), 'INTEGRITY');
    expect(refused.message).toMatch(/No backup was made: The copy of .* does not verify: at position 3/);
    expect(readdirSync(folder)).toEqual([]);
  });

  it('refuses a copy that lacks what the head checkpoint recorded (a cut-off tail)', async () => {
    const { path, ledger } = seed(5);
    ledger.close();
    tamper(path, (db) => db.prepare('DELETE FROM events WHERE position > 4').run());
    const folder = tempFolder();
    failure(await createBackup(path, folder), 'INTEGRITY');
    expect(readdirSync(folder)).toEqual([]);
  });

  it('answers typed errors for a missing ledger, a file that is not a ledger, and a folder that is a file', async () => {
    const folder = tempFolder();
    failure(await createBackup(join(folder, 'missing.db'), join(folder, 'b')), 'STORAGE');
    const notLedger = join(folder, 'notes.db');
    writeFileSync(notLedger, 'hello, this is not SQLite at all, just text that goes on for more than a header');
    expect(failure(await createBackup(notLedger, join(folder, 'b')), 'STORAGE').message).toMatch(/not a ledger/);
    const { path } = seed(1);
    const fileInTheWay = join(folder, 'plain-file');
    writeFileSync(fileInTheWay, 'x');
    failure(await createBackup(path, fileInTheWay), 'STORAGE');
    expect(existsSync(join(folder, 'b'))).toBe(true); // created for the first two, and left empty
    expect(readdirSync(join(folder, 'b'))).toEqual([]);
  });

  it('removes a leftover temporary of a process that is gone, and leaves other files and links alone', async () => {
    const { path } = seed(2);
    const folder = tempFolder();
    const other = tempFolder();
    const finalName = backupFileName('ledger', new Date('2025-01-01T00:00:00.000Z'));
    const deadPid = 999_999_999;
    writeFileSync(join(folder, temporaryFileName(finalName, deadPid)), 'half a backup');
    writeFileSync(join(folder, `${temporaryFileName(finalName, deadPid)}-journal`), 'its journal');
    writeFileSync(join(folder, temporaryFileName(finalName, process.pid)), 'a backup this process is writing');
    writeFileSync(join(folder, 'holiday.jpg'), 'not ours');
    writeFileSync(join(other, 'target'), 'must survive');
    symlinkSync(join(other, 'target'), join(folder, temporaryFileName(backupFileName('ledger', new Date(0)), deadPid)));
    const summary = ok(await createBackup(path, folder));
    expect(listFolder(folder)).toEqual(
      [
        temporaryFileName(backupFileName('ledger', new Date(0)), deadPid),
        temporaryFileName(finalName, process.pid),
        'holiday.jpg',
        summary.file.slice(folder.length + 1),
      ].sort(),
    );
    expect(listFolder(other)).toEqual(['target']);
  });
});

describe('listBackups and restoreBackup', () => {
  it('lists backups newest first with time, size and head, and flags one that does not verify', async () => {
    const { path, api } = seed(3);
    const folder = tempFolder();
    const older = ok(await createBackup(path, folder, { now: () => new Date('2025-01-01T10:00:00.000Z') }));
    ok(api.deposit({ account: 'a1', amount: '2.00' }));
    const newer = ok(await createBackup(path, folder, { now: () => new Date('2025-01-02T10:00:00.000Z') }));
    // A damaged backup keeps its place in the list, marked.
    tamper(older.file, (db) => db.prepare("UPDATE events SET data = replace(data, '100', '700') WHERE position = 2").run());
    writeFileSync(join(folder, 'ledger-20250103T100000000Z.ledger-backup.db'), 'not a database, only named like one');
    const listed = ok(await listBackups(folder, { verify: true }));
    expect(listed.map((each) => [each.name, each.position, each.verified])).toEqual([
      ['ledger-20250103T100000000Z.ledger-backup.db', undefined, false],
      [newer.file.slice(folder.length + 1), 5, true],
      [older.file.slice(folder.length + 1), 4, false],
    ]);
    expect(listed[1]).toMatchObject({ time: '2025-01-02T10:00:00.000Z', bytes: newer.bytes });
    expect(listed[2]!.problem).toMatch(/does not verify: at position 2/);
    expect(ok(await listBackups(join(folder, 'none'), { verify: true }))).toEqual([]);
  });

  it('restores into a new file only, verified; never over an existing file', async () => {
    const { path, ledger } = seed(4);
    const folder = tempFolder();
    const backup = ok(await createBackup(path, folder));
    const target = join(tempFolder(), 'restored.db');
    const restored = ok(await restoreBackup(backup.file, target));
    expect(restored).toEqual({ path: target, position: 5, head: ledger.logHead().hash });
    expect(listFolder(join(target, '..'))).toEqual(['restored.db']);
    const reopened = openLedger(target);
    expect(reopened.verify()).toMatchObject({ ok: true, events: 5 });
    expect(ok(reopened.getAccount('a1')).balanceMinor).toBe(10_400);

    const before = sha256File(path);
    failure(await restoreBackup(backup.file, path), 'ALREADY_EXISTS');
    expect(sha256File(path)).toBe(before);
    failure(await restoreBackup(join(folder, 'missing.ledger-backup.db'), join(folder, 'x.db')), 'NOT_FOUND');
  });

  it('restores nothing from a backup that does not verify', async () => {
    const { path } = seed(4);
    const folder = tempFolder();
    const backup = ok(await createBackup(path, folder));
    tamper(backup.file, (db) => db.prepare("UPDATE events SET data = replace(data, '100', '700') WHERE position = 2").run());
    const targetFolder = tempFolder();
    failure(await restoreBackup(backup.file, join(targetFolder, 'restored.db')), 'INTEGRITY');
    expect(readdirSync(targetFolder)).toEqual([]);
  });
});

describe('pruneBackups', () => {
  it('removes only old backups of the same ledger, kept by the retention policy', async () => {
    const { path, ledger } = seed(1);
    const folder = tempFolder();
    const now = new Date('2025-06-30T12:00:00.000Z');
    const daysAgo = (days: number) => () => new Date(now.getTime() - days * 86_400_000);
    const made = [];
    for (const days of [200, 100, 90, 30, 26, 10, 5, 4.5, 4, 1, 0.5, 0])
      made.push(ok(await createBackup(path, folder, { now: daysAgo(days) })));
    // Another ledger also called ledger.db, backed up into the same folder: never pruned here.
    const { path: otherPath } = newLedger();
    await new Promise((resolve) => setTimeout(resolve, 5)); // a distinct creation time
    const stranger = ok(await createBackup(otherPath, folder, { now: daysAgo(300) }));
    writeFileSync(join(folder, backupFileName('ledger', new Date('2020-01-01T00:00:00.000Z'))), 'named like ours, but not a ledger');

    const createdAt = made[0]!.ledgerCreatedAt;
    const removed = ok(await pruneBackups(folder, ledger.path, createdAt, now));
    const name = (summary: { file: string }) => summary.file.slice(folder.length + 1);
    // 200, 100 and 90 days: past the 7 + 8·7 day windows. 4.5 days: same UTC day as the 4-day one, older.
    // (30 and 26 days ago are Saturday and Wednesday of two different weeks: both kept.)
    expect(removed.sort()).toEqual([made[0]!, made[1]!, made[2]!, made[7]!].map(name).sort());
    expect(existsSync(stranger.file)).toBe(true);
    expect(existsSync(join(folder, backupFileName('ledger', new Date('2020-01-01T00:00:00.000Z'))))).toBe(true);
    // Pruning again removes nothing more.
    expect(ok(await pruneBackups(folder, ledger.path, createdAt, now))).toEqual([]);
  });
});

describe('backup names and settings', () => {
  it('parses only names of ours, with real dates', () => {
    expect(parseBackupFileName('my-ledger.v2-20250114T093005123Z.ledger-backup.db')).toEqual({
      ledgerStem: 'my-ledger.v2',
      time: new Date('2025-01-14T09:30:05.123Z'),
    });
    expect(parseBackupFileName('ledger-20251314T093005123Z.ledger-backup.db')).toBeUndefined();
    expect(parseBackupFileName('ledger-20250231T093005123Z.ledger-backup.db')).toBeUndefined();
    expect(parseBackupFileName('ledger-20250114T093005123Z.ledger-backup.db.txt')).toBeUndefined();
    expect(parseTemporaryFileName('.ledger-20250114T093005123Z.ledger-backup.db.42.partial-wal')).toEqual({
      finalName: 'ledger-20250114T093005123Z.ledger-backup.db',
      pid: 42,
      sideFile: true,
    });
    expect(parseTemporaryFileName('.holiday.jpg.42.partial')).toBeUndefined();
  });

  it('remembers the chosen folder in settings.json, keeping other settings; the default otherwise', () => {
    const userData = tempFolder();
    expect(backupFolderSetting(userData)).toBe(defaultBackupFolder(userData));
    writeFileSync(join(userData, SETTINGS_FILE_NAME), JSON.stringify({ theme: 'dark' }));
    ok(saveBackupFolderSetting(userData, '/media/usb/ledger-backups'));
    expect(backupFolderSetting(userData)).toBe('/media/usb/ledger-backups');
    expect(listFolder(userData)).toEqual([SETTINGS_FILE_NAME]);
    failure(saveBackupFolderSetting(userData, 'relative/folder'), 'VALIDATION');
    writeFileSync(join(userData, SETTINGS_FILE_NAME), '{ broken');
    expect(backupFolderSetting(userData)).toBe(defaultBackupFolder(userData));
  });

  it('never writes the settings through a link', () => {
    const userData = tempFolder();
    const elsewhere = join(tempFolder(), 'precious.txt');
    writeFileSync(elsewhere, 'precious');
    symlinkSync(elsewhere, join(userData, SETTINGS_FILE_NAME));
    failure(saveBackupFolderSetting(userData, '/somewhere'), 'STORAGE');
    expect(backupFolderSetting(userData)).toBe(defaultBackupFolder(userData));
    expect(readFileSync(elsewhere, 'utf8')).toBe('precious');
    expect(lstatSync(join(userData, SETTINGS_FILE_NAME)).isSymbolicLink()).toBe(true);
  });
});
