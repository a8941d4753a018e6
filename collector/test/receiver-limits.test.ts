// What the receivers hold for whom: authentication before any byte of a gRPC message is
// read or inflated, a bound on the bytes of requests in flight (throttling beyond it), and
// timeouts and connection limits on both listeners.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import { connectivityState, status as GrpcCode, type Client } from '@grpc/grpc-js';
import { GRPC_SERVICE, encodeExportRequestObject, type Signal } from '@telemetryflow/otlp';
import {
  InflightBytes,
  startOtlpGrpcReceiver,
  startOtlpHttpReceiver,
  type ConnectionSettings,
  type RunningReceiver,
} from '../src/index.js';
import { INGEST_KEY, RecordingConsumer, authenticate, sampleProtobuf, waitFor } from './fixtures.js';
import { call, makeClient, retryDelaySeconds } from './grpc-client.js';

const MiB = 1024 * 1024;

/** A valid logs request whose one record has a body of `bytes` letters: compresses a thousandfold. */
function bigLogs(bytes: number): Buffer {
  return Buffer.from(
    encodeExportRequestObject('logs', {
      resourceLogs: [
        {
          scopeLogs: [
            { logRecords: [{ timeUnixNano: '1732540800123456789', body: { stringValue: 'a'.repeat(bytes) } }] },
          ],
        },
      ],
    }),
  );
}

