/**
 * Writing a proof file by the export's rules (export/export-target.ts): never the ledger or a
 * file kept beside it, never through a link or into a folder or special file, an existing file
 * only when the caller says so; written whole under a temporary name and renamed, so a failed
 * write leaves nothing behind.
 */
import { succeed, type Result } from '#shared/errors';
import { writeWholeFile, type ExportTargetOptions } from '../export/export-target';
import { proofFileText, type ProofFile } from '../signing/proof-file';

/** Writes `proof` to `path` beside the ledger at `ledgerPath`; answers the path and the file's size. */
export function writeProofFile(
  ledgerPath: string,
  path: string,
  proof: ProofFile,
  target: ExportTargetOptions = {},
): Result<{ path: string; bytes: number }> {
  const bytes = Buffer.from(proofFileText(proof), 'utf8');
  const written = writeWholeFile(ledgerPath, path, bytes, 'proof', target);
  if (!written.ok) return written;
  return succeed({ path, bytes: bytes.length });
}
