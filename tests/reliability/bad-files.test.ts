/**
 * Issue 6, item 5 — bad files. Pointed at something that is not a ledger it can write, the
 * app must say so in plain words naming the file, write nothing (not a byte of the file, no
 * -wal/-shm/-journal/.head.json beside it), and stay usable: the next good ledger opens in the
 * same process. A full disk (SQLite's max_page_count stands in for it) must refuse the command
 * as STORAGE with a plain message, write nothing partial, and leave the ledger answering.
 */
import { chmodSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { AnyCommand } from '#shared/commands';
import { Ledger } from '#engine/ledger';
import { LATEST_SCHEMA_VERSION } from '#engine/store/schema';
import {
  fileHash,
  folderListing,
  isTypedFailure,
  readLog,
  recordFigures,
  removeFolder,
  runCli,
  scratchFolder,
  type CliRun,
  sequenceProblems,
} from './helpers';
import { connectionOf } from '../engine/helpers';

const folder = scratchFolder('bad-files');
afterAll(() => {
  // Undo the chmods so the folder can be removed.
  for (const name of folderListing(folder)) {
    try {
      chmodSync(join(folder, name), 0o755);
    } catch {
      // already gone
    }
  }
  removeFolder(folder);
});

let caseNumber = 0;
/** A folder of its own per case, so "nothing appeared next to it" is a plain listing. */
function caseFolder(): string {
  const path = join(folder, `case-${++caseNumber}`);
  mkdirSync(path);
  return path;
}

function makeLedger(path: string, deposits = 3): void {
  const opened = Ledger.open({ path, actor: 'reliability-setup' });
  if (!opened.ok) throw new Error(JSON.stringify(opened.error));
  const ledger = opened.value;
  ledger.execute({ name: 'open', input: { account: 'a1', owner: 'Alice', currency: 'EUR', initial: '10.00' } } as AnyCommand);
  for (let index = 0; index < deposits; index++)
    ledger.execute({ name: 'deposit', input: { account: 'a1', amount: '1.00', memo: 'm'.repeat(400) } } as AnyCommand);
  ledger.close();
}

type BadFile = {
  readonly name: string;
  /** Creates the bad file (or not) and returns the path the app is asked to open. */
  readonly make: (dir: string) => string;
  readonly message: RegExp;
  /** Codes the CLI may answer with (default STORAGE): a host may refuse a target before the engine sees it. */
  readonly cliCodes?: readonly string[];
  /** The CLI may open it read-only and answer the query instead (a file its owner marked read-only). */
  readonly cliMayRead?: boolean;
};

const BAD_FILES: readonly BadFile[] = [
  {
    name: 'a text file',
    make: (dir) => {
      const path = join(dir, 'notes.ledger');
      writeFileSync(path, 'Shopping list\n- bread\n- milk\n'.repeat(200));
      return path;
    },
    message: /not a ledger/,
  },
  {
    name: 'random bytes',
    make: (dir) => {
      const path = join(dir, 'noise.ledger');
      writeFileSync(path, randomBytes(16_384));
      return path;
    },
    message: /not a ledger/,
  },
  {
    name: 'a SQLite header followed by garbage',
    make: (dir) => {
      const path = join(dir, 'fake.ledger');
      writeFileSync(path, Buffer.concat([Buffer.from('SQLite format 3\0'), randomBytes(8_176)]));
      return path;
    },
    message: /not a ledger|damaged|cannot be read/,
  },
  {
    name: "another program's SQLite database",
    make: (dir) => {
      const path = join(dir, 'contacts.sqlite');
      const other = new Database(path);
      other.exec("CREATE TABLE contacts (name TEXT, phone TEXT); INSERT INTO contacts VALUES ('Ada', '555-0100');");
      other.close();
      return path;
    },
    message: /another program/,
  },
  {
    name: "another program's SQLite database in WAL mode",
    make: (dir) => {
      const path = join(dir, 'photos.sqlite');
      const other = new Database(path);
      other.pragma('journal_mode = WAL');
      other.exec("CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT); INSERT INTO photos (path) VALUES ('a.jpg');");
      other.close();
      return path;
    },
    message: /another program/,
  },
  {
    // A program that stamps its files (PRAGMA application_id) but has not created a table yet:
    // still not ours, and turning it into a ledger would overwrite its stamp.
    name: "another program's stamped but still empty SQLite database",
    make: (dir) => {
      const path = join(dir, 'map.gpkg');
      const other = new Database(path);
      other.pragma('application_id = 0x47504b47'); // "GPKG", GeoPackage
      other.pragma('user_version = 0');
      other.close();
      return path;
    },
    message: /another program/,
  },
  {
    // Every new ledger is created stamped under a temporary name and linked into place, so an
    // empty file under a ledger's name is never one being created: it is someone else's.
    name: 'an empty (0-byte) file',
    make: (dir) => {
      const path = join(dir, 'empty.ledger');
      writeFileSync(path, '');
      return path;
    },
    message: /is empty, not a ledger/,
  },
  {
    name: "another program's empty SQLite database, not stamped",
    make: (dir) => {
      const path = join(dir, 'scratch.sqlite');
      const other = new Database(path);
      other.pragma('user_version = 7'); // writes the header page: a valid, empty database
      other.close();
      return path;
    },
    message: /not stamped as a ledger/,
  },
  {
    name: 'a path ending in a separator (it names a folder, not a file)',
    make: (dir) => `${join(dir, 'ledger.db')}/`,
    message: /ends in a path separator/,
    cliCodes: ['STORAGE', 'VALIDATION'],
  },
  {
    name: 'a ledger from a newer schema version',
    make: (dir) => {
      const path = join(dir, 'future.ledger');
      makeLedger(path);
      const raw = new Database(path);
      raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
      raw.close();
      return path;
    },
    message: /newer version/,
  },
  {
    name: 'a read-only file (mode 0444)',
    make: (dir) => {
      const path = join(dir, 'locked.ledger');
      makeLedger(path);
      chmodSync(path, 0o444);
      return path;
    },
    message: /read-only/,
    cliMayRead: true,
  },
  {
    name: 'a missing folder',
    make: (dir) => join(dir, 'no-such-folder', 'ledger.db'),
    message: /folder .*no-such-folder.* does not exist/,
  },
  {
    name: 'a folder where the file should be',
    make: (dir) => {
      const path = join(dir, 'ledger.db');
      mkdirSync(path);
      return path;
    },
    message: /not a file/,
    cliCodes: ['STORAGE', 'VALIDATION'],
  },
  {
    name: 'a file where the folder should be',
    make: (dir) => {
      writeFileSync(join(dir, 'plain-file'), 'x');
      return join(dir, 'plain-file', 'ledger.db');
    },
    message: /cannot|not a folder|does not exist/,
  },
];

const refusals: string[] = [];

/** Opens a good ledger in this same process and books something: the app stayed usable. */
function expectAppStillUsable(): void {
  const path = join(caseFolder(), 'good.ledger');
  const opened = Ledger.open({ path, actor: 'reliability-check' });
  if (!opened.ok) throw new Error(`after a refusal a good ledger would not open: ${JSON.stringify(opened.error)}`);
  try {
    const booked = opened.value.execute({
      name: 'open',
      input: { account: 'ok', owner: 'Still Works', currency: 'EUR', initial: '1.00' },
    } as AnyCommand);
    expect(booked).toMatchObject({ ok: true });
    expect(opened.value.verify()).toMatchObject({ ok: true });
  } finally {
    opened.value.close();
  }
}

/** The CLI (its own process) refuses it by name too: STORAGE with exit 1, or a host's own VALIDATION of the target (exit 2). */
function expectCliRefusal(bad: BadFile, path: string, cli: CliRun): void {
  expect([1, 2], cli.stdout + cli.stderr).toContain(cli.code);
  const answer = JSON.parse(cli.stdout) as { error: { code: string; message: string } };
  expect(isTypedFailure(answer), cli.stdout).toBe(true);
  expect(bad.cliCodes ?? ['STORAGE']).toContain(answer.error.code);
  if (answer.error.code === 'STORAGE') expect(cli.code).toBe(1);
  expect(answer.error.message).toContain(path.replace(/\/$/, ''));
}

describe('bad files are refused by name, untouched, and the app stays usable', () => {
  BAD_FILES.forEach((bad) => {
    it(`${bad.name}`, async () => {
      const dir = caseFolder();
      const path = bad.make(dir);
      const listing = folderListing(dir);
      const hash = statSafe(path)?.isFile() ? fileHash(path) : 'n/a';

      const opened = Ledger.open({ path, actor: 'reliability-check' });
      expect(opened.ok).toBe(false);
      if (opened.ok) {
        opened.value.close();
        return;
      }
      expect(isTypedFailure(opened), JSON.stringify(opened.error)).toBe(true);
      expect(opened.error.code).toBe('STORAGE');
      expect(opened.error.message).toContain(path);
      expect(opened.error.message).toMatch(bad.message);

      const cli = await runCli(['--db', path, 'accounts']);
      const readByCli = bad.cliMayRead === true && cli.code === 0;
      if (readByCli) expect(JSON.parse(cli.stdout)).toEqual(expect.any(Array));
      else expectCliRefusal(bad, path, cli);

      // A read-only SQLite connection to a WAL-mode file leaves its (empty) -wal and -shm (see the README's known limits).
      const beside = readByCli ? folderListing(dir).filter((name) => !/-(wal|shm)$/.test(name)) : folderListing(dir);
      expect(beside, 'files appeared beside the refused file').toEqual(listing);
      if (hash !== 'n/a') expect(fileHash(path), 'the refused file changed').toBe(hash);
      expectAppStillUsable();
      refusals.push(bad.name);
    });
  });

  it('a read-only file can still be opened read-only to look at it, and nothing is written', () => {
    const dir = caseFolder();
    const path = join(dir, 'look-only.ledger');
    makeLedger(path);
    chmodSync(path, 0o444);
    const hash = fileHash(path);
    const opened = Ledger.open({ path, actor: 'reliability-check', readOnly: true });
    if (!opened.ok) throw new Error(JSON.stringify(opened.error));
    try {
      expect(opened.value.listAccounts()).toMatchObject([{ id: 'a1', balanceMinor: 1_300 }]);
      expect(opened.value.info()).toMatchObject({ readOnly: true });
      expect(opened.value.execute({ name: 'deposit', input: { account: 'a1', amount: '1.00' } } as AnyCommand)).toMatchObject({
        ok: false,
        error: { code: 'INTEGRITY' },
      });
    } finally {
      opened.value.close();
    }
    expect(fileHash(path)).toBe(hash);
    expect(folderListing(dir).filter((name) => !name.endsWith('-shm') && !name.endsWith('-wal'))).toEqual([
      'look-only.ledger',
      'look-only.ledger.head.json',
    ]);
  });
});

describe('a damaged ledger (a bad copy cut it short)', () => {
  it('is refused by name as damaged, never with an exception, and its bytes stay as they are', async () => {
    const dir = caseFolder();
    const path = join(dir, 'cut.ledger');
    makeLedger(path, 60);
    const size = statSync(path).size;
    truncateSync(path, Math.floor(size / 2 / 4096) * 4096);
    const hash = fileHash(path);
    const listing = folderListing(dir);
    let opened: ReturnType<typeof Ledger.open> | undefined;
    expect(() => (opened = Ledger.open({ path, actor: 'reliability-check' }))).not.toThrow();
    expect(opened!.ok).toBe(false);
    if (opened!.ok) return opened!.value.close();
    expect(isTypedFailure(opened), JSON.stringify(opened!.error)).toBe(true);
    expect(opened!.error).toMatchObject({ code: 'STORAGE' });
    expect(opened!.error.message).toContain(path);
    expect(opened!.error.message).toMatch(/damaged/);
    expect(fileHash(path)).toBe(hash);
    // KNOWN LIMIT: the damage is only found by asking SQLite (a read-only connection), which
    // leaves an EMPTY -wal and its -shm index beside a WAL-mode file. They hold no data; the
    // ledger file itself is untouched. Anything else appearing would be a regression.
    const appeared = folderListing(dir).filter((name) => !listing.includes(name));
    expect(appeared.filter((name) => name !== 'cut.ledger-wal' && name !== 'cut.ledger-shm')).toEqual([]);
    if (appeared.includes('cut.ledger-wal')) expect(statSync(`${path}-wal`).size).toBe(0);
    expectAppStillUsable();
  });
});

describe('a full disk (max_page_count)', () => {
  it('refuses the command as STORAGE in plain words, writes nothing partial, and the ledger keeps answering', async () => {
    const dir = caseFolder();
    const path = join(dir, 'full.ledger');
    makeLedger(path, 0);
    const opened = Ledger.open({ path, actor: 'reliability-check' });
    if (!opened.ok) throw new Error(JSON.stringify(opened.error));
    const ledger = opened.value;
    let booked = 0;
    let refusal: unknown;
    let batchRefusal: unknown;
    try {
      // max_page_count holds per connection: it is set on the ledger's own.
      const connection = connectionOf(ledger);
      const pages = connection.pragma('page_count', { simple: true }) as number;
      connection.pragma(`max_page_count = ${pages}`);
      const memo = 'f'.repeat(500);
      // Fill the last free space until SQLite reports the "disk" full.
      for (let index = 0; index < 10_000 && refusal === undefined; index++) {
        const result = ledger.execute({
          name: 'deposit',
          input: { account: 'a1', amount: '1.00', memo, commandId: `fill-${index}` },
        } as AnyCommand);
        if (result.ok) booked += 1;
        else refusal = result;
      }
      expect(refusal, 'the limit was never reached').toBeDefined();
      expect(isTypedFailure(refusal), JSON.stringify(refusal)).toBe(true);
      expect(refusal).toMatchObject({ ok: false, error: { code: 'STORAGE' } });
      const message = (refusal as { error: { message: string } }).error.message;
      expect(message).toContain(path);
      expect(message).toMatch(/full/);
      expect(message).toMatch(/Nothing was recorded/);

      // A batch (how apply writes) fails whole: none of it is booked.
      const before = ledger.info().lastPosition;
      const batch = ledger.executeBatch([
        { name: 'deposit', input: { account: 'a1', amount: '2.00', memo, commandId: 'batch-1' } } as AnyCommand,
        { name: 'transfer', input: { from: 'a1', to: 'a1-missing', amount: '1.00' } } as AnyCommand,
        { name: 'deposit', input: { account: 'a1', amount: '3.00', memo, commandId: 'batch-3' } } as AnyCommand,
      ]);
      batchRefusal = batch[0];
      expect(batch[0]).toMatchObject({ ok: false, error: { code: 'STORAGE' } });
      expect(batch[2]).toMatchObject({ ok: false, error: { code: 'STORAGE' } });
      for (const result of batch) expect(isTypedFailure(result), JSON.stringify(result)).toBe(true);
      expect(ledger.info().lastPosition).toBe(before);

      // Nothing partial: the projection, the log and the idempotency table agree.
      const expectedBalance = 1_000 + booked * 100;
      expect(ledger.getAccount('a1')).toMatchObject({ ok: true, value: { balanceMinor: expectedBalance, version: 1 + booked } });
      expect(ledger.info().lastPosition).toBe(1 + booked);
      const storedCommands = connection
        .prepare("SELECT count(*) FROM commands WHERE command_id LIKE 'fill-%' OR command_id LIKE 'batch-%'")
        .pluck()
        .get();
      expect(storedCommands).toBe(booked);
      expect(ledger.verify()).toMatchObject({ ok: true, events: 1 + booked });
      expect(ledger.listAccounts()).toHaveLength(1);
      expect(ledger.history('a1')).toMatchObject({ ok: true });

      // Space comes back: the refused command goes through once, under its own id.
      connection.pragma('max_page_count = 1073741823');
      const retried = ledger.execute({
        name: 'deposit',
        input: { account: 'a1', amount: '1.00', memo, commandId: `fill-${booked}` },
      } as AnyCommand);
      expect(retried).toMatchObject({ ok: true, value: { balanceMinor: expectedBalance + 100 } });
      expect(retried.ok && retried.value.replayed).toBeFalsy();
    } finally {
      ledger.close();
    }
    const log = readLog(path);
    expect(sequenceProblems(log)).toEqual([]);
    expect(log).toHaveLength(booked + 2);
    const head = JSON.parse(readFileSync(`${path}.head.json`, 'utf8')) as { position: number };
    expect(head.position).toBe(booked + 2);

    // A filtered run (-t) would record partial figures over the full run's: record only whole runs.
    if (refusals.length !== BAD_FILES.length) return;
    console.log(
      `bad files: ${refusals.length} of ${BAD_FILES.length} bad files refused by name with nothing written and the app still usable ` +
        `(${refusals.join('; ')}); full disk: ${booked} deposits fit, then STORAGE "${(refusal as { error: { message: string } }).error.message.replace(path, '<file>')}", ` +
        `a 3-command batch refused whole, 0 partial writes, verify ok, ledger still answering`,
    );
    await recordFigures('badFiles', {
      badFiles: BAD_FILES.length,
      refusedByName: refusals.length,
      bytesWritten: 0,
      sideFilesCreated: 0,
      fullDiskDepositsBeforeFull: booked,
      fullDiskPartialWrites: 0,
      fullDiskBatchRefusedWhole: (batchRefusal as { ok?: boolean } | undefined)?.ok === false,
    });
  });
});

function statSafe(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
