import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { convertOtlpJson, type RefusedItems } from './otlp-json.js';
import type { ExportRequestBySignal, Signal } from './otlp-types.js';
import { decodeWriteRequest } from './remote-write.js';

/** Wire encoding of an OTLP payload: binary protobuf or the OTLP JSON mapping. */
export type OtlpEncoding = 'protobuf' | 'json';

/**
 * What a receiver hands to a consumer: an OTLP payload, or (metrics only) a Prometheus remote
 * write 1.0 `prometheus.WriteRequest` after snappy decompression, stored as the OTLP metrics
 * request it converts to (remote-write.ts).
 */
export type PayloadEncoding = OtlpEncoding | 'remote-write';

const PROTO_ROOT = fileURLToPath(new URL('../../proto/', import.meta.url));

const SERVICE_FILES: Record<Signal, string> = {
  traces: 'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  metrics: 'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  logs: 'opentelemetry/proto/collector/logs/v1/logs_service.proto',
};

const MESSAGE_PREFIX: Record<Signal, string> = {
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTrace',
  metrics: 'opentelemetry.proto.collector.metrics.v1.ExportMetrics',
  logs: 'opentelemetry.proto.collector.logs.v1.ExportLogs',
};

/** gRPC fully-qualified service names, e.g. `opentelemetry.proto.collector.trace.v1.TraceService`. */
export const GRPC_SERVICE: Record<Signal, string> = {
  traces: 'opentelemetry.proto.collector.trace.v1.TraceService',
  metrics: 'opentelemetry.proto.collector.metrics.v1.MetricsService',
  logs: 'opentelemetry.proto.collector.logs.v1.LogsService',
};

/** The field of `Export*PartialSuccess` that counts rejected items. */
export const REJECTED_FIELD: Record<Signal, 'rejectedSpans' | 'rejectedDataPoints' | 'rejectedLogRecords'> = {
  traces: 'rejectedSpans',
  metrics: 'rejectedDataPoints',
  logs: 'rejectedLogRecords',
};

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : PROTO_ROOT + target);
  root.loadSync([...Object.values(SERVICE_FILES), 'google/rpc/status.proto']);
  root.resolveAll();
  return root;
}

const root = loadRoot();
const requestTypes = Object.fromEntries(
  (Object.keys(MESSAGE_PREFIX) as Signal[]).map((s) => [s, root.lookupType(`${MESSAGE_PREFIX[s]}ServiceRequest`)]),
) as Record<Signal, protobuf.Type>;
const responseTypes = Object.fromEntries(
  (Object.keys(MESSAGE_PREFIX) as Signal[]).map((s) => [s, root.lookupType(`${MESSAGE_PREFIX[s]}ServiceResponse`)]),
) as Record<Signal, protobuf.Type>;
const statusType = root.lookupType('google.rpc.Status');

/** Raised when a payload cannot be decoded at all (OTLP: 400 / INVALID_ARGUMENT). */
export class MalformedPayloadError extends Error {
  override readonly name: string = 'MalformedPayloadError';
}

/** A decoded request, and the items the OTLP/JSON decoder refused (not in `request`). */
export interface DecodedRequest<S extends Signal> {
  request: ExportRequestBySignal[S];
  /** Empty for protobuf, whose wire format cannot hold a value of the wrong type. */
  refused: RefusedItems[];
}

/**
 * Decodes an Export*ServiceRequest. OTLP/JSON is read by the proto3 JSON mapping, value by
 * value (otlp-json.ts): an item holding a value of the wrong type is refused, one outside
 * any item makes the request malformed. Throws MalformedPayloadError.
 */
