// The ingest rate quota as clients see it: OTLP/HTTP 429 with Retry-After and a
// google.rpc.Status carrying RetryInfo, OTLP/gRPC RESOURCE_EXHAUSTED with RetryInfo, remote
// write 429; nothing refused reaches the consumer, and the tenant recovers after the delay.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { status as GrpcCode, type Client } from '@grpc/grpc-js';
import { encodeWriteRequest, otlpRoot, type Authenticate } from '@telemetryflow/otlp';
import { compressSync } from 'snappy';
import { IngestRateLimiter, startOtlpGrpcReceiver, startOtlpHttpReceiver, type RunningReceiver } from '../src/index.js';
import { RecordingConsumer, authenticate as fixtureAuthenticate, sampleJson, sampleProtobuf } from './fixtures.js';
import { call, makeClient, retryDelaySeconds } from './grpc-client.js';

const QUOTA_KEY = 'tf_quota_key';
const RATE = 10; // items per second per signal

const authenticate: Authenticate = async (token) =>
  token === QUOTA_KEY
    ? {
        tenantId: 'tenant-q',
        scopes: ['ingest'],
        ingestQuota: { itemsPerSecond: { traces: RATE, metrics: RATE, logs: RATE } },
      }
    : fixtureAuthenticate(token);

