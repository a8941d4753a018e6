// Raw OTLP clients for the three transports, for requests no SDK would send: any bytes,
// any headers, any compression, any credential. Every answer is read back into one shape
// (`ExportReply`) so a test can say what the OTLP specification requires of it whatever
// the transport: which status, whether the client may retry, what partial_success says.
import http2 from 'node:http2';
import { Client, Metadata, credentials, status as GrpcCode, type ServiceError } from '@grpc/grpc-js';
import {
  GRPC_SERVICE,
  decodeExportResponse,
  decodeStatus,
  otlpRoot,
  type OtlpEncoding,
  type Signal,
} from '@telemetryflow/otlp';

/** The OTLP transports, named as OTEL_EXPORTER_OTLP_PROTOCOL names them. */
export type Wire = 'http/protobuf' | 'http/json' | 'grpc';
export const WIRES: readonly Wire[] = ['http/protobuf', 'http/json', 'grpc'];

export const CONTENT_TYPE: Record<OtlpEncoding, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

export function encodingOf(wire: Wire): OtlpEncoding {
  return wire === 'http/json' ? 'json' : 'protobuf';
}

export interface Endpoints {
  otlpHttpUrl: string;
  otlpGrpcAddress: string;
}

/** What an export came back with, on any transport. */
export type ExportReply =
  | {
      ok: true;
      wire: Wire;
      /** partial_success as sent; null when the field is unset. */
      partial: { rejected: number; errorMessage: string } | null;
      /** HTTP: the response's Content-Type. */
      contentType?: string | null;
    }
  | {
      ok: false;
      wire: Wire;
      /** HTTP status, or undefined on gRPC. */
      httpStatus?: number;
      /** gRPC status code, or undefined on HTTP. */
      grpcCode?: GrpcCode;
      message: string;
      /** HTTP: Retry-After; gRPC: RetryInfo's delay in seconds. Undefined when absent. */
      retryAfterSeconds?: number;
      /** HTTP: the response's Content-Type. */
      contentType?: string | null;
      /** HTTP: the body is a google.rpc.Status in the request's encoding. */
      statusBody?: { code: number; message: string };
    };

/** OTLP: HTTP 429, 502, 503, 504 may be retried, every other 4xx/5xx must not be. */
const RETRYABLE_HTTP = new Set([429, 502, 503, 504]);
/** OTLP's table of retryable gRPC codes (RESOURCE_EXHAUSTED only with RetryInfo). */
const RETRYABLE_GRPC = new Set([
  GrpcCode.CANCELLED,
  GrpcCode.DEADLINE_EXCEEDED,
  GrpcCode.ABORTED,
  GrpcCode.OUT_OF_RANGE,
  GrpcCode.UNAVAILABLE,
  GrpcCode.DATA_LOSS,
]);

/** Would an OTLP client, following the specification, send this request again? */
export function clientWouldRetry(reply: ExportReply): boolean {
  if (reply.ok) return false;
  if (reply.httpStatus !== undefined) return RETRYABLE_HTTP.has(reply.httpStatus);
  if (reply.grpcCode === GrpcCode.RESOURCE_EXHAUSTED) return reply.retryAfterSeconds !== undefined;
  return RETRYABLE_GRPC.has(reply.grpcCode as GrpcCode);
}

export function describeReply(reply: ExportReply): string {
  if (reply.ok)
    return `${reply.wire} success${reply.partial ? ` with partial_success ${JSON.stringify(reply.partial)}` : ''}`;
  const code =
    reply.httpStatus !== undefined ? `HTTP ${reply.httpStatus}` : `gRPC ${GrpcCode[reply.grpcCode as GrpcCode]}`;
  const retry = reply.retryAfterSeconds !== undefined ? ` (retry after ${reply.retryAfterSeconds} s)` : '';
  return `${reply.wire} ${code}${retry}: ${reply.message}`;
}