export function decodeExportRequest<S extends Signal>(
  signal: S,
  payload: Uint8Array,
  encoding: PayloadEncoding,
): DecodedRequest<S> {
  if (encoding === 'remote-write') {
    if (signal !== 'metrics') throw new MalformedPayloadError(`a remote-write request carries metrics, not ${signal}`);
    try {
      const { request, refused } = decodeWriteRequest(payload);
      return { request: request as ExportRequestBySignal[S], refused };
    } catch (err) {
      throw new MalformedPayloadError(`invalid protobuf prometheus.WriteRequest: ${(err as Error).message}`);
    }
  }
  const type = requestTypes[signal];
  try {
    if (encoding === 'protobuf') {
      return { request: type.decode(payload) as unknown as ExportRequestBySignal[S], refused: [] };
    }
    const text = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new MalformedPayloadError('request body must be a JSON object');
    }
    const { object, refused } = convertOtlpJson(type, parsed);
    return { request: type.fromObject(object) as unknown as ExportRequestBySignal[S], refused };
  } catch (err) {
    if (err instanceof MalformedPayloadError) throw err;
    const what = encoding === 'protobuf' ? 'protobuf' : 'OTLP/JSON';
    throw new MalformedPayloadError(`invalid ${what} ${type.name}: ${(err as Error).message}`);
  }
}

/** Re-encodes a decoded request as binary protobuf (used to forward JSON requests). */
export function encodeExportRequest<S extends Signal>(signal: S, request: ExportRequestBySignal[S]): Uint8Array {
  const type = requestTypes[signal];
  return type.encode(type.fromObject(request as Record<string, unknown>)).finish();
}

export interface PartialSuccess {
  rejected: number;
  errorMessage: string;
}

/** `Export*ServiceResponse`; partial_success is set only when something was rejected or there is a message. */
export function encodeExportResponse(
  signal: Signal,
  partial: PartialSuccess | null,
  encoding: OtlpEncoding,
): Uint8Array {
  const body: Record<string, unknown> = {};
  if (partial && (partial.rejected > 0 || partial.errorMessage)) {
    body.partialSuccess = { [REJECTED_FIELD[signal]]: partial.rejected, errorMessage: partial.errorMessage };
  }
  const type = responseTypes[signal];
  const message = type.fromObject(body);
  if (encoding === 'protobuf') return type.encode(message).finish();
  const json = type.toObject(message, { longs: String, enums: Number, defaults: false });
  return Buffer.from(JSON.stringify(json));
}

/** `google.rpc.Status`, the body of every OTLP/HTTP error response. */
export function encodeStatus(code: number, message: string, encoding: OtlpEncoding): Uint8Array {
  if (encoding === 'protobuf') return statusType.encode(statusType.fromObject({ code, message })).finish();
  return Buffer.from(JSON.stringify({ code, message }));
}

export function decodeStatus(payload: Uint8Array, encoding: OtlpEncoding): { code: number; message: string } {
  if (encoding === 'json')
    return JSON.parse(Buffer.from(payload).toString('utf8')) as { code: number; message: string };
  const obj = statusType.toObject(statusType.decode(payload), { defaults: true }) as { code: number; message: string };
  return { code: obj.code, message: obj.message };
}

export function decodeExportResponse(
  signal: Signal,
  payload: Uint8Array,
  encoding: OtlpEncoding,
): { rejected: number; errorMessage: string } | null {
  const type = responseTypes[signal];
  const obj = (
    encoding === 'json'
      ? JSON.parse(Buffer.from(payload).toString('utf8') || '{}')
      : type.toObject(type.decode(payload), { longs: String })
  ) as { partialSuccess?: Record<string, unknown> };
  const ps = obj.partialSuccess;
  if (!ps) return null;
  return { rejected: Number(ps[REJECTED_FIELD[signal]] ?? 0), errorMessage: String(ps.errorMessage ?? '') };
}

/** Encodes a request given as plain objects (tests and the load generator build payloads with it). */
export function encodeExportRequestObject(signal: Signal, request: Record<string, unknown>): Uint8Array {
  const type = requestTypes[signal];
  return type.encode(type.fromObject(request)).finish();
}

/**
 * protobufjs's wire reader, for code that walks an OTLP payload field by field and decodes
 * only some sub-messages (with `otlpRoot.lookupType(name).decode(reader, length)`).
 */
export const ProtobufReader = protobuf.Reader;

export { root as otlpRoot };
