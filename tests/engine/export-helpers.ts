/**
 * Helpers for the export and audit tests: a ledger with every kind of event (legacy-imported
 * ones, transfers, closes, awkward memos and owners in several currencies), exports written
 * through the real code path, and small tools to take an export apart and put it back together.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { AuditFilter, ExportFormat, ExportSummary } from '#shared/audit';
import type { HandlerTable } from '#engine/handlers';
import { exportToFile } from '#engine/handlers';
import type { Ledger } from '#engine/ledger';
import { eventLine, manifestLine, type ExportManifest } from '#engine/export/export-format';
import { GENESIS_HASH, hashEvent } from '#engine/store/hash-chain';
import { merkleRootOf } from '#engine/signing/compact-range';
import type { StoredEvent } from '#engine/store/event-store';
import type { SnapshotFilter } from '#engine/export/jsonl-export';
import { fixturesFolder, ok } from './helpers';

export const legacyLogText = readFileSync(join(fixturesFolder, 'legacy-seed-log.jsonl'), 'utf8');
/** Events in the legacy fixture (one a line). */
export const LEGACY_EVENTS = legacyLogText.split('\n').filter((line) => line.trim() !== '').length;

/** Owners and memos that trip up naive CSV writers and readers. */
export const AWKWARD = {
  ownerComma: 'Lovelace, Ada',
  ownerQuote: 'Grace "Amazing" Hopper',
  ownerChinese: '李白',
  ownerFrench: 'Émilie du Châtelet',
  ownerRussian: 'Алан Тьюринг',
  ownerEmoji: 'Zoë 🦊 Fox',
  memoComma: 'rent, March',
  memoQuote: 'the "good" coffee \\ "},"metadata":{"forged":1}',
  memoLf: 'line one\nline two',
  memoCrLf: 'first\r\nsecond',
  memoCr: 'old mac\rline',
  memoUnicode: '稿费 für Алан — ünïcödé 🎉👩‍👩‍👧',
  memoFormula: '=HYPERLINK("http://evil.example","click")',
  memoPlus: '+1 for lunch',
  memoMinus: '-5 correction',
  memoAt: '@SUM(A1:A9)',
} as const;

/**
 * Fills a ledger with the legacy fixture (57 events, schema version 1, EUR) and then, through
 * the handler table: accounts in EUR, JPY and KWD with awkward owners, deposits, withdrawals,
 * transfers (with and without command ids) with awkward memos, and a closed account.
 */
export function seedRichLedger(ledger: Ledger, api: HandlerTable): void {
  ok(ledger.importLegacy(legacyLogText, 'EUR'));
  ok(api.openAccount({ account: 'eur-1', owner: AWKWARD.ownerComma, currency: 'EUR', initial: '1000.00', commandId: 'open-eur-1' }));
  ok(api.openAccount({ account: 'eur-2', owner: AWKWARD.ownerQuote, currency: 'EUR', initial: '250.50' }));
  ok(api.openAccount({ account: 'jpy-1', owner: AWKWARD.ownerChinese, currency: 'JPY', initial: '100000' }));
  ok(api.openAccount({ account: 'jpy-2', owner: AWKWARD.ownerRussian, currency: 'JPY' }));
  ok(api.openAccount({ account: 'kwd-1', owner: AWKWARD.ownerFrench, currency: 'KWD', initial: '12.345' }));
  ok(api.openAccount({ account: 'kwd-2', owner: AWKWARD.ownerEmoji, currency: 'KWD', initial: '0.001' }));
  ok(api.deposit({ account: 'eur-1', amount: '10.05', memo: AWKWARD.memoComma }));
  ok(api.withdraw({ account: 'eur-1', amount: '3.50', memo: AWKWARD.memoQuote, commandId: 'withdraw-eur-1' }));
  ok(api.transfer({ from: 'eur-1', to: 'eur-2', amount: '100.00', memo: AWKWARD.memoLf, commandId: 'transfer-eur-1' }));
  ok(api.transfer({ from: 'jpy-1', to: 'jpy-2', amount: '2500', memo: AWKWARD.memoUnicode }));
  ok(api.deposit({ account: 'kwd-1', amount: '1.005', memo: AWKWARD.memoCrLf }));
  ok(api.transfer({ from: 'kwd-1', to: 'kwd-2', amount: '0.999', memo: AWKWARD.memoCr }));
  ok(api.deposit({ account: 'acc-000', amount: '1.00', memo: AWKWARD.memoFormula }));
  ok(api.withdraw({ account: 'eur-2', amount: '0.50', memo: AWKWARD.memoPlus }));
  ok(api.deposit({ account: 'jpy-2', amount: '7', memo: AWKWARD.memoMinus }));
  ok(api.deposit({ account: 'kwd-2', amount: '2.000', memo: AWKWARD.memoAt }));
  ok(api.transfer({ from: 'eur-2', to: 'acc-001', amount: '50.25' }));
  ok(api.withdraw({ account: 'kwd-2', amount: '3.000' }));
  ok(api.closeAccount({ account: 'kwd-2', commandId: 'close-kwd-2' }));
}

