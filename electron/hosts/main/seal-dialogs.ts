/**
 * The dialogs of signed history in the app, as plain options and pure decisions so tests read
 * them without Electron; main.ts shows them. The renderer never names a path.
 *
 *   Verify a file…:          an open dialog for an export (.jsonl) or a proof (.json), in Documents.
 *   Save inclusion proof…:   a save dialog, `ledger-event-<position>-proof.json` in Documents;
 *                            a name without an extension gets .json, another extension is
 *                            explained and the dialog shown again.
 *   File → Seal Now:         a message box naming the seal (size, time, key fingerprint).
 */
import type { MessageBoxOptions, OpenDialogOptions, SaveDialogOptions } from 'electron';
import type { LedgerError } from '#shared/errors';
import { join } from 'node:path';
import type { SealView } from '#shared/seals';
import { proofFileName } from '#engine/sealing/seal-channels';
import { chooseSavePath, type SaveDialogHost } from './file-dialogs';

export const PROOF_FILTER = { name: 'Proof (JSON)', extensions: ['json'] };

export function verifyOpenDialogOptions(documentsFolder: string): OpenDialogOptions {
  return {
    title: 'Verify a File',
    buttonLabel: 'Verify',
    defaultPath: documentsFolder,
    properties: ['openFile'],
    filters: [
      { name: 'Export or proof', extensions: ['jsonl', 'json'] },
      { name: 'All files', extensions: ['*'] },
    ],
  };
}

export function proofSaveDialogOptions(documentsFolder: string, position: number): SaveDialogOptions {
  return {
    title: 'Save Inclusion Proof',
    buttonLabel: 'Save',
    defaultPath: join(documentsFolder, proofFileName(position)),
    filters: [PROOF_FILTER],
    // The proof replaces an existing file (atomically), so the dialog must have asked first.
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
}

/** Asks where to save the proof of the event at `position`; undefined when the person cancels. */
export async function chooseProofFile(host: SaveDialogHost, documentsFolder: string, position: number): Promise<string | undefined> {
  return chooseSavePath(
    host,
    proofSaveDialogOptions(documentsFolder, position),
    'json',
    (name) => `A proof is a JSON file: choose a name ending in .json, not ${name}.`,
  );
}

/** The reasons a restore refuses an export whose lines hold but whose seal does not (export-seal-check.ts). */
const SEAL_REFUSALS = new Set(['unsealed', 'wrong-key', 'bad-signature', 'root-mismatch', 'wrong-size', 'not-carried', 'duplicate-seal']);

/** Whether a restore was refused only for the export's seal: the person may still trust the file. */
export function isSealRefusal(error: LedgerError): boolean {
  return error.code === 'INTEGRITY' && SEAL_REFUSALS.has(String(error.details?.reason));
}

/**
 * The question after such a refusal: Cancel (the default) or Restore Anyway, which restores the
 * lines and keeps only the seals that hold. The engine's sentence names the command-line flag;
 * here the button is the way to say so.
 */
export function trustSealBox(error: LedgerError): MessageBoxOptions {
  return {
    type: 'warning',
    title: 'Restore from Export',
    message: 'The export’s seal does not hold',
    detail:
      `${error.message.replace(/;? ?restore it anyway only if you trust the file \(--ignore-seal\)\.?$/, '.')}\n\n` +
      'Its events and hash chain are intact, but nothing shows who wrote them. Restore it anyway only if you trust where the file came from: the restored ledger keeps only the seals that hold.',
    buttons: ['Cancel', 'Restore Anyway'],
    defaultId: 0,
    cancelId: 0,
  };
}

/** The message box after File → Seal Now. */
export function sealedMessage(seal: SealView): { message: string; detail: string } {
  const events = `${seal.treeSize.toLocaleString('en')} event${seal.treeSize === 1 ? '' : 's'}`;
  return {
    message: 'Ledger sealed',
    detail:
      `The first ${events} are sealed with the key ${seal.fingerprint}, signed at ${seal.signedAt}.\n\n` +
      `Root hash ${seal.rootHash}\n\nGive an auditor the public key ${seal.publicKey} (or read them its fingerprint) by another channel than the files you send.`,
  };
}
