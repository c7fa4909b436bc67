/**
 * Browser code: the preview host's `window.ledger`. It gives the renderer exactly the object
 * Electron's preload gives it (LedgerApi), but over HTTP to the preview host, which answers
 * with the same handler table. Bundled for the browser by bridge-bundle.ts and served as
 * /preview-bridge.js, loaded before the app's own script.
 *
 * The per-run token comes from `?token=` in the page address; it is kept in sessionStorage
 * (so a reload keeps working) and removed from the address bar (so it does not end up in
 * the history, a bookmark or a screenshot).
 */
import type { Result } from '#shared/errors';
import type { ChannelRequest, LedgerApi, LedgerChange, LedgerChannel, LedgerResponses } from '#shared/ipc-contract';
import { PREVIEW_TOKEN_HEADER } from '#shared/preview-token';
import { isResultEnvelope } from '#shared/result-envelope';
import { readLedgerChange } from '#shared/ipc-channels';

const TOKEN_STORAGE_KEY = 'event-ledger-preview-token';

function takeToken(): string {
  const address = new URL(window.location.href);
  const fromAddress = address.searchParams.get('token');
  if (fromAddress) {
    window.sessionStorage.setItem(TOKEN_STORAGE_KEY, fromAddress);
    address.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', `${address.pathname}${address.search}${address.hash}`);
    return fromAddress;
  }
  return window.sessionStorage.getItem(TOKEN_STORAGE_KEY) ?? '';
}

const token = takeToken();

/**
 * One request to one channel. A refusal (bad token, invalid input, a domain rule) comes back
 * as a Failure envelope; only a transport failure (host gone, no envelope) rejects, just as
 * Electron's invoke rejects when the main process cannot answer.
 */
async function call<Channel extends LedgerChannel>(
  channel: Channel,
  request: ChannelRequest<Channel>,
): Promise<Result<LedgerResponses[Channel]>> {
  const response = await fetch(`/api/${channel}`, {
    method: 'POST',
    headers: { [PREVIEW_TOKEN_HEADER]: token, 'content-type': 'application/json' },
    body: request === undefined ? undefined : JSON.stringify(request),
    cache: 'no-store',
    credentials: 'omit',
  });
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new Error(`The preview host answered ${response.status} without a result`);
  }
  if (!isResultEnvelope(body)) throw new Error(`The preview host answered ${response.status} with an unexpected body`);
  return body as Result<LedgerResponses[Channel]>;
}

// ── Change notifications: one EventSource shared by every listener ─────────────────────
const changeListeners = new Set<(change: LedgerChange) => void>();
let events: EventSource | undefined;

function onChanged(listener: (change: LedgerChange) => void): () => void {
  changeListeners.add(listener);
  if (!events) {
    events = new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
    events.onmessage = (message: MessageEvent<string>) => {
      let change: LedgerChange | undefined;
      try {
        change = readLedgerChange(JSON.parse(message.data));
      } catch {
        return;
      }
      if (change === undefined) return;
      for (const each of [...changeListeners]) each(change);
    };
    // EventSource reconnects by itself; its first message after a reconnect carries the
    // current position, so the page catches up with anything it missed meanwhile.
  }
  return () => {
    changeListeners.delete(listener);
    if (changeListeners.size === 0 && events) {
      events.close();
      events = undefined;
    }
  };
}

/** Written out channel by channel: a channel added to the contract and missing here is a compile error. */
const ledger: LedgerApi = {
  openAccount: (request) => call('openAccount', request),
  deposit: (request) => call('deposit', request),
  withdraw: (request) => call('withdraw', request),
  transfer: (request) => call('transfer', request),
  closeAccount: (request) => call('closeAccount', request),
  reverse: (request) => call('reverse', request),
  listAccounts: (request) => call('listAccounts', request),
  accountsPage: (request) => call('accountsPage', request),
  getAccount: (request) => call('getAccount', request),
  accountHistory: (request) => call('accountHistory', request),
  ledgerInfo: (request) => call('ledgerInfo', request),
  balanceSeries: (request) => call('balanceSeries', request),
  auditEvents: (request) => call('auditEvents', request),
  eventDetail: (request) => call('eventDetail', request),
  integrityStatus: (request) => call('integrityStatus', request),
  balancesAsOf: (request) => call('balancesAsOf', request),
  exportEventLog: (request) => call('exportEventLog', request),
  statement: (request) => call('statement', request),
  saveStatement: (request) => call('saveStatement', request),
  latestSeal: (request) => call('latestSeal', request),
  sealNow: (request) => call('sealNow', request),
  verifyFile: (request) => call('verifyFile', request),
  saveInclusionProof: (request) => call('saveInclusionProof', request),
  onChanged,
  // The browser has no View menu; nothing ever asks the page to navigate.
  onNavigate: () => () => {},
};

Object.defineProperty(window, 'ledger', {
  value: Object.freeze(ledger),
  writable: false,
  configurable: false,
  enumerable: true,
});
