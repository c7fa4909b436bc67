/**
 * The preview host's guards, probed over real HTTP: the per-run token on every API request,
 * the body size limit, typed refusals, loopback-only binding, Host/Origin checks, static
 * files confined to the build folder, and the Content-Security-Policy on pages.
 */
import { request as httpRequest } from 'node:http';
import { networkInterfaces } from 'node:os';
import { mkdirSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, startPreviewHost, temporaryFolder, type PreviewHost } from './support/preview-host';

/** A raw request, so tests control every header (fetch fixes Host and forbids some). */
function raw(
  host: PreviewHost,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port: host.port, method: options.method ?? 'GET', path: options.path, headers: options.headers },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

describe('preview host security', () => {
  const temporary = temporaryFolder('ledger-e2e-security');
  let host: PreviewHost;

  beforeAll(async () => {
    host = await startPreviewHost(join(temporary.folder, 'ledger.db'));
  });

  afterAll(async () => {
    await host?.stop();
    temporary.remove();
  });

  it('answers an API request without a token with 401 and a typed envelope', async () => {
    const response = await fetch(`${host.origin}/api/listAccounts`, { method: 'POST' });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { ok: boolean; error: { code: string; message: string } };
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe('VALIDATION');
    expect(body.error.message).toMatch(/token/);
  });

  it('answers a wrong token with 401, even one of the right length', async () => {
    const wrong = host.token.replace(/^./, (first) => (first === 'a' ? 'b' : 'a'));
    for (const token of [wrong, 'short', `${host.token}0`]) {
      const response = await fetch(`${host.origin}/api/listAccounts`, { method: 'POST', headers: { 'x-ledger-token': token } });
      expect(response.status).toBe(401);
    }
  });

  it('does not append when a command arrives without the token', async () => {
    const response = await fetch(`${host.origin}/api/openAccount`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account: 'X-1', owner: 'Mallory', currency: 'EUR' }),
    });
    expect(response.status).toBe(401);
    expect((await callApi(host, 'ledgerInfo')).json.value.lastPosition).toBe(0);
  });

  it('refuses the event stream without the token in its query', async () => {
    const response = await raw(host, { path: '/api/events' });
    expect(response.status).toBe(401);
    const wrong = await raw(host, { path: '/api/events?token=nope' });
    expect(wrong.status).toBe(401);
  });

  it('answers the right token with the Result envelope', async () => {
    const { status, json } = await callApi(host, 'listAccounts', {});
    expect(status).toBe(200);
    expect(json).toEqual({ ok: true, value: [] });
  });

  it('refuses a body over 1 MiB with 413 and a VALIDATION envelope', async () => {
    const huge = JSON.stringify({ account: 'A-1', owner: 'x'.repeat(2 * 1024 * 1024), currency: 'EUR' });
    const response = await fetch(`${host.origin}/api/openAccount`, {
      method: 'POST',
      headers: { 'x-ledger-token': host.token, 'content-type': 'application/json' },
      body: huge,
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { ok: boolean; error: { code: string; message: string } };
    expect(body).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(body.error.message).toMatch(/1 MiB/);
    expect((await callApi(host, 'ledgerInfo')).json.value.lastPosition).toBe(0);
  });

  it('answers a body that is not JSON with a VALIDATION envelope', async () => {
    const response = await raw(host, {
      method: 'POST',
      path: '/api/deposit',
      headers: { 'x-ledger-token': host.token, 'content-type': 'application/json' },
      body: '{"account": ',
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('answers an unknown or prototype channel name with a VALIDATION envelope', async () => {
    for (const channel of ['dropTables', '__proto__', 'constructor']) {
      const { json } = await callApi(host, channel, {});
      expect(json).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
  });

  it('accepts only POST on command and query channels', async () => {
    const response = await raw(host, { path: '/api/listAccounts', headers: { 'x-ledger-token': host.token } });
    expect(response.status).toBe(405);
  });

  it('listens on 127.0.0.1 only', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((address) => address && address.family === 'IPv4' && !address.internal)
      .map((address) => address!.address);
    for (const address of [...external, '::1']) {
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect({ host: address, port: host.port });
        socket.once('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('error', () => resolve(true));
      });
      expect(refused, `connection to ${address}:${host.port}`).toBe(true);
    }
    expect(host.url.startsWith('http://127.0.0.1:')).toBe(true);
  });

  it('refuses foreign Host headers (DNS rebinding) and foreign Origins', async () => {
    const rebound = await raw(host, { path: '/', headers: { host: `attacker.example:${host.port}` } });
    expect(rebound.status).toBe(421);
    const crossSite = await raw(host, {
      method: 'POST',
      path: '/api/listAccounts',
      headers: { 'x-ledger-token': host.token, origin: 'https://attacker.example' },
    });
    expect(crossSite.status).toBe(403);
  });

  it('serves the page with a strict CSP and the bridge before the app script', async () => {
    const page = await raw(host, { path: '/' });
    expect(page.status).toBe(200);
    const policy = String(page.headers['content-security-policy']);
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("style-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).not.toContain('unsafe-eval');
    expect(policy).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body.indexOf('/preview-bridge.js')).toBeGreaterThan(-1);
    expect(page.body.indexOf('/preview-bridge.js')).toBeLessThan(page.body.indexOf('type="module"'));
    expect(page.body).not.toMatch(/<script>(?!<)/); // no inline script body
    const bridge = await raw(host, { path: '/preview-bridge.js' });
    expect(bridge.headers['content-type']).toMatch(/^text\/javascript/);
  });

  it('serves nothing outside the build folder', async () => {
    for (const path of [
      '/../package.json',
      '/%2e%2e/package.json',
      '/assets/..%2f..%2fpackage.json',
      '/..%5c..%5cpackage.json',
      '/%00',
      '/assets/%2e%2e/%2e%2e/shared/money.ts',
    ]) {
      const response = await raw(host, { path });
      expect(response.status, path).toBe(404);
      expect(response.body).not.toContain('"name"');
    }
  });

  it('exports only into the folder it was started with, never a path the page names', async () => {
    const folder = join(temporary.folder, 'exports');
    mkdirSync(folder);
    const exporting = await startPreviewHost(join(temporary.folder, 'export.db'), ['--export-dir', folder]);
    try {
      const answer = await callApi(exporting, 'exportEventLog', { format: 'csv' });
      expect(answer.json.ok).toBe(true);
      expect(dirname(answer.json.value.path)).toBe(folder);
      expect(readdirSync(folder)).toEqual([basename(answer.json.value.path)]);
      const smuggled = await callApi(exporting, 'exportEventLog', { format: 'csv', path: '/tmp/elsewhere.csv' });
      expect(smuggled.json).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    } finally {
      await exporting.stop();
    }
  });

  it('stops cleanly on SIGTERM', async () => {
    const other = await startPreviewHost(join(temporary.folder, 'second.db'));
    other.process.kill('SIGTERM');
    const exit = await new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      other.process.once('exit', (code, signal) => resolve({ code, signal })),
    );
    expect(exit, other.stderr()).toEqual({ code: 0, signal: null });
  });
});
