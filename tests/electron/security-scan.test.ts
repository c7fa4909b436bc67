/**
 * The Electronegativity scan (scripts/security-scan.mjs, run by .ci/run) over the app's real
 * sources finds no unexplained high or medium issue — and, so that "no findings" means
 * something, it does flag a deliberately insecure window and an unexplained eng-disable.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan, unexplainedDisables } from '../../scripts/security-scan.mjs';
import { tempFolder } from '../ipc/fixtures';

const failing = <Issue extends { severity: string; silenced: boolean }>(issues: Issue[]) =>
  issues.filter((issue) => !issue.silenced && (issue.severity === 'HIGH' || issue.severity === 'MEDIUM'));

describe('Electronegativity', () => {
  it('finds no unexplained high or medium issue in electron/ and renderer/', async () => {
    const { issues, errors } = await scan();
    expect(errors).toEqual([]);
    expect(failing(issues)).toEqual([]);
    expect(unexplainedDisables()).toEqual([]);
  });

  it('does flag an insecure window, missing guards and an unexplained eng-disable', async () => {
    const temp = tempFolder();
    try {
      mkdirSync(join(temp.folder, 'electron'));
      writeFileSync(
        join(temp.folder, 'electron', 'main.js'),
        [
          "const { app, BrowserWindow } = require('electron');",
          'app.whenReady().then(() => {',
          '  const window = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false } });',
          "  window.loadURL('https://example.com');",
          '});',
          'const other = new BrowserWindow({}); // eng-disable SANDBOX_JS_CHECK',
        ].join('\n'),
      );
      const { issues } = await scan({ root: temp.folder, folders: ['electron'] });
      const ids = failing(issues).map((issue) => issue.id);
      expect(ids).toContain('SANDBOX_JS_CHECK');
      expect(ids).toContain('CONTEXT_ISOLATION_JS_CHECK');
      expect(ids).toContain('LIMIT_NAVIGATION_GLOBAL_CHECK');
      expect(unexplainedDisables({ root: temp.folder, folders: ['electron'] })).toEqual(['electron/main.js:6']);
    } finally {
      temp.cleanup();
    }
  });
});
