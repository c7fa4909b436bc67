/**
 * The ledger's signed history as the audit screen shows it: the latest seal (read again after
 * every change notification, which File → Seal Now also sends), "Seal now", and whether the
 * person has already read the warning about how this window's key is kept.
 */
import type { LedgerError } from '#shared/errors';
import type { SealStatus, SealView } from '#shared/seals';
import { query } from './window-ledger';

/** Where the last key warning the person dismissed is remembered (its text: a new warning shows again). */
const DISMISSED_WARNING_KEY = 'event-ledger-key-warning-dismissed';

function dismissedWarning(): string | undefined {
  try {
    return window.localStorage.getItem(DISMISSED_WARNING_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

let sealsMade = $state(0);

/**
 * Seals made from this page outside the panel (a proof that sealed the head first): seals do
 * not grow the log, so no change notification says so; the panel reads this too.
 */
export const sealsFromThisPage = {
  get made(): number {
    return sealsMade;
  },
  add(): void {
    sealsMade += 1;
  },
};

export class SealState {
  status = $state.raw<SealStatus | undefined>();
  failure = $state.raw<LedgerError | undefined>();
  sealing = $state(false);
  /** The outcome of the last "Seal now": the seal made, or why not. */
  outcome = $state.raw<{ seal: SealView } | { error: LedgerError } | undefined>();
  private dismissed = $state(dismissedWarning());
  private reads = 0;

  /** The key warning, unless the person dismissed this very warning before. */
  get warning(): string | undefined {
    const warning = this.status?.keyWarning;
    return warning !== undefined && warning !== this.dismissed ? warning : undefined;
  }

  /** How many recorded events the latest seal does not cover. */
  get unsealed(): number {
    const status = this.status;
    return status ? Math.max(0, status.lastPosition - (status.seal?.treeSize ?? 0)) : 0;
  }

  /** Whether the latest seal was made with this window's key. */
  get sealedByThisKey(): boolean {
    const status = this.status;
    return !!status?.seal && status.key?.fingerprint === status.seal.fingerprint;
  }

  async refresh(): Promise<void> {
    const read = ++this.reads;
    const result = await query((api) => api.latestSeal());
    // An older answer arriving after a newer one is dropped.
    if (read !== this.reads) return;
    if (result.ok) {
      this.status = result.value;
      this.failure = undefined;
      // "Sealed at N events" about a seal that is no longer the latest would mislead.
      const made = this.outcome && 'seal' in this.outcome ? this.outcome.seal : undefined;
      if (made && (made.treeSize !== result.value.seal?.treeSize || made.signedAt !== result.value.seal.signedAt)) this.outcome = undefined;
    } else {
      this.failure = result.error;
    }
  }

  async sealNow(): Promise<void> {
    if (this.sealing) return;
    this.sealing = true;
    this.outcome = undefined;
    const result = await query((api) => api.sealNow());
    this.outcome = result.ok ? { seal: result.value } : { error: result.error };
    this.sealing = false;
    await this.refresh();
  }

  dismissWarning(): void {
    const warning = this.status?.keyWarning;
    if (warning === undefined) return;
    this.dismissed = warning;
    try {
      window.localStorage.setItem(DISMISSED_WARNING_KEY, warning);
    } catch {
      // Not remembered past this page: it shows again next time.
    }
  }
}