/** Collects everything written to it. */
export class TextSink extends Writable {
  private readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    done();
  }
  get buffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
  get text(): string {
    return this.buffer.toString('utf8');
  }
}

/** A JSON Lines export in memory. */
export async function exportText(ledger: Ledger, filter?: SnapshotFilter): Promise<{ text: string; manifest: ExportManifest }> {
  const sink = new TextSink();
  const manifest = await ledger.exportJsonLines(sink, filter);
  return { text: sink.text, manifest };
}

/** A CSV export in memory, as bytes (the byte-order mark and line ends matter). */
export async function exportCsvBytes(ledger: Ledger, filter: AuditFilter = {}): Promise<{ bytes: Buffer; rows: number }> {
  const sink = new TextSink();
  const rows = await ledger.exportCsv(filter, sink);
  return { bytes: sink.buffer, rows };
}

/** An export written to a file through the same function the app and the CLI use. */
export async function exportFile(
  ledger: Ledger,
  path: string,
  format: ExportFormat = 'jsonl',
  filter: AuditFilter = {},
): Promise<ExportSummary> {
  return ok(await exportToFile(ledger, path, format, filter));
}

/** An export's lines without their line feeds (the file ends with one, so there is no empty last line). */
export function linesOf(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  if (!text.endsWith('\n')) throw new Error(`${path} does not end with a line feed`);
  return text.slice(0, -1).split('\n');
}

/** Writes lines back, each with its line feed. */
export function writeLines(path: string, lines: readonly string[]): void {
  writeFileSync(path, lines.map((line) => `${line}\n`).join(''));
}

export type EventLine = {
  position: number;
  eventId: string;
  streamId: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  recordedAt: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  previousHash: string;
  hash: string;
};

export function parseLine(line: string): EventLine {
  return JSON.parse(line) as EventLine;
}

/** The RFC 9162 root over an export's event lines (each line's UTF-8 bytes without its line feed), by the signing core. */
export function rootOfLines(text: string): string {
  const lines = text === '' ? [] : text.slice(0, -1).split('\n');
  return merkleRootOf(lines.map((line) => Buffer.from(line, 'utf8'))).rootHash.toString('hex');
}

/**
 * What anyone holding an unsealed export can do: change its events,
 * then recompute every hash, the links and the manifest so that it verifies again.
 */
export function forgeExport(path: string, change: (rows: StoredEvent[]) => void, target = path): void {
  const lines = linesOf(path);
  const { manifest } = JSON.parse(lines.pop()!) as { manifest: ExportManifest };
  const rows = lines.map((line): StoredEvent => {
    const parsed = parseLine(line);
    return { ...parsed, data: JSON.stringify(parsed.data), metadata: JSON.stringify(parsed.metadata) };
  });
  change(rows);
  let previousHash = GENESIS_HASH;
  let text = '';
  rows.forEach((row, index) => {
    const linked = { ...row, position: index + 1, previousHash };
    previousHash = hashEvent(previousHash, linked);
    text += eventLine({ ...linked, hash: previousHash });
  });
  const forged: ExportManifest = {
    ...manifest,
    firstPosition: rows.length > 0 ? 1 : 0,
    lastPosition: rows.length,
    count: rows.length,
    headHash: previousHash,
    // Version 1 states a SHA-256 of the lines, version 2 their Merkle root.
    ...(manifest.formatVersion === 1 ? { eventsSha256: createHash('sha256').update(text).digest('hex') } : { rootHash: rootOfLines(text) }),
  };
  writeFileSync(target, text + manifestLine(forged));
}
