/**
 * Issue 16.3 and 16.8 — what `export --out` (and the app's export, through the same
 * exportToFile) may write to: never the ledger or a file beside it (by any name: another
 * spelling, a hard link, a folder reached through a link), never through a link, never into a
 * device or folder, an existing file only with --force; and a killed export's
 * `<out>.<pid>.partial` is cleaned up by the next export to that name.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHandlers, exportToFile } from '#engine/handlers';
import { partialPathFor } from '#engine/export/export-target';
import { verifyExportFile } from '#engine/export/export-verify';
import { runCli } from './cli-process';
import { failure, newLedger, ok, openLedger, sha256File } from './helpers';

function seeded() {
  const seed = newLedger();
  ok(seed.api.openAccount({ account: 'a', owner: 'A', currency: 'EUR', initial: '10' }));
  ok(seed.api.deposit({ account: 'a', amount: '5' }));
  return { ...seed, folder: join(seed.path, '..') };
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await once(child, 'exit');
  return child.pid!;
}

describe('exportToFile refuses targets that are not a file it may (re)place', () => {
  it('never the ledger or its side files, by any name', async () => {
    const seed = seeded();
    const { path, folder } = seed;
    seed.ledger.close();
    const before = sha256File(path);
    const ledger = openLedger(path, { readOnly: true });
    mkdirSync(join(folder, 'inner'));
    symlinkSync(folder, join(folder, 'inner', 'alias'));
    linkSync(path, join(folder, 'hard-link.db'));
    const targets = [
      path,
      `${path}-wal`,
      `${path}-shm`,
      `${path}-journal`,
      `${path}.head.json`,
      join(folder, 'inner', '..', basename(path)),
      join(folder, 'inner', 'alias', basename(path)),
      join(folder, 'inner', 'alias', `${basename(path)}-wal`),
      join(folder, 'hard-link.db'),
    ];
    for (const target of targets) {
      for (const force of [false, true]) {
        const error = failure(await exportToFile(ledger, target, 'jsonl', {}, { force }), 'VALIDATION');
        expect(error.message, target).toMatch(/the ledger itself or a file kept beside it/);
      }
    }
    ledger.close();
    expect(sha256File(path)).toBe(before);
    expect(openLedger(path).verify()).toMatchObject({ ok: true, events: 2 });
    expect(readdirSync(folder).filter((name) => name.endsWith('.partial'))).toEqual([]);
  });

  it('never through a link, into a folder or a device; an existing file only when forced', async () => {
    const { ledger, folder } = seeded();
    const victim = join(folder, 'other-program.conf');
    writeFileSync(victim, 'keep me\n');
    symlinkSync(victim, join(folder, 'link.jsonl'));
    mkdirSync(join(folder, 'a-folder'));
    const refusals: Array<[string, string, RegExp]> = [
      [join(folder, 'link.jsonl'), 'VALIDATION', /symbolic link/],
      [join(folder, 'a-folder'), 'VALIDATION', /is a folder/],
      [`${join(folder, 'a-folder')}/`, 'VALIDATION', /path separator/],
      ['/dev/null', 'VALIDATION', /special file/],
      [join(folder, 'missing', 'x.jsonl'), 'NOT_FOUND', /folder .* does not exist/],
      ['', 'VALIDATION', /empty/],
    ];
    for (const [target, code, message] of refusals) {
      for (const force of [false, true]) {
        expect(failure(await exportToFile(ledger, target, 'csv', {}, { force }), code).message, target).toMatch(message);
      }
    }
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');

    const existing = join(folder, 'existing.jsonl');
    writeFileSync(existing, 'old\n');
    expect(failure(await exportToFile(ledger, existing, 'jsonl', {}), 'ALREADY_EXISTS').message).toMatch(/--force/);
    expect(readFileSync(existing, 'utf8')).toBe('old\n');
    expect(ok(await exportToFile(ledger, existing, 'jsonl', {}, { force: true }))).toMatchObject({ events: 2 });
    expect(await verifyExportFile(existing)).toMatchObject({ ok: true, events: 2 });
  });

  it("the app's export channel replaces a file its host chose (the save dialog asked)", async () => {
    const { ledger, folder } = seeded();
    const chosen = join(folder, 'chosen.jsonl');
    writeFileSync(chosen, 'old\n');
    const table = createHandlers(() => ledger, { chooseExportPath: async () => chosen });
    expect(await table.exportEventLog({ format: 'jsonl' })).toMatchObject({ ok: true, value: { path: chosen, events: 2 } });
    const ledgerItself = createHandlers(() => ledger, { chooseExportPath: async () => ledger.path });
    expect(await ledgerItself.exportEventLog({ format: 'jsonl' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('removes the partial files of exports whose process is gone, and only those', async () => {
    const { ledger, folder } = seeded();
    const out = join(folder, 'out.jsonl');
    const stale = partialPathFor(out, await deadPid());
    writeFileSync(stale, 'half an export');
    const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      const running = partialPathFor(out, alive.pid!);
      writeFileSync(running, 'another export still writing');
      const otherName = partialPathFor(join(folder, 'other.jsonl'), await deadPid());
      writeFileSync(otherName, 'not ours to judge');

      ok(await exportToFile(ledger, out, 'jsonl', {}));
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(running)).toBe(true);
      expect(existsSync(otherName)).toBe(true);
      expect(existsSync(partialPathFor(out))).toBe(false);
    } finally {
      alive.kill();
    }
  });
});

describe('ledger export --out', () => {
  it('refuses the ledger and an existing file without --force, typed; replaces with --force', async () => {
    const { path, ledger, folder } = seeded();
    ledger.close();
    const out = join(folder, 'log.jsonl');
    writeFileSync(out, 'old\n');
    const [intoLedger, intoWal, existing, forceAlone] = await Promise.all([
      runCli(['--db', path, 'export', '--out', path]),
      runCli(['--db', path, 'export', '--out', `${path}-wal`, '--force']),
      runCli(['--db', path, 'export', '--out', out]),
      runCli(['--db', path, 'export', '--force']),
    ]);
    expect(intoLedger.code).toBe(1);
    expect(intoLedger.lines).toEqual([{ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/the ledger itself/) } }]);
    expect(intoWal.lines).toEqual([{ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/the ledger itself/) } }]);
    expect(existing.code).toBe(1);
    expect(existing.lines).toEqual([{ ok: false, error: { code: 'ALREADY_EXISTS', message: expect.stringMatching(/--force/) } }]);
    expect(readFileSync(out, 'utf8')).toBe('old\n');
    expect(forceAlone.code).toBe(2);
    expect(forceAlone.lines).toEqual([{ ok: false, error: { code: 'VALIDATION', message: '--force goes with --out FILE' } }]);

    const forced = await runCli(['--db', path, 'export', '--out', out, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.lines).toEqual([
      expect.objectContaining({
        ok: true,
        path: out,
        format: 'jsonl',
        events: 2,
        lastPosition: 2,
        seal: expect.objectContaining({ treeSize: 2 }),
      }),
    ]);
    expect(openLedger(path).verify()).toMatchObject({ ok: true, events: 2 });
  });
});
