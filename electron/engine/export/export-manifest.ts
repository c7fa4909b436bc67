/**
 * The manifest line of a JSON Lines export: how it is written and how a verifier reads it.
 *
 * Version 2 (written now): the version 1 fields, with `rootHash` (the Merkle root of the event
 * lines, which the seals sign) in place of `eventsSha256`, then `seal` (the signed tree head of
 * the file's event lines, or null) and `seals` (every seal the ledger held, oldest first). Each
 * seal is written in its one form, the exact text the ledger stores (sealText), so a restore
 * stores the same bytes and the next export writes them again.
 *
 * Invariants:
 * - A version 2 manifest line is exactly what manifestLine writes for its values: strict keys,
 *   in order, no white space. A line edited in form only is refused as well as one edited in
 *   value (the values are checked against the file by export-verify.ts).
 * - A filtered export carries no seal: its lines are not the tree's leaves.
 * - Version 1 manifests (no seal, no seals) are read as they always were; one that carries
 *   either key is refused, so a seal is never silently ignored.
 */
import { z } from 'zod';
import { sealSchema } from '../signing/seal';
import { EXPORT_FORMAT_NAME, READABLE_FORMAT_VERSIONS, manifestLine, type ExportManifest } from './export-format';

/** A manifest longer than this is not one of ours (about 48,000 seals). */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

const HEX_64 = /^[0-9a-f]{64}$/;
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const manifestVersion2 = z
  .strictObject({
    format: z.literal(EXPORT_FORMAT_NAME),
    formatVersion: z.literal(2),
    appVersion: z.string(),
    firstPosition: count,
    lastPosition: count,
    count,
    headHash: z.string().regex(HEX_64),
    rootHash: z.string().regex(HEX_64),
    filter: z.record(z.string(), z.string()).optional(),
    seal: sealSchema.nullable(),
    seals: z.array(sealSchema),
  })
  .refine((manifest) => manifest.filter === undefined || (manifest.seal === null && manifest.seals.length === 0), {
    message: 'a filtered export carries no seal (its lines are not the tree of the ledger)',
  });

/** A parsed manifest, or why the manifest line is not one this code reads. */
export type ManifestReading = { readonly manifest: ExportManifest } | { readonly problem: string };

/**
 * Reads a manifest line (without its line feed) as a verifier must: `line` must be one JSON
 * object {"manifest":{…}}. Version 1 is taken field by field (checked later against the file);
 * version 2 must be exactly what the exporter writes for those values.
 */
export function readManifestLine(line: string): ManifestReading {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { problem: 'the manifest line is not valid JSON' };
  }
  const manifest = (parsed as { manifest?: unknown } | null)?.manifest;
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) return { problem: 'the last line is not a manifest' };
  const version = (manifest as { formatVersion?: unknown }).formatVersion;
  if (typeof version !== 'number' || !READABLE_FORMAT_VERSIONS.includes(version)) {
    return {
      problem: `the manifest says formatVersion ${JSON.stringify(version)}, which this version cannot read (it reads versions ${READABLE_FORMAT_VERSIONS.join(' and ')})`,
    };
  }
  if (version === 1) {
    if ('seal' in manifest || 'seals' in manifest) return { problem: 'a version 1 manifest carries no seals, but this one does' };
    return { manifest: manifest as ExportManifest };
  }
  const checked = manifestVersion2.safeParse(manifest);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
    return { problem: `the manifest is not in the version 2 form${where}: ${issue?.message ?? 'its shape is wrong'}` };
  }
  const value = checked.data as ExportManifest;
  if (manifestLine(value) !== `${line}\n`) {
    return { problem: 'the manifest line is not written as the exporter writes it (its form was edited)' };
  }
  return { manifest: value };
}
