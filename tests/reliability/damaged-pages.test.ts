/**
 * Issue 16, item 5 — damaged pages. One byte flipped anywhere in a ledger file (a bad sector,
 * a bad copy) must never end in an uncaught SQLite error: opening, verifying, listing and
 * booking answer — a typed failure ("The file … is damaged …" as STORAGE, or INTEGRITY for a
 * chain the flip broke), a verify report naming a position, or a normal answer where the flip
 * changed nothing that is read. The same through the CLI: exit 0-3 and JSON on stdout.
 *
 * The flips are a fixed set of offsets spread over every page of a small ledger (headers,
 * cell pointers, cell contents, page ends), so a failing offset can be replayed.
 */
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, dispatch, exportToFile } from '#engine/handlers';
import { Ledger } from '#engine/ledger';
import { checkpointPathFor } from '#engine/store/head-checkpoint';
import { verifyLedgerFile } from '#engine/store/verify-file';
import { checkpointFile, isTypedFailure, recordFigures, removeFolder, runCli, scratchFolder } from './helpers';

const PAGE_BYTES = 4_096;
/** Offsets within each page: its header and cell pointers, the middle, and the cell contents at its end. */
const OFFSETS_IN_PAGE = [0, 1, 3, 5, 7, 9, 12, 40, 1_000, 2_500, 3_600, 4_000, 4_090];
/** Offsets in the file header (page 1) beyond the page header: page size, version, counters, stamps. */
const HEADER_OFFSETS = [16, 18, 21, 28, 44, 56, 60, 68, 96, 100, 103, 105];
/** How many of the flips also run through the CLI (each costs three child processes). */
const CLI_FLIPS = 16;

let folder: string;
let pristine: string;
let offsets: number[] = [];

beforeAll(() => {
  folder = scratchFolder('damaged-pages');
  pristine = join(folder, 'pristine.db');
  const opened = Ledger.open({ path: pristine, actor: 'reliability-setup' });
  if (!opened.ok) throw new Error(JSON.stringify(opened.error));
  const ledger = opened.value;
  ledger.execute({ name: 'open', input: { account: 'a1', owner: 'Alice', currency: 'EUR', initial: '100.00' } });
  ledger.execute({ name: 'open', input: { account: 'b2', owner: 'Bob', currency: 'EUR', initial: '0' } });
  for (let index = 0; index < 40; index++) {
    ledger.execute({
      name: 'deposit',
      input: { account: index % 2 ? 'a1' : 'b2', amount: '1.00', memo: `memo ${index} `.padEnd(300, 'x') },
    });
    if (index % 5 === 0) ledger.execute({ name: 'transfer', input: { from: 'a1', to: 'b2', amount: '0.50', commandId: `t-${index}` } });
  }
  ledger.close();
  checkpointFile(pristine);
  const pages = statSync(pristine).size / PAGE_BYTES;
  offsets = [...HEADER_OFFSETS];
  for (let page = 0; page < pages; page++)
    for (const offset of OFFSETS_IN_PAGE) if (page > 0 || offset < 16) offsets.push(page * PAGE_BYTES + offset);
});

afterAll(() => removeFolder(folder));

function flippedCopy(offset: number): string {
  const path = join(folder, `flip-${offset}.db`);
  const bytes = readFileSync(pristine);
  bytes[offset] = bytes[offset]! ^ 0xff;
  writeFileSync(path, bytes);
  copyFileSync(checkpointPathFor(pristine), checkpointPathFor(path));
  return path;
}

/** `fileVerify`: verifyLedgerFile's answer (the chain walked on the store, no replay): a code, 'ok' or 'bad at P'. */
type Outcome = { offset: number; open: string; verify: string; damagedAfterOpen: number; fileVerify: string };

const INTERNAL_ERROR = /internal error/;

