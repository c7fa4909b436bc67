/**
 * Issue 14, in the app: the signed-history channels as every host calls them (the handler
 * table), on real ledger files with real key files in temp folders. latestSeal names the seal
 * and this window's key; sealNow makes the key on first use and seals (once per head);
 * saveInclusionProof refuses before asking where, writes nothing when cancelled and seals first
 * when no seal covers the event; verifyFile says in words whether an export or a proof holds,
 * which check failed, and who signed it. No answer ever carries the private key.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, utimesSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHandlers, exportToFile, type HostServices } from '#engine/handlers';
import { ledgerConsistencyProof } from '#engine/history/ledger-history';
import { writeProofFile } from '#engine/history/proof-output';
import type { Ledger } from '#engine/ledger';
import { generateSigningKey, privateKeyPem } from '#engine/signing/keys';
import { freshProofPath } from '../../electron/hosts/preview/export-folder';
import { newestCheckableFile, previewSigningKey } from '../../electron/hosts/preview/preview-signing';
import type { FileVerdict } from '#shared/seals';
import { failure, newLedger, ok, openLedger, tempFolder } from '../engine/helpers';

function seeded() {
  const made = newLedger();
  ok(made.api.openAccount({ account: 'a1', owner: 'Ada', currency: 'EUR', initial: '12.50' }));
  ok(made.api.openAccount({ account: 'a2', owner: 'Bo', currency: 'EUR' }));
  ok(made.api.transfer({ from: 'a1', to: 'a2', amount: '2.50', memo: 'tea' }));
  return made;
}

/** A host whose key file is in a temp folder and whose dialogs answer what the test says. */
function host(ledger: Ledger) {
  const folder = tempFolder();
  const keyFile = join(folder, 'keys', 'signing-key.pem');
  const asked = { verify: 0, proof: [] as number[] };
  const answers = { verify: undefined as string | undefined, proof: undefined as string | undefined };
  const services: HostServices = {
    signingKey: previewSigningKey(keyFile),
    chooseFileToVerify: async () => {
      asked.verify += 1;
      return { ok: true, value: answers.verify };
    },
    chooseProofPath: async (position) => {
      asked.proof.push(position);
      return answers.proof;
    },
  };
  const answered: unknown[] = [];
  const table = createHandlers(() => ledger, services);
  // Every answer is kept, to show none carries the private key.
  const api = new Proxy(table, {
    get: (target, name) => (request: unknown) => {
      const answer = (target as any)[name](request);
      answered.push(answer);
      if (answer instanceof Promise) void answer.then((value) => answered.push(value));
      return answer;
    },
  }) as typeof table;
  return { api, folder, keyFile, asked, answers, answered };
}

