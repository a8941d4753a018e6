// Through JetStream the collector answers before the writers insert, so its partial_success
// must say exactly what the writers will store: the same checks on both sides, and the
// retention cutoff the collector used travels with the message (writers and redeliveries
// apply it, not their own clock).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { connectBus, DEFAULT_JETSTREAM_SETTINGS, writerConsumerName, type BusConnection } from '@telemetryflow/bus';
import { BUS_HEADERS } from '@telemetryflow/otlp';
import { API_KEY, eventually, freshDataDir, getTrace, removeDir, startServer, type Started } from './helpers.js';
import { natsServerMissing, TestNatsServer } from './nats-server.js';
import { grpcClient, grpcExport, postOtlp, spanId, traceId, tracesProtobuf } from './otlp-clients.js';

const skip = natsServerMissing();
const dataDir = freshDataDir();
let nats: TestNatsServer | undefined;
let server: Started | undefined;
let bus: BusConnection | undefined;
const DAY_NS = 86_400n * 1_000_000_000n;

before(async () => {
  if (skip) return;
  nats = await TestNatsServer.start();
  server = await startServer(dataDir, { NATS_URL: nats.url, TF_NATS_ACK_WAIT_SECONDS: '5' });
  bus = await connectBus(nats.url, 'test-publisher');
});

after(async () => {
  await bus?.close();
  await server?.running.close();
  await nats?.stop();
  removeDir(dataDir);
});

async function storedSpans(service: string): Promise<string[]> {
  const rs = await server!.running.clickhouse.query({
    query: 'SELECT Name FROM spans WHERE TenantId = {tenant:String} AND ServiceName = {service:String} ORDER BY Name',
    query_params: { tenant: 'default', service },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ Name: string }>()).map((r) => r.Name);
}

test(
  'partial success through JetStream is exact: what the collector refused is never stored, what it accepted is',
  { skip },
  async () => {
    const now = BigInt(Date.now() - 60_000) * 1_000_000n;
    const old = now - 20n * DAY_NS;
    const at = (ns: bigint) => ns.toString();
    const kept = traceId();
    // Protobuf (checked off the wire by the collector) and gRPC, then JSON (decoded and re-encoded).
    const spans = [
      { traceId: kept, spanId: spanId(), name: 'a kept', start: now, end: now + 1n },
      { traceId: traceId(), spanId: spanId(), name: 'b inverted', start: now, end: now - 1n },
      { traceId: traceId(), spanId: spanId(), name: 'c too old', start: old, end: old },
      { traceId: traceId(), spanId: spanId(), name: 'd too late', start: 2n ** 63n - 2n, end: 2n ** 63n - 1n },
    ];
    const proto = await postOtlp(
      server!.running.otlpHttpUrl,
      'traces',
      tracesProtobuf('js-proto', spans),
      'protobuf',
      API_KEY,
    );
    assert.equal(proto.partial?.rejected, 3);
    const client = grpcClient(server!.running.otlpGrpcAddress);
    const grpc = await grpcExport(client, 'traces', tracesProtobuf('js-grpc', spans), API_KEY);
    client.close();
    assert.equal(grpc.partial?.rejected, 3);
    const json = await postOtlp(
      server!.running.otlpHttpUrl,
      'traces',
      JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'js-json' } }] },
            scopeSpans: [
              {
                spans: [
                  ...spans.map((s) => ({
                    traceId: s.traceId,
                    spanId: s.spanId,
                    name: s.name,
                    startTimeUnixNano: at(s.start),
                    endTimeUnixNano: at(s.end),
                  })),
                  {
                    traceId: traceId(),
                    spanId: spanId(),
                    name: 'e odd time',
                    startTimeUnixNano: '1.5',
                    endTimeUnixNano: at(now),
                  },
                  {
                    traceId: 'f0',
                    spanId: spanId(),
                    name: 'f short id',
                    startTimeUnixNano: at(now),
                    endTimeUnixNano: at(now),
                  },
                ],
              },
            ],
          },
        ],
      }),
      'json',
      API_KEY,
    );
    assert.equal(json.partial?.rejected, 5, json.partial?.errorMessage);
    for (const service of ['js-proto', 'js-grpc', 'js-json']) {
      await eventually(
        `the kept span of ${service}`,
        async () => ((await storedSpans(service)).length > 0 ? true : undefined),
        30_000,
      );
    }
    // Once the writers acked everything: exactly the accepted spans, nothing the client was told was refused.
    await eventually(
      'nothing left for the writers',
      async () => {
        const info = await bus!.jsm.consumers.info(DEFAULT_JETSTREAM_SETTINGS.stream, writerConsumerName('traces'));
        return info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
      },
      30_000,
    );
    for (const service of ['js-proto', 'js-grpc', 'js-json'])
      assert.deepEqual(await storedSpans(service), ['a kept'], service);
    assert.equal((await getTrace(server!.running.apiUrl, API_KEY, kept)).status, 200);
  },
);

test('writers refuse by the cutoff the message carries, not by their own clock', { skip }, async () => {
  // Well within the tenant's retention, so only the header can refuse the first span.
  const cutoff = BigInt(Date.now() - 3_600_000) * 1_000_000n;
  const spans = (service: string) =>
    tracesProtobuf(service, [
      { traceId: traceId(), spanId: spanId(), name: 'before the cutoff', start: cutoff - 1n, end: cutoff },
      { traceId: traceId(), spanId: spanId(), name: 'at the cutoff', start: cutoff, end: cutoff + 1n },
    ]);
  const publish = async (service: string, withCutoff: boolean) => {
    const h = natsHeaders();
    h.set(BUS_HEADERS.tenant, 'default');
    h.set(BUS_HEADERS.receivedAtNs, String(BigInt(Date.now()) * 1_000_000n));
    if (withCutoff) h.set(BUS_HEADERS.notBeforeNs, cutoff.toString());
    await bus!.js.publish('tf.traces.default', spans(service), { headers: h });
  };
  await publish('cutoff-header', true);
  await publish('no-cutoff-header', false);
  await eventually(
    'both messages written',
    async () =>
      (await storedSpans('no-cutoff-header')).length === 2 && (await storedSpans('cutoff-header')).length > 0
        ? true
        : undefined,
    30_000,
  );
  assert.deepEqual(await storedSpans('cutoff-header'), ['at the cutoff']);
  assert.deepEqual(await storedSpans('no-cutoff-header'), ['at the cutoff', 'before the cutoff']);
});
