/**
 * The signed-history commands: `key`, `seal`, `seals`, `prove`, and `verify --proof` (which the
 * verify command hands to verifyProof). The signing key comes from --key-file, else
 * $LEDGER_KEY_FILE, else the user's config folder (signing/key-file.ts); `key` creates it
 * there on first use, and `seal` refuses without one, so a typo in a path never signs with a
 * new, unknown key. Every check of input (the key, the flags, a proof file) happens before a
 * ledger is opened.
 */
import { homedir } from 'node:os';
import { fail, type Result } from '#shared/errors';
import { ledgerConsistencyProof, ledgerInclusionProof, ledgerSeals, sealLedger } from '#engine/history/ledger-history';
import { writeProofFile } from '#engine/history/proof-output';
import { loadKeyFile, resolveKeyFilePath } from '#engine/signing/key-file';
import { fingerprintOf, parsePublicKey, type SigningKey } from '#engine/signing/keys';
import { proofFileText, readProofFile, type ProofFile } from '#engine/signing/proof-file';
import { verifyProofFile } from '#engine/signing/proof-file-verify';
import { answer, orRefuse, withOk, type CliCommand, type CommandContext } from './command-context';
import { checkInputFile } from './input-file';
import { EXIT, UsageError, printFailure, printJson, printText } from './output';

const KEY_FILE_DETAIL = '--key-file F names the key file; else $LEDGER_KEY_FILE; else signing-key.pem in your config folder.';

export const SIGNING_COMMANDS = {
  key: {
    summary: 'your signing key (created on first use): its public key and fingerprint',
    synopsis: '[--key-file F]',
    details: [
      KEY_FILE_DETAIL,
      'Prints {"ok":true,"publicKey":…,"fingerprint":…,"keyFile":…,"created":true|false}. Give the public key or its',
      'fingerprint to your auditor by another channel; the private key never leaves the file (mode 0600).',
    ],
    flags: { strings: ['key-file'] },
    access: 'read',
    run: (context) => {
      const { key, created, path } = orRefuse(signingKey(context, true));
      printJson({ ok: true, publicKey: key.publicKey, fingerprint: fingerprintOf(key.publicKey), keyFile: path, created });
      return EXIT.ok;
    },
  },
  seal: {
    summary: "sign the ledger's head (its tree size and root) with your key and store the seal beside the log",
    synopsis: '[--key-file F]',
    details: [
      KEY_FILE_DETAIL,
      'Prints {"ok":true,"treeSize":N,"rootHash":HEX,"signedAt":…,"publicKey":…,"signature":…}. The events since the',
      'last seal are checked first (INTEGRITY, exit 3, when they do not hold). A head your key has sealed already',
      'answers the stored seal. Without a key file: NOT_FOUND (create one with `ledger key`).',
    ],
    flags: { strings: ['key-file'] },
    access: 'write',
    run: (context) => {
      const { key } = orRefuse(signingKey(context, false));
      return context.withLedger((ledger) => answer(sealLedger(ledger, key), withOk));
    },
  },
  seals: {
    summary: 'the seals stored in the ledger, in the order they were made',
    synopsis: '',
    details: ['Prints {"ok":true,"seals":[{treeSize,rootHash,signedAt,publicKey,signature,fingerprint},…]}.'],
    flags: {},
    access: 'read',
    run: (context) =>
      context.withLedger((ledger) =>
        answer(ledgerSeals(ledger), (seals) => ({
          ok: true,
          seals: (seals as Array<{ publicKey: string }>).map((seal) => ({ ...seal, fingerprint: fingerprintOf(seal.publicKey) })),
        })),
      ),
  },
  prove: {
    summary: 'an offline proof: that the event at a position is in the latest seal, or that the latest seal extends an older one',
    synopsis: '--position P | --from-size N  [--out FILE [--force]]',
    details: [
      '--position P: an inclusion proof of the event at P (its export line, leaf index, audit path and the latest seal).',
      '--from-size N: a consistency proof from the seal of N events to the latest seal (NOT_FOUND if none has N).',
      'The proof file is printed, or written to --out by the export rules (never the ledger or a file beside it, never',
      'through a link; an existing file only with --force). Check it anywhere with `ledger verify --proof FILE`.',
    ],
    flags: { strings: ['position', 'from-size', 'out'], booleans: ['force'] },
    access: 'read',
    run: runProve,
  },
} satisfies Record<string, CliCommand>;

