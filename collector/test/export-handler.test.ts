import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PassThrough } from 'node:stream';
import { MalformedPayloadError } from '@telemetryflow/otlp';
import {
  ExportError,
  InflightBytes,
  bearerToken,
  createExportHandler,
  grpcCodeOf,
  httpStatusOf,
  toExportError,
} from '../src/index.js';
import { readBody, parseContentEncoding } from '../src/http-body.js';
import { INGEST_KEY, RecordingConsumer, authenticate, sampleProtobuf, waitFor } from './fixtures.js';

describe('bearerToken', () => {
  it('extracts the token of a Bearer credential only', () => {
    assert.equal(bearerToken('Bearer abc'), 'abc');
    assert.equal(bearerToken('bearer   abc '), 'abc');
    assert.equal(bearerToken('Basic abc'), null);
    assert.equal(bearerToken('Bearer'), null);
    assert.equal(bearerToken('Bearer a b'), null);
    assert.equal(bearerToken(undefined), null);
  });
});

describe('error mapping', () => {
  it('maps each kind once for both transports', () => {
    assert.deepEqual(
      (
        [
          'malformed',
          'unauthenticated',
          'forbidden',
          'too-large',
          'unsupported-media-type',
          'throttled',
          'timeout',
          'unavailable',
        ] as const
      ).map((k) => [httpStatusOf(k), grpcCodeOf(k)]),
      [
        [400, 3],
        [401, 16],
        [403, 7],
        [413, 8],
        [415, 3],
        [429, 8],
        [408, 4],
        [503, 14],
      ],
    );
  });

  it('MalformedPayloadError is permanent, anything else transient', () => {
    assert.equal(toExportError(new MalformedPayloadError('bad')).kind, 'malformed');
    assert.equal(toExportError(new Error('boom')).kind, 'unavailable');
    assert.equal(toExportError('a string').kind, 'unavailable');
    assert.equal(toExportError(undefined).kind, 'unavailable');
    assert.equal(toExportError(Object.assign(new Error('slow down'), { retryAfterSeconds: 2.5 })).retryAfterSeconds, 3);
    const own = new ExportError('forbidden', 'no');
    assert.equal(toExportError(own), own);
  });
});

