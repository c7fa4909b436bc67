/**
 * "Verify a file…": a file an auditor was given — a JSON Lines export or a proof file — checked
 * offline, with no ledger, and the outcome said in plain words: what the file is, each check
 * made and whether it passed, the signer's fingerprint, and why it does not hold.
 *
 * Invariants:
 * - The checks are the CLI's own: export/export-verify.ts for an export (`ledger verify --file`),
 *   signing/proof-file.ts and proof-file-verify.ts for a proof (`ledger verify --proof`). This
 *   file only words their answers; it decides nothing they do not.
 * - A file is a proof when its first line is a lone "{" (proof files are pretty-printed) or
 *   the whole of a small file is one JSON object naming the proof format; anything else is
 *   read as an export. Either reader refuses what it is not, with its reason.
 * - Without an expected key a verdict that holds says only that the file agrees with itself
 *   and names its signer (keyChecked false, and a caution says so).
 * - Nothing is written; a file that cannot be read is a typed failure, not a verdict.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { fail, succeed, type Result } from '#shared/errors';
import type { FileVerdict, VerdictCheck } from '#shared/seals';
import { verifyExportFile } from '../export/export-verify';
import { fingerprintOf } from '../signing/keys';
import { MAX_PROOF_BYTES, PROOF_FORMAT, readProofFile, type ProofFile } from '../signing/proof-file';
import { verifyProofFile } from '../signing/proof-file-verify';

export type VerdictOptions = {
  /** The key the file must be signed by: the one its owner gave the person out of band. */
  readonly expectedPublicKey?: string | undefined;
  /** This window's own public key, to say when the file is signed by it. */
  readonly ownPublicKey?: string | undefined;
};

const NO_KEY_CAUTION =
  'No key was given, so this shows only that the file agrees with itself and names its signer. Compare the fingerprint with the one the ledger’s owner gave you by another channel.';

const count = (value: number, noun: string) => `${value.toLocaleString('en')} ${noun}${value === 1 ? '' : 's'}`;
const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;

/** Checks the file at `path` and says what it found. */
export async function verifyFileVerdict(path: string, options: VerdictOptions = {}): Promise<Result<FileVerdict>> {
  const kind = fileKind(path);
  if (!kind.ok) return kind;
  return kind.value === 'proof' ? proofVerdict(path, options) : exportVerdict(path, options);
}

/** Whether the file reads as a proof or an export (see the invariants); NOT_FOUND or STORAGE when it cannot be read. */
function fileKind(path: string): Result<'proof' | 'export'> {
  let descriptor: number;
  try {
    descriptor = openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('NOT_FOUND', `There is no file ${path}; nothing was verified`);
    return fail('STORAGE', `The file ${path} cannot be read (${code ?? 'error'}); nothing was verified`);
  }
  const head = Buffer.alloc(MAX_PROOF_BYTES + 1);
  let length = 0;
  try {
    for (let read = -1; read !== 0 && length < head.length; length += read) {
      read = readSync(descriptor, head, length, head.length - length, null);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(
      'STORAGE',
      `The file ${path} cannot be read (${code === 'EISDIR' ? 'it is a folder' : (code ?? 'error')}); nothing was verified`,
    );
  } finally {
    closeSync(descriptor);
  }
  const text = head.subarray(0, length).toString('utf8');
  if (/^\uFEFF?\{\r?\n/.test(text)) return succeed('proof');
  if (length <= MAX_PROOF_BYTES) {
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'object' && value !== null && (value as { format?: unknown }).format === PROOF_FORMAT) return succeed('proof');
    } catch {
      // Not one JSON value: an export (or neither, which the export reader says).
    }
  }
  return succeed('export');
}

function verdict(
  fields: Omit<FileVerdict, 'signedByThisKey' | 'keyChecked'> & { keyChecked?: boolean },
  options: VerdictOptions,
): Result<FileVerdict> {
  const signedByThisKey =
    fields.fingerprint !== undefined && options.ownPublicKey !== undefined && fields.fingerprint === fingerprintOf(options.ownPublicKey);
  return succeed({ ...fields, keyChecked: fields.keyChecked ?? false, signedByThisKey });
}

