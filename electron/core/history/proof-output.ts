/**
 * Writing a proof file by the export's rules (export/export-target.ts): never the ledger or a
 * file kept beside it, never through a link or into a folder or special file, an existing file
 * only when the caller says so; written whole under a temporary name and renamed, so a failed
 * write leaves nothing behind.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { fail, succeed, type Result } from '../../../shared/errors';
import { checkExportTarget, partialPathFor, removeStalePartials, type ExportTargetOptions } from '../export/export-target';
import { proofFileText, type ProofFile } from '../signing/proof-file';

/** Writes `proof` to `path` beside the ledger at `ledgerPath`; answers the path and the file's size. */
export function writeProofFile(
  ledgerPath: string,
  path: string,
  proof: ProofFile,
  target: ExportTargetOptions = {},
): Result<{ path: string; bytes: number }> {
  const allowed = checkExportTarget(ledgerPath, path, target);
  if (!allowed.ok) return allowed;
  const bytes = Buffer.from(proofFileText(proof), 'utf8');
  removeStalePartials(path);
  const temporary = partialPathFor(path);
  rmSync(temporary, { force: true });
  try {
    // 'wx': created here, never opened through a link planted under the temporary's name.
    const descriptor = openSync(temporary, 'wx', 0o644);
    try {
      for (let offset = 0; offset < bytes.length;) offset += writeSync(descriptor, bytes, offset);
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    return fail(
      'STORAGE',
      `The proof could not be written to ${path} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'}); nothing was written`,
    );
  }
  return succeed({ path, bytes: bytes.length });
}
