/**
 * The CLI's signing key: --key-file, else $LEDGER_KEY_FILE, else the default file in the
 * user's config folder (signing/key-file.ts has the rules for reading and creating it).
 */
import { homedir } from 'node:os';
import { fail, type Result } from '#shared/errors';
import { loadKeyFile, resolveKeyFilePath } from '#engine/signing/key-file';
import type { SigningKey } from '#engine/signing/keys';

export type ResolvedKey = { readonly key: SigningKey; readonly created: boolean; readonly path: string };

/** The key at the resolved location; created there on first use when `create` is set. */
export function cliSigningKey(flag: string | undefined, options: { create: boolean }): Result<ResolvedKey> {
  if (flag === '') return fail('VALIDATION', '--key-file is empty: give the path of a key file');
  const path = resolveKeyFilePath({ flag, env: process.env, platform: process.platform, home: homedir() });
  const loaded = loadKeyFile(path, { createIfMissing: options.create });
  return loaded.ok ? { ok: true, value: { ...loaded.value, path } } : loaded;
}

/**
 * The key a command that records seals its head checkpoints with: the key file at
 * $LEDGER_KEY_FILE or in the config folder when there is one (never made here). None is no
 * refusal (the checkpoint is then unsigned, as before keys); a key file that is there but
 * cannot be used is, so a command never quietly stops sealing.
 */
export function checkpointSigningKey(): Result<SigningKey | undefined> {
  const resolved = cliSigningKey(undefined, { create: false });
  if (resolved.ok) return { ok: true, value: resolved.value.key };
  return resolved.error.details?.reason === 'missing' ? { ok: true, value: undefined } : resolved;
}