/** Each answer is a typed value; describes what came back. Throws (failing the test) on an exception. */
async function throughEngine(path: string): Promise<Omit<Outcome, 'offset'>> {
  const walked = verifyLedgerFile(path);
  if (!walked.ok) expect(isTypedFailure(walked), JSON.stringify(walked)).toBe(true);
  const fileVerify = !walked.ok ? walked.error.code : walked.value.ok ? 'ok' : `bad at ${walked.value.firstBadPosition}`;
  const opened = Ledger.open({ path, actor: 'reliability-check' });
  if (!opened.ok) {
    expect(isTypedFailure(opened), JSON.stringify(opened)).toBe(true);
    // Damage the replay meets refuses the open; a walk of the chain names where it is.
    if (walked.ok && opened.error.message.startsWith(`The file ${path} is damaged`)) {
      expect(walked.value, JSON.stringify(opened)).toMatchObject({
        ok: false,
        firstBadPosition: expect.any(Number),
        reason: expect.stringMatching(/damaged/),
      });
    }
    return { open: opened.error.code, verify: 'not opened', damagedAfterOpen: 0, fileVerify };
  }
  const ledger = opened.value;
  try {
    const report = ledger.verify();
    if (!report.ok) expect(report).toMatchObject({ firstBadPosition: expect.any(Number), reason: expect.any(String) });
    // Without the replay, the walk is the same walk.
    expect(walked, `flip in ${path}`).toEqual({ ok: true, value: report });
    const table = createHandlers(() => ledger);
    let damagedAfterOpen = 0;
    for (const [channel, request] of [
      ['listAccounts', undefined],
      ['getAccount', { account: 'a1' }],
      ['accountHistory', { account: 'a1' }],
      ['deposit', { account: 'a1', amount: '1.00' }],
      ['auditEvents', {}],
      // A text filter looks ids up in the indexes with SQL of its own.
      ['auditEvents', { filter: { text: 'a1' } }],
      ['eventDetail', { position: 1 }],
      ['eventDetail', { position: 30 }],
    ] as const) {
      const answer = await dispatch(table, channel, request);
      if (answer.ok) continue;
      expect(isTypedFailure(answer), `${channel}: ${JSON.stringify(answer)}`).toBe(true);
      // Damage met after opening is answered as what it is, naming the file, never as a bug.
      expect(answer.error.message, `${channel}: ${JSON.stringify(answer)}`).not.toMatch(INTERNAL_ERROR);
      if (answer.error.code === 'STORAGE' && answer.error.message.startsWith(`The file ${path} is damaged`)) damagedAfterOpen += 1;
    }
    // The JSON Lines export reads pages of its own by position: it ends, typed, whatever it meets.
    const exported = await Promise.race([
      exportToFile(ledger, `${path}.jsonl`, 'jsonl', {}, { force: true }),
      new Promise<string>((resolve) => setTimeout(() => resolve('still running after 10 s'), 10_000)),
    ]);
    expect(typeof exported, `export of ${path}: ${JSON.stringify(exported)}`).toBe('object');
    if (typeof exported === 'object' && !exported.ok) expect(isTypedFailure(exported), JSON.stringify(exported)).toBe(true);
    return { open: 'ok', verify: report.ok ? 'ok' : `bad at ${report.firstBadPosition}`, damagedAfterOpen, fileVerify };
  } finally {
    ledger.close();
  }
}

describe('a byte flipped anywhere in the file is answered, never crashed on', () => {
  const outcomes: Outcome[] = [];

  it('through the engine (open, verify, and the handler table): every flip gets typed answers', async () => {
    expect(offsets.length).toBeGreaterThan(60);
    for (const offset of offsets) outcomes.push({ offset, ...(await throughEngine(flippedCopy(offset))) });
    // The sweep does reach damage SQLite reports, and flips verify names by position.
    expect(outcomes.some((outcome) => outcome.open === 'STORAGE')).toBe(true);
    expect(outcomes.some((outcome) => outcome.verify.startsWith('bad at'))).toBe(true);
    // …damage that refuses the open but that a walk of the chain names by position…
    expect(outcomes.filter((outcome) => outcome.open === 'STORAGE' && outcome.fileVerify.startsWith('bad at')).length).toBeGreaterThan(3);
    // …and damage that only reads after opening meet (a history page, an index lookup).
    expect(outcomes.filter((outcome) => outcome.damagedAfterOpen > 0).length).toBeGreaterThan(3);
  }, 180_000);

  it('through the CLI (verify, accounts, deposit): exit 0-3 and JSON on stdout, never an uncaught exception', async () => {
    // The flips that hurt most first (refused or failing verify), then the rest, up to CLI_FLIPS.
    const chosen = [...outcomes].sort((a, b) => rank(a) - rank(b)).slice(0, CLI_FLIPS);
    expect(chosen.length).toBe(CLI_FLIPS);
    for (const { offset } of chosen) {
      const path = flippedCopy(offset);
      for (const args of [['verify'], ['accounts'], ['deposit', '--account', 'a1', '--amount', '1.00']]) {
        const run = await runCli(['--db', path, ...args]);
        const what = `flip at ${offset}, ${args[0]}: exit ${run.code}, stdout ${run.stdout.slice(0, 300)}, stderr ${run.stderr.slice(0, 300)}`;
        expect([0, 1, 2, 3], what).toContain(run.code);
        expect(run.stdout.trim(), what).not.toBe('');
        expect(run.stderr, what).not.toMatch(/SqliteError|at .*\.ts:\d+/);
        const answer = run.lines[0] as { ok?: boolean; error?: unknown; firstBadPosition?: unknown } | unknown[];
        if (Array.isArray(answer)) continue; // `accounts` prints the list
        expect(answer, what).not.toHaveProperty('unparsed');
        if (answer.ok === false && answer.error !== undefined) expect(isTypedFailure(answer), what).toBe(true);
        if (answer.ok === false && answer.error === undefined) expect(answer.firstBadPosition, what).toEqual(expect.any(Number));
      }
    }
    await recordFigures('damaged pages', {
      flips: outcomes.length,
      refusedAtOpen: outcomes.filter((outcome) => outcome.open !== 'ok').length,
      verifyFailed: outcomes.filter((outcome) => outcome.verify.startsWith('bad at')).length,
      cliFlips: CLI_FLIPS,
      uncaught: 0,
    });
    console.log(
      `damaged pages: ${outcomes.length} flips, ${outcomes.filter((outcome) => outcome.open !== 'ok').length} refused at open, ` +
        `${outcomes.filter((outcome) => outcome.verify.startsWith('bad at')).length} named by verify, ${CLI_FLIPS} also through the CLI, 0 uncaught`,
    );
    // Three child processes a flip, each about half a second, longer on a busy machine.
  }, 300_000);
});

