// Every failure of an OTLP export is mapped here, once, for both transports:
// permanent → 400 / INVALID_ARGUMENT, auth → 401 / UNAUTHENTICATED or 403 / PERMISSION_DENIED,
// limits → 413 / RESOURCE_EXHAUSTED, format → 415, throttled → 429 / RESOURCE_EXHAUSTED with
// RetryInfo, transient → 503 / UNAVAILABLE (+ Retry-After, + google.rpc.RetryInfo). Bodies are
// google.rpc.Status as the OTLP specification requires; Prometheus remote write gets the same
// statuses with plain-text bodies.
import { Metadata, status as GrpcCode, type ServiceError } from '@grpc/grpc-js';
import { MalformedPayloadError, OverloadedError, encodeStatus, otlpRoot, type OtlpEncoding } from '@telemetryflow/otlp';

const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';
const rpcStatusType = otlpRoot.lookupType('google.rpc.Status');

export type ExportErrorKind =
  | 'malformed' // the payload cannot be decoded: the client must not retry
  | 'unauthenticated' // no bearer token, or an unknown / revoked one
  | 'forbidden' // a valid key without the `ingest` scope
  | 'too-large' // the body exceeds maxRequestBytes (compressed or inflated)
  | 'unsupported-media-type' // Content-Type or Content-Encoding the receiver does not speak
  | 'throttled' // over the bytes in flight (admission) or a full decoder queue: retry later, slower
  | 'over-quota' // over the tenant's ingest quota: retry after the delay given
  | 'timeout' // the request did not arrive within the request timeout (gRPC; HTTP answers 408 itself)
  | 'unavailable'; // anything transient: the client should retry later

interface Mapping {
  http: number;
  grpc: GrpcCode;
}

const MAPPING: Record<ExportErrorKind, Mapping> = {
  malformed: { http: 400, grpc: GrpcCode.INVALID_ARGUMENT },
  unauthenticated: { http: 401, grpc: GrpcCode.UNAUTHENTICATED },
  forbidden: { http: 403, grpc: GrpcCode.PERMISSION_DENIED },
  'too-large': { http: 413, grpc: GrpcCode.RESOURCE_EXHAUSTED },
  'unsupported-media-type': { http: 415, grpc: GrpcCode.INVALID_ARGUMENT },
  // OTLP: RESOURCE_EXHAUSTED is retryable only with RetryInfo, which throttled answers carry.
  throttled: { http: 429, grpc: GrpcCode.RESOURCE_EXHAUSTED },
  'over-quota': { http: 429, grpc: GrpcCode.RESOURCE_EXHAUSTED },
  timeout: { http: 408, grpc: GrpcCode.DEADLINE_EXCEEDED },
  unavailable: { http: 503, grpc: GrpcCode.UNAVAILABLE },
};

/** Seconds a client is asked to wait after a transient failure, unless the cause says otherwise. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** Seconds a throttled client is asked to wait: room frees as soon as requests in flight finish. */
export const THROTTLED_RETRY_AFTER_SECONDS = 1;

/** Kinds that tell the client when to retry (Retry-After, RetryInfo). */
function hasRetryDelay(kind: ExportErrorKind): boolean {
  return kind === 'unavailable' || kind === 'throttled' || kind === 'over-quota';
}

