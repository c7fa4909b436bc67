/**
 * Issue 16, item 2 — side files. The engine and SQLite open files beside a ledger by names
 * derived from its own: `<ledger>.head.json`, `-wal`, `-shm`, `-journal`. A link planted under
 * one of those names must never turn a commit into a write to another file, and a checkpoint
 * that is a folder or holds something else must never be ignored without a word: the ledger
 * is refused by name (STORAGE), from the engine and from the CLI, and the other file keeps
 * every byte.
 */
import { createWriteStream, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Ledger } from '#engine/ledger';
import { checkpointPathFor } from '#engine/store/head-checkpoint';
import { fileHash, folderListing, isTypedFailure, ledgerFingerprint, removeFolder, runCli, scratchFolder } from './helpers';

const folder = scratchFolder('side-files');
afterAll(() => removeFolder(folder));

let caseNumber = 0;
function caseFolder(): string {
  const path = join(folder, `case-${++caseNumber}`);
  mkdirSync(path);
  return path;
}

/** A closed ledger with a few events and its head checkpoint. */
function makeLedger(path: string): void {
  const opened = Ledger.open({ path, actor: 'reliability-setup' });
  if (!opened.ok) throw new Error(JSON.stringify(opened.error));
  opened.value.execute({ name: 'open', input: { account: 'a1', owner: 'Alice', currency: 'EUR', initial: '10.00' } });
  opened.value.execute({ name: 'deposit', input: { account: 'a1', amount: '1.00' } });
  opened.value.close();
}

/** Another program's file, well over a checkpoint record in length. */
function victimIn(dir: string): string {
  const path = join(dir, 'thesis.txt');
  writeFileSync(path, 'Chapter 1. '.repeat(400));
  return path;
}

type Planted = { readonly name: string; readonly plant: (ledger: string, victim: string) => void; readonly names: RegExp };

const PLANTED: readonly Planted[] = [
  {
    name: 'the head checkpoint is a link to another file',
    plant: (ledger, victim) => swapForLink(checkpointPathFor(ledger), victim),
    names: /\.head\.json.*symbolic link/,
  },
  {
    name: 'the -wal is a link to another file',
    plant: (ledger, victim) => symlinkSync(victim, `${ledger}-wal`),
    names: /-wal .*symbolic link/,
  },
  {
    name: 'the -shm is a link to another file',
    plant: (ledger, victim) => symlinkSync(victim, `${ledger}-shm`),
    names: /-shm .*symbolic link/,
  },
  {
    name: 'the head checkpoint is a folder',
    plant: (ledger) => {
      rmSync(checkpointPathFor(ledger));
      mkdirSync(checkpointPathFor(ledger));
    },
    names: /\.head\.json.*folder/,
  },
  {
    name: 'the head checkpoint holds something else',
    plant: (ledger) => writeFileSync(checkpointPathFor(ledger), 'not a checkpoint at all\n'),
    names: /\.head\.json.*something other than a head checkpoint/,
  },
];

/** The ledger's fingerprint; a side file that is a folder counts by what it holds. */
function fingerprint(ledger: string): Record<string, unknown> {
  const head = checkpointPathFor(ledger);
  if (!lstatSync(head, { throwIfNoEntry: false })?.isDirectory()) return ledgerFingerprint(ledger);
  return { file: fileHash(ledger), wal: fileHash(`${ledger}-wal`), headFolder: folderListing(head) };
}

function swapForLink(path: string, target: string): void {
  rmSync(path, { force: true });
  symlinkSync(target, path);
}

