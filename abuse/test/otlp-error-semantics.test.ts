// The OTLP specification's answers (opentelemetry-proto docs/specification.md, "OTLP/gRPC
// Response" and "OTLP/HTTP Response"), on every transport of a fresh all-in-one: full and
// partial success, bad data, credentials, the size cap, media types, compression, methods
// and paths — and for every failure, whether a client following the specification would
// retry it (only genuine overload may say so).
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import zlib from 'node:zlib';
import { after, before, test } from 'node:test';
import { status as GrpcCode } from '@grpc/grpc-js';
import type { TraceDto } from '@telemetryflow/contract';
import { assertStoredOrRejected, encodeRequest, logsJson, spanJson, tracesJson } from './otlp-json.js';
import {
  CONTENT_TYPE,
  WIRES,
  clientWouldRetry,
  describeReply,
  encodingOf,
  exportRaw,
  grpcFrameExport,
  type ExportReply,
  type Wire,
} from './otlp-wire.js';
import { API_KEY, assertBaselineIntact, assertStillServes, startTarget, stopTarget, type Target } from './target.js';

const MiB = 1024 * 1024;
/** The OTLP/HTTP and gRPC size cap of the defaults (TF_OTLP_MAX_REQUEST_BYTES), the specification's recommendation. */
const SIZE_CAP = 20 * MiB;
/** Peak RSS growth this file may cause over the process after its baseline export. */
const MEMORY_BOUND_MIB = 256;

let target: Target;

before(async () => {
  target = await startTarget('semantics');
});
after(() => stopTarget(target));

const endpoints = () => target.server.running;

function oneSpan(service: string): { traceId: string; request: Record<string, unknown> } {
  const span = spanJson({ name: 'GET /semantics' });
  return { traceId: span.traceId as string, request: tracesJson(service, [span]) };
}

/** A permanent failure: the status the specification names, a google.rpc.Status body, nothing that invites a retry. */
function assertPermanent(reply: ExportReply, wire: Wire, http: number, grpc: GrpcCode): void {
  const what = describeReply(reply);
  assert.equal(reply.ok, false, what);
  if (reply.ok) return;
  assert.equal(clientWouldRetry(reply), false, `a permanent error must not be retryable: ${what}`);
  assert.equal(reply.retryAfterSeconds, undefined, `no Retry-After / RetryInfo on a permanent error: ${what}`);
  if (wire === 'grpc') {
    assert.equal(reply.grpcCode, grpc, what);
    return;
  }
  assert.equal(reply.httpStatus, http, what);
  assert.equal(
    reply.contentType,
    CONTENT_TYPE[encodingOf(wire)],
    `the error body's Content-Type mirrors the request: ${what}`,
  );
  assert.ok(reply.statusBody, `the body is a google.rpc.Status: ${what}`);
  assert.notEqual(reply.statusBody.message, '', `the Status says what is wrong: ${what}`);
}

