// Prometheus remote write 1.0 on the OTLP/HTTP listener: framing, authentication, the answers
// the remote-write specification asks for, and the same limits as OTLP.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { encodeWriteRequest, PROMETHEUS_SCOPE } from '@telemetryflow/otlp';
import { compressSync } from 'snappy';
import {
  bearerOrBasicToken,
  InflightBytes,
  REQUEST_OVERHEAD_BYTES,
  startOtlpHttpReceiver,
  uncompressSnappy,
  type RunningReceiver,
} from '../src/index.js';
import { BROKEN_AUTH_KEY, INGEST_KEY, READ_ONLY_KEY, RecordingConsumer, authenticate } from './fixtures.js';

const MAX_BYTES = 64 * 1024;
const RW_HEADERS = {
  'content-type': 'application/x-protobuf',
  'content-encoding': 'snappy',
  'x-prometheus-remote-write-version': '0.1.0',
};

function writeRequest(series = 2): Uint8Array {
  return encodeWriteRequest({
    timeseries: Array.from({ length: series }, (_, i) => ({
      labels: [
        { name: '__name__', value: 'up' },
        { name: 'instance', value: `host-${i}:9100` },
        { name: 'job', value: 'node' },
      ],
      samples: [{ value: 1, timestamp: 1_732_540_800_123 }],
    })),
  });
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

describe('Prometheus remote write receiver', () => {
  const consumer = new RecordingConsumer();
  let receiver: RunningReceiver;
  let base: string;

  before(async () => {
    receiver = await startOtlpHttpReceiver(
      { host: '127.0.0.1', httpPort: 0, grpcPort: 0, maxRequestBytes: MAX_BYTES },
      { authenticate, consumer },
    );
    base = `http://127.0.0.1:${receiver.port}`;
  });
  after(() => receiver.close());
  beforeEach(() => consumer.reset());

  async function push(
    body: Uint8Array | string,
    headers: Record<string, string> = {},
    path = '/api/v1/push',
  ): Promise<Reply> {
    const res = await fetch(base + path, {
      method: 'POST',
      body,
      headers: { ...RW_HEADERS, authorization: `Bearer ${INGEST_KEY}`, ...headers },
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  for (const path of ['/api/v1/push', '/api/v1/write']) {
    it(`${path}: 204 with no body; the consumer gets the decompressed WriteRequest as remote-write metrics`, async () => {
      const body = writeRequest(3);
      const res = await push(compressSync(body), {}, path);
      assert.equal(res.status, 204, res.text);
      assert.equal(res.text, '');
      assert.equal(consumer.received.length, 1);
      const got = consumer.received[0]!;
      assert.equal(got.export.signal, 'metrics');
      assert.equal(got.export.encoding, 'remote-write');
      assert.equal(got.export.tenantId, 'tenant-a');
      assert.deepEqual(Buffer.from(got.export.payload), Buffer.from(body));
      assert.equal(got.items, 3);
      const scope = (got.request as { resourceMetrics: { scopeMetrics: { scope: { name: string } }[] }[] })
        .resourceMetrics[0]!.scopeMetrics[0]!.scope;
      assert.equal(scope.name, PROMETHEUS_SCOPE);
    });
  }

  it('takes the key as a Bearer token or as the Basic password (any user name)', async () => {
    const body = compressSync(writeRequest());
    assert.equal((await push(body, { authorization: basic('prometheus', INGEST_KEY) })).status, 204);
    assert.equal((await push(body, { authorization: basic('', INGEST_KEY) })).status, 204);
    assert.equal((await push(body, { authorization: `bearer ${INGEST_KEY}` })).status, 204);
    assert.equal(consumer.received.length, 3);
  });

  it('401 without credentials, with an unknown key, with the key as Basic user name; 403 without the ingest scope', async () => {
    const body = compressSync(writeRequest());
    for (const authorization of ['', 'Bearer nope', basic(INGEST_KEY, ''), basic('prometheus', 'nope'), 'Basic !!!']) {
      const res = await push(body, { authorization });
      assert.equal(res.status, 401, `${authorization}: ${res.text}`);
      assert.match(res.headers.get('www-authenticate') ?? '', /Basic/);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    }
    assert.equal((await push(body, { authorization: `Bearer ${READ_ONLY_KEY}` })).status, 403);
    assert.equal(consumer.calls, 0);
  });

  it('400 for a body that is not snappy, or snappy of something that is not a WriteRequest', async () => {
    const notSnappy = await push(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    assert.equal(notSnappy.status, 400);
    assert.match(notSnappy.text, /not snappy-compressed/);
    const notProtobuf = await push(compressSync(Buffer.from('no protobuf message, really')));
    assert.equal(notProtobuf.status, 400);
    assert.match(notProtobuf.text, /invalid protobuf prometheus\.WriteRequest/);
    assert.equal(notProtobuf.headers.get('retry-after'), null);
  });

  it('400 naming the samples that cannot be stored, after storing the others', async () => {
    consumer.behaviour = { kind: 'reject', rejected: 1, errorMessage: 'time_unix_nano is older than retention' };
    const res = await push(compressSync(writeRequest(2)));
    assert.equal(res.status, 400);
    assert.match(res.text, /1 sample\(s\) not stored: time_unix_nano is older than retention/);
    assert.equal(consumer.received.length, 1);
  });

  it('415 for another Content-Type (remote write 2.0 included) or Content-Encoding; absent headers mean 1.0', async () => {
    const body = compressSync(writeRequest());
    const v2 = await push(body, { 'content-type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request' });
    assert.equal(v2.status, 415);
    assert.equal((await push(body, { 'content-type': 'application/json' })).status, 415);
    assert.equal((await push(body, { 'content-encoding': 'gzip' })).status, 415);
    const v1 = await push(body, { 'content-type': 'application/x-protobuf;proto=prometheus.WriteRequest' });
    assert.equal(v1.status, 204, v1.text);
    const res = await fetch(`${base}/api/v1/write`, {
      method: 'POST',
      body,
      headers: { authorization: `Bearer ${INGEST_KEY}` },
    });
    assert.equal(res.status, 204);
  });

  it('413 for a compressed body over the limit, or one that declares more than the limit uncompressed', async () => {
    const big = Buffer.alloc(MAX_BYTES + 1, 7);
    assert.equal((await push(big)).status, 413);
    // Snappy of zeros is tiny; its preamble declares the uncompressed size.
    const bomb = compressSync(Buffer.alloc(MAX_BYTES + 1));
    assert.ok(bomb.length < MAX_BYTES);
    const res = await push(bomb);
    assert.equal(res.status, 413);
    assert.equal(consumer.calls, 0);
  });

  it('503 with Retry-After when the consumer fails transiently (Prometheus retries 5xx)', async () => {
    consumer.behaviour = { kind: 'transient', retryAfterSeconds: 7 };
    const res = await push(compressSync(writeRequest()));
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '7');
    const authDown = await push(compressSync(writeRequest()), { authorization: `Bearer ${BROKEN_AUTH_KEY}` });
    assert.equal(authDown.status, 503);
  });

  it('405 with Allow: POST for another method', async () => {
    const res = await fetch(`${base}/api/v1/push`);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
  });

  it('bearerOrBasicToken: the Bearer token, or the Basic password whatever the user name', () => {
    assert.equal(bearerOrBasicToken('Bearer k1'), 'k1');
    assert.equal(bearerOrBasicToken(basic('prometheus', 'k2')), 'k2');
    assert.equal(bearerOrBasicToken(basic('', 'k:3')), 'k:3');
    assert.equal(bearerOrBasicToken(`basic ${Buffer.from('no-colon').toString('base64')}`), null);
    assert.equal(bearerOrBasicToken(basic('user', '')), null);
    assert.equal(bearerOrBasicToken('Digest x'), null);
    assert.equal(bearerOrBasicToken(undefined), null);
  });

  it('uncompressSnappy refuses a truncated or corrupt block as malformed', async () => {
    const good = compressSync(Buffer.from('hello hello hello hello'));
    assert.equal(Buffer.from(await uncompressSnappy(good, 1024)).toString(), 'hello hello hello hello');
    const truncated = good.subarray(0, good.length - 3);
    await assert.rejects(uncompressSnappy(truncated, 1024), { name: 'ExportError', kind: 'malformed' });
    const corrupt = Buffer.from(good);
    corrupt[corrupt.length - 1] = 0xff;
    corrupt[2] = 0xff;
    await assert.rejects(uncompressSnappy(corrupt, 1024), { name: 'ExportError', kind: 'malformed' });
  });
});

describe('Prometheus remote write under load', () => {
  it('503 with Retry-After beyond the bytes in flight (OTLP says 429: remote-write senders may drop a 429)', async () => {
    const consumer = new RecordingConsumer();
    let release!: () => void;
    consumer.behaviour = { kind: 'hold', release: new Promise<void>((resolve) => (release = resolve)) };
    const raw = writeRequest(400);
    const body = compressSync(raw);
    // A request holds its overhead, its compressed and its uncompressed bytes: one fits, two do not.
    const cost = REQUEST_OVERHEAD_BYTES + body.length + raw.length;
    const limit = Math.ceil(cost * 1.5);
    const admission = new InflightBytes({ maxBytes: limit, maxTenantBytes: limit });
    const receiver = await startOtlpHttpReceiver(
      { host: '127.0.0.1', httpPort: 0, grpcPort: 0, maxRequestBytes: 1024 * 1024 },
      { authenticate, consumer, admission },
    );
    try {
      const url = `http://127.0.0.1:${receiver.port}/api/v1/push`;
      const post = () =>
        fetch(url, {
          method: 'POST',
          body,
          headers: { ...RW_HEADERS, authorization: `Bearer ${INGEST_KEY}` },
        });
      const held = post();
      // The first request holds its bytes until the consumer lets go.
      for (let i = 0; i < 100 && consumer.calls === 0; i++) await new Promise((r) => setTimeout(r, 10));
      const throttled = await post();
      assert.equal(throttled.status, 503, await throttled.text());
      assert.equal(throttled.headers.get('retry-after'), '1');
      release();
      assert.equal((await held).status, 204);
    } finally {
      release();
      await receiver.close();
    }
  });
});