/** The key file --key-file or the environment names; created there when `create`. */
function signingKey(context: CommandContext, create: boolean): Result<{ key: SigningKey; created: boolean; path: string }> {
  const flag = context.string('key-file');
  if (flag === '') return fail('VALIDATION', '--key-file is empty: give the path of a key file');
  const path = resolveKeyFilePath({ flag, env: process.env, platform: process.platform, home: homedir() });
  const loaded = loadKeyFile(path, { createIfMissing: create });
  if (!loaded.ok) {
    if (loaded.error.details?.reason !== 'missing') return loaded;
    return fail('NOT_FOUND', `There is no signing key at ${path}; create one with \`ledger key\` (with the same --key-file)`, {
      reason: 'missing',
      path,
    });
  }
  return { ok: true, value: { ...loaded.value, path } };
}

function wholeNumber(context: CommandContext, name: string, minimum: number): number | undefined {
  const text = context.string(name);
  if (text === undefined) return undefined;
  if (!/^\d{1,15}$/.test(text) || Number(text) < minimum)
    throw new UsageError(`--${name} needs a whole number from ${minimum}, not "${text}"`);
  return Number(text);
}

async function runProve(context: CommandContext): Promise<number> {
  const position = wholeNumber(context, 'position', 1);
  const fromSize = wholeNumber(context, 'from-size', 1);
  if ((position === undefined) === (fromSize === undefined)) throw new UsageError('prove needs either --position P or --from-size N');
  const out = context.string('out');
  if (context.values.force && out === undefined) throw new UsageError('--force goes with --out FILE');
  return context.withLedger((ledger) => {
    const proof: Result<ProofFile> =
      position !== undefined ? ledgerInclusionProof(ledger, position) : ledgerConsistencyProof(ledger, fromSize!);
    if (!proof.ok || out === undefined) {
      if (!proof.ok) return answer(proof);
      printText(proofFileText(proof.value));
      return EXIT.ok;
    }
    const written = writeProofFile(ledger.path, out, proof.value, { force: context.values.force === true });
    const file = proof.value;
    const facts =
      file.kind === 'inclusion'
        ? { position: file.leafIndex + 1, treeSize: file.treeSize }
        : { fromSize: file.fromSeal.treeSize, toSize: file.toSeal.treeSize };
    return answer(written, (value) => ({ ok: true, kind: file.kind, ...facts, ...(value as object) }));
  });
}

/**
 * The verify command with `--proof FILE [--public-key K]` added: a proof is checked by
 * verifyProof, anything else goes to `verify` as it is (the chain, or an export with --file).
 */
export function withProofCheck(verify: CliCommand): CliCommand {
  const strings = [...new Set([...(verify.flags.strings ?? []), 'proof', 'public-key'])];
  return {
    ...verify,
    summary: `${verify.summary}; with --proof, check a proof file offline`,
    synopsis: `${verify.synopsis}  |  --proof FILE [--public-key KEY]`,
    details: [
      ...(verify.details ?? []),
      '--proof FILE checks an inclusion or consistency proof (`ledger prove`) with no ledger: exit 0 when it holds, 3 when',
      "it does not or is not a proof file; --public-key KEY requires its seals to be that key's, else they name their signer.",
    ],
    flags: { ...verify.flags, strings },
    run: (context) => {
      const proof = context.string('proof');
      if (proof === undefined) {
        if (context.string('file') === undefined && context.string('public-key') !== undefined) {
          throw new UsageError('--public-key goes with --file or --proof');
        }
        return verify.run(context);
      }
      if (context.string('file') !== undefined) throw new UsageError('--proof and --file check different files: give one of them');
      return verifyProof(proof, context.string('public-key'));
    },
  };
}

/**
 * `verify --proof FILE [--public-key K]`: no ledger is opened. Exit 0 when the proof holds, 3
 * when it does not or is not a proof file (too large, cut short, another format), 1 when the
 * file cannot be read or the key is not a key.
 */
export function verifyProof(file: string, publicKeyText: string | undefined): number {
  orRefuse(checkInputFile(file, '--proof'));
  const expected = publicKeyText === undefined ? undefined : orRefuse(parsePublicKey(publicKeyText)).publicKey;
  const read = readProofFile(file);
  if (!read.ok) {
    if (read.error.code === 'NOT_FOUND' || read.error.code === 'STORAGE') return answer(read);
    printFailure(read.error);
    return EXIT.integrity;
  }
  const verdict = verifyProofFile(read.value, expected);
  if (!verdict.ok) {
    printFailure(verdict.error);
    return EXIT.integrity;
  }
  const signers = verdict.value.kind === 'inclusion' ? [verdict.value.fingerprint] : [...new Set(verdict.value.fingerprints)];
  const note = verdict.value.keyChecked
    ? undefined
    : `No --public-key was given: the proof agrees with itself and was sealed by key ${signers.join(' and ')}. That proves nothing until you compare this fingerprint with the one the ledger's owner gave you by another channel.`;
  printJson({ ok: true, ...verdict.value, ...(note === undefined ? {} : { note }) });
  return EXIT.ok;
}
