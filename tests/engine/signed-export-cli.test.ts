/**
 * Issue 14.4 through the real `ledger` CLI: `export` signs a full JSON Lines export with the
 * key file (made on first use), `verify --file [--public-key K]` checks it (exit 3 naming both
 * keys when it does not hold), `import --file` refuses a seal that does not hold unless told
 * `--ignore-seal`, and an export that cannot store its seal, or has no key, is refused in words
 * that say what to do. Key files live in temp folders (LEDGER_KEY_FILE), never in ~/.config.
 */
import { chmodSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestLine, type ExportManifest } from '#engine/export/export-format';
import { generateSigningKey } from '#engine/signing/keys';
import { sealTreeHead } from '#engine/signing/seal';
import { runCli } from './cli-process';
import { newLedger, ok, tempFolder } from './helpers';
import { forgeExport, linesOf, rootOfLines, writeLines } from './export-helpers';

function seededFile() {
  const { ledger, api, path } = newLedger();
  ok(api.openAccount({ account: 'a', owner: 'Ada', currency: 'EUR', initial: '10.00' }));
  ok(api.openAccount({ account: 'b', owner: 'Bob', currency: 'EUR' }));
  ok(api.transfer({ from: 'a', to: 'b', amount: '4.00', memo: 'rent' }));
  ledger.close();
  return { path, folder: tempFolder() };
}

type Ok = { ok: true; [field: string]: unknown };

describe('ledger export signs; ledger verify --file checks the seal', () => {
  it('makes the key on first use, seals, and the export verifies only under that key', async () => {
    const { path, folder } = seededFile();
    const keyFile = join(folder, 'keys', 'signing-key.pem');
    const env = { LEDGER_KEY_FILE: keyFile };
    const out = join(folder, 'export.jsonl');
    const exported = await runCli(['--db', path, 'export', '--out', out], '', { env });
    expect(exported.code, exported.stdout + exported.stderr).toBe(0);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = (await runCli(['key'], '', { env })).lines[0] as { publicKey: string; fingerprint: string };
    expect(exported.lines).toEqual([
      {
        ok: true,
        path: out,
        format: 'jsonl',
        events: 4,
        lastPosition: 4,
        seal: { fingerprint: key.fingerprint, treeSize: 4, signedAt: expect.any(String) },
        note: expect.stringContaining(`A new signing key was made at ${keyFile}`),
      },
    ]);

    const checked = await runCli(['verify', '--file', out, '--public-key', key.publicKey]);
    expect(checked.code).toBe(0);
    expect(checked.lines[0]).toMatchObject({ ok: true, events: 4, keyChecked: true, seals: 1, seal: { fingerprint: key.fingerprint } });
    expect(checked.lines[0]).not.toHaveProperty('note');

    // Without a key, the signer is named for the auditor to compare.
    const named = (await runCli(['verify', '--file', out])).lines[0] as Ok;
    expect(named).toMatchObject({ ok: true, keyChecked: false, seal: { fingerprint: key.fingerprint, publicKey: key.publicKey } });
    expect(named.note).toMatch(/No --public-key was given.*compare this fingerprint/);

    // Another key, a changed line, a forgery re-sealed by another key: exit 3, both keys named.
    const stranger = generateSigningKey();
    const wrong = await runCli(['verify', '--file', out, '--public-key', stranger.publicKey]);
    expect(wrong.code).toBe(3);
    expect(wrong.lines).toEqual([
      {
        ok: false,
        firstBadLine: 5,
        reason: expect.stringContaining(`sealed by key ${key.fingerprint}, not by the expected key ${stranger.fingerprint}`),
        fingerprint: key.fingerprint,
        expectedFingerprint: stranger.fingerprint,
      },
    ]);
    const lines = linesOf(out);
    const changed = join(folder, 'changed.jsonl');
    writeLines(
      changed,
      lines.map((line, index) => (index === 2 ? line.replace('"rent"', '"rant"') : line)),
    );
    const changedRun = await runCli(['verify', '--file', changed, '--public-key', key.publicKey]);
    expect(changedRun.code).toBe(3);
    expect((changedRun.lines[0] as { reason: string }).reason).toMatch(new RegExp(`hash does not match.*${escaped(key.fingerprint)}`));

    const forged = join(folder, 'forged.jsonl');
    forgeExport(out, renamedMemo, forged);
    const forgedLines = linesOf(forged);
    const { manifest } = JSON.parse(forgedLines.pop()!) as { manifest: ExportManifest };
    const resealed = sealTreeHead(manifest.count, rootOfLines(forgedLines.map((line) => `${line}\n`).join('')), stranger);
    writeLines(forged, [...forgedLines, manifestLine({ ...manifest, seal: resealed, seals: [resealed] }).slice(0, -1)]);
    const forgedRun = await runCli(['verify', '--file', forged, '--public-key', key.publicKey]);
    expect(forgedRun.code).toBe(3);
    expect(forgedRun.lines[0]).toMatchObject({ fingerprint: stranger.fingerprint, expectedFingerprint: key.fingerprint });
    expect(((await runCli(['verify', '--file', forged])).lines[0] as Ok).seal).toMatchObject({ fingerprint: stranger.fingerprint });

    // A key that is not a key is a refusal in words; --public-key alone is a mistake in the command line.
    const notAKey = await runCli(['verify', '--file', out, '--public-key', 'abc']);
    expect(notAKey.code).toBe(1);
    expect(notAKey.lines[0]).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect((await runCli(['verify', '--public-key', key.publicKey])).code).toBe(2);
  });

  it('refuses without a usable key, naming --key-file and --unsigned, and writes nothing; --unsigned exports', async () => {
    const { path, folder } = seededFile();
    const keyFile = join(folder, 'loose.pem');
    const env = { LEDGER_KEY_FILE: keyFile };
    expect((await runCli(['key'], '', { env })).code).toBe(0);
    chmodSync(keyFile, 0o644);
    const out = join(folder, 'export.jsonl');
    const refused = await runCli(['--db', path, 'export', '--out', out], '', { env });
    expect(refused.code).toBe(1);
    expect(refused.lines).toEqual([
      {
        ok: false,
        error: expect.objectContaining({ code: 'STORAGE', message: expect.stringMatching(/chmod 600.*--key-file.*--unsigned/) }),
      },
    ]);
    expect(existsSync(out)).toBe(false);

    const unsigned = await runCli(['--db', path, 'export', '--out', out, '--unsigned'], '', { env });
    expect(unsigned.lines).toEqual([expect.objectContaining({ ok: true, events: 4, seal: null })]);
    expect((await runCli(['verify', '--file', out])).lines[0]).toMatchObject({
      ok: true,
      seal: null,
      note: expect.stringMatching(/no seal/),
    });

    for (const args of [
      ['export', '--unsigned', '--key-file', keyFile],
      ['export', '--format', 'csv', '--unsigned'],
    ]) {
      const run = await runCli(['--db', path, ...args], '', { env });
      expect(run.code, args.join(' ')).toBe(2);
    }
  });

  it('a ledger file that cannot be written: refused while its head is unsealed, exported once it is sealed', async () => {
    const { path, folder } = seededFile();
    const env = { LEDGER_KEY_FILE: join(folder, 'key.pem') };
    expect((await runCli(['key'], '', { env })).code).toBe(0);
    chmodSync(path, 0o444);
    const out = join(folder, 'export.jsonl');
    const refused = await runCli(['--db', path, 'export', '--out', out], '', { env });
    expect(refused.code).toBe(1);
    expect((refused.lines[0] as { error: { message: string } }).error.message).toMatch(/seal could not be stored.*--unsigned/);
    expect(existsSync(out)).toBe(false);

    chmodSync(path, 0o644);
    expect((await runCli(['--db', path, 'seal'], '', { env })).code).toBe(0);
    chmodSync(path, 0o444);
    const exported = await runCli(['--db', path, 'export', '--out', out], '', { env });
    expect(exported.code, exported.stdout).toBe(0);
    expect(exported.lines[0]).toMatchObject({ ok: true, seal: { treeSize: 4 } });
  });
});

