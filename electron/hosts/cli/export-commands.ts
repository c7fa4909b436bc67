/**
 * `export`, `verify --file` and `import --file` (restore): the JSON Lines export and its seal.
 *
 * A full JSON Lines export is signed by default: the key comes from --key-file, else
 * $LEDGER_KEY_FILE, else the config folder, and is created there on first use (as `ledger
 * key` does). Its head is sealed (a stored seal) unless that key sealed it already, so the
 * ledger is opened writable for it. When no key can be had the export is refused, naming the
 * key file; --unsigned (or --read-only) exports without making a new seal.
 */
import { existsSync } from 'node:fs';
import { auditFilterSchema } from '#shared/audit';
import { validate } from '#shared/validation';
import { exportToFile, toSnapshotFilter } from '#engine/handlers';
import { Ledger } from '#engine/ledger';
import type { RestoreSummary } from '#engine/export/export-restore';
import { verifyExportFile } from '#engine/export/export-verify';
import { sealSummaryOf } from '#engine/export/export-seal-check';
import { checkExportTarget } from '#engine/export/export-target';
import { parsePublicKey, type SigningKey } from '#engine/signing/keys';
import { answer, orRefuse, withOk, type CommandContext } from './command-context';
import { checkInputFile } from './input-file';
import { safeUserName } from './open-ledger';
import { CliRefusal, EXIT, UsageError, printJson, stdoutClosed } from './output';
import { eventTypeFlag } from './read-commands';
import { cliSigningKey, type ResolvedKey } from './signing-key';

/** `verify --file`: offline, no database is opened at all. */
export async function verifyExport(file: string, publicKeyText: string | undefined): Promise<number> {
  orRefuse(checkInputFile(file));
  const expected = publicKeyText === undefined ? undefined : orRefuse(parsePublicKey(publicKeyText));
  const report = await verifyExportFile(file, expected ? { expectedPublicKey: expected.publicKey } : {});
  if (!report.ok) {
    const failure = report.sealFailure;
    printJson({
      ok: false,
      firstBadLine: report.firstBadLine,
      reason: report.reason,
      ...(failure?.fingerprint ? { fingerprint: failure.fingerprint } : {}),
      ...(failure?.expectedFingerprint ? { expectedFingerprint: failure.expectedFingerprint } : {}),
    });
    return EXIT.integrity;
  }
  const { events, head, manifest, seal, keyChecked } = report;
  let note: string | undefined;
  if (seal === null) {
    note =
      manifest.filter !== undefined
        ? 'A filtered export carries no seal (its lines are not the ledger’s tree): only its own hashes vouch for it.'
        : `The export carries no seal (${manifest.formatVersion === 1 ? 'a version 1 export' : 'it was written without a signing key'}): only its own hashes vouch for it, and anyone who could edit it could have recomputed them.`;
  } else if (!keyChecked) {
    note = `No --public-key was given: the export agrees with itself and was sealed by key ${seal.fingerprint}. That proves nothing until you compare this fingerprint with the one the ledger's owner gave you by another channel.`;
  }
  printJson({
    ok: true,
    events,
    head,
    formatVersion: manifest.formatVersion,
    ...(report.rootHash === undefined ? {} : { rootHash: report.rootHash }),
    seal,
    keyChecked,
    seals: manifest.seals?.length ?? 0,
    ...(note === undefined ? {} : { note }),
  });
  return EXIT.ok;
}

