/**
 * `ledger key`, `seal`, `seals`, `prove` and `verify --proof` as a script sees them: JSON out,
 * exit 0, 1 (a refusal), 2 (the command line) or 3 (a proof or ledger that does not hold).
 * Key files live in temp folders (LEDGER_KEY_FILE, --key-file, and a temp HOME and
 * XDG_CONFIG_HOME so the real config folder is never touched). Bad input (no key, a key with
 * loose permissions or in the wrong format, a malformed, cut-short, oversized or edited proof,
 * a key that is not a key) is a typed error with a plain sentence, and nothing is written.
 */
import Database from 'better-sqlite3';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliRun } from './cli-process';
import { listFolder, tempFolder } from './helpers';

type Json = Record<string, unknown> & { ok: boolean; error?: { code: string; message: string; details?: Record<string, unknown> } };

function environment() {
  const folder = tempFolder('ledger-signing-cli-');
  const env = {
    HOME: folder,
    XDG_CONFIG_HOME: join(folder, 'config'),
    APPDATA: join(folder, 'appdata'),
    LEDGER_KEY_FILE: join(folder, 'owner.pem'),
  };
  const db = join(folder, 'ledger.db');
  const cli = (args: readonly string[], extra: NodeJS.ProcessEnv = {}) => runCli(args, '', { env: { ...env, ...extra }, cwd: folder });
  return { folder, env, db, cli };
}

const only = (run: CliRun) => run.lines[0] as Json;

/** A ledger of `events` events (one opening, then deposits) made through `apply`. */
async function seed(db: string, events: number): Promise<void> {
  const lines = [JSON.stringify({ command: 'open', account: 'a', owner: 'Ada', currency: 'EUR' })];
  for (let index = 1; index < events; index++) lines.push(JSON.stringify({ command: 'deposit', account: 'a', amount: '1.25' }));
  const run = await runCli(['--db', db, 'apply'], `${lines.join('\n')}\n`);
  expect(run.code).toBe(0);
}

