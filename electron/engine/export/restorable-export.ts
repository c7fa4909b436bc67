/**
 * The first pass of every restore: an export is restorable when its chain verifies, its seal
 * holds (or is to be ignored), it is not filtered, and every event in it is one the command
 * that records it could have recorded (import/event-rules.ts). Nothing is written.
 */
import { fail, succeed, type Result } from '#shared/errors';
import { EventRules } from '../import/event-rules';
import type { Seal } from '../signing/seal';
import { verifyExportFile, type ExportSealFacts } from './export-verify';

export type RestoreOptions = {
  /** The public key (keys.ts text) the export must be sealed by. */
  readonly expectedPublicKey?: string;
  /** Restore the events even though the export's seal does not hold; only the seals that hold are kept. */
  readonly ignoreSeal?: boolean;
};

export type RestoreSummary = {
  readonly events: number;
  readonly head: string;
  /** Who sealed the export, or null (unsealed, or its seal ignored). */
  readonly seal: ExportSealFacts | null;
  /** The seals restored into the ledger. */
  readonly seals: number;
  /** Said when nothing vouches for the export beyond its own hashes. */
  readonly note?: string;
};

/** Checks an export in one whole pass before anything of it is written; answers what a restore may write. */
export async function checkRestorable(exportPath: string, options: RestoreOptions = {}): Promise<Result<Checked>> {
  const rules = new EventRules();
  let lines = 0;
  let broken: { readonly line: number; readonly position: number; readonly problem: string } | undefined;
  const verified = await verifyExportFile(exportPath, {
    expectedPublicKey: options.expectedPublicKey,
    onEvent: (row) => {
      lines += 1;
      if (broken !== undefined) return;
      const problem = rules.check(row);
      if (problem !== undefined) broken = { line: lines, position: row.position, problem };
    },
  });
  const sealing = sealsToRestore(exportPath, verified, options);
  if (!sealing.ok) return sealing;
  const checked = sealing.value;
  if (checked.manifest.filter) return fail('VALIDATION', `The export ${exportPath} is restricted by a filter and cannot be restored`);
  const unfinished = broken === undefined ? rules.unfinished() : undefined;
  if (unfinished !== undefined) broken = { line: lines, position: checked.manifest.lastPosition, problem: unfinished };
  if (broken !== undefined) {
    return fail(
      'INTEGRITY',
      `The export ${exportPath} cannot be restored: line ${broken.line} (position ${broken.position}) is not what a command records: ${broken.problem}; nothing was restored`,
    );
  }
  return succeed(checked);
}

export type Checked = {
  readonly events: number;
  readonly head: string;
  readonly manifest: { readonly filter?: unknown; readonly lastPosition: number };
  readonly seal: ExportSealFacts | null;
  readonly seals: readonly Seal[];
  readonly note?: string;
};

/** What the first pass's verdict lets a restore do: go on (with the seals to store), or refuse. */
function sealsToRestore(
  exportPath: string,
  verified: Awaited<ReturnType<typeof verifyExportFile>>,
  options: RestoreOptions,
): Result<Checked> {
  if (verified.ok) {
    const { events, head, manifest, seal } = verified;
    const note =
      seal === null && manifest.filter === undefined
        ? `The export carries no seal (${manifest.formatVersion === 1 ? 'a version 1 export' : 'it was written without a signing key'}): only its own hashes vouch for it, and anyone who could edit it could have recomputed them.`
        : undefined;
    return succeed({ events, head, manifest, seal, seals: manifest.seals ?? [], ...(note ? { note } : {}) });
  }
  const failure = verified.sealFailure;
  if (failure === undefined) {
    return fail('INTEGRITY', `The export ${exportPath} fails verification at line ${verified.firstBadLine}: ${verified.reason}`);
  }
  if (!options.ignoreSeal) {
    return fail(
      'INTEGRITY',
      `The seal of the export ${exportPath} does not hold: ${verified.reason}. Nothing was restored; restore it anyway only if you trust the file (--ignore-seal)`,
      {
        ...(failure.reason === undefined ? {} : { reason: failure.reason }),
        ...(failure.fingerprint ? { fingerprint: failure.fingerprint } : {}),
        ...(failure.expectedFingerprint ? { expectedFingerprint: failure.expectedFingerprint } : {}),
      },
    );
  }
  const dropped = (failure.manifest.seals?.length ?? 0) - failure.sealsThatHold.length;
  return succeed({
    events: failure.events,
    head: failure.head,
    manifest: failure.manifest,
    seal: null,
    seals: failure.sealsThatHold,
    note: `The export's seal does not hold (${verified.reason}); its events were restored because the seal was to be ignored${
      dropped > 0 ? `, without the ${dropped} seal${dropped === 1 ? '' : 's'} that do not hold` : ''
    }.`,
  });
}
