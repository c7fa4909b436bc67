/**
 * The handler table: one function per contract channel that validates the raw request with
 * the channel's zod schema and calls the engine. Electron's ipcMain, the preview host and the
 * tests all call these same functions, so every entry point validates identically.
 * Handlers never throw for anything a caller can send: they answer a Result envelope.
 */
import { COMMAND_SCHEMAS, type AnyCommand, type CommandName, type CommandReceipt } from '#shared/commands';
import { fail, succeed, type Failure, type Result } from '#shared/errors';
import { z } from 'zod';
import { COMMAND_CHANNELS, LEDGER_CHANNELS, QUERY_CHANNELS, type LedgerChannel, type LedgerResponses } from '#shared/ipc-contract';
import { validate } from '#shared/validation';
import type { Ledger } from './ledger';
import type { AuditFilter, ExportFormat, ExportSummary } from '#shared/audit';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import type { SnapshotFilter } from './export/jsonl-export';
import { storedTypesFor } from './events/upcasters';
import { checkExportTarget, partialPathFor, removeStalePartials, type ExportTargetOptions } from './export/export-target';
import { sealSummaryOf } from './export/export-seal-check';
import type { SigningKey } from './signing/keys';
import { typedErrorOf } from './store/storage-errors';
import { saveStatement } from './statement/statement-file';
import type { StatementFormat } from '#shared/statement';
import { exportSigningKey, sealingHandlers, type SealingHostServices } from './sealing/seal-channels';
import { PipelinedWriter } from './bulk/pipelined-writer';
import type { LegacyImportSummary } from './import/legacy-import';

/** Channels whose handler must await the host (a dialog, a key store) or a stream; all others answer at once. */
type AsyncChannel = 'exportEventLog' | 'saveStatement' | 'latestSeal' | 'sealNow' | 'verifyFile' | 'saveInclusionProof';
export type Handler<Channel extends LedgerChannel> = (
  request: unknown,
) => Channel extends AsyncChannel ? Promise<Result<LedgerResponses[Channel]>> : Result<LedgerResponses[Channel]>;
export type HandlerTable = { readonly [Channel in LedgerChannel]: Handler<Channel> };

/** The validated request of a query channel. */
type QueryInput<Channel extends keyof typeof QUERY_CHANNELS> = z.output<(typeof QUERY_CHANNELS)[Channel]['request']>;

/** What only the host can do: Electron shows a save dialog, the preview host uses a folder it was given. */
export type HostServices = SealingHostServices & {
  /** Asks where to write an export; undefined when the person cancelled. */
  readonly chooseExportPath?: (format: ExportFormat) => Promise<string | undefined>;
  /** Asks where to save a statement of that account, period and format; undefined when the person cancelled. */
  readonly chooseStatementPath?: (statement: StatementFileChoice) => Promise<string | undefined>;
};

/** What a statement's save dialog is told: whose statement, which period (resolved), which format. */
export type StatementFileChoice = {
  readonly account: string;
  readonly from: string;
  readonly to: string;
  readonly format: StatementFormat;
};

/** Each table's ledger, for dispatch to name the file in a damage error (not a channel: no key of the table). */
const ledgerOfTable = new WeakMap<HandlerTable, () => Ledger>();

/** Builds the table for a ledger. `getLedger` is read on each call, so File → Open can swap ledgers. */
export function createHandlers(getLedger: () => Ledger, host: HostServices = {}): HandlerTable {
  const table = handlerTable(getLedger, host);
  ledgerOfTable.set(table, getLedger);
  return table;
}