describe('ledger verify on a damaged file (the chain is walked without replaying the projection)', () => {
  it('names the damage at a position (exit 3) where opening it as a ledger is refused, and answers STORAGE only for a file that cannot be opened at all', async () => {
    const refused: Array<{ offset: number; fileVerify: string }> = [];
    for (const offset of offsets) {
      const path = flippedCopy(offset);
      if (Ledger.open({ path, actor: 'reliability-check', readOnly: true }).ok) continue;
      const walked = verifyLedgerFile(path);
      refused.push({
        offset,
        fileVerify: !walked.ok ? walked.error.code : walked.value.ok ? 'ok' : `bad at ${walked.value.firstBadPosition}`,
      });
    }
    const named = refused.filter((flip) => flip.fileVerify.startsWith('bad at')).slice(0, 6);
    const unopenable = refused.filter((flip) => flip.fileVerify === 'STORAGE').slice(0, 2);
    expect(named.length).toBe(6);
    expect(unopenable.length).toBe(2);
    for (const { offset, fileVerify } of [...named, ...unopenable]) {
      const path = flippedCopy(offset);
      const run = await runCli(['--db', path, 'verify']);
      const what = `flip at ${offset}: exit ${run.code}, stdout ${run.stdout.slice(0, 300)}, stderr ${run.stderr.slice(0, 300)}`;
      expect(run.stderr, what).toBe('');
      if (fileVerify === 'STORAGE') {
        expect(run.code, what).toBe(1);
        expect(isTypedFailure(run.lines[0]), what).toBe(true);
        expect(run.lines[0], what).toMatchObject({ error: { code: 'STORAGE' } });
      } else {
        expect(run.code, what).toBe(3);
        expect(run.lines, what).toEqual([
          { ok: false, firstBadPosition: Number(fileVerify.slice('bad at '.length)), reason: expect.stringMatching(/damaged/) },
        ]);
      }
    }
  }, 120_000);
});

describe('damage met after opening, through the CLI', () => {
  it('history and events on flips the engine met after opening: exit 1 and the typed STORAGE answer naming the file, no stack trace', async () => {
    const flips: number[] = [];
    for (const offset of offsets) {
      if (flips.length === 4) break;
      const outcome = await throughEngine(flippedCopy(offset));
      if (outcome.damagedAfterOpen > 0) flips.push(offset);
    }
    expect(flips.length).toBeGreaterThan(0);
    let damaged = 0;
    for (const offset of flips) {
      const path = flippedCopy(offset);
      for (const args of [['history', 'a1'], ['events']]) {
        const run = await runCli(['--db', path, ...args]);
        const what = `flip at ${offset}, ${args[0]}: exit ${run.code}, stdout ${run.stdout.slice(-300)}, stderr ${run.stderr.slice(0, 300)}`;
        expect(run.stderr, what).toBe('');
        if (run.code === 0) continue;
        const answer = run.lines.at(-1) as { ok: boolean; error: { code: string; message: string } };
        expect(isTypedFailure(answer), what).toBe(true);
        expect(answer.error.message, what).not.toMatch(INTERNAL_ERROR);
        expect(run.code, what).toBe(answer.error.code === 'INTEGRITY' ? 3 : 1);
        if (answer.error.message.startsWith(`The file ${path} is damaged`)) damaged += 1;
      }
    }
    expect(damaged).toBeGreaterThan(0);
  }, 120_000);
});

function rank(outcome: Outcome): number {
  if (outcome.open !== 'ok') return 0;
  return outcome.verify === 'ok' ? 2 : 1;
}