describe('a side file that is not a regular file of the ledger refuses the ledger by name', () => {
  for (const planted of PLANTED) {
    it(`${planted.name}: engine and CLI answer STORAGE naming it, and nothing is written through it`, async () => {
      const dir = caseFolder();
      const ledger = join(dir, 'ledger.db');
      makeLedger(ledger);
      const victim = victimIn(dir);
      planted.plant(ledger, victim);
      const victimBefore = fileHash(victim);
      const before = fingerprint(ledger);
      const listing = folderListing(dir);

      const opened = Ledger.open({ path: ledger, actor: 'reliability-check' });
      expect(opened.ok).toBe(false);
      if (!opened.ok) {
        expect(isTypedFailure(opened)).toBe(true);
        expect(opened.error.code).toBe('STORAGE');
        expect(opened.error.message).toMatch(planted.names);
      }
      const cli = await runCli(['--db', ledger, 'deposit', '--account', 'a1', '--amount', '1.00']);
      expect(cli.code, cli.stdout + cli.stderr).toBe(1);
      expect(JSON.parse(cli.stdout)).toMatchObject({
        ok: false,
        error: { code: 'STORAGE', message: expect.stringMatching(planted.names) },
      });

      expect(fileHash(victim)).toBe(victimBefore);
      expect(readFileSync(victim, 'utf8').length).toBeGreaterThan(256);
      expect(fingerprint(ledger)).toEqual(before);
      expect(folderListing(dir)).toEqual(listing);
    });
  }

  it('a link planted while the ledger is open is never written through: commits go on, the other file keeps every byte', () => {
    const dir = caseFolder();
    const ledger = join(dir, 'ledger.db');
    makeLedger(ledger);
    const victim = victimIn(dir);
    const victimBefore = fileHash(victim);
    const opened = Ledger.open({ path: ledger, actor: 'reliability-check' });
    if (!opened.ok) throw new Error(JSON.stringify(opened.error));
    try {
      opened.value.execute({ name: 'deposit', input: { account: 'a1', amount: '1.00' } });
      opened.value.flushCheckpoint();
      // Swapped for a link behind the open ledger's back (renamed away: its open descriptor stays valid).
      renameSync(checkpointPathFor(ledger), join(dir, 'old-checkpoint'));
      symlinkSync(victim, checkpointPathFor(ledger));
      for (let index = 0; index < 3; index++) {
        expect(opened.value.execute({ name: 'deposit', input: { account: 'a1', amount: '1.00' } })).toMatchObject({ ok: true });
        opened.value.flushCheckpoint();
      }
    } finally {
      opened.value.close();
    }
    expect(fileHash(victim)).toBe(victimBefore);
  });

  it('a restore into a new ledger whose checkpoint name is a link: refused by name, the other file untouched, no ledger created', async () => {
    const dir = caseFolder();
    const source = join(dir, 'source.db');
    makeLedger(source);
    const exported = join(dir, 'export.jsonl');
    const opened = Ledger.open({ path: source, actor: 'reliability-setup' });
    if (!opened.ok) throw new Error(JSON.stringify(opened.error));
    const out = createWriteStream(exported);
    await opened.value.exportJsonLines(out);
    await new Promise<void>((resolve) => out.end(resolve));
    opened.value.close();
    const victim = victimIn(dir);
    const victimBefore = fileHash(victim);
    const target = join(dir, 'restored.db');
    symlinkSync(victim, checkpointPathFor(target));
    const restored = await Ledger.restore(exported, { path: target, actor: 'reliability-check' });
    expect(restored).toMatchObject({
      ok: false,
      error: { code: 'STORAGE', message: expect.stringMatching(/\.head\.json.*symbolic link/) },
    });
    expect(fileHash(victim)).toBe(victimBefore);
    expect(existsSync(target)).toBe(false);
  });

  it('an empty head checkpoint (created, never written: a crash) is no record, and the ledger opens', () => {
    const dir = caseFolder();
    const ledger = join(dir, 'ledger.db');
    makeLedger(ledger);
    writeFileSync(checkpointPathFor(ledger), '');
    const opened = Ledger.open({ path: ledger, actor: 'reliability-check' });
    expect(opened.ok, JSON.stringify(!opened.ok && opened.error)).toBe(true);
    if (opened.ok) opened.value.close();
  });
});
