/**
 * Restores a full export into an EMPTY ledger. The file is verified first (a whole pass),
 * then written in one transaction in a second pass: the store recomputes every hash from the
 * restored content and the original positions, so the restored chain is the original chain —
 * exporting it again gives a byte-identical file. Any failure leaves the ledger empty.
 */
import { LedgerFailure, fail, succeed, type Result } from '../../../shared/errors';
import type { EventStore, StoredEvent } from '../store/event-store';
import { verifyExportFile } from './export-verify';

export async function restoreExport(store: EventStore, exportPath: string): Promise<Result<{ events: number; head: string }>> {
  if (store.lastPosition() > 0) {
    return fail('ALREADY_EXISTS', `The ledger ${store.path} is not empty; restore an export only into a new, empty ledger`);
  }
  const checked = await verifyExportFile(exportPath);
  if (!checked.ok) return fail('INTEGRITY', `The export ${exportPath} fails verification at line ${checked.firstBadLine}: ${checked.reason}`);
  if (checked.manifest.filter) return fail('VALIDATION', `The export ${exportPath} is restricted by a filter and cannot be restored`);
  const rows: StoredEvent[] = [];
  const flush = () => {
    for (const row of rows.splice(0)) {
      store.append([
        {
          streamId: row.streamId,
          expected: row.streamVersion - 1,
          events: [
            {
              type: row.type,
              schemaVersion: row.schemaVersion,
              data: {},
              dataText: row.data,
              metadata: {},
              metadataText: row.metadata,
              eventId: row.eventId,
              recordedAt: row.recordedAt,
            },
          ],
        },
      ]);
    }
  };
  try {
    // Second pass: verified rows are appended in chunks inside one transaction.
    await store.writeTransactionAsync(async () => {
      const written = await verifyExportFile(exportPath, (row) => {
        rows.push(row);
        if (rows.length >= 1_000) flush();
      });
      flush();
      if (!written.ok) {
        throw new LedgerFailure({ code: 'INTEGRITY', message: `The export changed while it was restored (line ${written.firstBadLine})` });
      }
      if (store.headHash() !== checked.head) {
        throw new LedgerFailure({ code: 'INTEGRITY', message: "The restored chain does not reproduce the export's head hash" });
      }
    });
  } catch (error) {
    if (error instanceof LedgerFailure) return { ok: false, error: error.error };
    throw error;
  }
  return succeed({ events: checked.events, head: checked.head });
}