/** The key check's line: the key given, or none given. */
function keyCheck(options: VerdictOptions, passed: boolean | null): VerdictCheck {
  return options.expectedPublicKey === undefined
    ? { what: 'The signer’s key against a key you trust: no key was given, so the file’s own is named', passed: null }
    : { what: `The signer is the key you gave, ${fingerprintOf(options.expectedPublicKey)}`, passed };
}

async function exportVerdict(path: string, options: VerdictOptions): Promise<Result<FileVerdict>> {
  const report = await verifyExportFile(
    path,
    options.expectedPublicKey === undefined ? {} : { expectedPublicKey: options.expectedPublicKey },
  );
  const lines = 'Every event line’s hash and its link to the line before, and the manifest’s count, head hash and digest';
  const sealLine = 'The seal: an Ed25519 signature over the Merkle root (RFC 9162) of the event lines';
  if (!report.ok) {
    const sealFailed = report.sealFailure !== undefined;
    const reason = sentence(report.reason);
    const wrongKey = report.sealFailure?.reason === 'wrong-key' || report.sealFailure?.reason === 'unsealed';
    return verdict(
      {
        path,
        kind: 'export',
        verified: false,
        headline: sealFailed
          ? 'Not verified: the export’s lines hold, but its seal does not.'
          : `Not verified: the export fails at line ${report.firstBadLine.toLocaleString('en')}.`,
        checks: [
          { what: lines, passed: !sealFailed ? false : true },
          { what: sealLine, passed: !sealFailed ? null : wrongKey ? null : false },
          keyCheck(options, !sealFailed ? null : wrongKey ? false : null),
        ],
        reason,
        ...(report.sealFailure?.fingerprint ? { fingerprint: report.sealFailure.fingerprint } : {}),
        keyChecked: options.expectedPublicKey !== undefined,
      },
      options,
    );
  }
  const events = count(report.events, 'event');
  const checks: VerdictCheck[] = [{ what: `${lines} (${events})`, passed: true }];
  if (report.seal === null) {
    const why =
      report.manifest.filter !== undefined
        ? 'a filtered export carries no seal: its lines are not the ledger’s tree'
        : 'it was written without a signing key (or before exports were sealed)';
    return verdict(
      {
        path,
        kind: 'export',
        verified: true,
        headline: `The export’s ${events} hold together, but it carries no seal.`,
        checks: [...checks, { what: `${sealLine}: none, ${why}`, passed: null }, keyCheck(options, null)],
        caution: 'Only the file’s own hashes vouch for it: anyone who could edit it could have recomputed them.',
      },
      options,
    );
  }
  const seal = report.seal;
  const signer = report.keyChecked ? 'the key you gave' : `key ${seal.fingerprint}`;
  return verdict(
    {
      path,
      kind: 'export',
      verified: true,
      headline: `Verified: the export’s ${events} are intact and sealed by ${signer}.`,
      checks: [...checks, { what: `${sealLine} of ${events}`, passed: true }, keyCheck(options, report.keyChecked ? true : null)],
      fingerprint: seal.fingerprint,
      keyChecked: report.keyChecked,
      ...(report.keyChecked ? {} : { caution: NO_KEY_CAUTION }),
    },
    options,
  );
}

/** A proof's checks in the verifier's order (proof-file-verify.ts): the key is compared before a signature. */
type Step = 'file' | 'line' | 'key' | 'seal' | 'path';

function stepsOf(file: ProofFile | undefined): Array<{ step: Exclude<Step, 'file'>; what: string }> {
  if (file?.kind === 'consistency') {
    return [
      { step: 'key', what: '' },
      {
        step: 'seal',
        what: `Both seals (of ${count(file.fromSeal.treeSize, 'event')} and of ${count(file.toSeal.treeSize, 'event')}): Ed25519 signatures over their tree heads`,
      },
      { step: 'path', what: 'The consistency path: the newer tree keeps every event of the older one unchanged' },
    ];
  }
  const size = file === undefined ? '' : ` of ${count(file.treeSize, 'event')}`;
  return [
    { step: 'line', what: 'The event line: a line of an export whose hash matches its content, at the position its leaf names' },
    { step: 'key', what: '' },
    { step: 'seal', what: `The seal: an Ed25519 signature over the tree head${size}` },
    { step: 'path', what: `The audit path: from the event’s leaf up to the sealed root${size}` },
  ];
}

