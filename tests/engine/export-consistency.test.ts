/**
 * An export taken while another process (a `ledger apply` child) keeps appending is one
 * consistent snapshot: it verifies, its count equals the log length at one instant (never a
 * torn transfer), and restoring it gives the balances the live ledger's time travel shows at
 * that position (balancesAsOf({ position: manifest.lastPosition })).
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { AnyCommand } from '#shared/commands';
import type { ExportManifest } from '#engine/export/export-format';
import { verifyExportFile } from '#engine/export/export-verify';
import { Ledger } from '#engine/ledger';
import { startApply } from './cli-process';
import { newLedger, ok, openLedger, tempFolder } from './helpers';
import { TextSink, linesOf, parseLine } from './export-helpers';

const ACCOUNTS = Array.from({ length: 30 }, (_, index) => `acct-${String(index).padStart(2, '0')}`);
/** Larger than the export's page (5,000 rows), so the export reads several pages. */
const SEED_TRANSFERS = 3_000;

/** A deterministic stream of small transfers between the accounts (each appends two events). */
function* transfers(seed: number): Generator<{ from: string; to: string; amount: string; memo: string }> {
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648);
  for (let count = 0; ; count++) {
    const from = ACCOUNTS[next() % ACCOUNTS.length]!;
    let to = ACCOUNTS[next() % ACCOUNTS.length]!;
    if (to === from) to = ACCOUNTS[(ACCOUNTS.indexOf(from) + 1) % ACCOUNTS.length]!;
    yield {
      from,
      to,
      amount: `${next() % 50}.${String(next() % 100).padStart(2, '0')}`.replace(/^0\.00$/, '0.01'),
      memo: `t${seed}-${count}`,
    };
  }
}

function take<T>(source: Generator<T>, count: number): T[] {
  const taken: T[] = [];
  for (let index = 0; index < count; index++) taken.push(source.next().value as T);
  return taken;
}

/** A ledger with 30 EUR accounts and 6,030 events, written in a few bulk batches. */
function seededLedger() {
  const created = newLedger();
  const commands: AnyCommand[] = [
    ...ACCOUNTS.map((account): AnyCommand => ({
      name: 'open',
      input: { account, owner: `Owner ${account}`, currency: 'EUR', initial: '100000.00' },
    })),
    ...take(transfers(1), SEED_TRANSFERS).map((input): AnyCommand => ({ name: 'transfer', input })),
  ];
  for (let start = 0; start < commands.length; start += 2_000) {
    for (const result of created.ledger.executeBatch(commands.slice(start, start + 2_000))) ok(result);
  }
  expect(created.ledger.lastPosition).toBe(ACCOUNTS.length + 2 * SEED_TRANSFERS);
  return created;
}

function applyLines(inputs: ReadonlyArray<{ from: string; to: string; amount: string; memo: string }>): string[] {
  return inputs.map((input) => JSON.stringify({ command: 'transfer', ...input }));
}

/** Restores an export and checks it against the live ledger's balances at the export's last position. */
async function expectRestoreMatchesTimeTravel(live: Ledger, exportPath: string, manifest: ExportManifest): Promise<void> {
  const restoredPath = join(tempFolder(), 'restored.db');
  ok(await Ledger.restore(exportPath, { path: restoredPath })).close();
  const restored = openLedger(restoredPath);
  live.refresh();
  const asOf = ok(live.audit.balancesAsOf({ position: manifest.lastPosition }));
  expect(asOf.position).toBe(manifest.lastPosition);
  expect(restored.lastPosition).toBe(manifest.lastPosition);
  expect(
    restored.listAccounts().map((account) => ({
      account: account.id,
      owner: account.owner,
      currency: account.currency,
      balanceMinor: account.balanceMinor,
      status: account.status,
    })),
  ).toEqual(
    asOf.balances.map(({ account, owner, currency, balanceMinor, status }) => ({ account, owner, currency, balanceMinor, status })),
  );
  // Transfers move money, never make it: the snapshot's total is the opening total.
  expect(asOf.balances.reduce((sum, balance) => sum + balance.balanceMinor, 0)).toBe(ACCOUNTS.length * 10_000_000);
  expect(restored.verify()).toMatchObject({ ok: true, events: manifest.count, head: manifest.headHash });
}

/** A writable that holds its first chunk until `whileHeld` has finished: the export is paused mid-stream. */
class HoldingSink extends TextSink {
  private held = false;
  constructor(private readonly whileHeld: () => Promise<void>) {
    super({ highWaterMark: 1 });
  }
  override _write(chunk: Buffer | string, encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (this.held) return super._write(chunk, encoding, done);
    this.held = true;
    this.whileHeld().then(
      () => super._write(chunk, encoding, done),
      (error: Error) => done(error),
    );
  }
}

