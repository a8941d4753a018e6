// Raw OTLP clients for requests no SDK sends (odd JSON, spans that end before they start,
// bombs): plain HTTP with fetch and gRPC with grpc-js, answers decoded as a client sees them.
import { Client, Metadata, compressionAlgorithms, credentials, type ServiceError } from '@grpc/grpc-js';
import {
  GRPC_SERVICE,
  decodeExportResponse,
  decodeStatus,
  encodeExportRequestObject,
  type OtlpEncoding,
  type Signal,
} from '@telemetryflow/otlp';

export interface HttpAnswer {
  status: number;
  retryAfter: string | null;
  /** partial_success of a 200, null when everything was accepted. */
  partial: { rejected: number; errorMessage: string } | null;
  /** google.rpc.Status of an error answer. */
  error?: { code: number; message: string };
}

const CONTENT_TYPE: Record<OtlpEncoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

export async function postOtlp(
  otlpHttpUrl: string,
  signal: Signal,
  body: Uint8Array | string,
  encoding: OtlpEncoding,
  key: string,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  const res = await fetch(`${otlpHttpUrl}/v1/${signal}`, {
    method: 'POST',
    headers: { 'content-type': CONTENT_TYPE[encoding], authorization: `Bearer ${key}`, ...headers },
    body,
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const answer: HttpAnswer = { status: res.status, retryAfter: res.headers.get('retry-after'), partial: null };
  if (res.status === 200) answer.partial = decodeExportResponse(signal, bytes, encoding);
  else if (bytes.length > 0) answer.error = decodeStatus(bytes, encoding);
  return answer;
}

/** A JSON body as text, with `RAW:<text>` strings written as the raw JSON text they hold. */
export function jsonWithRaw(body: unknown): string {
  return JSON.stringify(body).replace(/"RAW:([^"]*)"/g, '$1');
}

export interface GrpcAnswer {
  error?: ServiceError;
  partial: { rejected: number; errorMessage: string } | null;
}

export function grpcClient(address: string, gzip = false): Client {
  return new Client(
    address,
    credentials.createInsecure(),
    gzip ? { 'grpc.default_compression_algorithm': compressionAlgorithms.gzip } : {},
  );
}

export function grpcExport(
  client: Client,
  signal: Signal,
  payload: Uint8Array,
  key: string | null,
): Promise<GrpcAnswer> {
  const metadata = new Metadata();
  if (key !== null) metadata.set('authorization', `Bearer ${key}`);
  return new Promise((resolve) => {
    client.makeUnaryRequest<Uint8Array, Buffer>(
      `/${GRPC_SERVICE[signal]}/Export`,
      (b) => Buffer.from(b),
      (b) => b,
      payload,
      metadata,
      (error, response) =>
        resolve(error ? { error, partial: null } : { partial: decodeExportResponse(signal, response!, 'protobuf') }),
    );
  });
}

/** A protobuf traces request of one service with the given spans (OTLP objects, ids as hex). */
export function tracesProtobuf(
  service: string,
  spans: { traceId: string; spanId: string; name: string; start: bigint; end: bigint }[],
): Uint8Array {
  return encodeExportRequestObject('traces', {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            spans: spans.map((s) => ({
              traceId: Buffer.from(s.traceId, 'hex'),
              spanId: Buffer.from(s.spanId, 'hex'),
              name: s.name,
              kind: 2,
              startTimeUnixNano: s.start.toString(),
              endTimeUnixNano: s.end.toString(),
            })),
          },
        ],
      },
    ],
  });
}

/** A random trace id (hex), so that tests never find each other's traces. */
export function traceId(): string {
  return Buffer.from(Array.from({ length: 16 }, () => 1 + Math.floor(Math.random() * 255))).toString('hex');
}

export function spanId(): string {
  return Buffer.from(Array.from({ length: 8 }, () => 1 + Math.floor(Math.random() * 255))).toString('hex');
}
