/**
 * The seals the ledger keeps beside its log (the table seals, schema.ts): each row is the one
 * text of a signed tree head (sealText), so an export carries it and a restore stores it back
 * byte for byte. Seals are not events: storing one never grows the tree it signs.
 *
 * Invariants:
 * - One seal per tree size and key (UNIQUE): storing a seal of a size its key has sealed
 *   already answers the stored one, with its time and signature, and stores nothing.
 * - A stored text is read back only if it is a seal in its one form; anything else was written
 *   by something other than this engine, and is answered as INTEGRITY.
 * - Seals are listed in the order they were stored (seal_number); the latest is the one of the
 *   largest tree size, the last stored of that size when several keys sealed it.
 */
import type Database from 'better-sqlite3';
import { LedgerFailure } from '#shared/errors';
import { sealSchema, type Seal } from '../signing/seal';

/** A seal's one text: its five fields in this order, no white space. */
export function sealText(seal: Seal): string {
  return JSON.stringify({
    treeSize: seal.treeSize,
    rootHash: seal.rootHash,
    signedAt: seal.signedAt,
    publicKey: seal.publicKey,
    signature: seal.signature,
  });
}

/** The seal in `text` when the text is a seal in its one form (sealText of itself), else undefined. */
export function parseSealText(text: string): Seal | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const checked = sealSchema.safeParse(parsed);
  if (!checked.success || sealText(checked.data) !== text) return undefined;
  return checked.data;
}

/** A stored seal with the number the table gave it (its place in the order of storing). */
export type StoredSeal = { readonly number: number; readonly seal: Seal };

export class SealStore {
  private readonly statements: ReturnType<typeof prepare>;

  constructor(
    db: Database.Database,
    private readonly ledgerPath: string,
  ) {
    this.statements = prepare(db);
  }

  /** Every stored seal, in the order stored. */
  list(): StoredSeal[] {
    return (this.statements.all.all() as Array<[number, string]>).map(([number, text]) => ({ number, seal: this.parsed(number, text) }));
  }

  /** The seal of the largest tree size (the last stored of that size), if any. */
  latest(): Seal | undefined {
    const row = this.statements.latest.get() as [number, string] | undefined;
    return row === undefined ? undefined : this.parsed(row[0], row[1]);
  }

  /** The seals of exactly `treeSize` events, in the order stored. */
  atSize(treeSize: number): Seal[] {
    return (this.statements.atSize.all(treeSize) as Array<[number, string]>).map(([number, text]) => this.parsed(number, text));
  }

  /**
   * Stores `seal` unless its key has sealed that size already; answers the seal as stored.
   * Must run inside a write transaction (or be one statement's worth of work outside one).
   */
  store(seal: Seal): Seal {
    this.statements.insert.run(seal.treeSize, seal.publicKey, sealText(seal));
    const row = this.statements.byKey.get(seal.treeSize, seal.publicKey) as [number, string];
    return this.parsed(row[0], row[1]);
  }

  private parsed(number: number, text: string): Seal {
    const seal = parseSealText(text);
    if (seal === undefined) {
      throw new LedgerFailure({
        code: 'INTEGRITY',
        message: `The ledger ${this.ledgerPath} holds a stored seal (number ${number}) that is not a seal in its one form: the seals were edited; run ledger verify`,
      });
    }
    return seal;
  }
}

function prepare(db: Database.Database) {
  return {
    all: db.prepare('SELECT seal_number, seal FROM seals ORDER BY seal_number').raw(),
    latest: db.prepare('SELECT seal_number, seal FROM seals ORDER BY tree_size DESC, seal_number DESC LIMIT 1').raw(),
    atSize: db.prepare('SELECT seal_number, seal FROM seals WHERE tree_size = ? ORDER BY seal_number').raw(),
    byKey: db.prepare('SELECT seal_number, seal FROM seals WHERE tree_size = ? AND public_key = ?').raw(),
    insert: db.prepare('INSERT INTO seals (tree_size, public_key, seal) VALUES (?, ?, ?) ON CONFLICT (tree_size, public_key) DO NOTHING'),
  };
}