for (const wire of WIRES) {
  const encoding = encodingOf(wire);

  test(`${wire}: full success answers an Export response with partial_success unset, and the data reads back`, async () => {
    const { traceId, request } = oneSpan(`ok-${wire}`);
    const reply = await exportRaw(endpoints(), wire, 'traces', encodeRequest(wire, 'traces', request), {
      key: API_KEY,
    });
    assert.ok(reply.ok, describeReply(reply));
    assert.equal(reply.partial, null, 'partial_success must be unset on full success');
    if (wire !== 'grpc')
      assert.equal(reply.contentType, CONTENT_TYPE[encoding], 'the response mirrors the request Content-Type');
    await assertStoredOrRejected(endpoints(), reply, traceId, {
      wholeRequestMayFail: false,
      check: (t: TraceDto) => assert.equal(t.spans[0]?.name, 'GET /semantics'),
    });
    await assertStillServes(target);
  });

  test(`${wire}: partial success counts the rejected spans, says why, and stores the rest`, async () => {
    const good = spanJson({ name: 'kept' });
    const bad = spanJson({ name: 'short trace id', traceId: 'ab'.repeat(15) });
    const reply = await exportRaw(
      endpoints(),
      wire,
      'traces',
      encodeRequest(wire, 'traces', tracesJson(`partial-${wire}`, [good, bad])),
      { key: API_KEY },
    );
    assert.ok(reply.ok, describeReply(reply));
    assert.equal(reply.partial?.rejected, 1, describeReply(reply));
    assert.notEqual(reply.partial?.errorMessage, '', 'partial_success names why');
    await assertStoredOrRejected(endpoints(), { ...reply, partial: null }, good.traceId as string, {
      wholeRequestMayFail: false,
      check: (t) =>
        assert.deepEqual(
          t.spans.map((s) => s.name),
          ['kept'],
        ),
    });
    await assertStillServes(target);
  });

  test(`${wire}: an undecodable body is permanent bad data (400 / INVALID_ARGUMENT)`, async () => {
    const garbage =
      encoding === 'json'
        ? Buffer.from('{"resourceSpans": [{"scopeSpans": [')
        : Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]);
    assertPermanent(
      await exportRaw(endpoints(), wire, 'traces', garbage, { key: API_KEY }),
      wire,
      400,
      GrpcCode.INVALID_ARGUMENT,
    );
    await assertStillServes(target);
  });

  test(`${wire}: no credential or an unknown key is 401 / UNAUTHENTICATED`, async () => {
    const body = encodeRequest(wire, 'traces', oneSpan('anonymous').request);
    assertPermanent(
      await exportRaw(endpoints(), wire, 'traces', body, { key: null }),
      wire,
      401,
      GrpcCode.UNAUTHENTICATED,
    );
    assertPermanent(
      await exportRaw(endpoints(), wire, 'traces', body, { key: 'tf_not_a_key_0123456789abcdef' }),
      wire,
      401,
      GrpcCode.UNAUTHENTICATED,
    );
    await assertStillServes(target);
  });

  test(`${wire}: a key without the ingest scope is 403 / PERMISSION_DENIED`, async () => {
    const { traceId, request } = oneSpan('read-only');
    assertPermanent(
      await exportRaw(endpoints(), wire, 'traces', encodeRequest(wire, 'traces', request), { key: target.readOnlyKey }),
      wire,
      403,
      GrpcCode.PERMISSION_DENIED,
    );
    await assertStillServes(target);
    // Nothing of it was stored.
    const read = await fetch(`${endpoints().apiUrl}/api/v1/traces/${traceId}`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    assert.equal(read.status, 404);
  });

  test(`${wire}: a request over the 20 MiB cap is 413 / RESOURCE_EXHAUSTED without RetryInfo`, async () => {
    // A valid request: one log record whose body alone is one byte over the cap.
    const payload = encodeRequest(
      wire,
      'logs',
      logsJson('too-large', [{ body: { stringValue: 'x'.repeat(SIZE_CAP + 1) } }]),
    );
    assertPermanent(
      await exportRaw(endpoints(), wire, 'logs', payload, { key: API_KEY }),
      wire,
      413,
      GrpcCode.RESOURCE_EXHAUSTED,
    );
    await assertStillServes(target);
  });

  test(`${wire}: a gzip-compressed request is accepted`, async () => {
    const { traceId, request } = oneSpan(`gzip-${wire}`);
    const plain = encodeRequest(wire, 'traces', request);
    const reply =
      wire === 'grpc'
        ? await exportRaw(endpoints(), wire, 'traces', plain, { key: API_KEY, grpcGzip: true })
        : await exportRaw(endpoints(), wire, 'traces', zlib.gzipSync(plain), {
            key: API_KEY,
            headers: { 'content-encoding': 'gzip' },
          });
    assert.ok(reply.ok && reply.partial === null, describeReply(reply));
    await assertStoredOrRejected(endpoints(), reply, traceId, { wholeRequestMayFail: false });
    await assertStillServes(target);
  });
}

