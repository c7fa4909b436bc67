/**
 * Where the preview host writes exports, standing in for the app's save dialog (a browser page
 * can never name a path itself). Without `--export-dir` it is the person's Downloads folder
 * when there is one — where a browser puts what a page hands over, so where a person looks
 * for it — else the folder of the ledger being served, which always exists and is the one
 * place the person already chose. Names are fresh: an export never replaces a file.
 */
import { lstatSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ExportFormat } from '#shared/audit';
import type { StatementFileChoice } from '#engine/handlers';
import { statementFileName } from '#engine/statement/statement-file';
import { proofFileName } from '#engine/sealing/seal-channels';

/** `~/Downloads` when it is a folder, else the ledger file's own folder. */
export function defaultExportFolder(ledgerPath: string, home: string = homedir()): string {
  const downloads = join(home, 'Downloads');
  try {
    if (statSync(downloads).isDirectory()) return downloads;
  } catch {
    // No Downloads folder (a server, a fresh account): fall back to the ledger's folder.
  }
  return dirname(ledgerPath);
}

/** Whether anything at all (a file, a folder, a link, even a dangling one) has this name. */
function nameTaken(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * A name in `folder` that nothing has yet: `ledger-export-<UTC time>.<format>`, then `-2`,
 * `-3`, … when that is taken (a file put there by hand, or an earlier export). `handedOut`
 * holds names already given to exports that may still be writing (their file appears only
 * when complete); the name chosen is added to it.
 */
export function freshExportPath(folder: string, format: ExportFormat, handedOut: Set<string>, now: Date = new Date()): string {
  return freshPath(folder, `ledger-export-${now.toISOString().replace(/[:.]/g, '-')}`, format, handedOut);
}

/** The same for a statement: its save dialog's name (statement-<account>-<from>-to-<to>), made fresh likewise. */
export function freshStatementPath(folder: string, choice: StatementFileChoice, handedOut: Set<string>): string {
  return freshPath(folder, statementFileName(choice).slice(0, -`.${choice.format}`.length), choice.format, handedOut);
}

/** The same for an event's inclusion proof: its save dialog's name (ledger-event-<position>-proof.json), made fresh likewise. */
export function freshProofPath(folder: string, position: number, handedOut: Set<string>): string {
  return freshPath(folder, proofFileName(position).slice(0, -'.json'.length), 'json', handedOut);
}

function freshPath(folder: string, stem: string, extension: string, handedOut: Set<string>): string {
  let path = join(folder, `${stem}.${extension}`);
  for (let suffix = 2; handedOut.has(path) || nameTaken(path); suffix++) path = join(folder, `${stem}-${suffix}.${extension}`);
  handedOut.add(path);
  return path;
}
