import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import zlib from 'node:zlib';
import {
  SIGNALS,
  decodeExportResponse,
  encodeExportRequestObject,
  decodeStatus,
  type OtlpEncoding,
  type Signal,
} from '@telemetryflow/otlp';
import { startOtlpHttpReceiver, type RunningReceiver } from '../src/index.js';
import {
  BROKEN_AUTH_KEY,
  INGEST_KEY,
  MALFORMED_PROTOBUF,
  READ_ONLY_KEY,
  RecordingConsumer,
  authenticate,
  gzipBomb,
  peakArrayBufferGrowth,
  sampleJson,
  sampleProtobuf,
  waitFor,
} from './fixtures.js';

const MAX_BYTES = 4 * 1024 * 1024;
const CONTENT_TYPE: Record<OtlpEncoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

interface Reply {
  status: number;
  headers: Headers;
  body: Buffer;
}

describe('OTLP/HTTP receiver', () => {
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

  async function post(path: string, body: Uint8Array | string, headers: Record<string, string>): Promise<Reply> {
    const res = await fetch(base + path, { method: 'POST', body, headers });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  }

  function exportTo(
    signal: Signal,
    body: Uint8Array | string,
    encoding: OtlpEncoding,
    extra: Record<string, string> = {},
  ): Promise<Reply> {
    return post(`/v1/${signal}`, body, {
      'content-type': CONTENT_TYPE[encoding],
      authorization: `Bearer ${INGEST_KEY}`,
      ...extra,
    });
  }

  function assertStatusBody(reply: Reply, encoding: OtlpEncoding, grpcCode: number, messagePart: RegExp): void {
    assert.equal(reply.headers.get('content-type'), CONTENT_TYPE[encoding]);
    const status = decodeStatus(reply.body, encoding);
    assert.equal(status.code, grpcCode);
    assert.match(status.message, messagePart);
  }

  /** After every bad request the receiver must still serve a good one. */
  async function assertStillServing(): Promise<void> {
    const reply = await exportTo('traces', sampleProtobuf('traces', 1), 'protobuf');
    assert.equal(reply.status, 200);
  }

  for (const signal of SIGNALS) {
    it(`accepts protobuf ${signal} and answers an empty Export${signal}ServiceResponse in protobuf`, async () => {
      const payload = sampleProtobuf(signal, 3);
      const reply = await exportTo(signal, payload, 'protobuf');
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.get('content-type'), 'application/x-protobuf');
      assert.equal(decodeExportResponse(signal, reply.body, 'protobuf'), null, 'partial_success must be unset');
      assert.equal(consumer.received.length, 1);
      const got = consumer.received[0]!;
      assert.equal(got.export.tenantId, 'tenant-a');
      assert.equal(got.export.signal, signal);
      assert.equal(got.export.encoding, 'protobuf');
      assert.deepEqual(Buffer.from(got.export.payload), payload);
      assert.equal(got.items, 3);
      const ageMs = Date.now() - Number(got.export.receivedAtNs / 1_000_000n);
      assert.ok(ageMs >= 0 && ageMs < 5_000, `receivedAtNs is wall-clock now (age ${ageMs} ms)`);
    });

    it(`accepts OTLP/JSON ${signal} with a charset parameter and answers in JSON`, async () => {
      const reply = await exportTo(signal, sampleJson(signal, 2), 'json', {
        'content-type': 'application/json; charset=utf-8',
      });
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.get('content-type'), 'application/json');
      assert.deepEqual(JSON.parse(reply.body.toString('utf8')), {});
      assert.equal(consumer.received[0]?.export.encoding, 'json');
      assert.equal(consumer.received[0]?.items, 2);
    });
  }

  it('decodes JSON trace ids from hex (consumer sees the same bytes as protobuf)', async () => {
    await exportTo('traces', sampleJson('traces', 1), 'json');
    const span = (
      consumer.received[0]?.request as { resourceSpans: { scopeSpans: { spans: { traceId: Uint8Array }[] }[] }[] }
    ).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    assert.equal(Buffer.from(span.traceId).toString('hex'), '5b8efff798038103d269b633813fc60c');
  });

  for (const encoding of ['protobuf', 'json'] as const) {
    it(`encodes partial success in ${encoding}`, async () => {
      consumer.behaviour = { kind: 'reject', rejected: 1, errorMessage: 'span 1 has an empty trace id' };
      const body = encoding === 'json' ? sampleJson('traces', 2) : sampleProtobuf('traces', 2);
      const reply = await exportTo('traces', body, encoding);
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.get('content-type'), CONTENT_TYPE[encoding]);
      assert.deepEqual(decodeExportResponse('traces', reply.body, encoding), {
        rejected: 1,
        errorMessage: 'span 1 has an empty trace id',
      });
      if (encoding === 'json') {
        // OTLP/JSON: lowerCamelCase keys, int64 as a decimal string.
        assert.deepEqual(JSON.parse(reply.body.toString('utf8')), {
          partialSuccess: { rejectedSpans: '1', errorMessage: 'span 1 has an empty trace id' },
        });
      }
    });
  }

  it('partial success for logs and metrics uses their own rejected_* field', async () => {
    consumer.behaviour = { kind: 'reject', rejected: 2, errorMessage: 'too old' };
    const logs = await exportTo('logs', sampleJson('logs'), 'json');
    assert.equal(JSON.parse(logs.body.toString('utf8')).partialSuccess.rejectedLogRecords, '2');
    const metrics = await exportTo('metrics', sampleProtobuf('metrics'), 'protobuf');
    assert.deepEqual(decodeExportResponse('metrics', metrics.body, 'protobuf'), {
      rejected: 2,
      errorMessage: 'too old',
    });
  });

  it('400 with a protobuf google.rpc.Status for a malformed protobuf body', async () => {
    const reply = await exportTo('traces', MALFORMED_PROTOBUF, 'protobuf');
    assert.equal(reply.status, 400);
    assertStatusBody(reply, 'protobuf', 3, /invalid protobuf/i);
    await assertStillServing();
  });

  it('400 with a JSON google.rpc.Status for malformed JSON', async () => {
    const reply = await exportTo('logs', '{"resourceLogs": [', 'json');
    assert.equal(reply.status, 400);
    assertStatusBody(reply, 'json', 3, /invalid OTLP\/JSON/i);
    const notAnObject = await exportTo('logs', '[1,2]', 'json');
    assert.equal(notAnObject.status, 400);
    assertStatusBody(notAnObject, 'json', 3, /JSON object/);
    await assertStillServing();
  });

  for (const encoding of ['protobuf', 'json'] as const) {
    it(`empty ${encoding} body → 200 and the consumer gets an empty request`, async () => {
      const reply = await exportTo('metrics', Buffer.alloc(0), encoding);
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.get('content-type'), CONTENT_TYPE[encoding]);
      assert.equal(decodeExportResponse('metrics', reply.body, encoding), null);
      assert.equal(consumer.received.length, 1);
      assert.equal(consumer.received[0]?.items, 0);
    });
  }

  it('401 without an Authorization header, with an unknown key, or with a non-Bearer scheme', async () => {
    const body = sampleProtobuf('traces');
    const missing = await post('/v1/traces', body, { 'content-type': 'application/x-protobuf' });
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
    assertStatusBody(missing, 'protobuf', 16, /Authorization/);
    const unknown = await exportTo('traces', body, 'protobuf', { authorization: 'Bearer nope' });
    assert.equal(unknown.status, 401);
    assertStatusBody(unknown, 'protobuf', 16, /unknown/);
    const basic = await exportTo('logs', sampleJson('logs'), 'json', { authorization: `Basic ${INGEST_KEY}` });
    assert.equal(basic.status, 401);
    assertStatusBody(basic, 'json', 16, /Bearer/);
    assert.equal(consumer.received.length, 0);
    await assertStillServing();
  });

  it('401 before reading a large body, on a keep-alive connection that stays usable', async () => {
    const reply = await exportTo('traces', Buffer.alloc(3 * 1024 * 1024, 1), 'protobuf', {
      authorization: 'Bearer nope',
    });
    assert.equal(reply.status, 401);
    await assertStillServing();
  });

  it('survives a client that disconnects in the middle of the body', async () => {
    const socket = net.connect(receiver.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.write(
      'POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n' +
        `Authorization: Bearer ${INGEST_KEY}\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n`,
    );
    // The server has read the headers and waits for the body (instead of a 50 ms pause).
    await waitFor(() => answer.startsWith('HTTP/1.1 100 Continue'));
    await new Promise<void>((resolve) => socket.write('partial', () => resolve()));
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(consumer.calls, 0);
    await assertStillServing();
  });

  it('accepts the Bearer scheme case-insensitively', async () => {
    const reply = await exportTo('traces', sampleProtobuf('traces'), 'protobuf', {
      authorization: `bearer ${INGEST_KEY}`,
    });
    assert.equal(reply.status, 200);
  });

  it('403 for a key without the ingest scope', async () => {
    const reply = await exportTo('logs', sampleJson('logs'), 'json', { authorization: `Bearer ${READ_ONLY_KEY}` });
    assert.equal(reply.status, 403);
    assertStatusBody(reply, 'json', 7, /ingest scope/);
    assert.equal(consumer.received.length, 0);
  });

  it('415 with a JSON google.rpc.Status for an unsupported or missing Content-Type', async () => {
    for (const contentType of ['text/plain', 'application/protobuf', 'application/grpc']) {
      const reply = await post('/v1/traces', sampleProtobuf('traces'), {
        'content-type': contentType,
        authorization: `Bearer ${INGEST_KEY}`,
      });
      assert.equal(reply.status, 415, contentType);
      assertStatusBody(reply, 'json', 3, /Content-Type/);
    }
    const res = await fetch(`${base}/v1/traces`, {
      method: 'POST',
      body: sampleProtobuf('traces'),
      headers: { authorization: `Bearer ${INGEST_KEY}` },
    });
    // fetch labels a Uint8Array body with no content type at all
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(res.status, 415);
    await res.arrayBuffer();
    assert.equal(consumer.received.length, 0);
    await assertStillServing();
  });

  it('415 for an unsupported Content-Encoding, with a Status in the request encoding', async () => {
    const reply = await exportTo('traces', sampleProtobuf('traces'), 'protobuf', { 'content-encoding': 'zstd' });
    assert.equal(reply.status, 415);
    assertStatusBody(reply, 'protobuf', 3, /Content-Encoding/);
    const stacked = await exportTo('traces', zlib.gzipSync(zlib.gzipSync(sampleProtobuf('traces'))), 'protobuf', {
      'content-encoding': 'gzip, gzip',
    });
    assert.equal(stacked.status, 415);
    await assertStillServing();
  });

  it('accepts gzip, x-gzip, deflate and br request bodies', async () => {
    const payload = sampleProtobuf('traces', 4);
    const cases: [string, Buffer][] = [
      ['gzip', zlib.gzipSync(payload)],
      ['x-gzip', zlib.gzipSync(payload)],
      ['deflate', zlib.deflateSync(payload)],
      ['br', zlib.brotliCompressSync(payload)],
      ['identity', payload],
    ];
    for (const [coding, body] of cases) {
      const reply = await exportTo('traces', body, 'protobuf', { 'content-encoding': coding });
      assert.equal(reply.status, 200, coding);
    }
    assert.equal(consumer.received.length, cases.length);
    for (const got of consumer.received) assert.deepEqual(Buffer.from(got.export.payload), payload);
  });

  it('accepts gzip-compressed JSON', async () => {
    const reply = await exportTo('logs', zlib.gzipSync(sampleJson('logs', 5)), 'json', { 'content-encoding': 'gzip' });
    assert.equal(reply.status, 200);
    assert.equal(consumer.received[0]?.items, 5);
  });

  it('400 for a corrupt or truncated gzip body', async () => {
    const corrupt = await exportTo('traces', Buffer.from('definitely not gzip'), 'protobuf', {
      'content-encoding': 'gzip',
    });
    assert.equal(corrupt.status, 400);
    assertStatusBody(corrupt, 'protobuf', 3, /corrupt gzip/);
    const truncated = await exportTo('logs', zlib.gzipSync(sampleJson('logs')).subarray(0, 20), 'json', {
      'content-encoding': 'gzip',
    });
    assert.equal(truncated.status, 400);
    assertStatusBody(truncated, 'json', 3, /corrupt gzip/);
    await assertStillServing();
  });

  it('accepts a body of exactly maxRequestBytes and refuses one byte more with 413', async () => {
    const exactBody = logsOfExactSize(MAX_BYTES);
    const exact = await exportTo('logs', exactBody, 'protobuf');
    assert.equal(exact.status, 200);
    assert.equal(consumer.received[0]?.export.payload.length, MAX_BYTES);
    const exactGzip = await exportTo('logs', zlib.gzipSync(exactBody), 'protobuf', { 'content-encoding': 'gzip' });
    assert.equal(exactGzip.status, 200, 'the limit applies to the inflated size, inclusive');
    const over = await exportTo('traces', Buffer.alloc(MAX_BYTES + 1), 'protobuf');
    assert.equal(over.status, 413);
    assertStatusBody(over, 'protobuf', 8, /exceeds the limit/);
    await assertStillServing();
  });

  it('413 for an oversized chunked body (no Content-Length) on a connection that stays usable', async () => {
    const chunks = [Buffer.alloc(MAX_BYTES / 2), Buffer.alloc(MAX_BYTES / 2), Buffer.alloc(1024)];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const res = await fetch(`${base}/v1/logs`, {
      method: 'POST',
      body,
      duplex: 'half',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST_KEY}` },
    } as RequestInit);
    assert.equal(res.status, 413);
    assert.equal(decodeStatus(Buffer.from(await res.arrayBuffer()), 'json').code, 8);
    await assertStillServing();
  });

  it('413 for a compressed body over the limit', async () => {
    const random = Buffer.alloc(MAX_BYTES + 64 * 1024);
    for (let i = 0; i < random.length; i += 4) random.writeUInt32LE((Math.random() * 0xffffffff) >>> 0, i);
    const compressed = zlib.gzipSync(random, { level: 1 });
    assert.ok(compressed.length > MAX_BYTES);
    const reply = await exportTo('traces', compressed, 'protobuf', { 'content-encoding': 'gzip' });
    assert.equal(reply.status, 413);
    await assertStillServing();
  });

  it('413 for a gzip bomb without inflating past the limit', async () => {
    const inflated = 512 * 1024 * 1024;
    const bomb = await gzipBomb(inflated);
    assert.ok(bomb.length < MAX_BYTES / 4, `bomb is small when compressed (${bomb.length} bytes)`);
    let reply: Reply | undefined;
    const growth = await peakArrayBufferGrowth(async () => {
      reply = await exportTo('logs', bomb, 'protobuf', { 'content-encoding': 'gzip' });
    });
    assert.equal(reply?.status, 413);
    assertStatusBody(reply!, 'protobuf', 8, /inflates beyond the limit/);
    assert.ok(
      growth < 4 * MAX_BYTES,
      `peak buffer growth ${(growth / 1048576).toFixed(1)} MiB stays near the ${MAX_BYTES / 1048576} MiB cap, far below ${inflated / 1048576} MiB`,
    );
    assert.equal(consumer.received.length, 0);
    await assertStillServing();
  });

  it('503 with Retry-After and a Status body when the consumer fails transiently', async () => {
    consumer.behaviour = { kind: 'transient' };
    const reply = await exportTo('traces', sampleProtobuf('traces'), 'protobuf');
    assert.equal(reply.status, 503);
    assert.equal(reply.headers.get('retry-after'), '5');
    assertStatusBody(reply, 'protobuf', 14, /retry later/);
    assert.doesNotMatch(decodeStatus(reply.body, 'protobuf').message, /clickhouse/, 'internal causes stay server-side');

    consumer.behaviour = { kind: 'transient', retryAfterSeconds: 30 };
    const hinted = await exportTo('logs', sampleJson('logs'), 'json');
    assert.equal(hinted.status, 503);
    assert.equal(hinted.headers.get('retry-after'), '30');
    assertStatusBody(hinted, 'json', 14, /retry later/);
    consumer.behaviour = { kind: 'store' };
    await assertStillServing();
  });

  it('503 when the authenticator itself fails (credential store down)', async () => {
    const reply = await exportTo('metrics', sampleProtobuf('metrics'), 'protobuf', {
      authorization: `Bearer ${BROKEN_AUTH_KEY}`,
    });
    assert.equal(reply.status, 503);
    assert.ok(reply.headers.get('retry-after'));
    await assertStillServing();
  });

  it('404 for unknown paths; another method than POST on an Export path is 405 with Allow: POST', async () => {
    const wrongPath = await post('/v1/profiles', sampleProtobuf('traces'), {
      'content-type': 'application/x-protobuf',
    });
    assert.equal(wrongPath.status, 404);
    assert.equal(decodeStatus(wrongPath.body, 'json').code, 5);
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await fetch(`${base}/v1/traces?x=1`, { method });
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.get('allow'), 'POST');
      assert.equal(decodeStatus(Buffer.from(await res.arrayBuffer()), 'json').code, 12, 'UNIMPLEMENTED');
    }
  });

  it('serves concurrent requests independently', async () => {
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => {
        const signal = SIGNALS[i % 3]!;
        return i % 5 === 0
          ? exportTo(signal, MALFORMED_PROTOBUF, 'protobuf')
          : exportTo(signal, sampleProtobuf(signal), 'protobuf');
      }),
    );
    assert.deepEqual(
      replies.map((r) => r.status),
      Array.from({ length: 30 }, (_, i) => (i % 5 === 0 ? 400 : 200)),
    );
  });
});

/** A valid logs request whose protobuf encoding is exactly `size` bytes. */
function logsOfExactSize(size: number): Buffer {
  let bodyLength = size;
  for (let attempt = 0; attempt < 5; attempt++) {
    const encoded = encodeExportRequestObject('logs', {
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'x'.repeat(bodyLength) } }] }] }],
    });
    if (encoded.length === size) return Buffer.from(encoded);
    bodyLength += size - encoded.length;
  }
  throw new Error(`could not build a ${size}-byte request`);
}

describe('OTLP/HTTP receiver shutdown', () => {
  it('close() waits for the in-flight export and then refuses connections', async () => {
    const consumer = new RecordingConsumer();
    let release!: () => void;
    consumer.behaviour = { kind: 'hold', release: new Promise<void>((resolve) => (release = resolve)) };
    const receiver = await startOtlpHttpReceiver(
      { host: '127.0.0.1', httpPort: 0, grpcPort: 0, maxRequestBytes: 1024 * 1024 },
      { authenticate, consumer },
    );
    const url = `http://127.0.0.1:${receiver.port}/v1/traces`;
    const inFlight = fetch(url, {
      method: 'POST',
      body: sampleProtobuf('traces'),
      headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${INGEST_KEY}`, connection: 'close' },
    });
    await waitFor(() => consumer.calls === 1);
    let closed = false;
    const closing = receiver.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(closed, false, 'close() waits for the in-flight request');
    release();
    const res = await inFlight;
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    await closing;
    await assert.rejects(fetch(url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }));
  });
});

describe('receiver config', () => {
  it('fails fast on an invalid config', async () => {
    const deps = { authenticate, consumer: new RecordingConsumer() };
    await assert.rejects(
      startOtlpHttpReceiver({ host: '127.0.0.1', httpPort: 70000, grpcPort: 0, maxRequestBytes: 1 }, deps),
      /httpPort/,
    );
    await assert.rejects(
      startOtlpHttpReceiver({ host: '127.0.0.1', httpPort: 0, grpcPort: 0, maxRequestBytes: 0 }, deps),
      /maxRequestBytes/,
    );
  });
});
