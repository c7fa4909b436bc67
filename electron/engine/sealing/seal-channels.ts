/**
 * The signed-history channels of the handler table (the audit screen's seal, "Seal now",
 * "Verify a file…" and an event's "Save inclusion proof…"), and the host services they need.
 *
 * Invariants:
 * - The signing key is the host's: the engine asks the host for it and never learns where or
 *   how it is kept. Only its public half and fingerprint ever leave this file; the private key
 *   is never in an answer, a message or a file written here.
 * - The renderer never names a path: the host picks the file to verify and where a proof goes
 *   (a dialog in Electron, its export folder in the preview host).
 * - Whatever can be refused without writing is refused before a dialog, and a cancelled
 *   dialog writes nothing: no key, no seal, no file.
 * - A proof needs a seal covering its event; when the latest seal does not, the head is
 *   sealed first with the host's key (a stored seal like any other, as an export makes one).
 */
import { fail, succeed, type Result } from '#shared/errors';
import { LEDGER_CHANNELS, type LedgerResponses } from '#shared/ipc-contract';
import type { ProofSaved, SealStatus, SealView } from '#shared/seals';
import { validate } from '#shared/validation';
import { latestLedgerSeal, ledgerInclusionProof, sealLedger } from '../history/ledger-history';
import { writeProofFile } from '../history/proof-output';
import type { Ledger } from '../ledger';
import { fingerprintOf, type SigningKey } from '../signing/keys';
import type { Seal } from '../signing/seal';
import { verifyFileVerdict } from './file-verdict';

/** Where the host keeps its signing key. */
export type SigningKeyService = {
  /**
   * The host's key; made and kept when `create` is set and there is none yet, else NOT_FOUND.
   * Asynchronous: a system key store may take a while to answer (and Electron's only asks so).
   */
  readonly load: (options: { readonly create: boolean }) => Promise<Result<SigningKey>>;
  /** Why the key is kept less safely than in the system's key store, in plain words; undefined when it is not. */
  readonly warning?: () => string | undefined;
};

/** What only the host can do for these channels. */
export type SealingHostServices = {
  readonly signingKey?: SigningKeyService;
  /** Asks which file to verify (an export or a proof); undefined when the person cancelled. */
  readonly chooseFileToVerify?: () => Promise<Result<string | undefined>>;
  /** Asks where to save the inclusion proof of the event at `position`; undefined when the person cancelled. */
  readonly chooseProofPath?: (position: number) => Promise<string | undefined>;
};

export type SealingHandlers = {
  readonly latestSeal: (request: unknown) => Promise<Result<LedgerResponses['latestSeal']>>;
  readonly sealNow: (request: unknown) => Promise<Result<LedgerResponses['sealNow']>>;
  readonly verifyFile: (request: unknown) => Promise<Result<LedgerResponses['verifyFile']>>;
  readonly saveInclusionProof: (request: unknown) => Promise<Result<LedgerResponses['saveInclusionProof']>>;
};

const NOT_HERE = 'Sealing is not available in this window';

/** The name a proof's save dialog offers (the preview host's stand-in makes it fresh). */
export function proofFileName(position: number): string {
  return `ledger-event-${position}-proof.json`;
}

export function sealView(seal: Seal): SealView {
  const { treeSize, rootHash, signedAt, publicKey } = seal;
  return { treeSize, rootHash, signedAt, publicKey, fingerprint: fingerprintOf(publicKey) };
}

/** Refuses a read-only ledger before any key is made for it; sealLedger refuses it again. */
function writable(ledger: Ledger): Result<void> {
  const info = ledger.info();
  if (!info.readOnly) return succeed(undefined);
  return fail('INTEGRITY', `The ledger ${ledger.path} is read-only (${info.readOnlyReason}); nothing was sealed`);
}

/**
 * The key a window's full JSON Lines export is sealed with (the export seals the head first,
 * export/export-sealing.ts): the host's, made on first use. None for a CSV or filtered export
 * (their lines are not the ledger's tree), for a read-only ledger (one found tampered with is
 * exported for review and never sealed), or when the host keeps no key or cannot hand it over:
 * then the export carries the ledger's stored seals and makes no new one, and its answer says
 * it has no seal of its own.
 */
export async function exportSigningKey(ledger: Ledger, host: SealingHostServices, full: boolean): Promise<SigningKey | undefined> {
  if (!full || !host.signingKey || ledger.info().readOnly) return undefined;
  const key = await host.signingKey.load({ create: true });
  return key.ok ? key.value : undefined;
}

