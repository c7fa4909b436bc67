/**
 * Signed history at the bench's event count (issue 14), on the ledger the bench built:
 *  - tree upkeep: the work the stored Merkle tree adds to bulk append — every event's export
 *    line built and hashed as a leaf, the node hashes, the node rows inserted — timed alone over
 *    the ledger's own rows, as a share of the bulk append's time. Counted as if the two threads
 *    of the bulk writer did not overlap (the main thread hashes, the writer's thread inserts),
 *    so the true cost is at most this.
 *  - seal: the first seal (which checks the whole log), then a seal after each new command (which
 *    checks only the events since the last seal): median and p99;
 *  - prove: inclusion proofs of random positions (p99) and consistency proofs from random earlier
 *    seals to the latest (p99), and the largest proof file;
 *  - verify --proof: reading and checking a proof file with the public key, no ledger (p99);
 *  - ledger verify: the whole walk, which now also hashes every event as a leaf and holds the
 *    stored tree and seals against them (reported).
 * Also runnable alone on a fresh ledger: `npx tsx bench/signing.ts [EVENTS]`.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENT_LINE_COLUMNS, eventLineOf, type EventLineColumns } from '#engine/export/export-format';
import { leafHashOfLine, toHex } from '#engine/history/binary-hash';
import { ledgerConsistencyProof, ledgerInclusionProof, ledgerSeals, sealLedger } from '#engine/history/ledger-history';
import { writeProofFile } from '#engine/history/proof-output';
import { TreeFrontier } from '#engine/history/tree-frontier';
import { INSERT_TREE_NODE_SQL } from '#engine/history/tree-nodes';
import { openDatabase } from '#engine/store/open-database';
import { Ledger } from '#engine/ledger';
import { PipelinedWriter } from '#engine/bulk/pipelined-writer';
import { parseCommandLine } from '../electron/hosts/cli/apply-stream';
import { generateSigningKey } from '#engine/signing/keys';
import { proofFileText, readProofFile } from '#engine/signing/proof-file';
import { verifyProofFile } from '#engine/signing/proof-file-verify';
import type { Result } from '#shared/errors';
import { atMost, custom, formatNumber, median, percentile, type Figure } from './figures';
import { accountId, workload } from './workload';

const PROOFS = 500;
const SEALS = 30;
const PROOF_FILES = 100;
const PAGE = 5_000;

function value<T>(result: Result<T>, what: string): T {
  if (!result.ok) throw new Error(`${what} failed: ${result.error.code} ${result.error.message}`);
  return result.value;
}

function timed<T>(work: () => T): { ms: number; result: T } {
  const started = performance.now();
  const result = work();
  return { ms: performance.now() - started, result };
}

/**
 * The tree upkeep of bulk append, alone: for the very rows the engine stored (read page by
 * page, not timed), each export line built and hashed as a leaf, the node hashes, and the node
 * rows inserted into a fresh file opened by the engine's own opener, in one transaction (the
 * engine's nodes ride in its events' commits). Like the bare bulk baseline, it is measured in
 * slices between the engine's batches (catchUp), so the shared machine's noise falls on both.
 */
export class TreeUpkeepAlone {
  private readonly source: Database.Database;
  private readonly target: Database.Database;
  private readonly page: Database.Statement;
  private readonly insert: Database.Statement;
  private readonly frontier = TreeFrontier.empty();
  private copiedThrough = 0;
  private elapsed = 0;

  constructor(
    sourcePath: string,
    private readonly targetPath: string,
  ) {
    this.source = new Database(sourcePath, { readonly: true });
    this.target = openDatabase(targetPath, { appVersion: 'bench' });
    this.page = this.source.prepare(`SELECT ${EVENT_LINE_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ${PAGE}`).raw();
    this.insert = this.target.prepare(INSERT_TREE_NODE_SQL);
    this.timed(() => this.target.exec('BEGIN IMMEDIATE'));
  }

