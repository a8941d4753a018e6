// Field-level conversions shared by the span, log and metric row builders.
import { MAX_RETENTION_DAYS } from '@telemetryflow/contract';
import {
  cleanString,
  int64ToString,
  keyValuesToStored,
  type Int64Like,
  type InstrumentationScope,
  type Resource,
} from '@telemetryflow/otlp';

/** Largest nanosecond timestamp a DateTime64(9) holds (2262-04-11). */
const MAX_NANOS = 9223372036854775807n;

/**
 * The latest time that places a row (a span's start, a log record's time, a data point's
 * time). Partitions, sort keys and TTL take it as a DateTime, which ends at 2106-02-07 and
 * wraps beyond: the TTL (time + retention) of a later row reads as 1970 and deletes it at
 * the next merge. So the time plus the longest retention must stay within DateTime:
 * 2096-02-10 (2106-02-07 less 3,650 days).
 */
export const LATEST_ROW_TIME_NS = (0xffffffffn - BigInt(MAX_RETENTION_DAYS) * 86_400n) * 1_000_000_000n;

export class InvalidItemError extends Error {}

/**
 * The span of time a request's rows may start in: from the tenant's retention cutoff (rows
 * before it would be deleted by TTL, so they are refused) to LATEST_ROW_TIME_NS.
 */
export class TimeWindow {
  private readonly fromHigh: number;
  private readonly fromLow: number;

  /** `notBeforeNs` 0: no retention known, nothing is refused for its age. */
  constructor(readonly notBeforeNs: bigint) {
    this.fromHigh = Number(notBeforeNs >> 32n);
    this.fromLow = Number(notBeforeNs & 0xffffffffn);
  }

  /** rowTime's check of a time given as its two 32-bit words, without BigInts. */
  holdsWords(low: number, high: number): boolean {
    return (
      compareWords(low, high, this.fromLow, this.fromHigh) >= 0 && compareWords(low, high, LATEST_LOW, LATEST_HIGH) <= 0
    );
  }
}

/** No retention cutoff: only the storable range. */
export const ANY_TIME = new TimeWindow(0n);

const LATEST_HIGH = Number(LATEST_ROW_TIME_NS >> 32n);
const LATEST_LOW = Number(LATEST_ROW_TIME_NS & 0xffffffffn);

/** Compares two unsigned 64-bit values given as their words. */
export function compareWords(aLow: number, aHigh: number, bLow: number, bHigh: number): number {
  return (aHigh >>> 0) - (bHigh >>> 0) || (aLow >>> 0) - (bLow >>> 0);
}

/** A time that places a row; throws InvalidItemError outside the window. */
export function rowTime(v: Int64Like | bigint | null | undefined, field: string, window: TimeWindow): bigint {
  const n = toBigInt(v);
  if (n > LATEST_ROW_TIME_NS)
    throw new InvalidItemError(
      `${field} ${timeText(n)} is after ${timeText(LATEST_ROW_TIME_NS)}, the latest time that can be stored`,
    );
  if (n < window.notBeforeNs) {
    throw new InvalidItemError(
      `${field} ${timeText(n)} is older than this tenant's retention (nothing before ${timeText(window.notBeforeNs)} is kept)`,
    );
  }
  return n;
}

/** A span's start, end and the checks between them; throws InvalidItemError. */
export function spanTimes(
  start: Int64Like | null | undefined,
  end: Int64Like | null | undefined,
  window: TimeWindow,
): { startNs: bigint; endNs: bigint } {
  const startNs = rowTime(start, 'start_time_unix_nano', window);
  const endNs = nanos(end, 'end_time_unix_nano');
  if (endNs < startNs)
    throw new InvalidItemError(
      `end_time_unix_nano ${timeText(endNs)} is before start_time_unix_nano ${timeText(startNs)}`,
    );
  return { startNs, endNs };
}

/** Nanoseconds as RFC 3339 with all nine fraction digits where a Date holds them, else the number. */
export function timeText(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  if (seconds > 8_640_000_000_000n) return String(ns);
  const fraction = String(ns % 1_000_000_000n).padStart(9, '0');
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}

/** Unsigned 64-bit value of a decoded fixed64 field (a Long), or of a number or string. */
function toBigInt(v: Int64Like | bigint | null | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'object') return (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return BigInt(int64ToString(v));
}

/** Nanosecond timestamp; throws InvalidItemError when it does not fit DateTime64(9). */
export function nanos(v: Int64Like | null | undefined, field: string): bigint {
  const n = toBigInt(v);
  if (n < 0n || n > MAX_NANOS) throw new InvalidItemError(`${field} ${n} is out of range`);
  return n;
}

