/**
 * Lines of the Go ledger's event log, the legacy import's input, as that writer made them.
 */

/** One legacy event of the bank account `account`, at `version` of its stream. */
export function legacyLine(id: string, account: string, type: string, version: number, data: object, timestamp: string): string {
  return JSON.stringify({ id, aggregate_id: account, aggregate_type: 'BankAccount', event_type: type, version, data, timestamp });
}
