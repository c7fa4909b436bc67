/**
 * What the restore's rules remember of the events checked so far, so that a reversal can be
 * held to the reverse command's own rules (domain/reverse.ts): the event at a position and
 * whether it was reversed already. Compact, since a restore may hold millions of events: per
 * position only a type code, an account number and the signed effect (typed arrays) and the
 * event id's bytes (one growing latin1 buffer: ids are printable ASCII); no object per event.
 *
 * What is not kept is known from the rules themselves: a transfer's legs were checked to sit
 * side by side, sender first (so the other leg is the neighbouring position, and the
 * counterparty its account), and an account's currency never changes.
 */
import { EVENT_TYPES, balanceEffect, type EventType, type LedgerEvent } from '#shared/events';
import type { AccountState } from '../domain/bank-account';
import type { LoggedEvent } from '../domain/reverse';

const TYPE_CODE = new Map<EventType, number>(EVENT_TYPES.map((type, index) => [type, index]));

export class RestoredLog {
  private count = 0;
  private types = new Uint8Array(1024);
  private accounts = new Int32Array(1024);
  private effects = new Float64Array(1024);
  /** Where each event's id ends in `ids` (it starts where the one before ends). */
  private idEnds = new Uint32Array(1024);
  private ids = Buffer.alloc(64 * 1024);
  private idBytes = 0;
  private readonly accountIds: string[] = [];
  private readonly accountNumbers = new Map<string, number>();
  private readonly reversals = new Map<number, number>();

  /**
   * @param firstPosition the position of the first event that will be recorded.
   * @param stateOf an account's state as the checked events left it (for its currency).
   */
  constructor(
    private readonly firstPosition: number,
    private readonly stateOf: (accountId: string) => AccountState | undefined,
  ) {}

  /** The position the next recorded event must have. */
  get nextPosition(): number {
    return this.firstPosition + this.count;
  }

  /** Records the event just accepted at `nextPosition`. */
  record(eventId: string, streamId: string, event: LedgerEvent): void {
    if (this.count === this.types.length) this.grow();
    let account = this.accountNumbers.get(streamId);
    if (account === undefined) {
      account = this.accountIds.length;
      this.accountIds.push(streamId);
      this.accountNumbers.set(streamId, account);
    }
    const index = this.count;
    this.types[index] = TYPE_CODE.get(event.type)!;
    this.accounts[index] = account;
    this.effects[index] = balanceEffect(event);
    const length = Buffer.byteLength(eventId, 'latin1');
    while (this.idBytes + length > this.ids.length) this.ids = grown(this.ids, Buffer.alloc(this.ids.length * 2));
    this.ids.write(eventId, this.idBytes, 'latin1');
    this.idBytes += length;
    this.idEnds[index] = this.idBytes;
    if (event.type === 'EntryReversed') this.reversals.set(event.data.reversesPosition, this.nextPosition);
    this.count += 1;
  }

  readonly reversedBy = (position: number): number | undefined => this.reversals.get(position);

  readonly eventAt = (position: number): LoggedEvent | undefined => {
    const index = position - this.firstPosition;
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.count) return undefined;
    const streamId = this.accountIds[this.accounts[index]!]!;
    const eventId = this.ids.toString('latin1', index === 0 ? 0 : this.idEnds[index - 1]!, this.idEnds[index]!);
    return { position, eventId, streamId, event: this.eventOf(index, streamId) };
  };

  /**
   * The event as a reversal reads it: its type, effect and currency, and for a transfer leg
   * its counterparty and a transfer id shared by both legs (the sender's position).
   */
  private eventOf(index: number, streamId: string): LedgerEvent {
    const type = EVENT_TYPES[this.types[index]!]!;
    const effect = this.effects[index]!;
    const currency = this.stateOf(streamId)?.currency ?? 'XXX';
    const accountAt = (other: number) => (other >= 0 && other < this.count ? this.accountIds[this.accounts[other]!]! : '');
    switch (type) {
      case 'MoneyDeposited':
        return { type, data: { amountMinor: effect, currency } };
      case 'MoneyWithdrawn':
        return { type, data: { amountMinor: -effect, currency } };
      case 'TransferSent':
        return { type, data: { transferId: `#${index}`, to: accountAt(index + 1), amountMinor: -effect, currency } };
      case 'TransferReceived':
        return { type, data: { transferId: `#${index - 1}`, from: accountAt(index - 1), amountMinor: effect, currency } };
      case 'AccountOpened':
        return { type, data: { owner: '', currency, initialMinor: effect } };
      case 'AccountClosed':
        return { type, data: {} };
      case 'EntryReversed':
        return { type, data: { reversesPosition: 0, reversesEventId: '', effectMinor: effect, currency, reason: '' } };
    }
  }

  private grow(): void {
    const capacity = this.types.length * 2;
    this.types = grown(this.types, new Uint8Array(capacity));
    this.accounts = grown(this.accounts, new Int32Array(capacity));
    this.effects = grown(this.effects, new Float64Array(capacity));
    this.idEnds = grown(this.idEnds, new Uint32Array(capacity));
  }
}

function grown<T extends Uint8Array | Int32Array | Float64Array | Uint32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
