/**
 * Offline verification of a JSON Lines export names the exact first bad line for every kind
 * of damage: an edited field (payload, metadata, hash, position, time), a deleted line, two
 * swapped lines, an inserted forged line (with a correctly recomputed hash), a file cut off
 * mid-line or without its manifest, a manifest that lies, and content after the manifest.
 * Through verifyExportFile, and a few through `ledger verify --file` (exit 3).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventLine } from '#engine/export/export-format';
import { verifyExportFile, type ExportVerifyReport } from '#engine/export/export-verify';
import { hashEvent } from '#engine/store/hash-chain';
import type { StoredEvent } from '#engine/store/event-store';
import { runCli } from './cli-process';
import { newLedger, tempFolder } from './helpers';
import { exportText, parseLine, seedRichLedger, writeLines } from './export-helpers';

/** The lines of one full export (event lines, then the manifest line), made once. */
let lines: string[];
let head: string;
/** Number of event lines; the manifest is line EVENTS + 1. */
let EVENTS: number;

beforeAll(async () => {
  const { ledger, api } = newLedger();
  seedRichLedger(ledger, api);
  const { text, manifest } = await exportText(ledger);
  lines = text.slice(0, -1).split('\n');
  head = manifest.headHash;
  EVENTS = manifest.count;
  expect(lines).toHaveLength(EVENTS + 1);
  ledger.close();
});

/** Writes a variant of the export (0-based line edits on a copy) and returns its path. */
function variant(change: (copy: string[]) => string[] | void, name = 'export.jsonl'): string {
  const copy = [...lines];
  const changed = change(copy) ?? copy;
  const path = join(tempFolder(), name);
  writeLines(path, changed);
  return path;
}

async function expectBadLine(path: string, line: number, reason?: RegExp): Promise<ExportVerifyReport> {
  const report = await verifyExportFile(path);
  expect(report, JSON.stringify(report)).toMatchObject({ ok: false, firstBadLine: line });
  if (reason && !report.ok) expect(report.reason).toMatch(reason);
  return report;
}

/** The stored row behind an event line (payload and metadata as canonical JSON text). */
function rowOf(line: string): StoredEvent {
  const parsed = parseLine(line);
  return { ...parsed, data: JSON.stringify(parsed.data), metadata: JSON.stringify(parsed.metadata) };
}

/** An event line with a correctly computed hash for its content and previous hash. */
function forgedLine(row: StoredEvent): string {
  return eventLine({ ...row, hash: hashEvent(row.previousHash, row) }).slice(0, -1);
}

describe('an intact export', () => {
  it('verifies, with the event count and the head hash', async () => {
    const path = variant(() => {});
    expect(await verifyExportFile(path)).toMatchObject({ ok: true, events: EVENTS, head, manifest: { count: EVENTS, headHash: head } });
  });
});