/** Unsigned 64-bit count as a decimal string. */
export function uint64(v: Int64Like | null | undefined): string {
  const s = int64ToString(v);
  if (s.startsWith('-')) throw new InvalidItemError(`negative count ${s}`);
  return s;
}

function isAllZero(b: Uint8Array): boolean {
  for (const x of b) if (x !== 0) return false;
  return true;
}

/**
 * Hex form of a trace or span id. `required` ids must have the exact length and must not
 * be all zeros (the OTLP rule for invalid ids); optional ids may also be empty.
 */
export function idHex(id: Uint8Array | null | undefined, bytes: 8 | 16, field: string, required: boolean): string {
  const valid = checkedId(id, bytes, field, required);
  return valid ? Buffer.from(valid.buffer, valid.byteOffset, valid.byteLength).toString('hex') : '';
}

/** The id when it is valid (see idHex), undefined when it is an empty optional id. */
export function checkedId(
  id: Uint8Array | null | undefined,
  bytes: 8 | 16,
  field: string,
  required: boolean,
): Uint8Array | undefined {
  const len = id?.length ?? 0;
  if (len === 0 && !required) return undefined;
  if (!id || len !== bytes || (required && isAllZero(id))) {
    throw new InvalidItemError(
      `${field} must be ${bytes} bytes${required ? ' and not all zero' : ' or empty'} (got ${len})`,
    );
  }
  return id;
}

export function float(v: number | null | undefined): number {
  return Number(v ?? 0);
}

export function nullableFloat(v: number | null | undefined): number | null {
  return v === null || v === undefined ? null : float(v);
}

export function uint32(v: number | null | undefined): number {
  const n = Number(v ?? 0);
  return Number.isInteger(n) && n >= 0 && n <= 0xffffffff ? n : 0;
}

/** Everything a row needs from its ResourceX / ScopeX envelope, converted once per envelope. */
export interface Envelope {
  serviceName: string;
  resourceValues: Record<string, string>;
  resourceTypes: Record<string, string>;
  scopeName: string;
  scopeVersion: string;
  scopeValues: Record<string, string>;
  scopeTypes: Record<string, string>;
  resourceSchemaUrl: string;
  resourceDropped: number;
  scopeSchemaUrl: string;
  scopeDropped: number;
}

type ResourcePart = Pick<
  Envelope,
  'serviceName' | 'resourceValues' | 'resourceTypes' | 'resourceSchemaUrl' | 'resourceDropped'
>;

export function resourceEnvelope(
  resource: Resource | null | undefined,
  schemaUrl: string | null | undefined,
): ResourcePart {
  const stored = keyValuesToStored(resource?.attributes);
  const service = stored.types['service.name'] === undefined ? stored.values['service.name'] : undefined;
  return {
    serviceName: service || 'unknown_service',
    resourceValues: stored.values,
    resourceTypes: stored.types,
    resourceSchemaUrl: cleanString(schemaUrl),
    resourceDropped: uint32(resource?.droppedAttributesCount),
  };
}

export function withScope(
  res: ResourcePart,
  scope: InstrumentationScope | null | undefined,
  schemaUrl: string | null | undefined,
): Envelope {
  const attrs = keyValuesToStored(scope?.attributes);
  return {
    ...res,
    scopeName: cleanString(scope?.name),
    scopeVersion: cleanString(scope?.version),
    scopeValues: attrs.values,
    scopeTypes: attrs.types,
    scopeSchemaUrl: cleanString(schemaUrl),
    scopeDropped: uint32(scope?.droppedAttributesCount),
  };
}

/** The resource and scope columns (ENVELOPE in clickhouse/src/tables.ts), the same in spans, logs and metric_series. */
export const ENVELOPE_COLUMNS = [
  'ResourceAttributes',
  'ResourceAttributeTypes',
  'ScopeName',
  'ScopeVersion',
  'ScopeAttributes',
  'ScopeAttributeTypes',
  'ResourceSchemaUrl',
  'ResourceDroppedAttributesCount',
  'ScopeSchemaUrl',
  'ScopeDroppedAttributesCount',
] as const;

/** The values of ENVELOPE_COLUMNS, in that order. */
export function envelopeColumns(env: Envelope): unknown[] {
  return [
    env.resourceValues,
    env.resourceTypes,
    env.scopeName,
    env.scopeVersion,
    env.scopeValues,
    env.scopeTypes,
    env.resourceSchemaUrl,
    env.resourceDropped,
    env.scopeSchemaUrl,
    env.scopeDropped,
  ];
}
