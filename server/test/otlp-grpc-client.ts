// OTLP/gRPC as a well-behaved client speaks it (the Collector's exporter, the Go and Java
// SDKs): raw grpc-js calls, retried after the delay google.rpc.RetryInfo in the status
// details asks for, as the OTLP specification says for UNAVAILABLE.
import { Client, credentials, Metadata, status as GrpcCode, type ServiceError } from '@grpc/grpc-js';
import { GRPC_SERVICE, otlpRoot, type Signal } from '@telemetryflow/otlp';

export interface GrpcReply {
  code: GrpcCode;
  /** The delay RetryInfo asked for, when the status carried one. */
  retryDelayMs?: number;
  /** The status message of a failed call. */
  message?: string;
}

export function otlpGrpcClient(address: string): Client {
  return new Client(address, credentials.createInsecure());
}

/** One unary Export call. */
export function grpcExport(client: Client, signal: Signal, body: Uint8Array, key: string): Promise<GrpcReply> {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${key}`);
  return new Promise((resolve) => {
    client.makeUnaryRequest<Uint8Array, Buffer>(
      `/${GRPC_SERVICE[signal]}/Export`,
      (b) => Buffer.from(b),
      (b) => b,
      body,
      metadata,
      { deadline: Date.now() + 15_000 },
      (err) =>
        resolve(
          err ? { code: err.code, retryDelayMs: retryDelayMs(err), message: err.details } : { code: GrpcCode.OK },
        ),
    );
  });
}

/**
 * Exports until the server accepts, waiting as RetryInfo says (capped at `maxWaitMs` so
 * tests stay short). Any code other than UNAVAILABLE is permanent and throws. Each refusal
 * is appended to `refusals` as it comes; resolves with them.
 */
export async function grpcExportWithRetry(
  client: Client,
  signal: Signal,
  body: Uint8Array,
  key: string,
  options: { timeoutMs?: number; maxWaitMs?: number; refusals?: GrpcReply[] } = {},
): Promise<GrpcReply[]> {
  const { timeoutMs = 60_000, maxWaitMs = 500, refusals = [] } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await grpcExport(client, signal, body, key);
    if (reply.code === GrpcCode.OK) return refusals;
    if (reply.code !== GrpcCode.UNAVAILABLE)
      throw new Error(`export refused permanently with gRPC code ${reply.code} (${GrpcCode[reply.code]})`);
    refusals.push(reply);
    if (Date.now() > deadline)
      throw new Error(`export not accepted within ${timeoutMs} ms: ${JSON.stringify(refusals.slice(-3))}`);
    await new Promise((r) => setTimeout(r, Math.min(maxWaitMs, reply.retryDelayMs ?? maxWaitMs)));
  }
}

const rpcStatus = otlpRoot.lookupType('google.rpc.Status');
const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';

/** RetryInfo.retry_delay of a failed call, in milliseconds, if its status details hold one. */
export function retryDelayMs(err: ServiceError): number | undefined {
  const raw = err.metadata?.get('grpc-status-details-bin')[0];
  if (!(raw instanceof Buffer)) return undefined;
  const status = rpcStatus.toObject(rpcStatus.decode(raw)) as {
    code?: number;
    details?: { typeUrl: string; value: Uint8Array }[];
  };
  if (status.code !== err.code)
    throw new Error(`status details say code ${status.code}, the call ended with ${err.code}`);
  const info = status.details?.find((d) => d.typeUrl === RETRY_INFO);
  if (!info) return undefined;
  // RetryInfo { Duration retry_delay = 1 }, Duration { int64 seconds = 1; int32 nanos = 2 }.
  const delay = fields(Uint8Array.from(info.value)).get(1);
  if (!(delay instanceof Uint8Array)) return 0;
  const duration = fields(delay);
  return Number(duration.get(1) ?? 0) * 1000 + Math.round(Number(duration.get(2) ?? 0) / 1e6);
}

/** The varint and length-delimited fields of a protobuf message, by number (last wins). */
function fields(bytes: Uint8Array): Map<number, number | Uint8Array> {
  const out = new Map<number, number | Uint8Array>();
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 1; ; shift *= 128) {
      const b = bytes[pos++];
      if (b === undefined) throw new Error('truncated protobuf');
      value += (b & 0x7f) * shift;
      if (b < 0x80) return value;
    }
  };
  while (pos < bytes.length) {
    const key = varint();
    const wire = key % 8;
    if (wire === 0) out.set(Math.floor(key / 8), varint());
    else if (wire === 2) {
      const length = varint();
      out.set(Math.floor(key / 8), bytes.subarray(pos, pos + length));
      pos += length;
    } else throw new Error(`unexpected protobuf wire type ${wire}`);
  }
  return out;
}