describe('an export while another process appends', () => {
  it('paused after its first page while the child commits 400 more events, still describes the moment it started', async () => {
    const { ledger, path } = seededLedger();
    const before = ledger.lastPosition;
    const balancesAtSeed = ok(ledger.audit.balancesAsOf({})).balances;
    const apply = startApply(path);
    try {
      // Make sure the child is up before the export starts.
      expect(await apply.send(applyLines(take(transfers(2), 1)))).toEqual([expect.objectContaining({ ok: true })]);
      const start = before + 2;
      let appendedDuringExport: unknown[] = [];
      const sink = new HoldingSink(async () => {
        appendedDuringExport = await apply.send(applyLines(take(transfers(3), 200)));
      });
      const manifest = await ledger.exportJsonLines(sink);
      // The child's 200 transfers were committed while the export was paused mid-stream…
      expect(appendedDuringExport).toHaveLength(200);
      expect(appendedDuringExport.every((answer) => (answer as { ok: boolean }).ok)).toBe(true);
      ledger.refresh();
      expect(ledger.lastPosition).toBe(start + 400);
      // …and none of them is in the export, which is exactly the log as it stood when it began.
      expect(manifest).toMatchObject({ firstPosition: 1, lastPosition: start, count: start });
      const file = join(tempFolder(), 'paused.jsonl');
      await new Promise<void>((resolve, reject) =>
        createWriteStream(file)
          .end(sink.buffer, () => resolve())
          .on('error', reject),
      );
      expect(await verifyExportFile(file)).toMatchObject({ ok: true, events: start, head: manifest.headHash });
      const lines = linesOf(file);
      expect(parseLine(lines[start - 1]!)).toMatchObject({ position: start, type: 'TransferReceived' });

      await expectRestoreMatchesTimeTravel(ledger, file, manifest);
      // The check is not vacuous: balances have moved on since the snapshot.
      expect(ok(ledger.audit.balancesAsOf({})).balances).not.toEqual(ok(ledger.audit.balancesAsOf({ position: start })).balances);
      expect(ok(ledger.audit.balancesAsOf({ position: before })).balances).toEqual(balancesAtSeed);
    } finally {
      expect((await apply.finish()).code).toBe(0);
    }
  });

  it('taken repeatedly while the child keeps appending: each is the log at one instant, verifies and restores to time travel', async () => {
    const { ledger, path } = seededLedger();
    const apply = startApply(path);
    const folder = tempFolder();
    try {
      await apply.send(applyLines(take(transfers(4), 1)));
      // The child keeps committing small batches of transfers until the exports are done.
      let stop = false;
      const source = transfers(5);
      const pumping = (async () => {
        let answered = 0;
        while (!stop) {
          const answers = await apply.send(applyLines(take(source, 25)));
          expect(answers.every((answer) => (answer as { ok: boolean }).ok)).toBe(true);
          answered += answers.length;
        }
        return answered;
      })();
      const exports: Array<{ file: string; manifest: ExportManifest; lowest: number; highest: number }> = [];
      for (let round = 0; round < 4; round++) {
        // Each round starts only after the child has appended since the last one.
        const seen = ledger.logHead().position;
        await vi.waitFor(() => expect(ledger.logHead().position, 'an append since the last round').toBeGreaterThan(seen), {
          timeout: 30_000,
          interval: 5,
        });
        const file = join(folder, `round-${round}.jsonl`);
        const lowest = ledger.logHead().position;
        const out = createWriteStream(file);
        const manifest = await ledger.exportJsonLines(out);
        await new Promise<void>((resolve) => out.end(resolve));
        const highest = ledger.logHead().position;
        exports.push({ file, manifest, lowest, highest });
      }
      stop = true;
      expect(await pumping).toBeGreaterThan(0);
      // Every export saw a longer log than the one before: the appends really went on between them.
      const counts = exports.map((taken) => taken.manifest.count);
      expect([...counts].sort((a, b) => a - b)).toEqual(counts);
      expect(new Set(counts).size).toBe(counts.length);

      for (const { file, manifest, lowest, highest } of exports) {
        // Count = length of the log at one instant between the export's start and end…
        expect(manifest.count).toBeGreaterThanOrEqual(lowest);
        expect(manifest.count).toBeLessThanOrEqual(highest);
        expect(manifest).toMatchObject({ firstPosition: 1, lastPosition: manifest.count });
        // …an instant between two commits: every command here is a transfer, so never half of one.
        expect((manifest.count - ACCOUNTS.length) % 2).toBe(0);
        expect(parseLine(linesOf(file)[manifest.count - 1]!).type).toBe('TransferReceived');
        expect(await verifyExportFile(file)).toMatchObject({ ok: true, events: manifest.count, head: manifest.headHash });
        await expectRestoreMatchesTimeTravel(ledger, file, manifest);
      }
    } finally {
      expect((await apply.finish()).code).toBe(0);
    }
  });
});
