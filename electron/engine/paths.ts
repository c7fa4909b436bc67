/**
 * Where the desktop app keeps its ledger, computed the way Electron's app.getPath('userData')
 * does (appData folder + product name), so the CLI finds the same file without Electron.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { APP_NAME } from './app-version';

export const LEDGER_FILE_NAME = 'ledger.db';

export function appDataFolder(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return env.APPDATA ?? join(homedir(), 'AppData', 'Roaming');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support');
  return env.XDG_CONFIG_HOME ?? join(homedir(), '.config');
}

export function userDataFolder(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  return join(appDataFolder(platform, env), APP_NAME);
}

/** $LEDGER_DB, else the app's own ledger file in its user-data folder. */
export function defaultLedgerPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.LEDGER_DB || join(userDataFolder(process.platform, env), LEDGER_FILE_NAME);
}
