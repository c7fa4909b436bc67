/**
 * The head checkpoint: the last position and hash this machine saw committed, kept OUTSIDE
 * the events table (a small file beside the ledger). A chain alone cannot reveal a cut-off
 * tail — the shorter chain is still valid — but the checkpoint remembers how long it was.
 * It is written after each commit, so it may lag behind the log after a crash, never lead it.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export type HeadCheckpoint = { readonly position: number; readonly hash: string };

export function checkpointPathFor(ledgerPath: string): string {
  return `${ledgerPath}.head.json`;
}

export function readCheckpoint(ledgerPath: string): HeadCheckpoint | undefined {
  let text: string;
  try {
    text = readFileSync(checkpointPathFor(ledgerPath), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<HeadCheckpoint>;
    if (Number.isSafeInteger(parsed.position) && typeof parsed.hash === 'string') {
      return { position: parsed.position!, hash: parsed.hash };
    }
  } catch {
    // A damaged checkpoint is treated as absent; verify reports the log on its own merits.
  }
  return undefined;
}

/**
 * Moves the checkpoint forward (never back: another process may have written a newer one).
 * Write-then-rename keeps the file whole if we crash midway.
 */
export function advanceCheckpoint(ledgerPath: string, head: HeadCheckpoint): void {
  const current = readCheckpoint(ledgerPath);
  if (current && current.position >= head.position) return;
  const target = checkpointPathFor(ledgerPath);
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify({ ...head, writtenAt: new Date().toISOString() }));
  renameSync(temporary, target);
}
