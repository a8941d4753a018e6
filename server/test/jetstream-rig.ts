// The distributed path assembled in one test process: a real nats-server of the test's own,
// an OTLP/HTTP receiver publishing to JetStream, JetStream writers (each with its own NATS
// connection, as separate replicas would have) and the embedded ClickHouse engine.
import { createClickHouse, migrate, type ClickHouseClient } from '@telemetryflow/clickhouse';
import { JetStreamPublisher, startOtlpHttpReceiver } from '@telemetryflow/collector';
import type { ConsumerInfo } from '@nats-io/jetstream';
import {
  connectBus,
  DEFAULT_JETSTREAM_SETTINGS,
  ensureTopology,
  type BusConnection,
  type JetStreamSettings,
} from '@telemetryflow/bus';
import {
  BatchManifestStore,
  ClickHouseWriter,
  createBatchDecodePool,
  createIngestMetrics,
  JetStreamWriter,
  type BatchDecodePool,
  type JetStreamWriterConfig,
} from '@telemetryflow/ingest';
import { encodeExportRequestObject, type Signal } from '@telemetryflow/otlp';
import { Registry } from 'prom-client';
import { freshDataDir, removeDir } from './helpers.js';
import { TestNatsServer } from './nats-server.js';

/** The test API key of a tenant: every test sends as a tenant of its own. */
export function keyOf(tenant: string): string {
  return `tf_test_key_of_${tenant}`;
}

export const TEST_WRITER_CONFIG: JetStreamWriterConfig = {
  maxBytes: 1024 * 1024,
  maxDelayMs: 1000,
  concurrency: 1,
  poisonAfterDeliveries: 2,
  maxRetryDelayMs: 2000,
};

/**
 * Inserts for real, then its replica dies before acking: its NATS connection is gone at
 * once, right after the first insert that succeeds (with `afterARefusal`, the first that
 * follows one ClickHouse refused: in the middle of splitting a batch).
 */
export class DiesAfterInsert extends ClickHouseWriter {
  died = false;
  private refused = false;
  constructor(
    client: ClickHouseClient,
    private readonly bus: BusConnection,
    private readonly options: { afterARefusal?: boolean } = {},
  ) {
    super(client);
  }

  override async insert(...[table, data, token]: Parameters<ClickHouseWriter['insert']>): Promise<void> {
    try {
      await super.insert(table, data, token);
    } catch (err) {
      this.refused = true;
      throw err;
    }
    if (this.died || (this.options.afterARefusal && !this.refused)) return;
    this.died = true;
    await this.bus.nc.close();
    throw new Error('writer killed after an insert, before its acks');
  }
}

export interface WriterReplica {
  bus: BusConnection;
  writer: JetStreamWriter;
  registry: Registry;
  stop(): Promise<void>;
}

export interface RigOptions {
  settings?: Partial<JetStreamSettings>;
  maxPayload?: number;
}

export class JetStreamRig {
  readonly writers: WriterReplica[] = [];
  private constructor(
    readonly nats: TestNatsServer,
    readonly settings: JetStreamSettings,
    readonly clickhouse: ClickHouseClient,
    private readonly dataDir: string,
    readonly publisherBus: BusConnection,
    readonly otlpUrl: string,
    private readonly closeReceiver: () => Promise<void>,
    private readonly publisher: JetStreamPublisher,
    private readonly pool: BatchDecodePool,
  ) {}

  static async start(options: RigOptions = {}): Promise<JetStreamRig> {
    const nats = await TestNatsServer.start({ maxPayload: options.maxPayload });
    const settings: JetStreamSettings = { ...DEFAULT_JETSTREAM_SETTINGS, ackWaitSeconds: 5, ...options.settings };
    const dataDir = freshDataDir('tf-js-');
    const clickhouse = await createClickHouse({ dataDir });
    await migrate(clickhouse);
    const bus = await connectBus(nats.url, 'test-collector');
    await ensureTopology(bus.jsm, settings);
    const publisher = new JetStreamPublisher(bus, { workers: 1, publishTimeoutMs: 2000, retryAfterSeconds: 1 });
    const receiver = await startOtlpHttpReceiver(
      { host: '127.0.0.1', httpPort: 0, grpcPort: 0, maxRequestBytes: 20 * 1024 * 1024 },
      {
        authenticate: async (token) =>
          token.startsWith('tf_test_key_of_')
            ? { tenantId: token.slice('tf_test_key_of_'.length), scopes: ['ingest'] }
            : null,
        consumer: publisher,
      },
    );
    const pool = createBatchDecodePool(1);
    return new JetStreamRig(
      nats,
      settings,
      clickhouse,
      dataDir,
      bus,
      `http://127.0.0.1:${receiver.port}`,
      () => receiver.close(),
      publisher,
      pool,
    );
  }