/** Which check a refusal's details.reason stops at. */
function stepOf(reason: unknown): Step {
  switch (reason) {
    case 'bad-event-line':
    case 'wrong-position':
      return 'line';
    case 'wrong-key':
      return 'key';
    case 'malformed-seal':
    case 'bad-signature':
      return 'seal';
    default:
      return 'path';
  }
}

async function proofVerdict(path: string, options: VerdictOptions): Promise<Result<FileVerdict>> {
  const read = readProofFile(path);
  if (!read.ok && (read.error.code === 'NOT_FOUND' || read.error.code === 'STORAGE')) return read;
  const file: ProofFile | undefined = read.ok ? read.value : undefined;
  const kind = file?.kind === 'consistency' ? 'consistency-proof' : 'inclusion-proof';
  const checked = file === undefined ? undefined : verifyProofFile(file, options.expectedPublicKey);
  const failure = !read.ok ? read.error : checked && !checked.ok ? checked.error : undefined;
  // A proof whose own numbers cannot hold (sizes, path lengths) is refused as it is read: that is the path's check.
  const failedAt: Step | undefined =
    failure === undefined ? undefined : !read.ok && read.error.code === 'VALIDATION' ? 'file' : stepOf(failure.details?.reason);
  const steps = stepsOf(file);
  const failedIndex = failedAt === undefined ? steps.length : failedAt === 'file' ? -1 : steps.findIndex((each) => each.step === failedAt);
  const checks: VerdictCheck[] = [
    { what: 'The file: a proof file (event-ledger-proof/1) of at most 64 KiB', passed: failedAt !== 'file' },
    ...steps.map((each, index): VerdictCheck => {
      // A proof refused as it was read had nothing before its failed check made.
      const passed = index < failedIndex ? (read.ok ? true : null) : index === failedIndex ? false : null;
      if (each.step !== 'key') return { what: each.what, passed };
      return keyCheck(options, options.expectedPublicKey === undefined ? null : passed);
    }),
  ];
  if (failure !== undefined || checked === undefined || !checked.ok) {
    const reason = sentence(failure?.message ?? 'The proof does not hold');
    const fingerprint = typeof failure?.details?.fingerprint === 'string' ? failure.details.fingerprint : undefined;
    const what = kind === 'inclusion-proof' ? 'inclusion proof' : 'consistency proof';
    return verdict(
      {
        path,
        kind,
        verified: false,
        headline:
          failedAt === 'file' ? 'Not verified: this is not a proof file that can be read.' : `Not verified: the ${what} does not hold.`,
        checks,
        reason,
        ...(fingerprint ? { fingerprint } : {}),
        keyChecked: options.expectedPublicKey !== undefined,
      },
      options,
    );
  }
  const proved = checked.value;
  const keyChecked = proved.keyChecked;
  if (proved.kind === 'inclusion') {
    const signer = keyChecked ? 'the key you gave' : `key ${proved.fingerprint}`;
    return verdict(
      {
        path,
        kind,
        verified: true,
        headline: `Verified: event #${proved.position.toLocaleString('en')} is in the ledger of ${count(proved.treeSize, 'event')} sealed by ${signer}.`,
        checks,
        fingerprint: proved.fingerprint,
        keyChecked,
        caution: keyChecked
          ? 'It proves this exact event line is part of the sealed ledger; it says nothing of the events around it (a later one may reverse it).'
          : NO_KEY_CAUTION,
      },
      options,
    );
  }
  const [older, newer] = proved.fingerprints;
  const signers = older === newer ? (keyChecked ? 'the key you gave' : `key ${newer}`) : `keys ${older} and ${newer}`;
  return verdict(
    {
      path,
      kind,
      verified: true,
      headline: `Verified: the ledger sealed at ${count(proved.toSize, 'event')} keeps the first ${proved.fromSize.toLocaleString('en')} unchanged (seals by ${signers}).`,
      checks,
      fingerprint: newer,
      keyChecked,
      ...(keyChecked ? {} : { caution: NO_KEY_CAUTION }),
    },
    options,
  );
}