function handlerTable(getLedger: () => Ledger, host: HostServices): HandlerTable {
  const command =
    (channel: keyof typeof COMMAND_CHANNELS) =>
    (request: unknown): Result<CommandReceipt> => {
      const input = validate(COMMAND_CHANNELS[channel].request, request);
      if (!input.ok) return input;
      return getLedger().execute({ name: COMMAND_CHANNELS[channel].command, input: input.value } as AnyCommand);
    };
  /** A query channel: validate, catch up with other writers' appends, answer from the read side. */
  const query =
    <Channel extends keyof typeof QUERY_CHANNELS>(
      channel: Channel,
      answer: (ledger: Ledger, input: QueryInput<Channel>) => Result<LedgerResponses[Channel]>,
    ) =>
    (request: unknown): Result<LedgerResponses[Channel]> => {
      // TypeScript cannot relate a generic index of the channel table to its own schema's
      // output; the cast states exactly that relation, which holds by construction.
      const schema = QUERY_CHANNELS[channel].request as unknown as z.ZodType<QueryInput<Channel>>;
      const input = validate(schema, request);
      if (!input.ok) return input;
      const ledger = getLedger();
      ledger.refresh();
      return answer(ledger, input.value);
    };
  return {
    openAccount: command('openAccount'),
    deposit: command('deposit'),
    withdraw: command('withdraw'),
    transfer: command('transfer'),
    closeAccount: command('closeAccount'),
    reverse: command('reverse'),
    listAccounts: query('listAccounts', (ledger) => succeed(ledger.listAccounts())),
    accountsPage: query('accountsPage', (ledger, input) => succeed(ledger.accountsPage(input))),
    getAccount: query('getAccount', (ledger, input) => ledger.getAccount(input.account)),
    accountHistory: query('accountHistory', (ledger, input) => ledger.history(input.account, input.fromVersion, input.limit)),
    ledgerInfo: query('ledgerInfo', (ledger) => succeed(ledger.info())),
    balanceSeries: query('balanceSeries', (ledger, input) => ledger.balanceSeries(input.account, input.points)),
    auditEvents: query('auditEvents', (ledger, input) => {
      const filter = input.filter ?? {};
      const page = ledger.audit.page(filter, input.before, input.limit ?? 100);
      // Counted in the same synchronous turn as the page: no append can fall between the two.
      return succeed(input.withCount ? { ...page, count: { ...ledger.audit.count(filter), ledgerPath: ledger.path } } : page);
    }),
    eventDetail: query('eventDetail', (ledger, input) => ledger.audit.detail(input.position)),
    integrityStatus: query('integrityStatus', (ledger) => succeed(ledger.integrity.status)),
    balancesAsOf: query('balancesAsOf', (ledger, input) => ledger.audit.balancesAsOf(input)),
    exportEventLog: async (request) => {
      const input = validate(LEDGER_CHANNELS.exportEventLog.request, request);
      if (!input.ok) return input;
      if (!host.chooseExportPath) return fail('VALIDATION', 'Exporting is not available in this window');
      const path = await host.chooseExportPath(input.value.format);
      if (path === undefined) return succeed(null);
      const { format, filter = {} } = input.value;
      // A full JSON Lines export is sealed with the host's key (sealing/seal-channels.ts says when not).
      const key = await exportSigningKey(getLedger(), host, format === 'jsonl' && toSnapshotFilter(filter) === undefined);
      // The host chose the path: Electron's save dialog asked before replacing, the preview names a fresh file.
      return exportToFile(getLedger(), path, format, filter, { force: true }, key);
    },
    statement: query('statement', (ledger, input) => ledger.statement(input)),
    saveStatement: async (request) => {
      const input = validate(LEDGER_CHANNELS.saveStatement.request, request);
      if (!input.ok) return input;
      const { format } = input.value;
      // Refused before asking where: an unknown account or a period that ends before it starts needs no dialog.
      const checked = getLedger().statement(input.value.statement);
      if (!checked.ok) return checked;
      if (!host.chooseStatementPath) return fail('VALIDATION', 'Saving a statement is not available in this window');
      const { account, from, to } = checked.value;
      const path = await host.chooseStatementPath({ account, from, to, format });
      if (path === undefined) return succeed(null);
      // Built again for the period the dialog named: the file holds the ledger as it is when it is written.
      return saveStatement(getLedger(), { account, from, to }, format, path, { force: true });
    },
    ...sealingHandlers(getLedger, host),
  };
}

// ── Host entries: not renderer channels (no page can call them), the CLI's bulk doors ──────

/**
 * A stream of command lines (`ledger apply`): each line is validated here exactly as its
 * channel validates an IPC request, and batches are committed by the pipelined writer (one
 * transaction per batch; a batch's answers resolve only once it is durable, in order).
 */
export type CommandLineStream = {
  /** Validates and commits one batch of JSON texts; one answer per line, in order. */
  submit(lines: readonly string[]): Promise<Result<CommandReceipt>[]>;
  /** Resolves once fewer than `count` batches wait for their commit (reading ahead no further). */
  whenBacklogBelow(count: number): Promise<void>;
  /** Commits what was submitted, then stops the writer. */
  close(): Promise<void>;
};

/** The host-side entries of the table: what the CLI calls besides the contract's channels. */
export type HostHandlerTable = {
  readonly openCommandStream: () => CommandLineStream;
  readonly importLegacy: (request: unknown) => Result<LegacyImportSummary>;
};

const legacyImportSchema = z.strictObject({
  /** The legacy log's whole text. */
  text: z.string(),
  /** The currency its float amounts are in (the engine names a code it does not know). */
  currency: z.string(),
});

/** Builds the host-side entries over a ledger; `getLedger` is read on each call, as in createHandlers. */
export function createHostHandlers(getLedger: () => Ledger): HostHandlerTable {
  return {
    openCommandStream: () => {
      const writer = new PipelinedWriter(getLedger());
      return {
        submit: (lines) => writer.submit(lines.map(commandOfLine)),
        whenBacklogBelow: (count) => writer.whenBacklogBelow(count),
        close: () => writer.close(),
      };
    },
    importLegacy: (request) => {
      const input = validate(legacyImportSchema, request);
      if (!input.ok) return input;
      return getLedger().importLegacy(input.value.text, input.value.currency);
    },
  };
}

