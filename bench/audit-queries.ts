/** The audit screen's queries on the full ledger: p99 of 100-row pages through the IPC handler. */
import type { AuditFilter } from '#shared/audit';
import { createHandlers, dispatch } from '#engine/handlers';
import type { Ledger } from '#engine/ledger';
import { atMost, percentile, type Figure } from './figures';
import { PROBED_INVOICE, accountId, invoiceMemo } from './workload';

const AUDIT_RUNS = 100;
const AUDIT_PAGE = 100;

/** p99 of audit pages through the IPC handler (validation + refresh + query), as the audit screen asks. */
export function measureAudit(ledger: Ledger, events: number, log: (message: string) => void): Figure[] {
  const handlers = createHandlers(() => ledger);
  const quarter = ledger.audit.page({}, Math.floor(events / 4), 1).rows[0]!.recordedAt;
  const threeQuarters = ledger.audit.page({}, Math.floor((events * 3) / 4), 1).rows[0]!.recordedAt;
  const queries: Array<{ name: string; filter: AuditFilter; before?: number; maximum: number }> = [
    { name: 'audit: first page', filter: {}, maximum: 20 },
    { name: 'audit: deep page (99% back)', filter: {}, before: Math.floor(events / 100), maximum: 20 },
    { name: 'audit: filter by account', filter: { accounts: [accountId(17)] }, maximum: 20 },
    { name: 'audit: type + date range', filter: { types: ['TransferSent'], from: quarter, to: threeQuarters }, maximum: 20 },
    // A word no memo, owner or id holds: the trigram index answers without walking the log.
    { name: 'audit: free text, no match', filter: { text: 'mortgage' }, maximum: 100 },
    // One invoice reference among the log's distinct memos (see PROBED_INVOICE), held by one command.
    { name: 'audit: free text, one invoice', filter: { text: invoiceMemo(PROBED_INVOICE).slice('invoice '.length) }, maximum: 100 },
  ];
  const figures: Figure[] = [];
  for (const query of queries) {
    const request = { filter: query.filter, ...(query.before === undefined ? {} : { before: query.before }), limit: AUDIT_PAGE };
    const samples: number[] = [];
    for (let run = -5; run < AUDIT_RUNS; run++) {
      const started = performance.now();
      const answer = dispatch(handlers, 'auditEvents', request) as { ok: boolean };
      const ms = performance.now() - started;
      if (!answer.ok) throw new Error(`${query.name} failed: ${JSON.stringify(answer)}`);
      if (run >= 0) samples.push(ms);
    }
    figures.push(atMost(`${query.name}, p99`, percentile(samples, 99), 'ms', query.maximum));
    log(`${query.name}: p50 ${percentile(samples, 50).toFixed(2)} ms, p99 ${percentile(samples, 99).toFixed(2)} ms`);
  }
  return figures;
}
