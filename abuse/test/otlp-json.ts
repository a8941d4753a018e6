// OTLP requests as plain objects in the OTLP/JSON mapping (hex ids, decimal-string
// nanoseconds, integer enums), sent as JSON text or encoded as protobuf, and the check that
// applies to every item the abuse suite sends: stored and readable, or rejected.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { TraceDto } from '@telemetryflow/contract';
import { encodeExportRequestObject, type Signal } from '@telemetryflow/otlp';
import { API_KEY, getTrace } from '@telemetryflow/server/test-helpers';
import { clientWouldRetry, describeReply, encodingOf, type ExportReply, type Wire } from './otlp-wire.js';

export type Json = Record<string, unknown>;

export const NS_PER_MS = 1_000_000n;
export const NS_PER_DAY = 86_400_000_000_000n;

export function nowNs(): bigint {
  return BigInt(Date.now()) * NS_PER_MS;
}

/** A random trace id whose last byte is not 0x00 (trace search has a known bug with those). */
export function newTraceId(): string {
  const id = randomBytes(16);
  id[15] ||= 1;
  return id.toString('hex');
}

export function newSpanId(): string {
  return randomBytes(8).toString('hex');
}

/** A server span that took 1 ms, a minute ago, unless told otherwise. */
export function spanJson(fields: Json = {}): Json {
  const start = nowNs() - 60_000n * NS_PER_MS;
  return {
    traceId: newTraceId(),
    spanId: newSpanId(),
    name: 'abuse span',
    kind: 2,
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: (start + NS_PER_MS).toString(),
    ...fields,
  };
}

export function tracesJson(service: string, spans: Json[]): Json {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [{ scope: { name: 'abuse' }, spans }],
      },
    ],
  };
}

export function logsJson(service: string, records: Json[]): Json {
  return {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeLogs: [{ scope: { name: 'abuse' }, logRecords: records }],
      },
    ],
  };
}

export function metricsJson(service: string, metrics: Json[]): Json {
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeMetrics: [{ scope: { name: 'abuse' }, metrics }],
      },
    ],
  };
}

const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);

/** The same object with hex ids as bytes, as protobufjs's fromObject wants them. */
function idsAsBytes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(idsAsBytes);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Json).map(([k, v]) => [
      k,
      ID_FIELDS.has(k) && typeof v === 'string' ? Buffer.from(v, 'hex') : idsAsBytes(v),
    ]),
  );
}

/** The request's body on `wire`: OTLP/JSON text, or binary protobuf. */
export function encodeRequest(wire: Wire, signal: Signal, request: Json): Uint8Array {
  if (encodingOf(wire) === 'json') return Buffer.from(JSON.stringify(request));
  return encodeExportRequestObject(signal, idsAsBytes(request) as Json);
}

export interface ApiEndpoint {
  apiUrl: string;
}

/**
 * What the issue demands of every item: stored and readable, or rejected — by
 * partial_success naming why, or by refusing the whole request as permanent bad data
 * (400 / INVALID_ARGUMENT, never a retryable answer). Acked and then unreadable is the bug
 * this catches. `check` looks at the stored trace when it was acked.
 */
export async function assertStoredOrRejected(
  api: ApiEndpoint,
  reply: ExportReply,
  traceId: string,
  opts: { wholeRequestMayFail: boolean; check?: (trace: TraceDto) => void },
): Promise<'stored' | 'rejected'> {
  const what = describeReply(reply);
  if (!reply.ok) {
    assert.ok(
      opts.wholeRequestMayFail,
      `the items must be stored or rejected one by one with partial_success, got ${what}`,
    );
    assert.equal(clientWouldRetry(reply), false, `bad data must be a permanent error, got ${what}`);
    assert.ok(reply.httpStatus === 400 || reply.grpcCode === 3, `bad data must be 400 / INVALID_ARGUMENT, got ${what}`);
    return 'rejected';
  }
  if (reply.partial && reply.partial.rejected > 0) {
    assert.notEqual(reply.partial.errorMessage.trim(), '', `partial_success must say why: ${what}`);
    return 'rejected';
  }
  const read = await getTrace(api.apiUrl, API_KEY, traceId);
  assert.equal(
    read.status,
    200,
    `acked as stored (${what}) but GET /api/v1/traces/${traceId} answered ${read.status} ${JSON.stringify(read.body).slice(0, 300)}`,
  );
  opts.check?.(read.body.data);
  return 'stored';
}
