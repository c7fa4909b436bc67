/**
 * How an export or a restore writes seals into a ledger, through the ledger's own signed
 * history (history/signed-history.ts, history/seal-store.ts).
 *
 * Invariants:
 * - A ledger known to be tampered with is never sealed: that would sign a forged history.
 * - A ledger opened read-only (the CLI's reading commands) is sealed through a connection of
 *   its own, opened only for that write; when the file cannot be written or stays locked, the
 *   export is refused with a sentence that says how to export without a new seal.
 */
import { LedgerFailure } from '#shared/errors';
import { SignedHistory } from '../history/signed-history';
import type { SigningKey } from '../signing/keys';
import type { Seal } from '../signing/seal';
import { EventStore } from '../store/event-store';
import type { ExportSealing } from './export-sealing';

/** How an export of `store`'s ledger seals its head with `key`; `tampered` says why the ledger fails its checks, if it does. */
export function sealingFor(store: EventStore, history: () => SignedHistory, key: SigningKey, tampered: string | undefined): ExportSealing {
  return {
    key,
    sealHead: () => {
      if (tampered !== undefined) {
        throw new LedgerFailure({
          code: 'INTEGRITY',
          message: `The ledger ${store.path} fails its checks (${tampered}), so its head is not sealed; nothing was exported`,
        });
      }
      if (!store.readOnly) return sealed(history().seal(key));
      let writable: EventStore | undefined;
      try {
        writable = EventStore.open(store.path, { nativeBinding: store.nativeBinding });
        return sealed(new SignedHistory(writable).seal(key));
      } catch (error) {
        if (error instanceof LedgerFailure && error.error.code === 'INTEGRITY') throw error;
        const why = error instanceof LedgerFailure ? error.error.message : (error as Error).message;
        throw new LedgerFailure({
          code: 'STORAGE',
          message: `The export's seal could not be stored in the ledger ${store.path} (${why}); nothing was exported. Export with --unsigned to make no new seal, or seal the ledger where it can be written`,
        });
      } finally {
        writable?.close();
      }
    },
  };
}

function sealed(result: ReturnType<SignedHistory['seal']>): Seal {
  if (!result.ok) throw new LedgerFailure(result.error);
  return result.value;
}