  /** Does the upkeep of every row the engine has committed since the last call. */
  catchUp(): void {
    for (;;) {
      const rows = this.page.all(this.copiedThrough) as EventLineColumns[];
      if (rows.length === 0) return;
      this.timed(() => {
        for (const row of rows) {
          this.frontier.push(leafHashOfLine(eventLineOf(row).slice(0, -1)), (level, index, hash) =>
            this.insert.run(level, index, Buffer.from(hash, 'latin1')),
          );
        }
      });
      this.copiedThrough = rows[rows.length - 1]![0];
    }
  }

  /** The rest, and the commit: the events covered, the timed milliseconds and the root they give. */
  finish(): UpkeepRun {
    try {
      this.catchUp();
      this.timed(() => this.target.exec('COMMIT'));
      return { events: this.copiedThrough, ms: this.elapsed, rootHex: toHex(this.frontier.root()) };
    } finally {
      this.source.close();
      this.target.close();
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${this.targetPath}${suffix}`, { force: true });
    }
  }

  private timed(work: () => void): void {
    const started = performance.now();
    work();
    this.elapsed += performance.now() - started;
  }
}

export type UpkeepRun = { readonly events: number; readonly ms: number; readonly rootHex: string };

/**
 * The figures. `bulk` is how long the bench's bulk append of this ledger took, with its tree
 * upkeep measured alone beside it (TreeUpkeepAlone). Appends a few deposits (one per seal).
 */
export function measureSignedHistory(
  ledger: Ledger,
  folder: string,
  bulk: { readonly ms: number; readonly upkeep: UpkeepRun },
  log: (message: string) => void,
): Figure[] {
  const events = ledger.logHead().position;
  const label = `${formatNumber(events)} events`;
  const { upkeep } = bulk;
  const share = (upkeep.ms / bulk.ms) * 100;
  log(
    `tree upkeep alone: ${upkeep.ms.toFixed(0)} ms over ${formatNumber(upkeep.events)} events, ` +
      `${share.toFixed(1)}% of the bulk append's ${bulk.ms.toFixed(0)} ms`,
  );

  const key = generateSigningKey();
  const first = timed(() => value(sealLedger(ledger, key), 'the first seal'));
  if (upkeep.events === events && first.result.rootHash !== upkeep.rootHex) {
    throw new Error('the first seal does not sign the root of the ledger’s lines');
  }
  const sealMs: number[] = [];
  for (let sample = 0; sample < SEALS; sample++) {
    value(ledger.execute({ name: 'deposit', input: { account: accountId(0), amount: '1.00' } }), 'a deposit between seals');
    sealMs.push(timed(() => value(sealLedger(ledger, key), 'a seal')).ms);
  }
  const sealed = value(ledgerSeals(ledger), 'the seals');
  const latest = sealed[sealed.length - 1]!.treeSize;

  const proveMs: number[] = [];
  let largest = 0;
  for (let sample = 0; sample < PROOFS; sample++) {
    const position = 1 + Math.floor(Math.random() * latest);
    const { ms, result } = timed(() => proofFileText(value(ledgerInclusionProof(ledger, position), 'an inclusion proof')));
    proveMs.push(ms);
    largest = Math.max(largest, Buffer.byteLength(result));
  }
  const consistencyMs: number[] = [];
  for (let sample = 0; sample < SEALS; sample++) {
    const from = sealed[Math.floor(Math.random() * (sealed.length - 1))]!.treeSize;
    const { ms, result } = timed(() => proofFileText(value(ledgerConsistencyProof(ledger, from), 'a consistency proof')));
    consistencyMs.push(ms);
    largest = Math.max(largest, Buffer.byteLength(result));
  }

  const files: string[] = [];
  for (let file = 0; file < PROOF_FILES; file++) {
    const path = join(folder, `proof-${file}.json`);
    const proof = value(ledgerInclusionProof(ledger, 1 + Math.floor(Math.random() * latest)), 'an inclusion proof');
    value(writeProofFile(ledger.path, path, proof), 'writing a proof');
    files.push(path);
  }
  const verifyMs = files.map(
    (path) => timed(() => value(verifyProofFile(value(readProofFile(path), 'reading a proof'), key.publicKey), 'verify --proof')).ms,
  );
  for (const path of files) rmSync(path, { force: true });

  const walk = timed(() => ledger.verify());
  if (!walk.result.ok) throw new Error(`ledger verify failed: ${walk.result.reason}`);
  const verifyRate = walk.result.events / (walk.ms / 1000);

  log(
    `seal: first ${first.ms.toFixed(0)} ms, then median ${median(sealMs).toFixed(2)} ms, p99 ${percentile(sealMs, 99).toFixed(2)} ms; ` +
      `prove p50 ${median(proveMs).toFixed(2)} ms, p99 ${percentile(proveMs, 99).toFixed(2)} ms; consistency p99 ${percentile(consistencyMs, 99).toFixed(2)} ms; ` +
      `verify --proof p99 ${percentile(verifyMs, 99).toFixed(2)} ms; largest proof ${largest} bytes; ledger verify ${formatNumber(verifyRate)} events/s`,
  );
  return [
    custom(`tree upkeep: share of bulk append (${label}, threads counted as not overlapping)`, share, '%', null, '≤ 10%', share <= 10),
    custom(`seal: the first (checks the whole log, ${label})`, first.ms, 'ms', null, 'reported', true),
    atMost('seal: after a command (checks the events since the last seal), median', median(sealMs), 'ms', 50),
    atMost(`prove --position: inclusion proof (${label}), p99`, percentile(proveMs, 99), 'ms', 50),
    atMost(`prove --from-size: consistency proof (${label}), p99`, percentile(consistencyMs, 99), 'ms', 50),
    atMost('proof file size, largest', largest / 1024, 'KiB', 64),
    atMost('verify --proof (read and check with the key, no ledger), p99', percentile(verifyMs, 99), 'ms', 20),
    custom(`ledger verify: chain, tree and seals (${label})`, verifyRate, 'events/s', null, 'reported', true),
  ];
}

/** A ledger of `events` events written as `ledger apply` writes them (the pipelined writer), its upkeep measured beside it. */
async function buildAlone(path: string, folder: string, events: number): Promise<{ ms: number; upkeep: UpkeepRun }> {
  const opened = Ledger.open({ path, actor: 'bench' });
  if (!opened.ok) throw new Error(opened.error.message);
  const ledger = opened.value;
  const writer = new PipelinedWriter(ledger);
  const upkeep = new TreeUpkeepAlone(path, join(folder, 'upkeep.db'));
  let ms = 0;
  try {
    const batches = [...workload({ events, accounts: 2_000 }, 5_000)];
    for (let slice = 0; slice < batches.length; slice += 20) {
      const started = performance.now();
      const answered: Array<Promise<unknown>> = [];
      for (const batch of batches.slice(slice, slice + 20)) {
        answered.push(writer.submit(batch.map((command) => parseCommandLine(JSON.stringify({ command: command.name, ...command.input })))));
        await writer.whenBacklogBelow(9);
      }
      await Promise.all(answered);
      ms += performance.now() - started;
      upkeep.catchUp();
    }
    return { ms, upkeep: upkeep.finish() };
  } finally {
    await writer.close();
    ledger.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const folder = mkdtempSync(join(tmpdir(), 'ledger-bench-signing-'));
  try {
    const path = join(folder, 'ledger.db');
    const events = Number(process.argv[2] ?? 100_000);
    const bulk = await buildAlone(path, folder, events);
    console.error(
      `built ${formatNumber(events)} events in ${(bulk.ms / 1000).toFixed(1)} s; ledger ${formatNumber(statSync(path).size / 2 ** 20)} MB`,
    );
    const opened = Ledger.open({ path, actor: 'bench' });
    if (!opened.ok) throw new Error(opened.error.message);
    try {
      for (const figure of measureSignedHistory(opened.value, folder, bulk, (message) => console.error(message)))
        console.log(`${figure.name}: ${formatNumber(figure.value)} ${figure.unit} (${figure.goal}: ${figure.met ? 'met' : 'NOT met'})`);
    } finally {
      opened.value.close();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