async function postHttp(
  port: number,
  signal: Signal,
  body: Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers }> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/${signal}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${INGEST_KEY}`, ...headers },
  });
  await res.arrayBuffer();
  return { status: res.status, headers: res.headers };
}

/** A raw TCP connection and when it was closed by the server (or null while open), plus what it received. */
function rawConnection(port: number): {
  socket: net.Socket;
  received: () => string;
  closed: () => boolean;
  opened: Promise<void>;
} {
  const socket = net.connect(port, '127.0.0.1');
  let data = '';
  let isClosed = false;
  socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
  socket.on('close', () => (isClosed = true));
  socket.on('error', () => {});
  return {
    socket,
    received: () => data,
    closed: () => isClosed,
    opened: new Promise((resolve) => socket.once('connect', () => resolve())),
  };
}

describe('gRPC authenticates before it reads or inflates a message', () => {
  const consumer = new RecordingConsumer();
  const admission = new InflightBytes({ maxBytes: 64 * MiB, maxTenantBytes: 64 * MiB });
  let receiver: RunningReceiver;
  let gzipClient: Client;

  before(async () => {
    receiver = await startOtlpGrpcReceiver(
      { host: '127.0.0.1', httpPort: 0, grpcPort: 0, maxRequestBytes: 4 * MiB },
      { authenticate, consumer, admission },
    );
    gzipClient = makeClient(receiver.port, true);
  });
  after(async () => {
    gzipClient.close();
    await receiver.close();
  });

  it('an unauthenticated gzip bomb is UNAUTHENTICATED, and nothing of it is admitted or read; with a valid key it is RESOURCE_EXHAUSTED', async () => {
    const bomb = Buffer.alloc(64 * MiB);
    for (const token of [null, 'not-a-key']) {
      const result = await call(gzipClient, 'logs', bomb, token);
      assert.equal(result.error?.code, GrpcCode.UNAUTHENTICATED, `${token}: ${result.error?.details}`);
    }
    assert.equal(admission.peak, 0, 'no bytes were admitted for an unauthenticated caller');
    assert.equal(consumer.calls, 0);

    const valid = await call(gzipClient, 'logs', bomb);
    assert.equal(valid.error?.code, GrpcCode.RESOURCE_EXHAUSTED);
    assert.match(valid.error!.details, /decompresses to a size larger than/);
    assert.equal(retryDelaySeconds(valid.error!), null, 'too large is final: no RetryInfo');
    await waitFor(() => admission.bytes === 0);
    assert.equal((await call(gzipClient, 'logs', sampleProtobuf('logs'))).error, undefined);
  });
});

interface Held {
  consumer: RecordingConsumer;
  admission: InflightBytes;
  receiver: RunningReceiver;
  /** Lets the exports the consumer holds finish. */
  release: () => void;
}

/** A receiver whose consumer holds every export until released: admitted requests keep their bytes. */
async function withHeldExports(
  transport: 'http' | 'grpc',
  maxBytes: number,
  maxRequestBytes: number,
  test: (held: Held) => Promise<void>,
): Promise<void> {
  const consumer = new RecordingConsumer();
  let release!: () => void;
  consumer.behaviour = { kind: 'hold', release: new Promise<void>((resolve) => (release = resolve)) };
  const admission = new InflightBytes({ maxBytes: Math.max(maxBytes, 256 * MiB), maxTenantBytes: maxBytes });
  const start = transport === 'http' ? startOtlpHttpReceiver : startOtlpGrpcReceiver;
  const receiver = await start(
    { host: '127.0.0.1', httpPort: 0, grpcPort: 0, maxRequestBytes },
    { authenticate, consumer, admission },
  );
  try {
    await test({ consumer, admission, receiver, release });
  } finally {
    release();
    await receiver.close();
  }
}

describe('bytes in flight are bounded per process and per tenant', () => {
  it('OTLP/HTTP: concurrent gzip bombs beyond the tenant bound are 429 with Retry-After, the bound holds, and a normal request passes afterwards', () =>
    withHeldExports('http', 48 * MiB, 20 * MiB, async ({ consumer, admission, receiver, release }) => {
      // 16 bodies of ~19 KiB that inflate to 19 MiB each: 304 MiB if all were let in.
      const bomb = zlib.gzipSync(bigLogs(19 * MiB));
      assert.ok(bomb.length < 64 * 1024, `${bomb.length} bytes compressed`);
      let answered = 0;
      const replies = Promise.all(
        Array.from({ length: 16 }, () =>
          postHttp(receiver.port, 'logs', bomb, { 'content-encoding': 'gzip' }).finally(() => answered++),
        ),
      );
      // The admitted ones wait in the consumer, holding their bytes; the others are answered.
      await waitFor(() => consumer.calls >= 1 && admission.bytes > 19 * MiB, 20_000);
      await waitFor(() => answered + consumer.calls >= 16, 20_000);
      release();
      const answers = await replies;
      const throttled = answers.filter((a) => a.status === 429);
      const stored = answers.filter((a) => a.status === 200);
      assert.equal(throttled.length + stored.length, 16, JSON.stringify(answers.map((a) => a.status)));
      assert.ok(stored.length >= 1 && stored.length <= 2, `${stored.length} stored`);
      for (const t of throttled) assert.equal(t.headers.get('retry-after'), '1');
      assert.ok(admission.peak <= 48 * MiB, `peak ${(admission.peak / MiB).toFixed(1)} MiB`);
      assert.equal(admission.bytes, 0, 'every request gave its bytes back');
      assert.equal(consumer.received.length, stored.length);
      assert.equal((await postHttp(receiver.port, 'logs', sampleProtobuf('logs'))).status, 200);
    }));

  it('OTLP/HTTP: a body without a declared length is charged as it arrives', () =>
    withHeldExports('http', 8 * MiB, 20 * MiB, async ({ consumer, admission, receiver, release }) => {
      const first = postHttp(receiver.port, 'logs', bigLogs(6 * MiB));
      await waitFor(() => consumer.calls === 1);
      // Chunked: fetch streams the body without a Content-Length.
      const body = bigLogs(6 * MiB);
      const res = await fetch(`http://127.0.0.1:${receiver.port}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${INGEST_KEY}` },
        body: new ReadableStream({ start: (c) => (c.enqueue(body), c.close()) }),
        duplex: 'half',
      } as RequestInit);
      await res.arrayBuffer();
      assert.equal(res.status, 429);
      release();
      assert.equal((await first).status, 200);
      assert.ok(admission.peak <= 8 * MiB);
    }));

  // Room for two 4 MiB messages while they are held, not for a third.
  it('OTLP/gRPC: calls beyond the bound are RESOURCE_EXHAUSTED with RetryInfo; once room frees, calls pass', () =>
    withHeldExports('grpc', 10 * MiB, 4 * MiB, async ({ consumer, admission, receiver, release }) => {
      const client = makeClient(receiver.port);
      try {
        const payload = bigLogs(4 * MiB - 1024);
        const held = [call(client, 'logs', payload), call(client, 'logs', payload)];
        await waitFor(() => consumer.calls === 2);
        const refused = await Promise.all(
          Array.from({ length: 3 }, () => call(client, 'logs', sampleProtobuf('logs'))),
        );
        for (const r of refused) {
          assert.equal(r.error?.code, GrpcCode.RESOURCE_EXHAUSTED);
          assert.equal(retryDelaySeconds(r.error!), 1, 'throttling carries RetryInfo, so OTLP clients retry');
          assert.match(r.error!.details, /in flight/);
        }
        release();
        for (const r of await Promise.all(held)) assert.equal(r.error, undefined);
        assert.equal((await call(client, 'logs', sampleProtobuf('logs'))).error, undefined);
        assert.ok(admission.peak <= 10 * MiB);
        await waitFor(() => admission.bytes === 0);
      } finally {
        client.close();
      }
    }));
});