/** A classified export failure; the only kind of rejection the export handler produces. */
export class ExportError extends Error {
  override readonly name = 'ExportError';
  constructor(
    readonly kind: ExportErrorKind,
    message: string,
    /** Set for `unavailable`: the delay suggested to the client. */
    readonly retryAfterSeconds?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Classifies anything a consumer, an authenticator or the body reader threw. A
 * MalformedPayloadError is permanent; every other unknown failure is transient: it is
 * safer to make a client retry than to make it drop data. A thrown error may carry a
 * numeric `retryAfterSeconds` (e.g. a throttling consumer) to tune the client's wait.
 */
export function toExportError(err: unknown): ExportError {
  if (err instanceof ExportError) return err;
  if (err instanceof MalformedPayloadError) return new ExportError('malformed', err.message, undefined, { cause: err });
  if (err instanceof OverloadedError)
    return new ExportError('throttled', err.message, THROTTLED_RETRY_AFTER_SECONDS, { cause: err });
  const hinted = (err as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds;
  const retryAfter =
    typeof hinted === 'number' && Number.isFinite(hinted) && hinted >= 0
      ? Math.ceil(hinted)
      : DEFAULT_RETRY_AFTER_SECONDS;
  // The cause stays server-side (logged); the client learns only that it should retry.
  return new ExportError(
    'unavailable',
    'the server is temporarily unable to accept telemetry; retry later',
    retryAfter,
    { cause: err },
  );
}

/** True when the failure is the server's problem (worth logging), not the client's. */
export function isServerSide(err: ExportError): boolean {
  return err.kind === 'unavailable';
}

export interface HttpErrorResponse {
  statusCode: number;
  headers: Record<string, string>;
  /** google.rpc.Status in the request's encoding. */
  body: Uint8Array;
}

export function toHttpError(err: ExportError, encoding: OtlpEncoding): HttpErrorResponse {
  const { http, grpc } = MAPPING[err.kind];
  const headers: Record<string, string> = {};
  if (hasRetryDelay(err.kind)) headers['retry-after'] = String(err.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS);
  if (err.kind === 'unauthenticated') headers['www-authenticate'] = 'Bearer';
  // Over quota, the body also carries google.rpc.RetryInfo, as OTLP/HTTP allows for 429.
  if (err.kind === 'over-quota') {
    const seconds = err.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
    const body =
      encoding === 'protobuf'
        ? encodeStatusWithRetryInfo(grpc, err.message, seconds)
        : Buffer.from(
            JSON.stringify({
              code: grpc,
              message: err.message,
              details: [{ '@type': RETRY_INFO_TYPE_URL, retryDelay: `${seconds}s` }],
            }),
          );
    return { statusCode: http, headers, body };
  }
  return { statusCode: http, headers, body: encodeStatus(grpc, err.message, encoding) };
}

/**
 * The answer to a failed Prometheus remote-write request: the status and Retry-After of the
 * same failure over OTLP/HTTP (400 permanent: senders never retry a 4xx but 429), except that
 * throttling is 503: remote write 1.0 lets senders drop a batch answered 429, and Prometheus
 * 2.42 does unless `retry_on_http_429` is set, while every sender must retry a 5xx. Over a
 * tenant's quota the answer is 429 all the same: the tenant sends more than it may, and a
 * sender that drops the batch is what the quota asks for. The message goes as plain text,
 * which Prometheus logs.
 */
export function toRemoteWriteError(err: ExportError): {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
} {
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
  if (hasRetryDelay(err.kind)) headers['retry-after'] = String(err.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS);
  if (err.kind === 'unauthenticated') headers['www-authenticate'] = 'Bearer, Basic realm="telemetryflow"';
  const statusCode = err.kind === 'throttled' ? MAPPING.unavailable.http : MAPPING[err.kind].http;
  return { statusCode, headers, body: `${err.message}\n` };
}

/**
 * google.rpc.Status for a failure that happened outside the export path (fastify's own
 * errors, unknown routes): the gRPC code that corresponds to the HTTP status.
 */
export function httpFallbackError(statusCode: number, message: string): HttpErrorResponse {
  const status = statusCode >= 400 && statusCode <= 599 ? statusCode : 500;
  const code = FALLBACK_GRPC_CODE[status] ?? (status >= 500 ? GrpcCode.INTERNAL : GrpcCode.FAILED_PRECONDITION);
  const headers: Record<string, string> = status === 503 ? { 'retry-after': String(DEFAULT_RETRY_AFTER_SECONDS) } : {};
  return { statusCode: status, headers, body: encodeStatus(code, message, 'json') };
}

const FALLBACK_GRPC_CODE: Record<number, GrpcCode> = {
  400: GrpcCode.INVALID_ARGUMENT,
  401: GrpcCode.UNAUTHENTICATED,
  403: GrpcCode.PERMISSION_DENIED,
  404: GrpcCode.NOT_FOUND,
  405: GrpcCode.UNIMPLEMENTED,
  413: GrpcCode.RESOURCE_EXHAUSTED,
  415: GrpcCode.INVALID_ARGUMENT,
  429: GrpcCode.RESOURCE_EXHAUSTED,
  503: GrpcCode.UNAVAILABLE,
};

export function httpStatusOf(kind: ExportErrorKind): number {
  return MAPPING[kind].http;
}

export function grpcCodeOf(kind: ExportErrorKind): GrpcCode {
  return MAPPING[kind].grpc;
}

/** The error object grpc-js turns into the call's status; UNAVAILABLE and throttling carry RetryInfo. */
export function toGrpcError(err: ExportError): Partial<ServiceError> & { code: GrpcCode; details: string } {
  const code = MAPPING[err.kind].grpc;
  const metadata = new Metadata();
  if (hasRetryDelay(err.kind)) {
    const seconds = err.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
    metadata.set('grpc-status-details-bin', encodeStatusWithRetryInfo(code, err.message, seconds));
  }
  return { code, details: err.message, metadata };
}

/** google.rpc.Status{code, message, details: [Any(RetryInfo{retry_delay: Duration{seconds}})]}. */
function encodeStatusWithRetryInfo(code: number, message: string, retryDelaySeconds: number): Buffer {
  // RetryInfo { Duration retry_delay = 1; }  Duration { int64 seconds = 1; }: two tiny
  // messages the schemas proto set does not carry, so they are written by hand.
  const duration = retryDelaySeconds > 0 ? [0x08, ...varint(retryDelaySeconds)] : [];
  const retryInfo = Uint8Array.from([0x0a, ...varint(duration.length), ...duration]);
  const status = rpcStatusType.fromObject({
    code,
    message,
    details: [{ typeUrl: RETRY_INFO_TYPE_URL, value: retryInfo }],
  });
  return Buffer.from(rpcStatusType.encode(status).finish());
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  let v = Math.max(0, Math.floor(value));
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return bytes;
}
