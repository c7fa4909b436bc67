/**
 * The HTTP face of the handler table: POST /api/<channel> with a JSON body answers the
 * channel's Result envelope, exactly what Electron's IPC answers. Transport problems
 * (no token, too large, not JSON) answer the same envelope shape with an HTTP status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fail, type Failure, type Result } from '#shared/errors';
import type { HandlerTable } from '#engine/handlers';
import { dispatchWaitingForLock } from './busy-retry';
import { COMMON_HEADERS } from './request-guards';

/** Largest request body accepted; the biggest valid request is a few kilobytes. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** After refusing an oversized body, read at most this much more before dropping the connection. */
const MAX_DRAIN_BYTES = 8 * 1024 * 1024;

export function sendJson(response: ServerResponse, status: number, body: Result<unknown>): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...COMMON_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}

class BodyTooLarge extends Error {}

/** Reads the body up to `limit` bytes; rejects with BodyTooLarge past it. */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Lets the client finish sending (so it can read our 413), but not forever. */
function drain(request: IncomingMessage): void {
  let drained = 0;
  request.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > MAX_DRAIN_BYTES) request.socket.destroy();
  });
  request.resume();
}

/** Parses a JSON body; an empty body is "no request" (channels without input accept that). */
export function parseJsonBody(body: Buffer): Result<unknown> {
  if (body.length === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return fail('VALIDATION', 'The request body is not valid JSON');
  }
}

/** Handles POST /api/<channel> after the token was checked. */
export async function handleChannel(
  table: HandlerTable,
  channel: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(request, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLarge) {
      response.setHeader('connection', 'close');
      sendJson(response, 413, tooLarge());
      drain(request);
      return;
    }
    throw error;
  }
  const parsed = parseJsonBody(body);
  if (!parsed.ok) return sendJson(response, 400, parsed);
  sendJson(response, 200, await dispatchWaitingForLock(table, channel, parsed.value));
}

function tooLarge(): Failure {
  return fail('VALIDATION', `The request body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB`);
}