export interface SendOptions {
  /** The API key; null sends no credential. */
  key: string | null;
  /** HTTP: extra or replacing headers (Content-Encoding, Content-Type…). */
  headers?: Record<string, string>;
  /** HTTP: the method (default POST). */
  method?: string;
  /** HTTP: the path (default /v1/<signal>). */
  path?: string;
  /** gRPC: the message is gzip-compressed by the client (grpc-encoding: gzip). */
  grpcGzip?: boolean;
}

/** Sends `body` as one Export of `signal` over `wire`. */
export function exportRaw(
  to: Endpoints,
  wire: Wire,
  signal: Signal,
  body: Uint8Array,
  opts: SendOptions,
): Promise<ExportReply> {
  return wire === 'grpc' ? grpcExport(to, signal, body, opts) : httpExport(to, wire, signal, body, opts);
}

async function httpExport(
  to: Endpoints,
  wire: Wire,
  signal: Signal,
  body: Uint8Array,
  opts: SendOptions,
): Promise<ExportReply> {
  const encoding = encodingOf(wire);
  const headers: Record<string, string> = { 'content-type': CONTENT_TYPE[encoding], ...opts.headers };
  if (opts.key !== null) headers.authorization = `Bearer ${opts.key}`;
  const method = opts.method ?? 'POST';
  const res = await fetch(`${to.otlpHttpUrl}${opts.path ?? `/v1/${signal}`}`, {
    method,
    headers,
    ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const contentType = res.headers.get('content-type');
  if (res.status === 200) {
    return {
      ok: true,
      wire,
      partial: decodeExportResponse(signal, bytes, encodingOfContentType(contentType) ?? encoding),
      contentType,
    };
  }
  const retryAfter = res.headers.get('retry-after');
  const reply: ExportReply = {
    ok: false,
    wire,
    httpStatus: res.status,
    message: Buffer.from(bytes).toString('utf8').slice(0, 300),
    contentType,
    ...(retryAfter !== null ? { retryAfterSeconds: Number(retryAfter) } : {}),
  };
  const bodyEncoding = encodingOfContentType(contentType);
  if (bodyEncoding !== null) {
    try {
      reply.statusBody = decodeStatus(bytes, bodyEncoding);
      reply.message = reply.statusBody.message;
    } catch {
      // not a google.rpc.Status: the test says so
    }
  }
  return reply;
}

function encodingOfContentType(header: string | null): OtlpEncoding | null {
  const media = (header ?? '').split(';', 1)[0]?.trim().toLowerCase();
  return media === CONTENT_TYPE.protobuf ? 'protobuf' : media === CONTENT_TYPE.json ? 'json' : null;
}

const identity = (b: Buffer) => b;
const clients = new Map<string, Client>();

/** One grpc-js channel per address and compression, shared by the calls of a test file. */
function grpcClient(address: string, gzip: boolean): Client {
  const id = `${address}|${gzip}`;
  let client = clients.get(id);
  if (!client) {
    client = new Client(address, credentials.createInsecure(), {
      'grpc.max_send_message_length': 512 * 1024 * 1024,
      ...(gzip ? { 'grpc.default_compression_algorithm': 2 } : {}),
    });
    clients.set(id, client);
  }
  return client;
}

export function closeGrpcClients(): void {
  for (const client of clients.values()) client.close();
  clients.clear();
}

function grpcExport(to: Endpoints, signal: Signal, body: Uint8Array, opts: SendOptions): Promise<ExportReply> {
  const client = grpcClient(to.otlpGrpcAddress, opts.grpcGzip ?? false);
  const metadata = new Metadata();
  if (opts.key !== null) metadata.set('authorization', `Bearer ${opts.key}`);
  return new Promise((resolve) => {
    client.makeUnaryRequest<Buffer, Buffer>(
      `/${GRPC_SERVICE[signal]}/Export`,
      identity,
      identity,
      Buffer.from(body),
      metadata,
      { deadline: Date.now() + 120_000 },
      (err: ServiceError | null, response?: Buffer) => {
        if (err) {
          const details = err.metadata?.get('grpc-status-details-bin')[0];
          resolve(grpcFailure(err.code, err.details, Buffer.isBuffer(details) ? details : undefined));
          return;
        }
        resolve({
          ok: true,
          wire: 'grpc',
          partial: decodeExportResponse(signal, response ?? Buffer.alloc(0), 'protobuf'),
        });
      },
    );
  });
}

function grpcFailure(code: GrpcCode, message: string, statusDetails: Buffer | undefined): ExportReply {
  const delay = statusDetails ? retryInfoDelaySeconds(statusDetails) : undefined;
  return {
    ok: false,
    wire: 'grpc',
    grpcCode: code,
    message,
    ...(delay !== undefined ? { retryAfterSeconds: delay } : {}),
  };
}

const rpcStatus = otlpRoot.lookupType('google.rpc.Status');
const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';

/** The retry delay of a google.rpc.RetryInfo in `grpc-status-details-bin`, if there is one. */
function retryInfoDelaySeconds(statusDetails: Buffer): number | undefined {
  const status = rpcStatus.toObject(rpcStatus.decode(statusDetails), { defaults: true }) as {
    details: { typeUrl: string; value: Uint8Array }[];
  };
  const info = status.details.find((d) => d.typeUrl === RETRY_INFO);
  if (!info) return undefined;
  // RetryInfo { Duration retry_delay = 1 } with Duration { int64 seconds = 1 }.
  const bytes = Buffer.from(info.value);
  let seconds = 0;
  if (bytes[0] === 0x0a && bytes.length > 2 && bytes[2] === 0x08) {
    for (let i = 3, shift = 1; i < bytes.length; i++, shift *= 128) {
      seconds += ((bytes[i] as number) & 0x7f) * shift;
      if (((bytes[i] as number) & 0x80) === 0) break;
    }
  }
  return seconds;
}

/**
 * One gRPC Export call written frame by frame over HTTP/2: the message travels as given,
 * with the compressed flag set when `grpcEncoding` is named, so a test can send bytes that
 * a client library would refuse to produce (a bomb, a corrupt gzip stream, an unknown
 * coding) without building their inflated form in this process.
 */
export function grpcFrameExport(
  to: Endpoints,
  signal: Signal,
  message: Uint8Array,
  opts: { key: string | null; grpcEncoding?: string },
): Promise<ExportReply> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${to.otlpGrpcAddress}`);
    session.on('error', reject);
    const headers: http2.OutgoingHttpHeaders = {
      ':method': 'POST',
      ':path': `/${GRPC_SERVICE[signal]}/Export`,
      'content-type': 'application/grpc',
      te: 'trailers',
    };
    if (opts.grpcEncoding) headers['grpc-encoding'] = opts.grpcEncoding;
    if (opts.key !== null) headers.authorization = `Bearer ${opts.key}`;
    const req = session.request(headers);
    const fields: Record<string, string | undefined> = {};
    const take = (h: http2.IncomingHttpHeaders) => {
      for (const name of ['grpc-status', 'grpc-message', 'grpc-status-details-bin']) {
        const v = h[name];
        if (typeof v === 'string') fields[name] = v;
      }
    };
    req.on('response', take);
    req.on('trailers', take);
    req.on('data', () => {});
    req.setTimeout(120_000, () => req.close(http2.constants.NGHTTP2_CANCEL));
    req.on('error', (err) => {
      session.close();
      reject(err);
    });
    req.on('close', () => {
      session.close();
      const code = Number(fields['grpc-status'] ?? GrpcCode.UNKNOWN) as GrpcCode;
      const message = decodeURIComponent(fields['grpc-message'] ?? '');
      if (code === GrpcCode.OK) {
        resolve({ ok: true, wire: 'grpc', partial: null });
        return;
      }
      const details = fields['grpc-status-details-bin'];
      resolve(grpcFailure(code, message, details ? Buffer.from(details, 'base64') : undefined));
    });
    const frameHeader = Buffer.alloc(5);
    frameHeader[0] = opts.grpcEncoding ? 1 : 0;
    frameHeader.writeUInt32BE(message.length, 1);
    req.end(Buffer.concat([frameHeader, message]));
  });
}
