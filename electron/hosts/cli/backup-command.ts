/**
 * `ledger backup` and `ledger backups`: rolling backups of the ledger file from the command
 * line, the same engine as the app's (electron/engine/backup). The default folder is the app's:
 * the one chosen in File → Backup Folder… (its settings.json), else `backups` in the app's
 * user-data folder.
 */
import { backupFolderSetting } from '#engine/backup/backup-settings';
import { listBackups } from '#engine/backup/list-backups';
import { backUpAndPrune } from '#engine/backup/rolling-backup';
import { userDataFolder } from '#engine/paths';
import { answer, withOk, type CliCommand } from './command-context';

export const BACKUP_COMMANDS = {
  backup: {
    summary: 'a verified copy of the ledger file in the backup folder, then old backups thinned out',
    synopsis: '[--out DIR] [--keep-all]',
    details: [
      'Prints {"ok":true,"file":…,"position":P,"bytes":N,"time":…,"head":HEX,"removed":[…]}.',
      'DIR defaults to the app\'s backup folder (File → Backup Folder…), else "backups" in its user-data folder;',
      'it is created if missing. The copy is written under a temporary name, verified, then renamed: a',
      'failure (a full disk: STORAGE) leaves nothing behind. Then the 3 newest, one a day for 7 days and one',
      "a week for 8 weeks of THIS ledger's backups are kept and the rest removed; --keep-all removes none.",
    ],
    flags: { strings: ['out'], booleans: ['keep-all'] },
    access: 'read',
    run: async (context) => {
      const folder = context.string('out') ?? backupFolderSetting(userDataFolder());
      const target = context.target();
      return answer(await backUpAndPrune(target.path, folder, { prune: context.values['keep-all'] !== true }), withOk);
    },
  },
  backups: {
    summary: 'the backups in the backup folder, newest first, each with its time, size and head position',
    synopsis: '[--dir DIR] [--no-verify]',
    details: [
      'Prints a JSON array of {"file","name","ledgerStem","time","bytes","position","verified","problem"?}.',
      "Every backup's chain is verified unless --no-verify is given. DIR defaults as for `backup`.",
    ],
    flags: { strings: ['dir'], booleans: ['no-verify'] },
    access: 'read',
    run: async (context) => {
      const folder = context.string('dir') ?? backupFolderSetting(userDataFolder());
      return answer(await listBackups(folder, { verify: context.values['no-verify'] !== true }));
    },
  },
} satisfies Record<string, CliCommand>;
