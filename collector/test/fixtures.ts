// Shared test fixtures: a small downstream consumer (decodes with the schemas codec and
// records what it got), an authenticator with three keys, and sample requests per signal.
import zlib from 'node:zlib';
import {
  MalformedPayloadError,
  decodeExportRequest,
  encodeExportRequestObject,
  type Authenticate,
  type ExportOutcome,
  type ExportRequest,
  type OtlpConsumer,
  type OtlpExport,
  type Signal,
} from '@telemetryflow/otlp';

export const INGEST_KEY = 'tf_ingest_key';
export const READ_ONLY_KEY = 'tf_read_only_key';
export const BROKEN_AUTH_KEY = 'tf_auth_store_down';

export const authenticate: Authenticate = async (token) => {
  if (token === INGEST_KEY) return { tenantId: 'tenant-a', scopes: ['ingest'] };
  if (token === READ_ONLY_KEY) return { tenantId: 'tenant-a', scopes: ['read'] };
  if (token === BROKEN_AUTH_KEY) throw new Error('postgres: connection refused');
  return null;
};

export interface Received {
  export: OtlpExport;
  request: ExportRequest;
  items: number;
}

export type ConsumerBehaviour =
  | { kind: 'store' }
  | { kind: 'reject'; rejected: number; errorMessage: string }
  | { kind: 'transient'; retryAfterSeconds?: number }
  | { kind: 'hold'; release: Promise<void> };

/** The downstream end of the receiver: decodes like the real consumer and records every export. */
export class RecordingConsumer implements OtlpConsumer {
  readonly received: Received[] = [];
  behaviour: ConsumerBehaviour = { kind: 'store' };
  /** consume() calls started, including ones still in progress. */
  calls = 0;

  async consume(exp: OtlpExport): Promise<ExportOutcome> {
    this.calls++;
    const behaviour = this.behaviour;
    if (behaviour.kind === 'transient') {
      throw Object.assign(
        new Error('clickhouse: too many parts'),
        behaviour.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: behaviour.retryAfterSeconds },
      );
    }
    const { request } = decodeExportRequest(exp.signal, exp.payload, exp.encoding); // throws MalformedPayloadError
    if (behaviour.kind === 'hold') await behaviour.release;
    const items = countItems(exp.signal, request);
    this.received.push({ export: exp, request, items });
    if (behaviour.kind === 'reject')
      return {
        accepted: items - behaviour.rejected,
        rejected: behaviour.rejected,
        errorMessage: behaviour.errorMessage,
      };
    return { accepted: items, rejected: 0, errorMessage: '' };
  }

  reset(): void {
    this.received.length = 0;
    this.calls = 0;
    this.behaviour = { kind: 'store' };
  }
}

export function countItems(signal: Signal, request: ExportRequest): number {
  const r = request as Record<string, { [k: string]: { [k: string]: unknown[] }[] }[] | undefined>;
  if (signal === 'traces')
    return (r.resourceSpans ?? [])
      .flatMap((rs) => rs.scopeSpans ?? [])
      .reduce((n, ss) => n + (ss.spans?.length ?? 0), 0);
  if (signal === 'logs')
    return (r.resourceLogs ?? [])
      .flatMap((rl) => rl.scopeLogs ?? [])
      .reduce((n, sl) => n + (sl.logRecords?.length ?? 0), 0);
  return (r.resourceMetrics ?? [])
    .flatMap((rm) => rm.scopeMetrics ?? [])
    .reduce((n, sm) => n + (sm.metrics?.length ?? 0), 0);
}

const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] };
const now = 1732540800123456789n;

/** A request with `n` items of the signal, as plain objects for encodeExportRequestObject. */
export function sampleRequest(signal: Signal, n = 2): Record<string, unknown> {
  const range = Array.from({ length: n }, (_, i) => i);
  if (signal === 'traces') {
    return {
      resourceSpans: [
        {
          resource,
          scopeSpans: [
            {
              scope: { name: 'test' },
              spans: range.map((i) => ({
                traceId: Buffer.from('5b8efff798038103d269b633813fc60c', 'hex'),
                spanId: Buffer.from(`eee19b7ec3c1b17${i % 10}`, 'hex'),
                name: `GET /cart/${i}`,
                kind: 2,
                startTimeUnixNano: String(now),
                endTimeUnixNano: String(now + 1_000_000n),
              })),
            },
          ],
        },
      ],
    };
  }
  if (signal === 'logs') {
    return {
      resourceLogs: [
        {
          resource,
          scopeLogs: [
            {
              logRecords: range.map((i) => ({
                timeUnixNano: String(now),
                severityNumber: 9,
                body: { stringValue: `line ${i}` },
              })),
            },
          ],
        },
      ],
    };
  }
  return {
    resourceMetrics: [
      {
        resource,
        scopeMetrics: [
          {
            metrics: range.map((i) => ({
              name: `queue.depth.${i}`,
              gauge: { dataPoints: [{ timeUnixNano: String(now), asDouble: i }] },
            })),
          },
        ],
      },
    ],
  };
}

export function sampleProtobuf(signal: Signal, n = 2): Buffer {
  return Buffer.from(encodeExportRequestObject(signal, sampleRequest(signal, n)));
}

/** The OTLP/JSON form of sampleRequest (hex ids, lowerCamelCase keys, 64-bit ints as strings). */
export function sampleJson(signal: Signal, n = 2): Buffer {
  const json = JSON.stringify(sampleRequest(signal, n), (key, value: unknown) => {
    if ((key === 'traceId' || key === 'spanId') && value && typeof value === 'object' && 'data' in value) {
      return Buffer.from((value as { data: number[] }).data).toString('hex');
    }
    return value;
  });
  return Buffer.from(json);
}

/** Bytes that are not a protobuf message (a length-delimited field running past the end). */
export const MALFORMED_PROTOBUF = Buffer.from([0x0a, 0xff, 0xff, 0x03, 0x01]);

/** Gzip of `inflatedBytes` zeros, built chunk by chunk so the test itself stays small. */
export async function gzipBomb(inflatedBytes: number): Promise<Buffer> {
  const gzip = zlib.createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((resolve) => gzip.on('end', resolve));
  const chunk = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < inflatedBytes; written += chunk.length) {
    if (!gzip.write(chunk)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await done;
  return Buffer.concat(out);
}

/** Samples process.memoryUsage().arrayBuffers while `work` runs; resolves with the peak growth. */
export async function peakArrayBufferGrowth(work: () => Promise<void>): Promise<number> {
  const base = process.memoryUsage().arrayBuffers;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
  }, 2);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage().arrayBuffers);
  return peak - base;
}

export { MalformedPayloadError };

export async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for condition');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
