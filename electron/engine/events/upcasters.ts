/**
 * Upcasters: pure functions from a stored schema version n to n + 1, chained on read.
 * Stored events are never rewritten; readers only ever see CURRENT_SCHEMA_VERSIONS.
 */
import { CURRENT_SCHEMA_VERSIONS, type EventMetadata, type LedgerEvent } from '#shared/events';
import { legacyFloatToMinor } from './legacy-amount';

/** A payload at some schema version, as it comes out of the store. */
export type VersionedPayload = {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Record<string, unknown>;
};

type Upcaster = (payload: VersionedPayload, metadata: () => EventMetadata) => VersionedPayload;

/**
 * Stored type names that upcast into another type. Filters speak the current types, but the
 * store holds the stored ones: a filter on AccountOpened must also find legacy AccountCreated rows.
 */
const RENAMED_BY_UPCASTING: Readonly<Record<string, readonly string[]>> = {
  AccountOpened: ['AccountCreated'],
};

/** Every stored type name that reads as `type` after upcasting. */
export function storedTypesFor(type: string): string[] {
  return [type, ...(RENAMED_BY_UPCASTING[type] ?? [])];
}

/**
 * Version 1 is the original Go exercise's format: float amounts and no currency. Imported
 * events carry the currency chosen at import in `metadata.legacyCurrency`. Import refuses
 * floats that are not exact, so the conversion here cannot lose money.
 */
const UPCASTERS: Readonly<Record<string, Upcaster>> = {
  'AccountCreated@1': ({ data }, metadata) => {
    const currency = legacyCurrencyOf(metadata());
    return {
      type: 'AccountOpened',
      schemaVersion: 2,
      data: { owner: data.owner, currency, initialMinor: exactMinor(data.initial_deposit, currency) },
    };
  },
  'MoneyDeposited@1': ({ data }, metadata) => {
    const currency = legacyCurrencyOf(metadata());
    return { type: 'MoneyDeposited', schemaVersion: 2, data: { amountMinor: exactMinor(data.amount, currency), currency } };
  },
  'MoneyWithdrawn@1': ({ data }, metadata) => {
    const currency = legacyCurrencyOf(metadata());
    return { type: 'MoneyWithdrawn', schemaVersion: 2, data: { amountMinor: exactMinor(data.amount, currency), currency } };
  },
};

/**
 * The stored (type, schema version) pairs that have an upcaster. Only these ever read their
 * metadata, so a replay can leave every other event's metadata unread.
 */
export const UPCASTED_SCHEMAS: ReadonlyArray<{ readonly type: string; readonly schemaVersion: number }> = Object.keys(UPCASTERS).map(
  (key) => {
    const [type, version] = key.split('@');
    return { type: type!, schemaVersion: Number(version) };
  },
);

/** Upcasts a stored payload to the current schema version of its type. */
export function upcast(stored: VersionedPayload, metadata: () => EventMetadata): LedgerEvent {
  // Nearly every stored event is already current: no lookup key to build, nothing to chain.
  if (CURRENT_SCHEMA_VERSIONS[stored.type as keyof typeof CURRENT_SCHEMA_VERSIONS] === stored.schemaVersion) {
    return { type: stored.type, data: stored.data } as LedgerEvent;
  }
  let payload = stored;
  for (let upcaster = UPCASTERS[key(payload)]; upcaster; upcaster = UPCASTERS[key(payload)]) {
    payload = upcaster(payload, metadata);
  }
  const current = CURRENT_SCHEMA_VERSIONS[payload.type as keyof typeof CURRENT_SCHEMA_VERSIONS];
  if (current === undefined || payload.schemaVersion !== current) {
    throw new Error(`No upcaster for ${payload.type} schema version ${payload.schemaVersion}`);
  }
  return { type: payload.type, data: payload.data } as LedgerEvent;
}

/** Whether a stored type/version pair is known to this version of the app. */
export function isKnownSchema(type: string, schemaVersion: number): boolean {
  return (
    UPCASTERS[`${type}@${schemaVersion}`] !== undefined ||
    CURRENT_SCHEMA_VERSIONS[type as keyof typeof CURRENT_SCHEMA_VERSIONS] === schemaVersion
  );
}

function key(payload: VersionedPayload): string {
  return `${payload.type}@${payload.schemaVersion}`;
}

function legacyCurrencyOf(metadata: EventMetadata): string {
  if (typeof metadata.legacyCurrency !== 'string') throw new Error('Legacy event without legacyCurrency metadata');
  return metadata.legacyCurrency;
}

function exactMinor(value: unknown, currency: string): number {
  const minor = legacyFloatToMinor(value, currency);
  if (minor === undefined) throw new Error(`Legacy amount ${JSON.stringify(value)} is not exact in ${currency}`);
  return minor;
}