describe('ledger import --file and the seal', () => {
  it('refuses a seal that does not hold (exit 3, no file), restores with --ignore-seal, and checks --public-key', async () => {
    const { path, folder } = seededFile();
    const env = { LEDGER_KEY_FILE: join(folder, 'key.pem') };
    const out = join(folder, 'export.jsonl');
    expect((await runCli(['--db', path, 'export', '--out', out], '', { env })).code).toBe(0);
    const key = (await runCli(['key'], '', { env })).lines[0] as { publicKey: string; fingerprint: string };
    const forged = join(folder, 'forged.jsonl');
    forgeExport(out, renamedMemo, forged);

    const target = join(folder, 'restored.db');
    const refused = await runCli(['--db', target, 'import', '--file', forged]);
    expect(refused.code).toBe(3);
    expect(refused.lines[0]).toMatchObject({
      ok: false,
      error: { code: 'INTEGRITY', message: expect.stringMatching(/does not hold.*--ignore-seal/), details: { reason: 'root-mismatch' } },
    });
    expect(existsSync(target)).toBe(false);

    const ignored = await runCli(['--db', target, 'import', '--file', forged, '--ignore-seal']);
    expect(ignored.code).toBe(0);
    expect(ignored.lines[0]).toMatchObject({
      ok: true,
      events: 4,
      seal: null,
      seals: 0,
      note: expect.stringMatching(/seal does not hold/),
    });

    const stranger = generateSigningKey();
    const otherKey = await runCli(['--db', join(folder, 'other.db'), 'import', '--file', out, '--public-key', stranger.publicKey]);
    expect(otherKey.code).toBe(3);
    expect(otherKey.lines[0]).toMatchObject({
      error: { details: { fingerprint: key.fingerprint, expectedFingerprint: stranger.fingerprint } },
    });
    const owned = await runCli(['--db', join(folder, 'owned.db'), 'import', '--file', out, '--public-key', key.publicKey]);
    expect(owned.lines[0]).toMatchObject({ ok: true, events: 4, seals: 1, seal: { fingerprint: key.fingerprint } });

    expect(
      (await runCli(['--db', join(folder, 'l.db'), 'import', '--legacy', '--currency', 'EUR', '--file', out, '--ignore-seal'])).code,
    ).toBe(2);
  });
});

/** The transfer's memo changed on both legs (so the restore's rules still hold). */
function renamedMemo(rows: ReadonlyArray<{ data: string }>): void {
  for (const row of rows as Array<{ data: string }>) row.data = row.data.replace('"rent"', '"rant"');
}

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