for (const wire of ['http/protobuf', 'http/json'] as const) {
  test(`${wire}: an unknown Content-Encoding is 415 with a Status in the request's encoding`, async () => {
    const body = encodeRequest(wire, 'traces', oneSpan('zstd').request);
    for (const coding of ['zstd', 'gzip, br', 'compress']) {
      assertPermanent(
        await exportRaw(endpoints(), wire, 'traces', body, { key: API_KEY, headers: { 'content-encoding': coding } }),
        wire,
        415,
        GrpcCode.INVALID_ARGUMENT,
      );
    }
    await assertStillServes(target);
  });

  test(`${wire}: GET on an Export path is 405 with Allow: POST; unknown paths are 404`, async () => {
    const get = await fetch(`${endpoints().otlpHttpUrl}/v1/traces`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    assert.equal(get.status, 405, 'the resource exists, the method does not (RFC 9110 §15.5.6)');
    assert.equal(get.headers.get('allow'), 'POST');
    assert.equal(get.headers.get('retry-after'), null);
    assert.match(((await get.json()) as { message?: string }).message ?? '', /\S/, 'a google.rpc.Status body');
    for (const path of ['/v1/profiles-nope', '/v1/traces/extra', '/v2/traces']) {
      const reply = await exportRaw(
        endpoints(),
        wire,
        'traces',
        encodeRequest(wire, 'traces', oneSpan('path').request),
        { key: API_KEY, path },
      );
      assert.equal(reply.ok, false);
      assert.equal(!reply.ok && reply.httpStatus, 404, `${path}: ${describeReply(reply)}`);
      assert.equal(clientWouldRetry(reply), false);
    }
    await assertStillServes(target);
  });
}

test('http: an unsupported or missing Content-Type is 415 with a JSON google.rpc.Status', async () => {
  const body = encodeRequest('http/protobuf', 'traces', oneSpan('media').request);
  for (const contentType of ['text/plain', 'application/grpc', 'application/protobuf-nope', '']) {
    const res = await fetch(`${endpoints().otlpHttpUrl}/v1/traces`, {
      method: 'POST',
      body,
      headers: { authorization: `Bearer ${API_KEY}`, ...(contentType ? { 'content-type': contentType } : {}) },
    });
    assert.equal(res.status, 415, `Content-Type ${JSON.stringify(contentType)}`);
    assert.equal(res.headers.get('retry-after'), null);
    assert.equal(res.headers.get('content-type'), CONTENT_TYPE.json);
    const status = (await res.json()) as { message?: string };
    assert.match(status.message ?? '', /Content-Type/);
  }
  await assertStillServes(target);
});

test('grpc: an unknown method is UNIMPLEMENTED, an unknown grpc-encoding is refused without a retry', async () => {
  const body = encodeRequest('grpc', 'traces', oneSpan('grpc-encoding').request);
  const unknownCoding = await grpcFrameExport(endpoints(), 'traces', body, { key: API_KEY, grpcEncoding: 'zstd' });
  assert.equal(unknownCoding.ok, false, describeReply(unknownCoding));
  // gRPC's compression spec: a message in a coding the server does not support is UNIMPLEMENTED.
  assert.equal(!unknownCoding.ok && unknownCoding.grpcCode, GrpcCode.UNIMPLEMENTED, describeReply(unknownCoding));
  assert.equal(clientWouldRetry(unknownCoding), false);

  const session = http2.connect(`http://${endpoints().otlpGrpcAddress}`);
  try {
    const status = await new Promise<string | undefined>((resolve, reject) => {
      const req = session.request({
        ':method': 'POST',
        ':path': '/opentelemetry.proto.collector.trace.v1.TraceService/Nope',
        'content-type': 'application/grpc',
        te: 'trailers',
        authorization: `Bearer ${API_KEY}`,
      });
      let code: string | undefined;
      req.on('response', (h) => (code ??= h['grpc-status'] as string | undefined));
      req.on('trailers', (h) => (code ??= h['grpc-status'] as string | undefined));
      req.on('data', () => {});
      req.on('close', () => resolve(code));
      req.on('error', reject);
      req.end(Buffer.from([0, 0, 0, 0, 0]));
    });
    assert.equal(Number(status), GrpcCode.UNIMPLEMENTED);
  } finally {
    session.close();
  }
  await assertStillServes(target);
});

test('an empty request on every transport and signal is a full success', async () => {
  for (const wire of WIRES) {
    for (const signal of ['traces', 'metrics', 'logs'] as const) {
      const bodies =
        encodingOf(wire) === 'json'
          ? [
              '',
              '{}',
              `{"${signal === 'traces' ? 'resourceSpans' : signal === 'logs' ? 'resourceLogs' : 'resourceMetrics'}":[]}`,
            ]
          : [''];
      for (const body of bodies) {
        const reply = await exportRaw(endpoints(), wire, signal, Buffer.from(body), { key: API_KEY });
        assert.ok(reply.ok, `${signal} ${JSON.stringify(body)}: ${describeReply(reply)}`);
        assert.equal(reply.partial, null, `${signal} ${JSON.stringify(body)}: partial_success unset`);
      }
    }
  }
  await assertStillServes(target);
});

test('the process stayed within its memory bound and the earlier data is intact', async (t) => {
  await assertBaselineIntact(target);
  target.memory.assertBounded(t, MEMORY_BOUND_MIB);
});