const SHORT: ConnectionSettings = {
  headersTimeoutMs: 400,
  requestTimeoutMs: 800,
  idleTimeoutMs: 1_500,
  unauthenticatedTimeoutMs: 700,
  grpcMaxConnectionAgeMs: 60_000,
  maxPerAddress: 3,
};

describe('OTLP/HTTP timeouts and connection limits', () => {
  const consumer = new RecordingConsumer();
  let receiver: RunningReceiver;

  before(async () => {
    receiver = await startOtlpHttpReceiver(
      { host: '127.0.0.1', httpPort: 0, grpcPort: 0, maxRequestBytes: MiB, connections: SHORT },
      { authenticate, consumer },
    );
  });
  after(() => receiver.close());

  it('closes a connection that sends nothing, and one that sends its headers a byte at a time', async () => {
    const idle = rawConnection(receiver.port);
    const slow = rawConnection(receiver.port);
    await Promise.all([idle.opened, slow.opened]);
    const head = 'POST /v1/logs HTTP/1.1\r\nHost: x\r\nX-Pad: ' + 'p'.repeat(200);
    let i = 0;
    const drip = setInterval(() => slow.socket.write(head[i++] ?? 'p'), 50);
    try {
      await waitFor(() => idle.closed() && slow.closed(), 5_000);
    } finally {
      clearInterval(drip);
    }
    assert.match(slow.received(), /^HTTP\/1\.1 408/);
  });

  it('cuts a body sent a byte at a time (408), though its key is valid', async () => {
    const conn = rawConnection(receiver.port);
    await conn.opened;
    conn.socket.write(
      `POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nAuthorization: Bearer ${INGEST_KEY}\r\nContent-Length: 1000\r\n\r\n`,
    );
    const drip = setInterval(() => conn.socket.write('a'), 50);
    try {
      await waitFor(() => conn.closed(), 5_000);
    } finally {
      clearInterval(drip);
    }
    assert.match(conn.received(), /^HTTP\/1\.1 408/);
    assert.equal(consumer.calls, 0);
  });

  it('closes a keep-alive connection that stays unauthenticated, keeps an authenticated one until it idles', async () => {
    const unauthenticated = rawConnection(receiver.port);
    const authenticated = rawConnection(receiver.port);
    await Promise.all([unauthenticated.opened, authenticated.opened]);
    const request = (key: string) =>
      `POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nAuthorization: Bearer ${key}\r\nContent-Length: 0\r\n\r\n`;
    authenticated.socket.write(request(INGEST_KEY));
    const started = Date.now();
    // An unauthenticated client that keeps its connection busy: never idle, never authenticated.
    const busy = setInterval(() => unauthenticated.socket.write(request('wrong')), 100);
    try {
      await waitFor(() => unauthenticated.closed(), 5_000);
    } finally {
      clearInterval(busy);
    }
    assert.match(unauthenticated.received(), /HTTP\/1\.1 401/);
    assert.ok(Date.now() - started < SHORT.idleTimeoutMs, 'closed for being unauthenticated, not for idling');
    assert.equal(authenticated.closed(), false, 'the authenticated connection is still open');
    assert.match(authenticated.received(), /^HTTP\/1\.1 200/);
    await waitFor(() => authenticated.closed(), 5_000);
  });

  it('refuses connections beyond the per-address limit while the first ones are open; a normal export works', async () => {
    const first = [rawConnection(receiver.port), rawConnection(receiver.port), rawConnection(receiver.port)];
    await Promise.all(first.map((c) => c.opened));
    const extra = rawConnection(receiver.port);
    await waitFor(() => extra.closed(), 2_000);
    assert.equal(extra.received(), '');
    assert.ok(
      first.every((c) => !c.closed()),
      'the first three stay open',
    );
    for (const c of first) c.socket.destroy();
    await waitFor(() => first.every((c) => c.closed()));
    assert.equal((await postHttp(receiver.port, 'logs', sampleProtobuf('logs'))).status, 200);
  });
});

