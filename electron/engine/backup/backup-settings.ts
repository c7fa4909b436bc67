/**
 * Where backups go. The app remembers the folder chosen in File → Backup Folder… in a small
 * settings file in its user-data folder; the CLI reads the same file, so `ledger backup` and
 * `ledger backups` use the app's folder unless told otherwise.
 *
 *   <userData>/settings.json   {"backupFolder": "/absolute/path"}   (other keys are kept)
 *   default folder:            <userData>/backups
 *
 * A settings file that is missing, not a regular file, too large or not valid JSON means
 * "the defaults"; it is replaced (never written through a link) only when a folder is chosen.
 */
import { lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fail, succeed, type Result } from '#shared/errors';
import { syncFolder } from './backup-folder';
import { plainFileError } from './plain-words';

export const SETTINGS_FILE_NAME = 'settings.json';
export const DEFAULT_BACKUP_FOLDER_NAME = 'backups';
const MOST_SETTINGS_BYTES = 64 * 1024;

type Settings = Record<string, unknown>;

export function defaultBackupFolder(userDataFolder: string): string {
  return join(userDataFolder, DEFAULT_BACKUP_FOLDER_NAME);
}

/** The chosen backup folder, else the default one. */
export function backupFolderSetting(userDataFolder: string): string {
  const chosen = readSettings(userDataFolder).backupFolder;
  return typeof chosen === 'string' && isAbsolute(chosen) ? chosen : defaultBackupFolder(userDataFolder);
}

/** Remembers `folder` (absolute) as the backup folder; the file is replaced in one rename. */
export function saveBackupFolderSetting(userDataFolder: string, folder: string): Result<string> {
  if (!isAbsolute(folder)) return fail('VALIDATION', `The backup folder must be an absolute path, not ${folder}`);
  const path = join(userDataFolder, SETTINGS_FILE_NAME);
  const existing = lstatSync(path, { throwIfNoEntry: false });
  if (existing && !existing.isFile()) return fail('STORAGE', `The settings file ${path} is not a regular file; it was left alone`);
  const temporary = `${path}.${process.pid}.partial`;
  let created = false;
  try {
    mkdirSync(userDataFolder, { recursive: true });
    writeFileSync(temporary, `${JSON.stringify({ ...readSettings(userDataFolder), backupFolder: folder }, null, 2)}\n`, {
      flag: 'wx',
      mode: 0o600,
    });
    created = true;
    renameSync(temporary, path);
    created = false;
    syncFolder(userDataFolder);
  } catch (error) {
    if (created) rmSync(temporary, { force: true });
    return fail('STORAGE', `The settings file ${path} could not be written (${plainFileError(error)})`);
  }
  return succeed(folder);
}

function readSettings(userDataFolder: string): Settings {
  const path = join(userDataFolder, SETTINGS_FILE_NAME);
  const stats = lstatSync(path, { throwIfNoEntry: false });
  if (!stats?.isFile() || stats.size > MOST_SETTINGS_BYTES) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Settings) : {};
  } catch {
    return {};
  }
}