describe('the seal channels', () => {
  it('latestSeal says there is no seal and no key yet; sealNow makes the key (0600) and seals the head', async () => {
    const { ledger } = seeded();
    const { api, keyFile, answered } = host(ledger);
    expect(ok(await api.latestSeal(undefined))).toEqual({ seal: null, lastPosition: 4, key: null });
    expect(existsSync(keyFile)).toBe(false);

    const seal = ok(await api.sealNow(undefined));
    expect(seal).toMatchObject({ treeSize: 4, rootHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(seal.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(keyFile, '..')).mode & 0o777).toBe(0o700);

    const status = ok(await api.latestSeal({}));
    expect(status.seal).toEqual(seal);
    expect(status.key).toEqual({ publicKey: seal.publicKey, fingerprint: seal.fingerprint });
    expect(status.unavailable).toBeUndefined();

    // The same head is sealed once: the stored seal again, not a second signature.
    expect(ok(await api.sealNow({}))).toEqual(seal);
    ok(ledger.execute({ name: 'deposit', input: { account: 'a2', amount: '1.00' } } as never));
    const next = ok(await api.sealNow(undefined));
    expect(next.treeSize).toBe(5);
    expect(next.rootHash).not.toBe(seal.rootHash);
    expect(ok(await api.latestSeal(undefined))).toMatchObject({ seal: next, lastPosition: 5 });

    const pem = readFileSync(keyFile, 'utf8');
    const body = pem.split('\n')[1]!;
    for (const answer of answered) expect(JSON.stringify(answer)).not.toContain(body);
  });

  it('refuses to seal a read-only ledger (and makes no key for it), and where the host keeps no key', async () => {
    const { ledger, path } = seeded();
    ledger.close();
    const readOnly = openLedger(path, { readOnly: true });
    const { api, keyFile } = host(readOnly);
    expect(failure(await api.sealNow(undefined), 'INTEGRITY').message).toMatch(/read-only .*nothing was sealed/);
    expect(existsSync(keyFile)).toBe(false);

    const bare = createHandlers(() => readOnly);
    expect(failure(await bare.sealNow(undefined), 'VALIDATION').message).toBe('Sealing is not available in this window');
    expect(ok(await bare.latestSeal(undefined))).toEqual({
      seal: null,
      lastPosition: 4,
      key: null,
      unavailable: 'Sealing is not available in this window',
    });
    failure(await bare.sealNow({ extra: 1 }), 'VALIDATION');
    failure(await bare.latestSeal('now'), 'VALIDATION');
  });

  it("a key the host cannot keep is said on the panel, and sealing answers the host's reason", async () => {
    const { ledger } = seeded();
    const reason = 'This system offers no protected storage for a signing key; nothing was sealed';
    const api = createHandlers(() => ledger, {
      signingKey: { load: async () => ({ ok: false, error: { code: 'STORAGE', message: reason } }), warning: () => 'kept weakly' },
    });
    expect(ok(await api.latestSeal(undefined))).toEqual({
      seal: null,
      lastPosition: 4,
      key: null,
      unavailable: reason,
      keyWarning: 'kept weakly',
    });
    expect(failure(await api.sealNow(undefined), 'STORAGE').message).toBe(reason);
  });

  it('saveInclusionProof refuses before asking, writes nothing when cancelled, and seals first when no seal covers the event', async () => {
    const { ledger } = seeded();
    const { api, asked, answers, folder } = host(ledger);
    failure(await api.saveInclusionProof({ position: 0 }), 'VALIDATION');
    failure(await api.saveInclusionProof({ position: 2, path: '/tmp/x.json' }), 'VALIDATION');
    expect(failure(await api.saveInclusionProof({ position: 9 }), 'NOT_FOUND').message).toMatch(/positions 1 to 4/);
    expect(asked.proof).toEqual([]);

    // Cancelled: no seal, no key, no file.
    expect(ok(await api.saveInclusionProof({ position: 2 }))).toBeNull();
    expect(asked.proof).toEqual([2]);
    expect(ok(await api.latestSeal(undefined)).seal).toBeNull();
    expect(readdirSync(folder)).toEqual([]);

    answers.proof = join(folder, 'proof-2.json');
    const saved = ok(await api.saveInclusionProof({ position: 2 }))!;
    expect(saved).toMatchObject({ path: answers.proof, position: 2, treeSize: 4, sealedNow: true });
    const proof = JSON.parse(readFileSync(saved.path, 'utf8'));
    expect(proof).toMatchObject({ format: 'event-ledger-proof/1', kind: 'inclusion', leafIndex: 1, treeSize: 4 });
    expect(saved.bytes).toBe(readFileSync(saved.path).length);

    // Covered by that seal now: no new seal for a second proof.
    answers.proof = join(folder, 'proof-3.json');
    expect(ok(await api.saveInclusionProof({ position: 3 }))).toMatchObject({ treeSize: 4, sealedNow: false });
  });

  it('saveInclusionProof on a read-only ledger proves what its seal covers and refuses the rest before asking', async () => {
    const made = seeded();
    const writer = host(made.ledger);
    ok(await writer.api.sealNow(undefined));
    ok(made.ledger.execute({ name: 'deposit', input: { account: 'a2', amount: '1.00' } } as never));
    made.ledger.close();
    const { api, asked, answers, folder } = host(openLedger(made.path, { readOnly: true }));
    expect(failure(await api.saveInclusionProof({ position: 5 }), 'INTEGRITY').message).toMatch(/No seal covers the event at position 5/);
    expect(asked.proof).toEqual([]);
    answers.proof = join(folder, 'p.json');
    expect(ok(await api.saveInclusionProof({ position: 4 }))).toMatchObject({ treeSize: 4, sealedNow: false });
  });
});

describe('verifyFile', () => {
  async function provedLedger() {
    const made = seeded();
    const h = host(made.ledger);
    h.answers.proof = join(h.folder, 'proof.json');
    const saved = ok(await h.api.saveInclusionProof({ position: 3 }))!;
    return { ...made, ...h, proofPath: saved.path, key: ok(await h.api.latestSeal(undefined)).key! };
  }

  const verify = async (api: ReturnType<typeof host>['api'], request?: unknown): Promise<FileVerdict> => ok(await api.verifyFile(request))!;

  it('an inclusion proof holds: every check passed, signed by this window’s key, against the key given', async () => {
    const { api, answers, proofPath, key } = await provedLedger();
    answers.verify = proofPath;
    const alone = await verify(api);
    expect(alone).toMatchObject({
      kind: 'inclusion-proof',
      verified: true,
      keyChecked: false,
      signedByThisKey: true,
      fingerprint: key.fingerprint,
    });
    expect(alone.headline).toBe(`Verified: event #3 is in the ledger of 4 events sealed by key ${key.fingerprint}.`);
    expect(alone.caution).toMatch(/No key was given/);
    expect(alone.checks.map((check) => check.passed)).toEqual([true, true, null, true, true]);

    const held = await verify(api, { publicKey: key.publicKey });
    expect(held).toMatchObject({ verified: true, keyChecked: true });
    expect(held.headline).toBe('Verified: event #3 is in the ledger of 4 events sealed by the key you gave.');
    expect(held.checks.every((check) => check.passed === true)).toBe(true);
  });

  it('a tampered proof, another key, a cut-off file and a stranger are each refused with the check that failed', async () => {
    const { api, answers, proofPath, folder, key } = await provedLedger();
    const proof = JSON.parse(readFileSync(proofPath, 'utf8'));
    const tampered = join(folder, 'tampered.json');
    writeFileSync(
      tampered,
      `${JSON.stringify({ ...proof, eventLine: proof.eventLine.replace('"amountMinor":250', '"amountMinor":260') }, null, 2)}\n`,
    );
    expect(proof.eventLine).toContain('"amountMinor":250');
    answers.verify = tampered;
    const changed = await verify(api);
    expect(changed).toMatchObject({ verified: false, headline: 'Not verified: the inclusion proof does not hold.' });
    expect(changed.reason).toMatch(/hash of the event at position 3 does not match its content/);
    expect(changed.checks.map((check) => check.passed)).toEqual([true, false, null, null, null]);

    answers.verify = proofPath;
    const stranger = generateSigningKey();
    const wrongKey = await verify(api, { publicKey: stranger.publicKey });
    expect(wrongKey).toMatchObject({ verified: false, keyChecked: true, fingerprint: key.fingerprint });
    expect(wrongKey.reason).toContain(`signed by key ${key.fingerprint}, not by the expected key ${stranger.fingerprint}`);
    expect(wrongKey.checks.map((check) => check.passed)).toEqual([true, true, false, null, null]);

    // Numbers that cannot hold are refused as the file is read: nothing before the path was checked.
    const resized = join(folder, 'resized.json');
    writeFileSync(resized, `${JSON.stringify({ ...proof, treeSize: 5, seal: { ...proof.seal, treeSize: 5 } }, null, 2)}\n`);
    answers.verify = resized;
    const impossible = await verify(api);
    expect(impossible.reason).toMatch(/has 3 hashes, but this proof has 2/);
    expect(impossible.checks.map((check) => check.passed)).toEqual([true, null, null, null, false]);

    const cut = join(folder, 'cut.json');
    writeFileSync(cut, readFileSync(proofPath, 'utf8').slice(0, 200));
    answers.verify = cut;
    expect(await verify(api)).toMatchObject({ verified: false, headline: 'Not verified: this is not a proof file that can be read.' });

    const notes = join(folder, 'notes.jsonl');
    writeFileSync(notes, 'hello\n');
    answers.verify = notes;
    expect(await verify(api)).toMatchObject({ kind: 'export', verified: false, headline: 'Not verified: the export fails at line 1.' });

    answers.verify = join(folder, 'gone.json');
    failure(await api.verifyFile(undefined), 'NOT_FOUND');
    answers.verify = folder;
    failure(await api.verifyFile(undefined), 'STORAGE');
  });

  it('an export: sealed and intact, signed by another key, or with a changed line', async () => {
    const { ledger, api, answers, folder, key } = await provedLedger();
    const appKey = await previewSigningKey(join(folder, 'keys', 'signing-key.pem')).load({ create: false });
    const exported = join(folder, 'export.jsonl');
    ok(await exportToFile(ledger, exported, 'jsonl', {}, {}, ok(appKey)));
    answers.verify = exported;
    const intact = await verify(api, { publicKey: key.publicKey });
    expect(intact).toMatchObject({ kind: 'export', verified: true, keyChecked: true, signedByThisKey: true, fingerprint: key.fingerprint });
    expect(intact.headline).toBe('Verified: the export’s 4 events are intact and sealed by the key you gave.');

    const stranger = generateSigningKey();
    const wrongKey = await verify(api, { publicKey: stranger.publicKey });
    expect(wrongKey).toMatchObject({ verified: false, headline: 'Not verified: the export’s lines hold, but its seal does not.' });
    expect(wrongKey.reason).toContain(stranger.fingerprint);
    expect(wrongKey.checks.map((check) => check.passed)).toEqual([true, null, false]);

    const lines = readFileSync(exported, 'utf8').split('\n');
    const teaLine = lines.findIndex((line) => line.includes('"memo":"tea"'));
    lines[teaLine] = lines[teaLine]!.replace('"memo":"tea"', '"memo":"TEA"');
    const changed = join(folder, 'changed.jsonl');
    writeFileSync(changed, lines.join('\n'));
    answers.verify = changed;
    const broken = await verify(api);
    expect(broken).toMatchObject({ verified: false, headline: `Not verified: the export fails at line ${teaLine + 1}.` });
    expect(broken.checks.map((check) => check.passed)).toEqual([false, null, null]);

    const unsigned = join(folder, 'unsigned.jsonl');
    ok(await exportToFile(ledger, unsigned, 'jsonl', { accounts: ['a1'] }));
    answers.verify = unsigned;
    expect(await verify(api)).toMatchObject({
      verified: true,
      headline: expect.stringContaining('carries no seal'),
      caution: expect.stringMatching(/recomputed/),
    });
  });

  it('a consistency proof between two seals', async () => {
    const { ledger, api, answers, folder, key } = await provedLedger();
    ok(ledger.execute({ name: 'deposit', input: { account: 'a2', amount: '1.00' } } as never));
    ok(await api.sealNow(undefined));
    const path = join(folder, 'consistency.json');
    ok(writeProofFile(ledger.path, path, ok(ledgerConsistencyProof(ledger, 4))));
    answers.verify = path;
    const held = await verify(api, { publicKey: key.publicKey });
    expect(held).toMatchObject({ kind: 'consistency-proof', verified: true, keyChecked: true });
    expect(held.headline).toBe('Verified: the ledger sealed at 5 events keeps the first 4 unchanged (seals by the key you gave).');
  });

  it('refuses a public key that is not one before asking, and answers null when cancelled', async () => {
    const { api, asked, ledger } = await provedLedger();
    for (const publicKey of ['', 'abc', `${'A'.repeat(43)}=`.replace(/A=$/, 'B='), `${'A'.repeat(43)}= `, 42]) {
      failure(await api.verifyFile({ publicKey }), 'VALIDATION');
    }
    failure(await api.verifyFile({ path: '/etc/passwd' }), 'VALIDATION');
    expect(asked.verify).toBe(0);
    expect(ok(await api.verifyFile(undefined))).toBeNull();
    expect(asked.verify).toBe(1);
    const bare = createHandlers(() => ledger);
    expect(failure(await bare.verifyFile(undefined), 'VALIDATION').message).toBe('Verifying a file is not available in this window');
    expect(failure(await bare.saveInclusionProof({ position: 1 }), 'VALIDATION').message).toBe(
      'Saving a proof is not available in this window',
    );
  });
});

describe('exportEventLog with the host’s key', () => {
  it('seals a full JSON Lines export with the host key (made on first use), never a filtered one or a read-only ledger', async () => {
    const made = seeded();
    const folder = tempFolder();
    const keyFile = join(folder, 'keys', 'signing-key.pem');
    let next = '';
    const services: HostServices = { signingKey: previewSigningKey(keyFile), chooseExportPath: async () => next };
    const api = createHandlers(() => made.ledger, services);

    next = join(folder, 'filtered.jsonl');
    expect(ok(await api.exportEventLog({ format: 'jsonl', filter: { accounts: ['a1'] } }))).toMatchObject({ seal: null });
    next = join(folder, 'list.csv');
    ok(await api.exportEventLog({ format: 'csv' }));
    expect(existsSync(keyFile)).toBe(false);

    next = join(folder, 'full.jsonl');
    const full = ok(await api.exportEventLog({ format: 'jsonl' }))!;
    const key = ok(await services.signingKey!.load({ create: false }));
    expect(full.seal).toMatchObject({ fingerprint: key.fingerprint, treeSize: 4 });
    const verdict = ok(
      await createHandlers(() => made.ledger, { ...services, chooseFileToVerify: async () => ({ ok: true, value: next }) }).verifyFile({
        publicKey: key.publicKey,
      }),
    )!;
    expect(verdict).toMatchObject({ kind: 'export', verified: true, keyChecked: true, signedByThisKey: true });

    // A read-only ledger is exported for review without a new seal; the stored one travels with it.
    ok(made.ledger.execute({ name: 'deposit', input: { account: 'a2', amount: '1.00' } } as never));
    made.ledger.close();
    const readOnly = openLedger(made.path, { readOnly: true });
    next = join(folder, 'read-only.jsonl');
    const exported = ok(await createHandlers(() => readOnly, services).exportEventLog({ format: 'jsonl' }))!;
    expect(exported).toMatchObject({ events: 5, seal: null });
    expect(readFileSync(next, 'utf8')).toContain(key.publicKey);
  });
});

describe("the preview host's stand-ins", () => {
  it('names proofs fresh and checks the newest export or proof in its folder, never a link', async () => {
    const folder = tempFolder();
    const handedOut = new Set<string>();
    expect(freshProofPath(folder, 7, handedOut)).toBe(join(folder, 'ledger-event-7-proof.json'));
    expect(freshProofPath(folder, 7, handedOut)).toBe(join(folder, 'ledger-event-7-proof-2.json'));
    expect(failure(newestCheckableFile(folder), 'NOT_FOUND').message).toMatch(/there is none yet/);
    writeFileSync(join(folder, 'a.jsonl'), 'x');
    writeFileSync(join(folder, 'b.json'), 'x');
    writeFileSync(join(folder, 'c.txt'), 'x');
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(folder, 'b.json'), past, past);
    expect(ok(newestCheckableFile(folder))).toBe(join(folder, 'a.jsonl'));
    utimesSync(join(folder, 'a.jsonl'), new Date(past.getTime() - 1000), new Date(past.getTime() - 1000));
    symlinkSync(join(folder, 'a.jsonl'), join(folder, 'z.jsonl'));
    expect(ok(newestCheckableFile(folder))).toBe(join(folder, 'b.json'));
  });

  it('refuses a key folder that others can write into', async () => {
    const folder = tempFolder();
    mkdirSync(join(folder, 'open'));
    chmodSync(join(folder, 'open'), 0o777);
    const refused = failure(await previewSigningKey(join(folder, 'open', 'signing-key.pem')).load({ create: true }), 'STORAGE');
    expect(refused.message).toMatch(/others can write into/);
    expect(existsSync(join(folder, 'open', 'signing-key.pem'))).toBe(false);
    expect(privateKeyPem(generateSigningKey())).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });
});
