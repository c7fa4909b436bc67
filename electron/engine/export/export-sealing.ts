/**
 * The seals a full export carries, and its own seal.
 *
 * Invariants:
 * - The export's own seal is a stored seal of exactly its events: by the exporting key when one
 *   is given, else the last one stored. When a key is given and it has not sealed the head the
 *   snapshot sees, the head is sealed first (sealing.sealHead: the ledger's own sealing, which
 *   checks the events since the last seal and stores the seal) and the snapshot is taken again,
 *   so the export never signs anything the ledger does not hold as a seal.
 * - Every stored seal the export carries was read in the export's snapshot, is in its one
 *   form, signs the root of the exported lines at its size and verifies; otherwise the ledger
 *   is damaged or tampered with, and the export is refused (INTEGRITY) rather than written with
 *   a seal that would not hold.
 * - No key and no stored seal of the head: the export carries no seal of its own (seal null).
 */
import type Database from 'better-sqlite3';
import { LedgerFailure } from '#shared/errors';
import { parseSealText } from '../history/seal-store';
import { fingerprintOf, type SigningKey } from '../signing/keys';
import { verifySeal, type Seal } from '../signing/seal';
import type { LineTree } from './line-tree';

export type ExportSealing = {
  /** Seals the export's head with this key when it has not sealed exactly the snapshot's events. */
  readonly key: SigningKey;
  /**
   * Seals the ledger's head as it is now with `key` and stores the seal (answering the stored
   * one when the key sealed that head already). Throws a LedgerFailure when it cannot.
   */
  readonly sealHead: () => Seal;
};

/** Snapshots taken before the head stops moving between sealing it and reading it. */
const SEALING_ATTEMPTS = 3;

/**
 * Begins the export's read transaction on `db` and answers the ledger's seals as it holds
 * them; with `sealing`, on a snapshot whose head that key has sealed.
 */
export function beginSealedSnapshot(db: Database.Database, ledgerPath: string, sealing: ExportSealing | undefined): Seal[] {
  for (let attempt = 1; ; attempt++) {
    db.exec('BEGIN');
    const head = (db.prepare('SELECT max(position) FROM events').pluck().get() as number | null) ?? 0;
    const stored = readStoredSeals(db, ledgerPath);
    if (sealing === undefined || stored.some((seal) => seal.treeSize === head && seal.publicKey === sealing.key.publicKey)) {
      return stored;
    }
    db.exec('COMMIT');
    if (attempt > SEALING_ATTEMPTS) {
      throw new LedgerFailure({
        code: 'CONCURRENCY_CONFLICT',
        message: `The ledger ${ledgerPath} kept growing while its export was being sealed; nothing was exported. Try again`,
      });
    }
    sealing.sealHead();
  }
}

/** The ledger's seals in the order it stored them, read on the export's snapshot connection. */
function readStoredSeals(db: Database.Database, ledgerPath: string): Seal[] {
  // A ledger written before seals existed, opened read-only, has no table yet: it has no seals.
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'seals'").pluck().get();
  if (table === undefined) return [];
  const rows = db.prepare('SELECT seal_number, seal FROM seals ORDER BY seal_number').raw().all() as Array<[number, string]>;
  return rows.map(([number, text]) => {
    const seal = parseSealText(text);
    if (seal === undefined) throw damagedSeal(ledgerPath, `its seal number ${number} is not a seal in its one form`);
    return seal;
  });
}

/** The `seal` and `seals` of a full export of `events` lines whose tree is `tree`. */
export function exportSealFor(
  ledgerPath: string,
  stored: readonly Seal[],
  tree: LineTree,
  events: number,
  key: SigningKey | undefined,
): { seal: Seal | null; seals: Seal[] } {
  for (const seal of stored) {
    const fingerprint = fingerprintOf(seal.publicKey);
    if (tree.rootAt(seal.treeSize) !== seal.rootHash) {
      throw damagedSeal(ledgerPath, `its seal of ${seal.treeSize} events (key ${fingerprint}) does not match its events`);
    }
    if (!verifySeal(seal).ok) throw damagedSeal(ledgerPath, `its seal of ${seal.treeSize} events (key ${fingerprint}) does not hold`);
  }
  const ofHead = stored.filter((seal) => seal.treeSize === events && (key === undefined || seal.publicKey === key.publicKey));
  const seal = ofHead[ofHead.length - 1] ?? null;
  if (key !== undefined && seal === null) throw new Error('the export was to be sealed but its head has no seal by its key: bug');
  return { seal, seals: [...stored] };
}

function damagedSeal(ledgerPath: string, why: string): LedgerFailure {
  return new LedgerFailure({
    code: 'INTEGRITY',
    message: `The ledger ${ledgerPath} cannot be exported with its seals: ${why}. Run ledger verify; nothing was exported`,
  });
}
