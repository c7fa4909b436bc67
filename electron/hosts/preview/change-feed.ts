/**
 * Server-sent events to every open page: `data: <LedgerChange as JSON>` whenever the ledger
 * announces a change (its log grew, it turned read-only, its background verification
 * moved). The ledger notifies for this process's own commands; a watch on the file
 * (store/file-changes.ts) brings in appends by other processes (the CLI on the same file),
 * which the ledger's refresh reports through the same onChange listeners. Nothing polls.
 */
import type { ServerResponse } from 'node:http';
import type { LedgerChange } from '#shared/ipc-contract';
import type { Ledger } from '#engine/ledger';
import { watchForOtherWriters, type FileChangeWatch } from '#engine/store/file-changes';
import { COMMON_HEADERS } from './request-guards';

/** A comment line now and then keeps proxies and idle timeouts from dropping the stream. */
const KEEP_ALIVE_MS = 15_000;
/** How long a browser waits before reconnecting a dropped stream. */
const RECONNECT_MS = 1_000;

export class ChangeFeed {
  private readonly clients = new Set<ServerResponse>();
  private readonly stopListening: () => void;
  private readonly fileWatch: FileChangeWatch;
  private readonly keepAlive: NodeJS.Timeout;
  private announced: string;

  constructor(
    private readonly ledger: Ledger,
    onWatchError: (message: string, error?: unknown) => void,
  ) {
    this.announced = message(ledger.currentChange());
    this.stopListening = ledger.onChange((change) => this.broadcast(change));
    this.fileWatch = watchForOtherWriters(ledger, onWatchError);
    this.keepAlive = setInterval(() => {
      for (const client of this.clients) client.write(': keep-alive\n\n');
    }, KEEP_ALIVE_MS);
  }

  /** Turns the response into an event stream; the first event carries the current position. */
  attach(response: ServerResponse): void {
    response.writeHead(200, {
      ...COMMON_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    response.write(`retry: ${RECONNECT_MS}\n`);
    response.write(message(this.ledger.currentChange()));
    this.clients.add(response);
    response.on('close', () => this.clients.delete(response));
  }

  get clientCount(): number {
    return this.clients.size;
  }

  private broadcast(change: LedgerChange): void {
    const text = message(change);
    if (text === this.announced) return;
    this.announced = text;
    for (const client of this.clients) client.write(text);
  }

  close(): void {
    this.fileWatch.close();
    clearInterval(this.keepAlive);
    this.stopListening();
    for (const client of this.clients) client.end();
    this.clients.clear();
  }
}

function message(change: LedgerChange): string {
  return `data: ${JSON.stringify(change)}\n\n`;
}