  /**
   * A writer replica with its own NATS connection; `writer` replaces the ClickHouse writer
   * (fault injection); `log` receives what the writer logs.
   */
  async startWriter(
    options: {
      config?: Partial<JetStreamWriterConfig>;
      writer?: (bus: BusConnection) => ClickHouseWriter;
      log?: (msg: string) => void;
    } = {},
  ): Promise<WriterReplica> {
    const bus = await connectBus(this.nats.url, `test-writer-${this.writers.length}`);
    const registry = new Registry();
    const chWriter = options.writer?.(bus) ?? new ClickHouseWriter(this.clickhouse, { attempts: 2, backoffMs: 50 });
    const manifests = await BatchManifestStore.open(bus, this.settings.manifestBucket, 1, this.settings.maxAgeSeconds);
    const writer = new JetStreamWriter(
      bus,
      this.settings,
      chWriter,
      this.pool,
      manifests,
      { ...TEST_WRITER_CONFIG, ...options.config },
      createIngestMetrics(registry),
      (msg) => {
        options.log?.(msg);
        if (process.env.TF_TEST_VERBOSE) console.error(msg);
      },
    );
    await writer.start();
    const replica: WriterReplica = {
      bus,
      writer,
      registry,
      stop: async () => {
        await writer.stop();
        await bus.close();
      },
    };
    this.writers.push(replica);
    return replica;
  }

  async close(): Promise<void> {
    await this.closeReceiver();
    await Promise.all(this.writers.map((w) => w.stop().catch(() => undefined)));
    await this.publisher.close();
    await this.publisherBus.close().catch(() => undefined);
    await this.pool.destroy();
    await this.clickhouse.close();
    await this.nats.stop();
    removeDir(this.dataDir);
  }

  /** Rows stored for the test tenant and distinct ids among them, per signal. */
  async stored(signal: Signal, tenant: string): Promise<{ rows: number; distinct: number }> {
    const query = {
      traces: 'SELECT count() AS rows, uniqExact(SpanId) AS distinct FROM spans WHERE TenantId = {tenant:String}',
      logs: 'SELECT count() AS rows, uniqExact(Body) AS distinct FROM logs WHERE TenantId = {tenant:String}',
      metrics:
        'SELECT count() AS rows, uniqExact(Time) AS distinct FROM metrics_gauge WHERE TenantId = {tenant:String}',
    }[signal];
    const rs = await this.clickhouse.query({ query, query_params: { tenant }, format: 'JSONEachRow' });
    const [row] = await rs.json<{ rows: string; distinct: string }>();
    return { rows: Number(row!.rows), distinct: Number(row!.distinct) };
  }
}

// ---------------------------------------------------------------------------------------
// Telemetry with unique ids: item n of a signal is identifiable in ClickHouse.

const BASE_NS = BigInt(Date.now() - 60_000) * 1_000_000n;

function id(n: number, bytes: 8 | 16): Buffer {
  const b = Buffer.alloc(bytes);
  b.writeUInt32BE(n + 1, bytes - 4);
  b.writeUInt32BE(0x7f000000 + bytes, 0);
  return b;
}

/** The trace id (hex) of span n of `request('traces', …)`: each span is a trace of its own. */
export function itemTraceId(n: number): string {
  return id(n, 16).toString('hex');
}

const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'js-test' } }] };