describe('ledger key', () => {
  it('creates the key on first use (0600), answers the same key after, and refuses a key file it cannot trust', async () => {
    const { folder, env, cli } = environment();
    const [first] = await Promise.all([cli(['key'])]);
    expect(first.code).toBe(0);
    const created = only(first);
    expect(created).toMatchObject({ ok: true, keyFile: env.LEDGER_KEY_FILE, created: true });
    expect(created.publicKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(created.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(statSync(env.LEDGER_KEY_FILE).mode & 0o777).toBe(0o600);
    const other = join(folder, 'other.pem');
    const [again, flagged] = await Promise.all([cli(['key']), cli(['key', '--key-file', other])]);
    expect(only(again)).toEqual({ ...created, created: false });
    expect(only(flagged)).toMatchObject({ ok: true, keyFile: other, created: true });
    expect(only(flagged).publicKey).not.toBe(created.publicKey);
    // Nothing went to the default config folder.
    expect(existsSync(env.XDG_CONFIG_HOME)).toBe(false);

    chmodSync(env.LEDGER_KEY_FILE, 0o644);
    const garbage = join(folder, 'garbage.pem');
    writeFileSync(garbage, 'not a key at all\n', { mode: 0o600 });
    const [loose, wrong] = await Promise.all([cli(['key']), cli(['key', '--key-file', garbage])]);
    expect(loose.code).toBe(1);
    expect(only(loose).error).toMatchObject({ code: 'STORAGE', details: { reason: 'loose-permissions' } });
    expect(wrong.code).toBe(1);
    expect(only(wrong).error).toMatchObject({ code: 'VALIDATION', details: { reason: 'wrong-format' } });
    expect(readFileSync(garbage, 'utf8')).toBe('not a key at all\n');
  });
});

describe('ledger seal, seals and prove', () => {
  it('seal prints the signed head, seals lists it, a second seal of the same head answers the same; without a key nothing is created', async () => {
    const { folder, db, cli } = environment();
    const refused = await cli(['--db', db, 'seal']);
    expect(refused.code).toBe(1);
    expect(only(refused).error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/no signing key at .*ledger key/) });
    expect(listFolder(folder)).toEqual([]);
    const key = only(await cli(['key']));
    await seed(db, 40);
    const sealed = await cli(['--db', db, 'seal']);
    expect(sealed.code).toBe(0);
    const seal = only(sealed);
    expect(Object.keys(seal)).toEqual(['ok', 'treeSize', 'rootHash', 'signedAt', 'publicKey', 'signature']);
    expect(seal).toMatchObject({ ok: true, treeSize: 40, publicKey: key.publicKey });
    const [again, listed] = await Promise.all([cli(['--db', db, 'seal']), cli(['--db', db, 'seals'])]);
    expect(only(again)).toEqual(seal);
    const { ok: _ok, ...stored } = seal;
    expect(only(listed)).toEqual({ ok: true, seals: [{ ...stored, fingerprint: key.fingerprint }] });
  });

  it('prove writes proofs that verify --proof checks with no ledger: exit 0, or 3 with the reason', async () => {
    const { folder, db, cli } = environment();
    const key = only(await cli(['key']));
    await seed(db, 70);
    expect((await cli(['--db', db, 'seal'])).code).toBe(0);
    const out = join(folder, 'event-33.proof.json');
    const [printed, written, refusedFlags, noSeal] = await Promise.all([
      cli(['--db', db, 'prove', '--position', '33']),
      cli(['--db', db, 'prove', '--position', '33', '--out', out]),
      cli(['--db', db, 'prove', '--position', '3', '--from-size', '3']),
      cli(['--db', db, 'prove', '--from-size', '12']),
    ]);
    expect(written.code).toBe(0);
    expect(only(written)).toMatchObject({ ok: true, kind: 'inclusion', position: 33, treeSize: 70, path: out });
    expect(readFileSync(out, 'utf8')).toBe(printed.stdout);
    expect(refusedFlags.code).toBe(2);
    expect(noSeal.code).toBe(1);
    expect(only(noSeal).error).toMatchObject({ code: 'NOT_FOUND' });

    const [replace, onLedger] = await Promise.all([
      cli(['--db', db, 'prove', '--position', '34', '--out', out]),
      cli(['--db', db, 'prove', '--position', '34', '--out', db]),
    ]);
    expect(only(replace).error).toMatchObject({ code: 'ALREADY_EXISTS' });
    expect(only(onLedger).error).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/the ledger itself/) });
    expect(readFileSync(out, 'utf8')).toBe(printed.stdout);

    const proof = JSON.parse(printed.stdout) as { eventLine: string; auditPath: string[] };
    const edited = join(folder, 'edited.json');
    writeFileSync(
      edited,
      JSON.stringify({ ...proof, eventLine: proof.eventLine.replace('"amountMinor":125', '"amountMinor":925') }, null, 2),
    );
    const cut = join(folder, 'cut.json');
    writeFileSync(cut, printed.stdout.slice(0, 300));
    const large = join(folder, 'large.json');
    writeFileSync(large, `${printed.stdout.slice(0, -2)}${' '.repeat(70_000)}}\n`);
    const other = only(await cli(['key', '--key-file', join(folder, 'other.pem')]));
    const checks = await Promise.all([
      cli(['verify', '--proof', out]),
      cli(['verify', '--proof', out, '--public-key', key.publicKey as string]),
      cli(['verify', '--proof', out, '--public-key', other.publicKey as string]),
      cli(['verify', '--proof', edited, '--public-key', key.publicKey as string]),
      cli(['verify', '--proof', cut]),
      cli(['verify', '--proof', large]),
      cli(['verify', '--proof', join(folder, 'absent.json')]),
      cli(['verify', '--proof', out, '--public-key', 'not-a-key']),
    ]);
    expect(checks.map((run) => run.code)).toEqual([0, 0, 3, 3, 3, 3, 1, 1]);
    const [named, checked, wrongKey, editedLine, cutShort, oversized, absent, badKey] = checks.map(only);
    expect(named).toMatchObject({ ok: true, kind: 'inclusion', position: 33, fingerprint: key.fingerprint, keyChecked: false });
    expect(named!.note).toMatch(/compare this fingerprint/);
    expect(checked).toMatchObject({ ok: true, keyChecked: true });
    expect(checked).not.toHaveProperty('note');
    expect(wrongKey!.error).toMatchObject({
      code: 'INTEGRITY',
      details: { reason: 'wrong-key', fingerprint: key.fingerprint, expectedFingerprint: other.fingerprint },
    });
    expect(editedLine!.error).toMatchObject({ code: 'INTEGRITY', details: { reason: 'bad-event-line' } });
    expect(cutShort!.error).toMatchObject({ code: 'VALIDATION', details: { reason: 'not-json' } });
    expect(oversized!.error).toMatchObject({ code: 'VALIDATION', details: { reason: 'too-large' } });
    expect(absent!.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(badKey!.error).toMatchObject({ code: 'VALIDATION' });

    // A consistency proof between two seals, after more events.
    const more = [JSON.stringify({ command: 'deposit', account: 'a', amount: '2.00' })].join('\n');
    expect((await runCli(['--db', db, 'apply'], `${more}\n`)).code).toBe(0);
    expect((await cli(['--db', db, 'seal'])).code).toBe(0);
    const consistency = join(folder, 'consistency.json');
    expect((await cli(['--db', db, 'prove', '--from-size', '70', '--out', consistency])).code).toBe(0);
    const verified = only(await cli(['verify', '--proof', consistency, '--public-key', key.publicKey as string]));
    expect(verified).toMatchObject({ ok: true, kind: 'consistency', fromSize: 70, toSize: 71, keyChecked: true });
  });

  it('a ledger edited in its file: prove and verify answer INTEGRITY (exit 3)', async () => {
    const { db, cli } = environment();
    await cli(['key']);
    await seed(db, 50);
    expect((await cli(['--db', db, 'seal'])).code).toBe(0);
    const raw = new Database(db);
    raw.exec(
      'DROP TRIGGER events_refuse_update; UPDATE events SET data = replace(data, \'"amountMinor":125\', \'"amountMinor":999\') WHERE position = 20;',
    );
    raw.close();
    const [proved, verified] = await Promise.all([cli(['--db', db, 'prove', '--position', '20']), cli(['--db', db, 'verify'])]);
    expect(proved.code).toBe(3);
    expect(only(proved).error).toMatchObject({ code: 'INTEGRITY', message: expect.stringMatching(/no proof was made/) });
    expect(verified.code).toBe(3);
    expect(only(verified)).toMatchObject({ ok: false, firstBadPosition: 20 });
  });
});
