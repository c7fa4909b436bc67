/**
 * How the CLI opens its ledger. Commands that only read open it read-only, so they work on a
 * file that is read-only on disk, and while another process holds the write lock (WAL lets
 * readers go on beside a writer). Opening writable would take that lock to prepare the file.
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Result } from '#shared/errors';
import { Ledger } from '#engine/ledger';
import type { LedgerTarget } from '#engine/ledger-target';
import { checkpointSigningKey } from './signing-key';

export type LedgerAccess = 'read' | 'write';

/**
 * `read`: read-only, and writable only where a read-only connection cannot read the file but
 * a writable one could (an older schema to upgrade, a crashed writer's WAL to recover) —
 * never for a file that does not exist, so a read creates nothing. `--read-only` forbids
 * that fallback too.
 */
export function openLedgerFor(target: LedgerTarget, access: LedgerAccess, strictlyReadOnly: boolean): Result<Ledger> {
  const options = { path: target.path, actor: `cli:${safeUserName()}` };
  if (access === 'write') {
    // A command that records seals the head checkpoints it writes, where the user has a key.
    const signingKey = checkpointSigningKey();
    if (!signingKey.ok) return signingKey;
    return Ledger.open({ ...options, ...(signingKey.value ? { signingKey: signingKey.value } : {}) });
  }
  const readOnly = Ledger.open({ ...options, readOnly: true });
  if (readOnly.ok || strictlyReadOnly || !existsSync(target.path)) return readOnly;
  const writable = Ledger.open(options);
  return writable.ok ? writable : readOnly;
}

export function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
