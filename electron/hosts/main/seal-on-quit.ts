/**
 * The app seals its ledger when it quits, so the last thing it wrote is signed even when nobody
 * pressed "Seal now".
 *
 * Invariants:
 * - Only when the head moved since the latest seal (by any key), the ledger is writable and it
 *   holds events; otherwise nothing is done.
 * - Bounded: at most QUIT_SEAL_MOST_EVENTS events since the latest seal are checked and
 *   sealed (sealing reads exactly those), and the key store gets QUIT_SEAL_LIMIT_MS to hand over
 *   the key. Past either bound, quitting goes on unsealed and the reason is logged.
 * - Never stops quitting: every failure is logged and answered, none is thrown.
 *
 * Importable without Electron: the ledger and the key are parameters.
 */
import { latestLedgerSeal, sealLedger } from '#engine/history/ledger-history';
import type { Ledger } from '#engine/ledger';
import type { SigningKeyService } from '#engine/sealing/seal-channels';
import type { SigningKey } from '#engine/signing/keys';
import type { Result } from '#shared/errors';

export const QUIT_SEAL_LIMIT_MS = 5_000;
/** Sealing reads every event since the latest seal; beyond this many, a quit would be held up. */
export const QUIT_SEAL_MOST_EVENTS = 100_000;

export type QuitSealOutcome = { readonly sealed: true; readonly treeSize: number } | { readonly sealed: false; readonly why: string };

export type QuitSealOptions = {
  readonly ledger: Ledger | undefined;
  readonly key: SigningKeyService;
  readonly limitMs?: number;
  readonly mostEvents?: number;
  readonly log?: (message: string, error?: unknown) => void;
};

/** Seals the open ledger's head on quit when it moved since the latest seal (see the invariants). */
export async function sealOnQuit(options: QuitSealOptions): Promise<QuitSealOutcome> {
  const skip = (why: string, logged = false): QuitSealOutcome => {
    if (logged) options.log?.(`Not sealed on quit: ${why}`);
    return { sealed: false, why };
  };
  try {
    const ledger = options.ledger;
    if (!ledger) return skip('no ledger is open');
    const info = ledger.info();
    if (info.readOnly) return skip(`the ledger is read-only (${info.readOnlyReason})`);
    if (info.lastPosition === 0) return skip('the ledger holds no events');
    const latest = latestLedgerSeal(ledger);
    if (!latest.ok) return skip(latest.error.message, true);
    const sealedSize = latest.value?.treeSize ?? 0;
    if (sealedSize >= info.lastPosition) return skip('the head is sealed already');
    const unsealed = info.lastPosition - sealedSize;
    if (unsealed > (options.mostEvents ?? QUIT_SEAL_MOST_EVENTS)) {
      return skip(`${unsealed} events since the latest seal would hold up quitting; Seal Now seals them`, true);
    }
    const key = await withinLimit(options.key.load({ create: true }), options.limitMs ?? QUIT_SEAL_LIMIT_MS);
    if (key === undefined) return skip('the key store did not hand over the signing key in time', true);
    if (!key.ok) return skip(key.error.message, true);
    // The key store may have taken a while: the head as it is now.
    ledger.refresh();
    const sealed = sealLedger(ledger, key.value);
    if (!sealed.ok) return skip(sealed.error.message, true);
    return { sealed: true, treeSize: sealed.value.treeSize };
  } catch (error) {
    options.log?.('Sealing on quit failed', error);
    return { sealed: false, why: 'an internal error' };
  }
}

/** The promise's answer, or undefined once `limitMs` passed. */
function withinLimit(promise: Promise<Result<SigningKey>>, limitMs: number): Promise<Result<SigningKey> | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((done) => (timer = setTimeout(() => done(undefined), limitMs)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