export async function runExport(context: CommandContext): Promise<number> {
  const format = context.string('format') ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') throw new UsageError(`--format is jsonl or csv, not "${format}"`);
  const out = context.string('out');
  if (context.values.force && out === undefined) throw new UsageError('--force goes with --out FILE');
  const keyFlag = context.string('key-file');
  const unsigned = context.values.unsigned === true;
  if (format === 'csv' && (keyFlag !== undefined || unsigned))
    throw new UsageError('--key-file and --unsigned go with a JSON Lines export');
  if (keyFlag !== undefined && unsigned) throw new UsageError('--key-file signs the export and --unsigned does not: give one of them');
  const type = eventTypeFlag(context.string('type'));
  const account = context.string('account');
  const from = context.string('from');
  const to = context.string('to');
  const filter = orRefuse(
    validate(auditFilterSchema, {
      ...(account === undefined ? {} : { accounts: [account] }),
      ...(type === undefined ? {} : { types: [type] }),
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
    }),
  );
  // Only a full JSON Lines export is sealed; a filtered one's lines are not the ledger's tree.
  const full = format === 'jsonl' && toSnapshotFilter(filter) === undefined;
  const readOnly = context.values['read-only'] === true;
  const signs = full && !unsigned && !readOnly;
  return context.withLedger(async (ledger) => {
    // The key is looked for (and created) only once the ledger is open and the target is
    // one the export may write: a typo makes no key.
    if (out !== undefined) orRefuse(checkExportTarget(ledger.path, out, { force: context.values.force === true }));
    const resolved = signs ? signingKeyForExport(keyFlag) : undefined;
    const key = resolved?.key;
    const created = resolved?.created ? createdNote(resolved) : undefined;
    if (out !== undefined) {
      const written = await exportToFile(ledger, out, format, filter, { force: context.values.force === true }, key);
      return answer(written, (value) => ({ ok: true, ...(value as object), ...(created ? { note: created } : {}) }));
    }
    try {
      if (format === 'csv') await ledger.exportCsv(filter, process.stdout);
      else {
        const manifest = await ledger.exportJsonLines(process.stdout, toSnapshotFilter(filter), key);
        if (created) process.stderr.write(`${created}\n`);
        if (full && sealSummaryOf(manifest).seal === null && readOnly && !unsigned) {
          process.stderr.write('The export carries no seal: --read-only makes none. Seal the ledger (ledger seal) and export again.\n');
        }
      }
    } catch (error) {
      // The reader went away (| head): what it read was whole lines; nothing else to do.
      if (stdoutClosed.signal.aborted) return EXIT.ok;
      throw error;
    }
    return EXIT.ok;
  });
}

/** The export's key; no key at all is a refusal that says how to name one or to export unsigned. */
function signingKeyForExport(flag: string | undefined): ResolvedKey {
  const resolved = cliSigningKey(flag, { create: true });
  if (resolved.ok) return resolved.value;
  throw new CliRefusal({
    ...resolved.error,
    message: `${resolved.error.message} A JSON Lines export is signed: name a key with --key-file (or LEDGER_KEY_FILE), or export with --unsigned.`,
  });
}

function createdNote(resolved: ResolvedKey): string {
  return `A new signing key was made at ${resolved.path} (key ${resolved.key.fingerprint}); give its public key (ledger key) to whoever checks your exports.`;
}

/** `import --file`: restore a full export into a new (or empty) ledger file. */
export async function runRestore(context: CommandContext, exportPath: string): Promise<number> {
  const publicKeyText = context.string('public-key');
  const expected: SigningKey['publicKey'] | undefined =
    publicKeyText === undefined ? undefined : orRefuse(parsePublicKey(publicKeyText)).publicKey;
  const options = { ...(expected ? { expectedPublicKey: expected } : {}), ignoreSeal: context.values['ignore-seal'] === true };
  const target = context.target();
  if (existsSync(target.path)) {
    // An existing file must be an empty ledger: restoreExport refuses anything else.
    return context.withLedger(async (ledger) => {
      return answer(await ledger.restoreExport(exportPath, options), withOk);
    });
  }
  let summary: RestoreSummary | undefined;
  const restored = await Ledger.restore(
    exportPath,
    { path: target.path, actor: `cli:${safeUserName()}` },
    { ...options, onRestored: (value) => (summary = value) },
  );
  if (!restored.ok) return answer(restored);
  restored.value.close();
  printJson({ ok: true, ...summary });
  return EXIT.ok;
}
