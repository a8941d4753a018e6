import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PassThrough } from 'node:stream';
import { MalformedPayloadError } from '@telemetryflow/schemas';
import { ExportError, bearerToken, createExportHandler, grpcCodeOf, httpStatusOf, toExportError } from '../src/index.js';
import { readBody, parseContentEncoding } from '../src/http-body.js';
import { INGEST_KEY, RecordingConsumer, authenticate, sampleProtobuf } from './fixtures.js';

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
      (['malformed', 'unauthenticated', 'forbidden', 'too-large', 'unsupported-media-type', 'unavailable'] as const).map((k) => [httpStatusOf(k), grpcCodeOf(k)]),
      [
        [400, 3],
        [401, 16],
        [403, 7],
        [413, 8],
        [415, 3],
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
  it('does not read the payload before the caller is authenticated', async () => {
    const handle = createExportHandler('traces', { authenticate, consumer: new RecordingConsumer() });
    let read = false;
    await assert.rejects(
      handle({ authorization: 'Bearer wrong', encoding: 'protobuf', readPayload: async () => ((read = true), sampleProtobuf('traces')) }),
      (err: unknown) => err instanceof ExportError && err.kind === 'unauthenticated',
    );
    assert.equal(read, false);
  });

  it('rejects only with ExportError and logs transient causes', async () => {
    const consumer = new RecordingConsumer();
    consumer.behaviour = { kind: 'transient' };
    const logged: string[] = [];
    const log = { warn: () => {}, error: (_m: string, f?: Record<string, unknown>) => logged.push(String(f?.error)) };
    const handle = createExportHandler('logs', { authenticate, consumer, log });
    await assert.rejects(
      handle({ authorization: `Bearer ${INGEST_KEY}`, encoding: 'protobuf', readPayload: async () => sampleProtobuf('logs') }),
      (err: unknown) => err instanceof ExportError && err.kind === 'unavailable',
    );
    assert.match(logged[0] ?? '', /too many parts/);
  });

  it('gives the tenant retention cutoff of the signal to the consumer', async () => {
    const consumer = new RecordingConsumer();
    const handle = createExportHandler('metrics', { authenticate: async () => ({ tenantId: 't', scopes: ['ingest'], rawRetentionDays: { traces: 1, logs: 2, metrics: 3 } }), consumer });
    const before = BigInt(Date.now()) * 1_000_000n;
    await handle({ authorization: 'Bearer k', encoding: 'protobuf', readPayload: async () => sampleProtobuf('metrics') });
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
    await assert.rejects(readBody(stream, { coding: 'identity', contentLength: 11, maxBytes: 10 }), (e: unknown) => (e as ExportError).kind === 'too-large');
  });

  it('turns a stream error (client went away) into an ExportError', async () => {
    const stream = new PassThrough();
    const reading = readBody(stream, { coding: 'identity', contentLength: undefined, maxBytes: 10 });
    stream.write(Buffer.from('abc'));
    stream.destroy(new Error('aborted'));
    await assert.rejects(reading, (e: unknown) => e instanceof ExportError);
  });
});