export function sealingHandlers(getLedger: () => Ledger, host: SealingHostServices): SealingHandlers {
  const keyOf = async (create: boolean): Promise<Result<SigningKey>> =>
    host.signingKey ? host.signingKey.load({ create }) : fail('VALIDATION', NOT_HERE, { reason: 'no-key-service' });

  /** Seals the ledger `getLedger` answers once the key is there, with the host's key (made on first use). */
  const sealHead = async (): Promise<Result<Seal>> => {
    const allowed = writable(getLedger());
    if (!allowed.ok) return allowed;
    const key = await keyOf(true);
    if (!key.ok) return key;
    // The ledger open now (a key store may have asked the person a while), caught up with other writers.
    const ledger = getLedger();
    ledger.refresh();
    return sealLedger(ledger, key.value);
  };

  return {
    latestSeal: async (request) => {
      const input = validate(LEDGER_CHANNELS.latestSeal.request, request);
      if (!input.ok) return input;
      const key = await keyOf(false);
      const ledger = getLedger();
      ledger.refresh();
      const latest = latestLedgerSeal(ledger);
      if (!latest.ok) return latest;
      const warning = host.signingKey?.warning?.();
      const status: SealStatus = {
        seal: latest.value === null ? null : sealView(latest.value),
        lastPosition: ledger.info().lastPosition,
        key: key.ok ? { publicKey: key.value.publicKey, fingerprint: key.value.fingerprint } : null,
        ...(!key.ok && key.error.code !== 'NOT_FOUND' ? { unavailable: key.error.message } : {}),
        ...(warning === undefined ? {} : { keyWarning: warning }),
      };
      return succeed(status);
    },

    sealNow: async (request) => {
      const input = validate(LEDGER_CHANNELS.sealNow.request, request);
      if (!input.ok) return input;
      if (!host.signingKey) return fail('VALIDATION', NOT_HERE);
      getLedger().refresh();
      const sealed = await sealHead();
      return sealed.ok ? succeed(sealView(sealed.value)) : sealed;
    },

    verifyFile: async (request) => {
      const input = validate(LEDGER_CHANNELS.verifyFile.request, request);
      if (!input.ok) return input;
      if (!host.chooseFileToVerify) return fail('VALIDATION', 'Verifying a file is not available in this window');
      const chosen = await host.chooseFileToVerify();
      if (!chosen.ok) return chosen;
      if (chosen.value === undefined) return succeed(null);
      const own = host.signingKey ? await host.signingKey.load({ create: false }) : undefined;
      return verifyFileVerdict(chosen.value, {
        expectedPublicKey: input.value?.publicKey,
        ownPublicKey: own?.ok ? own.value.publicKey : undefined,
      });
    },

    saveInclusionProof: async (request) => {
      const input = validate(LEDGER_CHANNELS.saveInclusionProof.request, request);
      if (!input.ok) return input;
      const { position } = input.value;
      if (!host.chooseProofPath) return fail('VALIDATION', 'Saving a proof is not available in this window');
      // Refused before asking where: an event that does not exist, or a seal that cannot be made.
      const before = getLedger();
      before.refresh();
      const last = before.info().lastPosition;
      if (position > last) {
        return fail('NOT_FOUND', `There is no event at position ${position}: the log holds positions 1 to ${last}; no proof was saved`);
      }
      const latest = latestLedgerSeal(before);
      if (!latest.ok) return latest;
      const needsSeal = latest.value === null || latest.value.treeSize < position;
      if (needsSeal) {
        const allowed = writable(before);
        if (!allowed.ok) {
          return fail(
            'INTEGRITY',
            `No seal covers the event at position ${position}, and this ledger cannot be sealed: ${allowed.error.message}`,
          );
        }
        if (!host.signingKey) return fail('VALIDATION', `No seal covers the event at position ${position}, and ${NOT_HERE.toLowerCase()}`);
      }
      const path = await host.chooseProofPath(position);
      if (path === undefined) return succeed(null);
      // The dialog may have been open a while: the ledger now open is the one proved.
      getLedger().refresh();
      let sealedNow = false;
      if (needsSeal) {
        const covering = latestLedgerSeal(getLedger());
        if (!covering.ok) return covering;
        if (covering.value === null || covering.value.treeSize < position) {
          const sealed = await sealHead();
          if (!sealed.ok) return sealed;
          sealedNow = true;
        }
      }
      const ledger = getLedger();
      const proof = ledgerInclusionProof(ledger, position);
      if (!proof.ok) return proof;
      // The host chose the path: Electron's save dialog asked before replacing, the preview names a fresh file.
      const written = writeProofFile(ledger.path, path, proof.value, { force: true });
      if (!written.ok) return written;
      const saved: ProofSaved = {
        path: written.value.path,
        position,
        treeSize: proof.value.treeSize,
        fingerprint: fingerprintOf(proof.value.seal.publicKey),
        bytes: written.value.bytes,
        sealedNow,
      };
      return succeed(saved);
    },
  };
}