/** One `apply` line as a command: a JSON object whose "command" names it, its other fields the channel's request. */
export function commandOfLine(text: string): AnyCommand | Failure {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail('VALIDATION', 'The line is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return fail('VALIDATION', 'The line must be a JSON object with a "command" field');
  }
  const { command, ...input } = parsed as Record<string, unknown>;
  if (typeof command !== 'string' || !Object.prototype.hasOwnProperty.call(COMMAND_SCHEMAS, command)) {
    return fail('VALIDATION', `Unknown command ${JSON.stringify(command)}; use one of ${Object.keys(COMMAND_SCHEMAS).join(', ')}`);
  }
  const name = command as CommandName;
  const valid = validate(COMMAND_SCHEMAS[name], input);
  return valid.ok ? ({ name, input: valid.value } as AnyCommand) : valid;
}

/**
 * The JSON Lines export can be restricted to accounts (their own streams), types and a time
 * range (its manifest then records the filter; it verifies event by event but cannot be restored).
 */
export function toSnapshotFilter(filter: AuditFilter): SnapshotFilter | undefined {
  const snapshot: SnapshotFilter = {
    ...(filter.accounts?.length ? { streamIds: filter.accounts } : {}),
    ...(filter.types?.length ? { types: filter.types.flatMap(storedTypesFor) } : {}),
    ...(filter.from === undefined ? {} : { fromTime: filter.from }),
    ...(filter.to === undefined ? {} : { toTime: filter.to }),
  };
  return Object.keys(snapshot).length === 0 ? undefined : snapshot;
}

/** Writes an export to `path` (replacing it only once complete, via a temporary file; see export-target.ts for what it may replace). */
export async function exportToFile(
  ledger: Ledger,
  path: string,
  format: ExportFormat,
  filter: AuditFilter,
  target: ExportTargetOptions = {},
  signingKey?: SigningKey,
): Promise<Result<ExportSummary>> {
  if (format === 'jsonl' && (filter.text !== undefined || filter.minAmount !== undefined || filter.maxAmount !== undefined)) {
    // The lossless log is restricted only by what its manifest can state and verify exactly.
    return fail(
      'VALIDATION',
      'A JSON Lines export can be restricted by accounts, types and dates only; use CSV for text or amount filters',
    );
  }
  const allowed = checkExportTarget(ledger.path, path, target);
  if (!allowed.ok) return allowed;
  removeStalePartials(path);
  const temporary = partialPathFor(path);
  rmSync(temporary, { force: true });
  // 'wx': created here, never opened through a link planted under the temporary's name.
  const out = createWriteStream(temporary, { flags: 'wx' });
  // A stream that cannot open or write (missing folder, full disk) reports through 'error';
  // racing against it turns that into this export's failure instead of an uncaught exception.
  const streamFailed = new Promise<never>((_, reject) => out.once('error', reject));
  streamFailed.catch(() => {});
  const write = async (): Promise<Omit<ExportSummary, 'path' | 'format'>> => {
    const written =
      format === 'jsonl'
        ? await ledger
            .exportJsonLines(out, toSnapshotFilter(filter), signingKey)
            .then((manifest) => ({ events: manifest.count, lastPosition: manifest.lastPosition, ...sealSummaryOf(manifest) }))
        : await ledger.exportCsv(filter, out).then((events) => ({ events, lastPosition: ledger.lastPosition }));
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    return written;
  };
  try {
    const written = await Promise.race([write(), streamFailed]);
    renameSync(temporary, path);
    return succeed({ path, format, ...written });
  } catch (error) {
    out.destroy();
    rmSync(temporary, { force: true });
    const typed = typedErrorOf(error, () => ledger.path);
    if (typed !== undefined) return { ok: false, error: typed };
    return fail('STORAGE', `The export to ${path} failed: ${(error as Error).message}`);
  }
}

/**
 * Calls a channel by name, refusing names that are not in the contract. The channel name
 * comes from outside (a URL, an IPC message), so it is checked against the table's OWN
 * keys: "__proto__" or "constructor" must not reach Object.prototype.
 */
export function dispatch(table: HandlerTable, channel: string, request: unknown): Result<unknown> | Promise<Result<unknown>> {
  if (!Object.prototype.hasOwnProperty.call(table, channel)) {
    return fail('VALIDATION', `Unknown request "${channel.slice(0, 60)}"`);
  }
  try {
    const answer = table[channel as LedgerChannel](request);
    return answer instanceof Promise ? answer.catch((error: unknown) => thrownAnswer(table, channel, error)) : answer;
  } catch (error) {
    return thrownAnswer(table, channel, error);
  }
}

/**
 * What a handler threw, as an answer: a typed failure stays what it is (damage met while
 * reading is STORAGE "… is damaged …", a broken chain INTEGRITY), and damage SQLite reported
 * raw names the ledger's file. Anything else is a bug: reported as such, without leaking a
 * stack trace to the page.
 */
function thrownAnswer(table: HandlerTable, channel: string, error: unknown): Result<never> {
  const typed = typedErrorOf(error, () => ledgerPathOf(table));
  if (typed !== undefined) return { ok: false, error: typed };
  console.error(`Handler ${channel} failed`, error);
  return fail('STORAGE', 'The ledger could not complete the request because of an internal error');
}

/** The path of the table's ledger, for a message; a table without one still gets words. */
function ledgerPathOf(table: HandlerTable): string {
  try {
    return ledgerOfTable.get(table)?.().path ?? 'that holds this ledger';
  } catch {
    return 'that holds this ledger';
  }
}
