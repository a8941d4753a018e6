import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { status as GrpcCode, type Client } from '@grpc/grpc-js';
import { GRPC_SERVICE, SIGNALS, decodeExportResponse } from '@telemetryflow/otlp';
import { startOtlpGrpcReceiver, type RunningReceiver } from '../src/index.js';
import {
  BROKEN_AUTH_KEY,
  MALFORMED_PROTOBUF,
  READ_ONLY_KEY,
  RecordingConsumer,
  authenticate,
  peakArrayBufferGrowth,
  sampleProtobuf,
  waitFor,
} from './fixtures.js';
import { call, makeClient, retryDelaySeconds, type CallResult } from './grpc-client.js';

const MAX_BYTES = 4 * 1024 * 1024;

describe('OTLP/gRPC receiver', () => {
  const consumer = new RecordingConsumer();
  let receiver: RunningReceiver;
  let client: Client;
  let gzipClient: Client;

  before(async () => {
    receiver = await startOtlpGrpcReceiver(
      { host: '127.0.0.1', httpPort: 0, grpcPort: 0, maxRequestBytes: MAX_BYTES },
      { authenticate, consumer },
    );
    client = makeClient(receiver.port);
    gzipClient = makeClient(receiver.port, true);
  });
  after(async () => {
    client.close();
    gzipClient.close();
    await receiver.close();
  });
  beforeEach(() => consumer.reset());

  async function assertStillServing(): Promise<void> {
    const result = await call(client, 'traces', sampleProtobuf('traces', 1));
    assert.equal(result.error, undefined);
  }

  for (const signal of SIGNALS) {
    it(`${GRPC_SERVICE[signal]}/Export stores ${signal} and answers an empty response`, async () => {
      const payload = sampleProtobuf(signal, 3);
      const result = await call(client, signal, payload);
      assert.equal(result.error, undefined);
      assert.equal(decodeExportResponse(signal, result.response!, 'protobuf'), null);
      const got = consumer.received[0]!;
      assert.equal(got.export.tenantId, 'tenant-a');
      assert.equal(got.export.signal, signal);
      assert.equal(got.export.encoding, 'protobuf');
      assert.deepEqual(Buffer.from(got.export.payload), payload, 'the raw request bytes reach the consumer');
      assert.equal(got.items, 3);
    });
  }

  it('accepts gzip-compressed messages', async () => {
    const payload = sampleProtobuf('logs', 50);
    const result = await call(gzipClient, 'logs', payload);
    assert.equal(result.error, undefined);
    assert.deepEqual(Buffer.from(consumer.received[0]!.export.payload), payload);
  });

  it('empty request → success', async () => {
    const result = await call(client, 'metrics', Buffer.alloc(0));
    assert.equal(result.error, undefined);
    assert.equal(consumer.received[0]?.items, 0);
  });

  it('encodes partial success', async () => {
    consumer.behaviour = { kind: 'reject', rejected: 2, errorMessage: 'data points too old' };
    const result = await call(client, 'metrics', sampleProtobuf('metrics', 3));
    assert.deepEqual(decodeExportResponse('metrics', result.response!, 'protobuf'), {
      rejected: 2,
      errorMessage: 'data points too old',
    });
  });

  it('UNAUTHENTICATED without metadata or with an unknown key', async () => {
    const missing = await call(client, 'traces', sampleProtobuf('traces'), null);
    assert.equal(missing.error?.code, GrpcCode.UNAUTHENTICATED);
    const unknown = await call(client, 'traces', sampleProtobuf('traces'), 'nope');
    assert.equal(unknown.error?.code, GrpcCode.UNAUTHENTICATED);
    assert.match(unknown.error!.details, /unknown/);
    assert.equal(consumer.calls, 0);
    await assertStillServing();
  });

  it('PERMISSION_DENIED for a key without the ingest scope', async () => {
    const result = await call(client, 'logs', sampleProtobuf('logs'), READ_ONLY_KEY);
    assert.equal(result.error?.code, GrpcCode.PERMISSION_DENIED);
    assert.equal(consumer.calls, 0);
  });

  it('INVALID_ARGUMENT for an undecodable message', async () => {
    const result = await call(client, 'traces', MALFORMED_PROTOBUF);
    assert.equal(result.error?.code, GrpcCode.INVALID_ARGUMENT);
    assert.match(result.error!.details, /invalid protobuf/i);
    await assertStillServing();
  });

  it('UNAVAILABLE with google.rpc.RetryInfo when the consumer fails transiently', async () => {
    consumer.behaviour = { kind: 'transient' };
    const result = await call(client, 'traces', sampleProtobuf('traces'));
    assert.equal(result.error?.code, GrpcCode.UNAVAILABLE);
    assert.doesNotMatch(result.error!.details, /clickhouse/);
    assert.equal(retryDelaySeconds(result.error!), 5);
    consumer.behaviour = { kind: 'transient', retryAfterSeconds: 30 };
    const hinted = await call(client, 'logs', sampleProtobuf('logs'));
    assert.equal(retryDelaySeconds(hinted.error!), 30);
    consumer.behaviour = { kind: 'store' };
    await assertStillServing();
  });

  it('UNAVAILABLE when the authenticator fails', async () => {
    const result = await call(client, 'traces', sampleProtobuf('traces'), BROKEN_AUTH_KEY);
    assert.equal(result.error?.code, GrpcCode.UNAVAILABLE);
  });

  it('RESOURCE_EXHAUSTED for a message over maxRequestBytes', async () => {
    const result = await call(client, 'logs', Buffer.alloc(MAX_BYTES + 1));
    assert.equal(result.error?.code, GrpcCode.RESOURCE_EXHAUSTED);
    assert.equal(consumer.calls, 0);
    await assertStillServing();
  });

  it('RESOURCE_EXHAUSTED for a gzip bomb, inflating no further than the limit', async () => {
    // The gzip client compresses the message: 64 MiB of zeros travel as ~64 KiB.
    const zeros = Buffer.alloc(64 * 1024 * 1024);
    let result: CallResult | undefined;
    const growth = await peakArrayBufferGrowth(async () => {
      result = await call(gzipClient, 'logs', zeros);
    });
    assert.equal(result?.error?.code, GrpcCode.RESOURCE_EXHAUSTED);
    assert.match(result!.error!.details, /decompresses to a size larger than/, 'the message travelled compressed');
    // The client-side 64 MiB message itself counts; the server must not add another 64 MiB.
    assert.ok(growth < zeros.length + 4 * MAX_BYTES, `peak growth ${(growth / 1048576).toFixed(1)} MiB`);
    assert.equal(consumer.calls, 0);
    await assertStillServing();
  });

  it('handles concurrent calls independently', async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        call(
          i % 2 ? gzipClient : client,
          SIGNALS[i % 3]!,
          i % 5 === 0 ? MALFORMED_PROTOBUF : sampleProtobuf(SIGNALS[i % 3]!),
        ),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.error?.code ?? GrpcCode.OK),
      Array.from({ length: 30 }, (_, i) => (i % 5 === 0 ? GrpcCode.INVALID_ARGUMENT : GrpcCode.OK)),
    );
  });
});

describe('OTLP/gRPC receiver shutdown', () => {
  it('close() lets the in-flight call finish, then refuses new calls', async () => {
    const consumer = new RecordingConsumer();
    let release!: () => void;
    consumer.behaviour = { kind: 'hold', release: new Promise<void>((resolve) => (release = resolve)) };
    const receiver = await startOtlpGrpcReceiver(
      { host: '127.0.0.1', httpPort: 0, grpcPort: 0, maxRequestBytes: 1024 * 1024 },
      { authenticate, consumer },
    );
    const client = makeClient(receiver.port);
    try {
      const inFlight = call(client, 'traces', sampleProtobuf('traces'));
      await waitFor(() => consumer.calls === 1);
      let closed = false;
      const closing = receiver.close().then(() => (closed = true));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(closed, false, 'close() waits for the in-flight call');
      release();
      const result = await inFlight;
      assert.equal(result.error, undefined);
      await closing;
      const lateClient = makeClient(receiver.port);
      const late = await call(lateClient, 'traces', sampleProtobuf('traces'));
      lateClient.close();
      assert.equal(late.error?.code, GrpcCode.UNAVAILABLE);
    } finally {
      client.close();
    }
  });
});
