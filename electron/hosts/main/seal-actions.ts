/**
 * Signed history in the app, wired: the app's key (app-signing-key.ts) and the dialogs
 * (seal-dialogs.ts) as the handler table's host services, File → Seal Now, and the seal on
 * quit (seal-on-quit.ts). main.ts passes its dialogs and its ledger; nothing here imports
 * Electron, so tests drive it with stand-ins.
 */
import type { OpenDialogOptions, SaveDialogOptions } from 'electron';
import type { HandlerTable } from '#engine/handlers';
import type { Ledger } from '#engine/ledger';
import type { SealingHostServices } from '#engine/sealing/seal-channels';
import type { SigningKey } from '#engine/signing/keys';
import { createAppSigningKey, type KeyStore } from './app-signing-key';
import { chooseProofFile, sealedMessage, verifyOpenDialogOptions } from './seal-dialogs';
import { sealOnQuit, type QuitSealOutcome } from './seal-on-quit';

/** How long opening a ledger waits for the key store before it opens with unsigned checkpoints. */
export const CHECKPOINT_KEY_LIMIT_MS = 10_000;

export type AppSealingOptions = {
  readonly keyStore: KeyStore;
  readonly userDataFolder: string;
  readonly platform: NodeJS.Platform;
  readonly documentsFolder: () => string;
  /** The open ledger, or undefined. */
  readonly ledger: () => Ledger | undefined;
  /** The handler table while a ledger is open. */
  readonly handlers: () => HandlerTable | undefined;
  readonly showOpenDialog: (options: OpenDialogOptions) => Promise<{ canceled: boolean; filePaths: string[] }>;
  readonly showSaveDialog: (options: SaveDialogOptions) => Promise<{ canceled: boolean; filePath?: string }>;
  readonly showError: (message: string, detail: string) => Promise<void>;
  readonly showInfo: (message: { message: string; detail: string }) => Promise<void>;
  readonly exists: (path: string) => boolean;
  /** A seal was made from the menu: the audit screen reads the latest seal again. */
  readonly onSealed: () => void;
  readonly log?: (message: string, error?: unknown) => void;
};

export function createAppSealing(options: AppSealingOptions) {
  const signingKey = createAppSigningKey({ folder: options.userDataFolder, keyStore: options.keyStore, platform: options.platform });
  const saveDialogs = { showSaveDialog: options.showSaveDialog, showError: options.showError, exists: options.exists };

  /** The handler table's host services: the key, and the dialogs that pick files. */
  const hostServices: SealingHostServices = {
    signingKey,
    chooseFileToVerify: async () => {
      const choice = await options.showOpenDialog(verifyOpenDialogOptions(options.documentsFolder()));
      return { ok: true, value: choice.canceled ? undefined : choice.filePaths[0] };
    },
    chooseProofPath: (position) => chooseProofFile(saveDialogs, options.documentsFolder(), position),
  };

  /** File → Seal Now: the head signed with the app's key; a message box names the seal, or why not. */
  async function sealFromMenu(): Promise<void> {
    const table = options.handlers();
    if (!table) {
      await options.showError('There is nothing to seal', 'No ledger is open. Open or create one from the File menu first.');
      return;
    }
    const sealed = await table.sealNow(undefined);
    if (!sealed.ok) {
      await options.showError('The ledger could not be sealed', sealed.error.message);
      return;
    }
    options.onSealed();
    await options.showInfo(sealedMessage(sealed.value));
  }

  /**
   * The key a ledger is opened with, so each head checkpoint it writes is a seal: the app's key
   * once it has one (the first seal makes it; until then checkpoints are unsigned). A key store
   * that does not answer within CHECKPOINT_KEY_LIMIT_MS, or cannot, leaves them unsigned.
   */
  async function checkpointKey(): Promise<{ signingKey?: SigningKey }> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<undefined>((done) => (timer = setTimeout(() => done(undefined), CHECKPOINT_KEY_LIMIT_MS)));
    const key = await Promise.race([signingKey.load({ create: false }), late]).finally(() => clearTimeout(timer));
    if (key === undefined) options.log?.('The key store did not hand over the signing key in time; head checkpoints are not sealed');
    else if (!key.ok && key.error.code !== 'NOT_FOUND') options.log?.(`Head checkpoints are not sealed: ${key.error.message}`);
    return key?.ok ? { signingKey: key.value } : {};
  }

  /** Quitting: seals a head that moved since the latest seal, within its bounds; never throws. */
  function sealBeforeQuit(): Promise<QuitSealOutcome> {
    return sealOnQuit({ ledger: options.ledger(), key: signingKey, ...(options.log ? { log: options.log } : {}) });
  }

  return { signingKey, hostServices, sealFromMenu, sealBeforeQuit, checkpointKey };
}
