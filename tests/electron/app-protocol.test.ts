/**
 * The app:// protocol handler (electron/hosts/main/app-protocol.ts) with real files in a temp
 * folder: the right file with the right MIME type, the CSP on EVERY response (errors too),
 * no way out of the served folders, and the loading page's status endpoint and buttons.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppProtocolHandler, type StartupAction } from '../../electron/hosts/main/app-protocol';
import { CONTENT_SECURITY_POLICY } from '../../electron/hosts/main/electron-guards';
import { StartupStatusBoard } from '../../electron/hosts/main/startup-status';
import { tempFolder } from '../ipc/fixtures';

let folder: { folder: string; cleanup(): void };
let handler: (request: Request) => Promise<Response>;
let status: StartupStatusBoard;
let actions: StartupAction[];

beforeEach(() => {
  folder = tempFolder();
  const rendererRoot = join(folder.folder, 'dist-renderer');
  const startupRoot = join(folder.folder, 'dist-electron', 'startup');
  mkdirSync(join(rendererRoot, 'assets'), { recursive: true });
  mkdirSync(startupRoot, { recursive: true });
  writeFileSync(join(rendererRoot, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(rendererRoot, 'assets', 'index-1.js'), 'console.log(1)');
  writeFileSync(join(rendererRoot, 'assets', 'index-1.css'), 'body{}');
  writeFileSync(join(rendererRoot, 'assets', 'logo.svg'), '<svg/>');
  writeFileSync(join(rendererRoot, 'assets', 'font.woff2'), 'woff2');
  writeFileSync(join(startupRoot, 'loading.html'), '<!doctype html><title>loading</title>');
  // Files that must never be served: next to and above the roots.
  writeFileSync(join(folder.folder, 'secret.txt'), 'SECRET');
  writeFileSync(join(folder.folder, 'dist-electron', 'main.cjs'), 'MAIN SOURCE');
  status = new StartupStatusBoard();
  actions = [];
  handler = createAppProtocolHandler({
    rendererRoot,
    startupRoot,
    startupStatus: () => status.current,
    startupAction: (action) => actions.push(action),
  });
});

afterEach(() => folder.cleanup());

function get(url: string, init?: RequestInit) {
  return handler(new Request(url, init));
}

describe('serving the renderer', () => {
  it.each([
    ['app://app/', 'text/html; charset=utf-8', '<!doctype html><title>app</title>'],
    ['app://app/index.html', 'text/html; charset=utf-8', '<!doctype html><title>app</title>'],
    ['app://app/index.html#/audit', 'text/html; charset=utf-8', '<!doctype html><title>app</title>'],
    ['app://app/assets/index-1.js', 'text/javascript; charset=utf-8', 'console.log(1)'],
    ['app://app/assets/index-1.css', 'text/css; charset=utf-8', 'body{}'],
    ['app://app/assets/logo.svg', 'image/svg+xml', '<svg/>'],
    ['app://app/assets/font.woff2', 'font/woff2', 'woff2'],
  ])('%s → %s', async (url, type, body) => {
    const response = await get(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toBe(body);
  });

  it('answers HEAD without a body', async () => {
    const response = await get('app://app/index.html', { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('refuses writes', async () => {
    expect((await get('app://app/index.html', { method: 'POST', body: 'x' })).status).toBe(405);
  });
});

describe('path traversal', () => {
  it.each([
    'app://app/../secret.txt',
    'app://app/..%2fsecret.txt',
    'app://app/%2e%2e%2fsecret.txt',
    'app://app/assets/..%2f..%2fsecret.txt',
    'app://app/..%2f..%2fdist-electron%2fmain.cjs',
    'app://app/..%5csecret.txt',
    'app://app/%2fetc%2fpasswd',
    'app://app/assets',
    'app://app/missing.js',
    'app://app/%E0%A4%A',
    'app://app/index.html%00.js',
    'app://startup/..%2f..%2fsecret.txt',
    'app://other/index.html',
  ])('%s is not served, and the refusal still carries the CSP', async (url) => {
    const response = await get(url);
    expect(response.status).toBeGreaterThanOrEqual(400);
    const body = await response.text();
    expect(body).not.toContain('SECRET');
    expect(body).not.toContain('MAIN SOURCE');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('does not follow a symbolic link inside the root to a file outside it, and serves one that stays inside', async () => {
    const rendererRoot = join(folder.folder, 'dist-renderer');
    symlinkSync(join(folder.folder, 'secret.txt'), join(rendererRoot, 'assets', 'leak.txt'));
    symlinkSync(join(rendererRoot, 'assets', 'logo.svg'), join(rendererRoot, 'assets', 'alias.svg'));
    const leak = await get('app://app/assets/leak.txt');
    expect(leak.status).toBe(404);
    expect(await leak.text()).not.toContain('SECRET');
    const alias = await get('app://app/assets/alias.svg');
    expect(alias.status).toBe(200);
    expect(alias.headers.get('content-type')).toBe('image/svg+xml');
    expect(await alias.text()).toBe('<svg/>');
  });
});

describe('the loading page', () => {
  it('is served from the startup root', async () => {
    const response = await get('app://startup/loading.html');
    expect(await response.text()).toContain('loading');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('polls the status as JSON, never cached', async () => {
    status.progress('/data/ledger.db', 500, 1000);
    const response = await get('app://startup/status');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ phase: 'opening', path: '/data/ledger.db', applied: 500, total: 1000 });
    status.failed('/data/ledger.db', 'The file /data/ledger.db is not a ledger');
    expect(await (await get('app://startup/status')).json()).toMatchObject({
      phase: 'failed',
      message: 'The file /data/ledger.db is not a ledger',
    });
  });

  it('runs its buttons only by POST and only while no ledger could be opened', async () => {
    status.progress('/data/ledger.db', 1, 2);
    expect((await get('app://startup/action/open-ledger', { method: 'POST' })).status).toBe(409);
    status.failed('/data/ledger.db', 'nope');
    expect((await get('app://startup/action/open-ledger')).status).toBe(405);
    expect((await get('app://startup/action/format-disk', { method: 'POST' })).status).toBe(404);
    expect((await get('app://startup/action/open-ledger', { method: 'POST' })).status).toBe(204);
    expect((await get('app://startup/action/new-ledger', { method: 'POST' })).status).toBe(204);
    expect(actions).toEqual(['open-ledger', 'new-ledger']);
  });

  it('the renderer origin has no status endpoint or actions', async () => {
    expect((await get('app://app/status')).status).toBe(404);
    expect((await get('app://app/action/open-ledger', { method: 'POST' })).status).toBe(405);
    expect(actions).toEqual([]);
  });
});