/** One OTLP protobuf request carrying items [first, first + count) of a signal. */
export function request(signal: Signal, first: number, count: number, pad = 0): Buffer {
  const ns = (i: number) => (BASE_NS + BigInt(i) * 1000n).toString();
  const filler = pad > 0 ? [{ key: 'pad', value: { stringValue: 'x'.repeat(pad) } }] : [];
  const items = Array.from({ length: count }, (_, k) => first + k);
  const body =
    signal === 'traces'
      ? {
          resourceSpans: [
            {
              resource,
              scopeSpans: [
                {
                  scope: { name: 'js-test' },
                  spans: items.map((i) => ({
                    traceId: id(i, 16),
                    spanId: id(i, 8),
                    name: `op-${i % 7}`,
                    kind: 2,
                    startTimeUnixNano: ns(i),
                    endTimeUnixNano: ns(i + 1),
                    attributes: filler,
                  })),
                },
              ],
            },
          ],
        }
      : signal === 'logs'
        ? {
            resourceLogs: [
              {
                resource,
                scopeLogs: [
                  {
                    scope: { name: 'js-test' },
                    logRecords: items.map((i) => ({
                      timeUnixNano: ns(i),
                      severityNumber: 9,
                      body: { stringValue: `log-${i}` },
                      attributes: filler,
                    })),
                  },
                ],
              },
            ],
          }
        : {
            resourceMetrics: [
              {
                resource,
                scopeMetrics: [
                  {
                    scope: { name: 'js-test' },
                    metrics: [
                      {
                        name: 'js.test.gauge',
                        gauge: {
                          dataPoints: items.map((i) => ({ timeUnixNano: ns(i), asDouble: i, attributes: filler })),
                        },
                      },
                    ],
                  },
                ],
              },
            ],
          };
  return Buffer.from(encodeExportRequestObject(signal, body));
}

export interface ExportReply {
  status: number;
  retryAfter: string | null;
}

/** One OTLP/HTTP protobuf export as a tenant of the rig (or with `key`, an API key). */
export async function postExport(
  otlpUrl: string,
  tenant: string,
  signal: Signal,
  body: Buffer,
  key = keyOf(tenant),
): Promise<ExportReply> {
  const res = await fetch(`${otlpUrl}/v1/${signal}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${key}` },
    body,
  });
  await res.arrayBuffer();
  return { status: res.status, retryAfter: res.headers.get('retry-after') };
}

/**
 * A well-behaved OTLP client: retries on 503 after Retry-After (capped so tests stay
 * short), as the OTel SDKs do. Returns the refusals it saw on the way (also appended to
 * `refusals` as they come, for a test that waits for one).
 */
export async function exportWithRetry(
  otlpUrl: string,
  tenant: string,
  signal: Signal,
  body: Buffer,
  timeoutMs = 60_000,
  key = keyOf(tenant),
  refusals: ExportReply[] = [],
): Promise<ExportReply[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await postExport(otlpUrl, tenant, signal, body, key).catch(() => ({ status: 0, retryAfter: null }));
    if (reply.status === 200) return refusals;
    if (reply.status !== 503 && reply.status !== 0) throw new Error(`export refused permanently with ${reply.status}`);
    refusals.push(reply);
    if (Date.now() > deadline)
      throw new Error(`export not accepted within ${timeoutMs} ms: ${JSON.stringify(refusals.slice(-3))}`);
    await new Promise((r) => setTimeout(r, Math.min(500, Number(reply.retryAfter ?? 1) * 1000)));
  }
}

/**
 * Waits until the writers have acked everything in the stream and the tenant's rows of a
 * signal reached `expected` (or the time is up), then returns what is stored: a test
 * compares it with what was sent, so duplicates and losses both show.
 */
export async function settledStored(
  rig: JetStreamRig,
  tenant: string,
  signal: Signal,
  expected: number,
  timeoutMs = 60_000,
): Promise<{ rows: number; distinct: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await rig.stored(signal, tenant);
    const pending = await pendingMessages(rig, signal).catch(() => 1);
    if ((s.rows >= expected && pending === 0) || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Messages not yet acked by the writers of a signal. */
export async function pendingMessages(rig: JetStreamRig, signal: Signal): Promise<number> {
  const info = await writerConsumerInfo(rig, signal);
  return info.num_pending + info.num_ack_pending;
}

/** The state of the writers' consumer of a signal (pending, ack pending, redelivered). */
export function writerConsumerInfo(rig: JetStreamRig, signal: Signal): Promise<ConsumerInfo> {
  return rig.publisherBus.jsm.consumers.info(rig.settings.stream, `tf-writer-${signal}`);
}