describe('an edited line is caught at that line', () => {
  it('a changed amount in the payload', async () => {
    const path = variant((copy) => {
      copy[69] = copy[69]!.replace(/"amountMinor":(\d+)/, (_, amount: string) => `"amountMinor":${Number(amount) + 1}`);
      expect(copy[69]).not.toBe(lines[69]);
    });
    await expectBadLine(path, 70, /hash does not match/);
  });

  it('a legacy payload edited (schema version 1, float amount)', async () => {
    const path = variant((copy) => {
      copy[19] = copy[19]!.replace(/"amount":([\d.]+)/, '"amount":1000000');
      expect(copy[19]).not.toBe(lines[19]);
    });
    await expectBadLine(path, 20, /hash does not match/);
  });

  it('a payload edited only in form (a space, an escaped letter) that parses to the same value', async () => {
    await expectBadLine(
      variant((copy) => void (copy[2] = copy[2]!.replace('"data":{"', '"data":{ "'))),
      3,
    );
    await expectBadLine(
      variant((copy) => void (copy[0] = copy[0]!.replace('Émilie', '\\u00c9milie'))),
      1,
    );
  });

  it('changed metadata (the actor)', async () => {
    const path = variant((copy) => {
      copy[64] = copy[64]!.replace(/"actor":"[^"]*"/, '"actor":"mallory"');
      expect(copy[64]).not.toBe(lines[64]);
    });
    await expectBadLine(path, 65, /hash does not match/);
  });

  it('a changed hash, previous hash, recorded time or event id', async () => {
    const flip = (hex: string) => (hex[0] === 'a' ? 'b' : 'a') + hex.slice(1);
    const row = parseLine(lines[29]!);
    await expectBadLine(
      variant((copy) => void (copy[29] = copy[29]!.replace(`"hash":"${row.hash}"`, `"hash":"${flip(row.hash)}"`))),
      30,
    );
    await expectBadLine(
      variant(
        (copy) => void (copy[29] = copy[29]!.replace(`"previousHash":"${row.previousHash}"`, `"previousHash":"${flip(row.previousHash)}"`)),
      ),
      30,
      /previous hash/,
    );
    await expectBadLine(
      variant((copy) => void (copy[29] = copy[29]!.replace(row.recordedAt, '2020-01-01T00:00:00.000Z'))),
      30,
    );
    await expectBadLine(
      variant((copy) => void (copy[29] = copy[29]!.replace(row.eventId, 'evt-forged'))),
      30,
    );
  });

  it('a changed position', async () => {
    await expectBadLine(
      variant((copy) => void (copy[29] = copy[29]!.replace('{"position":30,', '{"position":31,'))),
      30,
      /missing/,
    );
    await expectBadLine(
      variant((copy) => void (copy[29] = copy[29]!.replace('{"position":30,', '{"position":29,'))),
      30,
      /out of order/,
    );
  });

  it('an edited line whose own hash was recomputed: caught at the next line, whose link no longer holds', async () => {
    const path = variant((copy) => {
      const row = rowOf(copy[69]!);
      copy[69] = forgedLine({ ...row, data: row.data.replace(/"amountMinor":\d+/, '"amountMinor":99999999') });
    });
    await expectBadLine(path, 71, /previous hash/);
  });

  it('a line that is not JSON, or not an event', async () => {
    await expectBadLine(
      variant((copy) => void (copy[9] = copy[9]!.slice(0, -1))),
      10,
      /not valid JSON/,
    );
    await expectBadLine(
      variant((copy) => void (copy[9] = '[1,2,3]')),
      10,
      /not a JSON object/,
    );
    await expectBadLine(
      variant((copy) => void (copy[9] = '{"position":10}')),
      10,
      /not an event/,
    );
  });
});

describe('deleted, swapped and inserted lines', () => {
  it('a deleted line in the middle, the first line, or the last event line', async () => {
    await expectBadLine(
      variant((copy) => void copy.splice(40, 1)),
      41,
      /position 41 is missing/,
    );
    await expectBadLine(
      variant((copy) => void copy.splice(0, 1)),
      1,
      /position 1 is missing/,
    );
    // The chain up to there is sound; only the manifest knows an event is gone.
    await expectBadLine(
      variant((copy) => void copy.splice(EVENTS - 1, 1)),
      EVENTS,
      /count/,
    );
  });

  it('two swapped lines, next to each other or far apart', async () => {
    await expectBadLine(
      variant((copy) => void ([copy[49], copy[50]] = [copy[50]!, copy[49]!])),
      50,
      /missing/,
    );
    await expectBadLine(
      variant((copy) => void ([copy[9], copy[70]] = [copy[70]!, copy[9]!])),
      10,
      /missing/,
    );
  });

  it('an inserted forged line with a correct hash, linked to the line before it: caught where the chain breaks', async () => {
    // The forgery itself is a perfect link (position 31, previous hash of line 30, its own hash
    // right), so the export cannot tell it from a real event; the original event at position 31
    // now follows it and no longer links: line 32 is the first bad one.
    const path = variant((copy) => {
      const before = rowOf(copy[29]!);
      const forged = forgedLine({
        ...rowOf(copy[30]!),
        eventId: 'evt-forged',
        previousHash: before.hash,
        data: '{"amountMinor":100000000,"currency":"EUR"}',
      });
      copy.splice(30, 0, forged);
    });
    await expectBadLine(path, 32, /position 31 appears out of order/);
  });

  it('a forged line with a correct hash appended after the last event: the manifest catches it', async () => {
    const path = variant((copy) => {
      const last = rowOf(copy[EVENTS - 1]!);
      const forged = forgedLine({
        ...last,
        position: last.position + 1,
        streamVersion: last.streamVersion + 1,
        eventId: 'evt-forged',
        previousHash: last.hash,
      });
      copy.splice(EVENTS, 0, forged);
    });
    await expectBadLine(path, EVENTS + 2, /manifest says count/);
  });
});

