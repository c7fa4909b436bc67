/**
 * `ledger backup` and `ledger backups` through the real CLI in a child process: the JSON they
 * print, the default folder (the app's settings, else `backups` in its user-data folder), and
 * typed refusals that leave nothing behind.
 */
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-process';
import { handlersFor, newLedger, ok, sha256File, tempFolder } from './helpers';

function seededLedger() {
  const { path, ledger } = newLedger();
  const api = handlersFor(ledger);
  ok(api.openAccount({ account: 'a1', owner: 'Ada', currency: 'EUR', initial: '10.00' }));
  ok(api.deposit({ account: 'a1', amount: '2.50' }));
  ledger.close();
  return path;
}

describe('ledger backup / backups', () => {
  it('backs up into --out and prints the file, position and size; backups lists it verified', async () => {
    const path = seededLedger();
    const before = sha256File(path);
    const folder = join(tempFolder(), 'new-folder');
    const made = await runCli(['--db', path, 'backup', '--out', folder]);
    expect(made.code, made.stdout + made.stderr).toBe(0);
    const answer = made.lines[0] as { ok: boolean; file: string; position: number; bytes: number; removed: string[] };
    expect(answer).toMatchObject({ ok: true, position: 2, removed: [] });
    expect(answer.file).toMatch(/^.*new-folder[\\/]ledger-\d{8}T\d{9}Z\.ledger-backup\.db$/);
    expect(readdirSync(folder)).toEqual([answer.file.slice(folder.length + 1)]);
    expect(sha256File(path)).toBe(before);

    const listed = await runCli(['backups', '--dir', folder]);
    expect(listed.code).toBe(0);
    expect(listed.lines[0]).toEqual([
      expect.objectContaining({ file: answer.file, position: 2, bytes: answer.bytes, verified: true, ledgerStem: 'ledger' }),
    ]);
  });

  it("uses the app's backup folder by default: settings.json, else backups in its user-data folder", async () => {
    const path = seededLedger();
    const config = tempFolder();
    const userData = join(config, 'Event Ledger');
    const env = { XDG_CONFIG_HOME: config, APPDATA: config };
    const made = await runCli(['--db', path, 'backup'], '', { env });
    expect(made.code, made.stdout).toBe(0);
    expect(readdirSync(join(userData, 'backups'))).toHaveLength(1);

    const chosen = join(tempFolder(), 'usb-stick');
    writeFileSync(join(userData, 'settings.json'), JSON.stringify({ backupFolder: chosen }));
    expect((await runCli(['--db', path, 'backup'], '', { env })).code).toBe(0);
    expect(readdirSync(chosen)).toHaveLength(1);
    const listed = await runCli(['backups', '--no-verify'], '', { env });
    expect(listed.lines[0]).toEqual([expect.not.objectContaining({ verified: expect.anything() })]);
  });

  it('refuses with typed errors and leaves nothing: a missing ledger, an unwritable folder, a bad flag', async () => {
    const folder = tempFolder();
    const missing = await runCli(['--db', join(folder, 'missing.db'), 'backup', '--out', join(folder, 'b')]);
    expect(missing.code).toBe(1);
    expect(missing.lines[0]).toMatchObject({ ok: false, error: { code: 'STORAGE' } });
    expect(existsSync(join(folder, 'missing.db'))).toBe(false);

    const path = seededLedger();
    const locked = join(folder, 'locked');
    const fileInTheWay = join(folder, 'a-file');
    writeFileSync(fileInTheWay, 'x');
    const notAFolder = await runCli(['--db', path, 'backup', '--out', fileInTheWay]);
    expect(notAFolder.lines[0]).toMatchObject({
      ok: false,
      error: { code: 'STORAGE', message: expect.stringContaining('is not a folder') },
    });
    if (process.getuid?.() !== 0) {
      // root writes into read-only folders, so this part only runs for other users.
      writeFileSync(join(folder, 'placeholder'), '');
      chmodSync(folder, 0o555);
      try {
        const refused = await runCli(['--db', path, 'backup', '--out', locked]);
        expect(refused.lines[0]).toMatchObject({ ok: false, error: { code: 'STORAGE' } });
      } finally {
        chmodSync(folder, 0o755);
      }
    }
    const badFlag = await runCli(['--db', path, 'backup', '--dir', folder]);
    expect(badFlag.code).toBe(2);
    expect(badFlag.lines[0]).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });
});
