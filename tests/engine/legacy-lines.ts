/**
 * Lines of the Go ledger's event log, the legacy import's input, as that writer made them.
 */

/** One legacy event of the bank account `account`, at `version` of its stream. */
export function legacyLine(id: string, account: string, type: string, version: number, data: object, timestamp: string): string {
  return JSON.stringify({ id, aggregate_id: account, aggregate_type: 'BankAccount', event_type: type, version, data, timestamp });
}

/** Two legacy events of the account `old` (Old Timer): its opening with 10 and a deposit of 1.5. */
export const OLD_TIMER_LOG = [
  legacyLine('evt-old-1', 'old', 'AccountCreated', 1, { initial_deposit: 10, owner: 'Old Timer' }, '2020-01-01T00:00:00Z'),
  legacyLine('evt-old-2', 'old', 'MoneyDeposited', 2, { amount: 1.5 }, '2020-01-02T00:00:00Z'),
].join('\n');