describe('a cut-off file', () => {
  it('cut in the middle of a line: caught at that line', async () => {
    const text = lines.map((line) => `${line}\n`).join('');
    const cutAt = text.indexOf('\n', text.indexOf('{"position":50,')) - 20;
    const path = join(tempFolder(), 'cut.jsonl');
    writeFileSync(path, text.slice(0, cutAt));
    await expectBadLine(path, 50, /not valid JSON/);
  });

  it('cut at a line boundary without the manifest: caught at the line where the manifest should be', async () => {
    await expectBadLine(
      variant((copy) => copy.slice(0, EVENTS)),
      EVENTS + 1,
      /manifest line is missing/,
    );
    await expectBadLine(
      variant((copy) => copy.slice(0, 40)),
      41,
      /manifest line is missing/,
    );
  });

  it('an empty file', async () => {
    const path = join(tempFolder(), 'empty.jsonl');
    writeFileSync(path, '');
    await expectBadLine(path, 1, /manifest line is missing/);
  });
});

describe('the manifest', () => {
  const lie = (field: string, value: unknown) =>
    variant((copy) => {
      const parsed = JSON.parse(copy[EVENTS]!) as { manifest: Record<string, unknown> };
      parsed.manifest[field] = value;
      copy[EVENTS] = JSON.stringify(parsed);
    });

  it('that lies about the count, the head, the events digest or the positions: caught at the manifest line', async () => {
    await expectBadLine(lie('count', EVENTS + 1), EVENTS + 1, /count/);
    await expectBadLine(lie('count', EVENTS - 1), EVENTS + 1, /count/);
    await expectBadLine(lie('headHash', 'f'.repeat(64)), EVENTS + 1, /headHash/);
    await expectBadLine(lie('rootHash', '0'.repeat(64)), EVENTS + 1, /rootHash/);
    // A version 2 manifest has no eventsSha256 (its rootHash digests the lines): an extra key is refused.
    await expectBadLine(lie('eventsSha256', '0'.repeat(64)), EVENTS + 1, /version 2 form/);
    await expectBadLine(lie('lastPosition', EVENTS + 5), EVENTS + 1, /lastPosition/);
    await expectBadLine(lie('firstPosition', 2), EVENTS + 1, /firstPosition/);
    await expectBadLine(lie('formatVersion', 3), EVENTS + 1, /formatVersion 3/);
    await expectBadLine(lie('formatVersion', 1), EVENTS + 1, /version 1 manifest carries no seals/);
  });

  it('followed by more content: caught at the first line after it', async () => {
    await expectBadLine(
      variant((copy) => [...copy, copy[0]!]),
      EVENTS + 2,
      /after the manifest/,
    );
    await expectBadLine(
      variant((copy) => [...copy, copy[EVENTS]!]),
      EVENTS + 2,
      /after the manifest/,
    );
    await expectBadLine(
      variant((copy) => [...copy, '']),
      EVENTS + 2,
      /after the manifest/,
    );
  });
});

describe('ledger verify --file', () => {
  it('exits 0 on an intact export and 3 naming the first bad line on a damaged one', async () => {
    const intact = await runCli(['verify', '--file', variant(() => {})]);
    expect(intact.lines).toEqual([
      {
        ok: true,
        events: EVENTS,
        head,
        formatVersion: 2,
        rootHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        seal: null,
        keyChecked: false,
        seals: 0,
        note: expect.stringMatching(/carries no seal/),
      },
    ]);
    expect(intact.code).toBe(0);

    const edited = await runCli([
      'verify',
      '--file',
      variant((copy) => void (copy[69] = copy[69]!.replace(/"amountMinor":(\d+)/, '"amountMinor":1$1'))),
    ]);
    expect(edited.lines).toEqual([
      { ok: false, firstBadLine: 70, reason: expect.stringMatching(/position 70: stored hash does not match/) },
    ]);
    expect(edited.code).toBe(3);

    const cut = await runCli(['verify', '--file', variant((copy) => copy.slice(0, EVENTS))]);
    expect(cut.lines).toEqual([{ ok: false, firstBadLine: EVENTS + 1, reason: expect.stringMatching(/manifest line is missing/) }]);
    expect(cut.code).toBe(3);

    const swapped = await runCli(['verify', '--file', variant((copy) => void ([copy[3], copy[4]] = [copy[4]!, copy[3]!]))]);
    expect(swapped.lines).toEqual([{ ok: false, firstBadLine: 4, reason: expect.any(String) }]);
    expect(swapped.code).toBe(3);
  });
});
