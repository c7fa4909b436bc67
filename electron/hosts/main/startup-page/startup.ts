/**
 * Script of the loading page (app://startup/loading.html). Runs IN THE PAGE, not in the main
 * process: it lives next to the main process only because the main process serves it; nothing
 * in electron/hosts/main imports it. scripts/build-electron.mjs bundles it to
 * dist-electron/startup/startup.js (browser, IIFE).
 *
 * It polls its own origin's /status (a same-origin fetch the CSP allows) and renders it.
 * No preload API is involved: this page gets no `window.ledger` access (the IPC sender check
 * only trusts app://app/index.html) and needs none.
 */

type Status =
  | { phase: 'opening'; path: string; applied: number; total: number }
  | { phase: 'ready'; path: string }
  | { phase: 'failed'; path: string; message: string };

const POLL_MS = 100;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`The loading page has no #${id}`);
  return found as T;
}

const opening = element<HTMLElement>('opening');
const openingFile = element<HTMLElement>('opening-file');
const progress = element<HTMLProgressElement>('replay-progress');
const count = element<HTMLElement>('replay-count');
const failed = element<HTMLElement>('failed');
const failedFile = element<HTMLElement>('failed-file');
const failedMessage = element<HTMLElement>('failed-message');

function render(status: Status): void {
  opening.hidden = status.phase === 'failed';
  failed.hidden = status.phase !== 'failed';
  if (status.phase === 'opening') {
    openingFile.textContent = status.path ? `Opening ${status.path}` : 'Opening the ledger…';
    if (status.total > 0) {
      progress.max = status.total;
      progress.value = status.applied;
      count.textContent = `Replayed ${status.applied.toLocaleString()} of ${status.total.toLocaleString()} events`;
    } else {
      progress.removeAttribute('value'); // indeterminate until the first page is read
      count.textContent = 'Reading the event log…';
    }
  } else if (status.phase === 'ready') {
    progress.max = 1;
    progress.value = 1;
    count.textContent = 'Ready';
  } else {
    failedFile.textContent = status.path;
    failedMessage.textContent = status.message;
  }
}

async function poll(): Promise<void> {
  try {
    const response = await fetch('status', { cache: 'no-store' });
    if (response.ok) render((await response.json()) as Status);
  } catch {
    // The main process is busy or the page is being replaced: try again on the next tick.
  }
  setTimeout(() => void poll(), POLL_MS);
}

function bindAction(id: string, action: string): void {
  element<HTMLButtonElement>(id).addEventListener('click', () => {
    void fetch(`action/${action}`, { method: 'POST', cache: 'no-store' }).catch(() => {});
  });
}

bindAction('open-ledger', 'open-ledger');
bindAction('new-ledger', 'new-ledger');
void poll();
