/**
 * The window title while a ledger is open: the file name and the app name, and — so that a
 * ledger the app refuses to write to is obvious even with the window half hidden — READ-ONLY
 * with the first bad position when the background verification found the chain broken.
 * The renderer shows the full reason in its banner (ledgerInfo.readOnlyReason).
 */
import { basename } from 'node:path';
import type { IntegrityStatus } from '#shared/audit';
import type { LedgerInfo } from '#shared/ipc-contract';

export function ledgerWindowTitle(appName: string, info: LedgerInfo | undefined, integrity: IntegrityStatus | undefined): string {
  if (!info) return appName;
  const title = `${basename(info.path)} — ${appName}`;
  if (integrity?.state === 'failed') return `${title} — READ-ONLY: integrity failure at position ${integrity.firstBadPosition}`;
  if (info.readOnly) return `${title} — READ-ONLY`;
  return title;
}
