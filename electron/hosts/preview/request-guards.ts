/**
 * The preview host's guards. It serves a real ledger over HTTP, so every one of these matters:
 * it listens on 127.0.0.1 only, every API request needs the per-run token, and the Host and
 * Origin headers must name this server (a web page elsewhere cannot reach it by DNS rebinding
 * or a cross-site request even if it guessed the port).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** 32 random bytes: unguessable for the lifetime of one run. */
const TOKEN_BYTES = 32;

export function createToken(): string {
  return randomBytes(TOKEN_BYTES).toString('hex');
}

/** Compares in constant time, so response timing reveals nothing about the token. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const givenBytes = Buffer.from(given, 'utf8');
  const expectedBytes = Buffer.from(expected, 'utf8');
  if (givenBytes.length !== expectedBytes.length) return false;
  return timingSafeEqual(givenBytes, expectedBytes);
}

/**
 * DNS rebinding: a page on evil.example whose name is re-pointed at 127.0.0.1 reaches this
 * port with `Host: evil.example:PORT`. Only our own host names are served.
 */
export function hostAllowed(request: IncomingMessage, port: number): boolean {
  const host = request.headers.host;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** A browser names the page that sent a request in Origin; only our own pages may call the API. */
export function originAllowed(request: IncomingMessage, port: number): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true; // not a browser cross-origin request (curl, tests, same-origin GET)
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
}

/** What the page may do: the app's one policy, the same as Electron's app:// pages. */
export { CONTENT_SECURITY_POLICY } from '#shared/content-security-policy';

/** Headers on every response. */
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'x-frame-options': 'DENY',
};