describe('ingest rate quota', () => {
  const consumer = new RecordingConsumer();
  let clock = 1_000_000;
  let http: RunningReceiver;
  let grpc: RunningReceiver;
  let base: string;
  let client: Client;

  before(async () => {
    const cfg = { host: '127.0.0.1', httpPort: 0, grpcPort: 0, maxRequestBytes: 1024 * 1024 };
    // One limiter for both receivers, as the server wires it; its clock is the test's.
    const rateLimiter = new IngestRateLimiter({ now: () => clock });
    http = await startOtlpHttpReceiver(cfg, { authenticate, consumer, rateLimiter });
    grpc = await startOtlpGrpcReceiver(cfg, { authenticate, consumer, rateLimiter });
    base = `http://127.0.0.1:${http.port}`;
    client = makeClient(grpc.port);
  });
  after(async () => {
    client.close();
    await Promise.all([http.close(), grpc.close()]);
  });
  beforeEach(() => {
    consumer.reset();
    clock += 3_600_000; // every bucket full again
  });

  const post = (signal: string, body: Buffer, type = 'application/x-protobuf', key = QUOTA_KEY) =>
    fetch(`${base}/v1/${signal}`, {
      method: 'POST',
      body,
      headers: { 'content-type': type, authorization: `Bearer ${key}` },
    });

  it('OTLP/HTTP protobuf: 429, Retry-After and RetryInfo once over the rate; accepted again after the delay', async () => {
    // 15 spans fit into a full bucket of 10 (one request may overdraw it) ...
    const first = await post('traces', sampleProtobuf('traces', 15));
    assert.equal(first.status, 200);
    // ... and then the tenant owes 5 spans: half a second at 10/s, rounded up to 1 s.
    const refused = await post('traces', sampleProtobuf('traces', 1));
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal(refused.headers.get('content-type'), 'application/x-protobuf');
    const statusType = otlpRoot.lookupType('google.rpc.Status');
    const body = statusType.toObject(statusType.decode(Buffer.from(await refused.arrayBuffer()))) as {
      code: number;
      message: string;
      details: { typeUrl: string; value: Uint8Array }[];
    };
    assert.equal(body.code, GrpcCode.RESOURCE_EXHAUSTED);
    assert.match(body.message, /traces ingest rate quota \(10 items\/s\)/);
    assert.equal(body.details[0]!.typeUrl, 'type.googleapis.com/google.rpc.RetryInfo');
    // RetryInfo{retry_delay: Duration{seconds: 1}}
    assert.deepEqual([...body.details[0]!.value], [0x0a, 0x02, 0x08, 0x01]);
    assert.equal(consumer.received.length, 1, 'the refused request never reached the consumer');

    // Other signals have their own bucket; other tenants are not limited.
    assert.equal((await post('logs', sampleProtobuf('logs', 3))).status, 200);
    assert.equal((await post('traces', sampleProtobuf('traces', 50), undefined, 'tf_ingest_key')).status, 200);

    clock += 1_000; // the Retry-After
    const again = await post('traces', sampleProtobuf('traces', 1));
    assert.equal(again.status, 200);
  });

  it('OTLP/HTTP JSON: the 429 body is google.rpc.Status JSON with RetryInfo', async () => {
    assert.equal((await post('metrics', sampleJson('metrics', 30), 'application/json')).status, 200);
    const refused = await post('metrics', sampleJson('metrics', 1), 'application/json');
    assert.equal(refused.status, 429);
    // 20 data points owed at 10/s: 2 s.
    assert.equal(refused.headers.get('retry-after'), '2');
    assert.deepEqual((await refused.json()) as unknown, {
      code: GrpcCode.RESOURCE_EXHAUSTED,
      message: "this tenant's metrics ingest rate quota (10 items/s) is exhausted; retry in 2 s",
      details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '2s' }],
    });
    clock += 1_000;
    assert.equal((await post('metrics', sampleJson('metrics', 1), 'application/json')).status, 429);
    clock += 1_000;
    assert.equal((await post('metrics', sampleJson('metrics', 1), 'application/json')).status, 200);
  });

  it('OTLP/gRPC: RESOURCE_EXHAUSTED with RetryInfo; the quota is shared with OTLP/HTTP', async () => {
    assert.equal((await post('logs', sampleProtobuf('logs', 12))).status, 200);
    const refused = await call(client, 'logs', sampleProtobuf('logs', 1), QUOTA_KEY);
    assert.equal(refused.error?.code, GrpcCode.RESOURCE_EXHAUSTED);
    assert.match(refused.error.details, /logs ingest rate quota/);
    assert.equal(retryDelaySeconds(refused.error), 1);
    assert.equal(consumer.received.length, 1);
    clock += 1_000;
    const again = await call(client, 'logs', sampleProtobuf('logs', 1), QUOTA_KEY);
    assert.equal(again.error, undefined);
    assert.equal(consumer.received.length, 2);
  });

  it('Prometheus remote write: 429 with Retry-After over the metrics quota', async () => {
    const write = (series: number) =>
      fetch(`${base}/api/v1/push`, {
        method: 'POST',
        body: compressSync(
          Buffer.from(
            encodeWriteRequest({
              timeseries: Array.from({ length: series }, (_, i) => ({
                labels: [
                  { name: '__name__', value: 'up' },
                  { name: 'instance', value: `host-${i}` },
                ],
                samples: [{ value: 1, timestamp: 1_732_540_800_123 }],
              })),
            }),
          ),
        ),
        headers: {
          'content-type': 'application/x-protobuf',
          'content-encoding': 'snappy',
          authorization: `Bearer ${QUOTA_KEY}`,
        },
      });
    assert.equal((await write(25)).status, 204);
    const refused = await write(1);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '2');
    assert.match(await refused.text(), /metrics ingest rate quota/);
    clock += 2_000;
    assert.equal((await write(1)).status, 204);
  });
});

describe('IngestRateLimiter', () => {
  it('gives each of N replicas rate / N', () => {
    let now = 0;
    const limiter = new IngestRateLimiter({ now: () => now, replicas: () => 4 });
    limiter.check('t', 'traces', 100);
    limiter.charge('t', 'traces', 100, 25); // the share is 25/s: the bucket is empty now
    limiter.check('t', 'traces', 100);
    limiter.charge('t', 'traces', 100, 1);
    assert.throws(() => limiter.check('t', 'traces', 100), { kind: 'over-quota', retryAfterSeconds: 1 });
    now += 40; // 1 item at 25/s
    limiter.check('t', 'traces', 100);
  });

  it('keeps a bounded number of buckets', () => {
    const limiter = new IngestRateLimiter({ now: () => 0, maxBuckets: 2 });
    for (const t of ['a', 'b', 'c']) limiter.charge(t, 'logs', 1, 5);
    // a's bucket was dropped (it starts full again); c's is still in debt
    limiter.check('a', 'logs', 1);
    assert.throws(() => limiter.check('c', 'logs', 1), { kind: 'over-quota' });
  });
});
