/**
 * The log moving in and out of the ledger's file: the original exercise's log imported, the
 * log exported as JSON Lines (sealed on request) or the audit view as CSV, and a full export
 * restored into an empty ledger or a new file.
 */
import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { AuditFilter } from '#shared/audit';
import { fail, type Failure, type Result } from '#shared/errors';
import type { AuditQueries } from '../audit/audit-queries';
import { exportCsv } from '../export/csv-export';
import type { ExportManifest } from '../export/export-format';
import { restoreExport, restoreIntoNewFile, type RestoreOptions, type RestoreSummary } from '../export/export-restore';
import { exportJsonLines, type SnapshotFilter } from '../export/jsonl-export';
import { sealingFor } from '../export/stored-seals';
import type { SignedHistory } from '../history/signed-history';
import { importLegacyLog, type LegacyImportSummary } from '../import/legacy-import';
import type { SigningKey } from '../signing/keys';
import type { EventStore } from '../store/event-store';
import { toStorageFailure } from '../store/storage-errors';

/** What the transfers need of the ledger, read at each call. */
export type TransferringLedger = {
  readonly actor: string;
  readonly readOnlyReason: () => string | undefined;
  readonly refusal: (what: 'imported') => Failure;
  readonly signedHistory: () => SignedHistory;
  /** Catches up with other processes' appends. */
  readonly catchUp: () => void;
  /** Replays the whole log again (after a restore). */
  readonly rebuild: () => void;
  /** Forgets the account states decided on (a failed import may have left some). */
  readonly forget: () => void;
};

/** What `Ledger.restore` takes beyond the export: its checks, and who hears the summary. */
export type NewFileRestoreOptions = RestoreOptions & { readonly onRestored?: (summary: RestoreSummary) => void };

export class LogTransfers {
  constructor(
    private readonly store: EventStore,
    private readonly audit: AuditQueries,
    private readonly ledger: TransferringLedger,
  ) {}

  /** Imports the original exercise's log (see import/legacy-import.ts); all or nothing. */
  importLegacy(text: string, currency: string): Result<LegacyImportSummary> {
    if (this.ledger.readOnlyReason() !== undefined) return this.ledger.refusal('imported');
    try {
      this.ledger.catchUp();
      return importLegacyLog(this.store, text, currency, this.ledger.actor);
    } catch (error) {
      this.ledger.forget();
      return toStorageFailure(error, this.store.path);
    }
  }

  /**
   * Streams the log as JSON Lines from one consistent snapshot; writes continue meanwhile. With
   * a key, a full export's head is sealed first (and the seal stored) unless that key sealed it already.
   */
  exportJsonLines(out: Writable, filter?: SnapshotFilter, signingKey?: SigningKey): Promise<ExportManifest> {
    const reason = this.ledger.readOnlyReason();
    const tampered = reason === 'opened read-only' ? undefined : reason;
    const sealing = signingKey === undefined ? undefined : sealingFor(this.store, this.ledger.signedHistory, signingKey, tampered);
    return exportJsonLines(this.store.path, out, { filter, nativeBinding: this.store.nativeBinding, sealing });
  }

  /** Streams the audit view with its filters as CSV; resolves to the number of rows. */
  exportCsv(filter: AuditFilter, out: Writable): Promise<number> {
    this.ledger.catchUp();
    return exportCsv(this.audit, filter, out);
  }

  /** Restores a full export into this ledger, which must be empty (see export/export-restore.ts), then replays it. */
  async restoreExport(exportPath: string, options: RestoreOptions = {}): Promise<Result<RestoreSummary>> {
    const restored = await restoreExport(this.store, exportPath, options);
    if (restored.ok) this.ledger.rebuild();
    return restored;
  }
}

/**
 * Restores a verified full export into a NEW ledger file at `path`, built under a temporary
 * name beside it and given its name only once restored and verified: a failed or killed
 * restore leaves no ledger behind (see export/export-restore.ts). `openStore` opens the
 * temporary file as a ledger and gives its store.
 */
export async function restoreNewFile(
  exportPath: string,
  path: string,
  openStore: (path: string) => Result<{ store: EventStore; close: () => void }>,
  options: NewFileRestoreOptions,
): Promise<Result<RestoreSummary>> {
  if (existsSync(path)) return fail('ALREADY_EXISTS', `The file ${path} already exists; restore into a new file`);
  const restored = await restoreIntoNewFile(exportPath, path, openStore, options);
  if (restored.ok) options.onRestored?.(restored.value);
  return restored;
}
