// Field-level conversions shared by the span, log and metric row builders.
import { cleanString, int64ToString, keyValuesToStored, type Int64Like, type InstrumentationScope, type Resource } from '@telemetryflow/schemas';

/** Largest nanosecond timestamp a DateTime64(9) holds (2262-04-11). */
const MAX_NANOS = 9223372036854775807n;

export class InvalidItemError extends Error {}

/** Unsigned 64-bit value of a decoded fixed64 field (a Long), or of a number or string. */
function toBigInt(v: Int64Like | null | undefined): bigint {
  if (v === null || v === undefined) return 0n;
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
export function checkedId(id: Uint8Array | null | undefined, bytes: 8 | 16, field: string, required: boolean): Uint8Array | undefined {
  const len = id?.length ?? 0;
  if (len === 0 && !required) return undefined;
  if (!id || len !== bytes || (required && isAllZero(id))) {
    throw new InvalidItemError(`${field} must be ${bytes} bytes${required ? ' and not all zero' : ' or empty'} (got ${len})`);
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

type ResourcePart = Pick<Envelope, 'serviceName' | 'resourceValues' | 'resourceTypes' | 'resourceSchemaUrl' | 'resourceDropped'>;

export function resourceEnvelope(resource: Resource | null | undefined, schemaUrl: string | null | undefined): ResourcePart {
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

export function withScope(res: ResourcePart, scope: InstrumentationScope | null | undefined, schemaUrl: string | null | undefined): Envelope {
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

/** The resource and scope columns, in the order of ENVELOPE in clickhouse/src/tables.ts. */
export function envelopeColumns(env: Envelope): unknown[] {
  return [
    env.resourceValues, env.resourceTypes, env.scopeName, env.scopeVersion, env.scopeValues, env.scopeTypes,
    env.resourceSchemaUrl, env.resourceDropped, env.scopeSchemaUrl, env.scopeDropped,
  ];
}