describe('OTLP/gRPC timeouts and connection limits', () => {
  const consumer = new RecordingConsumer();
  let receiver: RunningReceiver;

  before(async () => {
    receiver = await startOtlpGrpcReceiver(
      { host: '127.0.0.1', httpPort: 0, grpcPort: 0, maxRequestBytes: MiB, connections: SHORT },
      { authenticate, consumer },
    );
  });
  after(() => receiver.close());

  it('closes a TCP connection that never speaks HTTP/2, and an HTTP/2 session that never makes a call', async () => {
    const raw = rawConnection(receiver.port);
    await raw.opened;
    const session = http2.connect(`http://127.0.0.1:${receiver.port}`);
    session.on('error', () => {});
    let sessionClosed = false;
    session.on('close', () => (sessionClosed = true));
    await waitFor(() => raw.closed() && sessionClosed, 5_000);
  });

  it('answers DEADLINE_EXCEEDED to a message sent a byte at a time', async () => {
    const session = http2.connect(`http://127.0.0.1:${receiver.port}`);
    session.on('error', () => {});
    try {
      const stream = session.request({
        ':method': 'POST',
        ':path': `/${GRPC_SERVICE.logs}/Export`,
        'content-type': 'application/grpc',
        te: 'trailers',
        authorization: `Bearer ${INGEST_KEY}`,
      });
      stream.on('error', () => {});
      let status: string | undefined;
      stream.on('response', (headers) => (status ??= headers['grpc-status'] as string | undefined));
      stream.on('trailers', (headers) => (status ??= headers['grpc-status'] as string | undefined));
      // A frame announcing 1,000 bytes, then one byte every 50 ms.
      stream.write(Buffer.from([0, 0, 0, 0x03, 0xe8]));
      const drip = setInterval(() => stream.write(Buffer.from([0x0a])), 50);
      try {
        await waitFor(() => status !== undefined, 5_000);
      } finally {
        clearInterval(drip);
      }
      assert.equal(Number(status), GrpcCode.DEADLINE_EXCEEDED);
      assert.equal(consumer.calls, 0);
    } finally {
      session.destroy();
    }
  });

  it('refuses connections beyond the per-address limit; an authenticated client stays past the unauthenticated deadline', async () => {
    const first = [rawConnection(receiver.port), rawConnection(receiver.port)];
    await Promise.all(first.map((c) => c.opened));
    const client = makeClient(receiver.port);
    try {
      assert.equal(
        (await call(client, 'logs', sampleProtobuf('logs'))).error,
        undefined,
        'the third connection is served',
      );
      const served = Date.now(); // the client's connection opened before this
      const extra = rawConnection(receiver.port);
      await waitFor(() => extra.closed(), 2_000);
      await waitFor(() => first.every((c) => c.closed()), 10_000).catch(() => undefined);
      assert.ok(
        first.every((c) => c.closed()),
        'the silent ones are closed',
      );
      // Past the client's own unauthenticated deadline (a lower bound on the time waited, not a limit).
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, served + SHORT.unauthenticatedTimeoutMs + 200 - Date.now())),
      );
      assert.equal(
        client.getChannel().getConnectivityState(false),
        connectivityState.READY,
        'its connection outlived the unauthenticated deadline',
      );
      assert.equal((await call(client, 'logs', sampleProtobuf('logs'))).error, undefined);
    } finally {
      client.close();
    }
  });
});