describe('createExportHandler', () => {
  it('authorizes from the bearer key alone', async () => {
    const handler = createExportHandler('traces', { authenticate, consumer: new RecordingConsumer() });
    await assert.rejects(
      handler.authorize('Bearer wrong'),
      (err: unknown) => err instanceof ExportError && err.kind === 'unauthenticated',
    );
    assert.equal((await handler.authorize(`Bearer ${INGEST_KEY}`)).tenantId, 'tenant-a');
  });

  it("counts every refusal of a known tenant in its usage, by reason; a key's tenant only once it is known", async () => {
    const counted: string[] = [];
    const usage = {
      add: (t: string, s: string, k: string, c: object, r?: string) =>
        counted.push(`${t} ${s} ${k} ${r} ${JSON.stringify(c)}`),
    };
    const consumer = new RecordingConsumer();
    const handler = createExportHandler('logs', {
      authenticate: async (key) =>
        key === 'read-only' ? { tenantId: 'tenant-r', scopes: ['read'] } : authenticate(key),
      consumer,
      usage,
    });
    await assert.rejects(handler.authorize('Bearer wrong'));
    await assert.rejects(handler.authorize('Bearer read-only'));
    const credential = await handler.authorize(`Bearer ${INGEST_KEY}`);
    consumer.behaviour = { kind: 'transient' };
    await assert.rejects(
      handler.export(credential, {
        encoding: 'protobuf',
        declaredBytes: 7,
        readPayload: async () => sampleProtobuf('logs'),
      }),
    );
    await assert.rejects(
      handler.export(credential, {
        encoding: 'protobuf',
        readPayload: () => Promise.reject(new ExportError('too-large', 'over the cap')),
      }),
    );
    assert.deepEqual(counted, [
      'tenant-r logs refused forbidden {"requests":1,"bytes":0}',
      'tenant-a logs refused unavailable {"requests":1,"bytes":7}',
      'tenant-a logs refused too-large {"requests":1,"bytes":0}',
    ]);
  });

  it('rejects only with ExportError and logs transient causes', async () => {
    const consumer = new RecordingConsumer();
    consumer.behaviour = { kind: 'transient' };
    const logged: string[] = [];
    const log = { warn: () => {}, error: (_m: string, f?: Record<string, unknown>) => logged.push(String(f?.error)) };
    const handler = createExportHandler('logs', { authenticate, consumer, log });
    const credential = await handler.authorize(`Bearer ${INGEST_KEY}`);
    await assert.rejects(
      handler.export(credential, { encoding: 'protobuf', readPayload: async () => sampleProtobuf('logs') }),
      (err: unknown) => err instanceof ExportError && err.kind === 'unavailable',
    );
    assert.match(logged[0] ?? '', /too many parts/);
  });

  it('holds the request bytes in flight until it is answered, then gives them back', async () => {
    const consumer = new RecordingConsumer();
    let release!: () => void;
    consumer.behaviour = { kind: 'hold', release: new Promise<void>((resolve) => (release = resolve)) };
    const admission = new InflightBytes({ maxBytes: 1024 * 1024, maxTenantBytes: 1024 * 1024 });
    const handler = createExportHandler('logs', { authenticate, consumer, admission });
    const credential = await handler.authorize(`Bearer ${INGEST_KEY}`);
    const payload = sampleProtobuf('logs', 20);
    const exporting = handler.export(credential, {
      encoding: 'protobuf',
      readPayload: async (ticket) => (ticket.charge(payload.length), payload),
    });
    await waitFor(() => consumer.calls === 1);
    assert.ok(admission.bytes >= payload.length, `${admission.bytes} bytes held`);
    release();
    await exporting;
    assert.equal(admission.bytes, 0);
  });

  it('gives the tenant retention cutoff of the signal to the consumer', async () => {
    const consumer = new RecordingConsumer();
    const handler = createExportHandler('metrics', {
      authenticate: async () => ({
        tenantId: 't',
        scopes: ['ingest'],
        rawRetentionDays: { traces: 1, logs: 2, metrics: 3 },
      }),
      consumer,
    });
    const before = BigInt(Date.now()) * 1_000_000n;
    await handler.export(await handler.authorize('Bearer k'), {
      encoding: 'protobuf',
      readPayload: async () => sampleProtobuf('metrics'),
    });
    const { notBeforeNs, receivedAtNs } = consumer.received[0]!.export;
    assert.equal(receivedAtNs - notBeforeNs, 3n * 86_400n * 1_000_000_000n);
    assert.ok(receivedAtNs >= before);
  });
});

describe('readBody', () => {
  it('parses Content-Encoding', () => {
    assert.equal(parseContentEncoding(undefined), 'identity');
    assert.equal(parseContentEncoding('GZIP'), 'gzip');
    assert.equal(parseContentEncoding('identity, gzip'), 'gzip');
    assert.throws(() => parseContentEncoding('compress'), /unsupported Content-Encoding/);
  });

  it('refuses a declared Content-Length over the limit without reading', async () => {
    const stream = new PassThrough();
    await assert.rejects(
      readBody(stream, { coding: 'identity', contentLength: 11, maxBytes: 10, ticket: new InflightBytes().admit('t') }),
      (e: unknown) => (e as ExportError).kind === 'too-large',
    );
  });

  it('turns a stream error (client went away) into an ExportError', async () => {
    const stream = new PassThrough();
    const reading = readBody(stream, {
      coding: 'identity',
      contentLength: undefined,
      maxBytes: 10,
      ticket: new InflightBytes().admit('t'),
    });
    stream.write(Buffer.from('abc'));
    stream.destroy(new Error('aborted'));
    await assert.rejects(reading, (e: unknown) => e instanceof ExportError);
  });
});
