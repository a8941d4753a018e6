// Compressed bodies that are small on the wire and huge inflated, or not valid at all:
// gzip, deflate and brotli on OTLP/HTTP, gzip on OTLP/gRPC; one at a time, without a
// credential, and many at once (issue 15, "Resource exhaustion"). The cap is the default
// 20 MiB per request; memory is this process's RSS, which hosts the all-in-one.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import zlib from 'node:zlib';
import { after, before, test } from 'node:test';
import { status as GrpcCode } from '@grpc/grpc-js';
import { encodeRequest, spanJson, tracesJson } from './otlp-json.js';
import {
  clientWouldRetry,
  describeReply,
  exportRaw,
  grpcFrameExport,
  type ExportReply,
  type Wire,
} from './otlp-wire.js';
import { API_KEY, assertBaselineIntact, assertStillServes, startTarget, stopTarget, type Target } from './target.js';

const MiB = 1024 * 1024;
/** A bomb inflates to 64 MiB: three times the default 20 MiB cap. */
const BOMB_BYTES = 64 * MiB;
/** Inflating stops at the cap: one bomb may cost the cap and the inflater's buffers, not its full size. */
const ONE_BOMB_BOUND_MIB = 96;
/** Concurrent bodies that each inflate to just under the cap (issue 15: 16 of 19 KB → 19 MiB each). */
const CONCURRENT_BOMBS = 32;
const UNDER_CAP_BYTES = 19 * MiB;
/**
 * 32 bodies of 19 MiB would be 608 MiB inflated at once; with a bound on bytes in flight per
 * process the excess is refused as retryable overload instead.
 */
const CONCURRENT_BOUND_MIB = 256;
const MEMORY_BOUND_MIB = 320;

type Coding = 'gzip' | 'deflate' | 'br';
const CODINGS: readonly Coding[] = ['gzip', 'deflate', 'br'];

function compressor(coding: Coding): zlib.Gzip | zlib.Deflate | zlib.BrotliCompress {
  if (coding === 'br') return zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9 } });
  return coding === 'gzip' ? zlib.createGzip({ level: 9 }) : zlib.createDeflate({ level: 9 });
}

/** `inflated` zero bytes, compressed as a stream (this process never holds them inflated). */
async function bomb(coding: Coding, inflated: number): Promise<Buffer> {
  const chunk = Buffer.alloc(MiB);
  const chunks = Math.ceil(inflated / MiB);
  return buffer(
    Readable.from(
      (function* () {
        for (let i = 0; i < chunks; i++) yield i === chunks - 1 ? chunk.subarray(0, inflated - i * MiB) : chunk;
      })(),
    ).pipe(compressor(coding)),
  );
}

function compressSync(coding: Coding, plain: Uint8Array): Buffer {
  return coding === 'gzip'
    ? zlib.gzipSync(plain)
    : coding === 'deflate'
      ? zlib.deflateSync(plain)
      : zlib.brotliCompressSync(plain);
}

let target: Target;
const bombs = new Map<Coding, Buffer>();

before(async () => {
  for (const coding of CODINGS) bombs.set(coding, await bomb(coding, BOMB_BYTES));
  target = await startTarget('bombs');
});
after(() => stopTarget(target));

const endpoints = () => target.server.running;

function assertNotRetryable(reply: ExportReply, expected: { http?: number; grpc?: GrpcCode }): void {
  const what = describeReply(reply);
  assert.equal(reply.ok, false, what);
  if (reply.ok) return;
  if (expected.http !== undefined) assert.equal(reply.httpStatus, expected.http, what);
  if (expected.grpc !== undefined) assert.equal(reply.grpcCode, expected.grpc, what);
  assert.equal(clientWouldRetry(reply), false, `must not be retryable: ${what}`);
  assert.equal(reply.retryAfterSeconds, undefined, `no Retry-After / RetryInfo: ${what}`);
}

for (const coding of CODINGS) {
  for (const wire of ['http/protobuf', 'http/json'] as const) {
    test(`${wire}: a ${coding} bomb (64 MiB of zeros inflated) is 413, inflated no further than the cap`, async (t) => {
      const body = bombs.get(coding)!;
      t.diagnostic(`${coding} bomb: ${body.length} bytes on the wire`);
      await target.memory.assertBoundedDuring(t, `${coding} bomb`, ONE_BOMB_BOUND_MIB, async () => {
        assertNotRetryable(
          await exportRaw(endpoints(), wire, 'traces', body, { key: API_KEY, headers: { 'content-encoding': coding } }),
          { http: 413 },
        );
      });
      await assertStillServes(target);
    });
  }

  test(`http: a ${coding} bomb without a credential is 401 and never inflated`, async (t) => {
    await target.memory.assertBoundedDuring(t, `anonymous ${coding} bomb`, ONE_BOMB_BOUND_MIB, async () => {
      assertNotRetryable(
        await exportRaw(endpoints(), 'http/protobuf', 'logs', bombs.get(coding)!, {
          key: null,
          headers: { 'content-encoding': coding },
        }),
        { http: 401 },
      );
    });
    await assertStillServes(target);
  });

  test(`http: a truncated or corrupt ${coding} body is a permanent 400`, async () => {
    const plain = encodeRequest(
      'http/protobuf',
      'traces',
      tracesJson(
        'truncated',
        Array.from({ length: 50 }, () => spanJson()),
      ),
    );
    const whole = compressSync(coding, plain);
    const truncated = whole.subarray(0, Math.floor(whole.length / 2));
    const corrupt = Buffer.from(whole);
    for (let i = Math.floor(corrupt.length / 3); i < corrupt.length; i += 7) corrupt[i] = (corrupt[i] as number) ^ 0x5a;
    for (const [what, body] of [
      ['truncated', truncated],
      ['corrupt', corrupt],
      ['not compressed at all', Buffer.from(plain)],
    ] as const) {
      const reply = await exportRaw(endpoints(), 'http/protobuf', 'traces', body, {
        key: API_KEY,
        headers: { 'content-encoding': coding },
      });
      assertNotRetryable(reply, { http: 400 });
      assert.ok(!reply.ok && reply.statusBody, `${what}: a google.rpc.Status body`);
    }
    await assertStillServes(target);
  });
}

test('grpc: a gzip bomb from an authenticated client is RESOURCE_EXHAUSTED without RetryInfo (the size cap)', async (t) => {
  await target.memory.assertBoundedDuring(t, 'gRPC gzip bomb', ONE_BOMB_BOUND_MIB, async () => {
    assertNotRetryable(
      await grpcFrameExport(endpoints(), 'traces', bombs.get('gzip')!, { key: API_KEY, grpcEncoding: 'gzip' }),
      { grpc: GrpcCode.RESOURCE_EXHAUSTED },
    );
  });
  await assertStillServes(target);
});

test('grpc: a gzip bomb without a credential is UNAUTHENTICATED, not RESOURCE_EXHAUSTED: nothing is inflated before authentication', async (t) => {
  await target.memory.assertBoundedDuring(t, 'anonymous gRPC gzip bomb', ONE_BOMB_BOUND_MIB, async () => {
    assertNotRetryable(
      await grpcFrameExport(endpoints(), 'traces', bombs.get('gzip')!, { key: null, grpcEncoding: 'gzip' }),
      { grpc: GrpcCode.UNAUTHENTICATED },
    );
    assertNotRetryable(
      await grpcFrameExport(endpoints(), 'logs', bombs.get('gzip')!, {
        key: 'tf_not_a_key_0123456789abcdef',
        grpcEncoding: 'gzip',
      }),
      { grpc: GrpcCode.UNAUTHENTICATED },
    );
  });
  await assertStillServes(target);
});

test('grpc: a truncated or corrupt gzip message is refused without a retry', async () => {
  const plain = encodeRequest(
    'grpc',
    'traces',
    tracesJson(
      'truncated',
      Array.from({ length: 50 }, () => spanJson()),
    ),
  );
  const whole = zlib.gzipSync(plain);
  for (const body of [whole.subarray(0, Math.floor(whole.length / 2)), Buffer.from('definitely not gzip')]) {
    const reply = await grpcFrameExport(endpoints(), 'traces', body, { key: API_KEY, grpcEncoding: 'gzip' });
    assert.equal(reply.ok, false, describeReply(reply));
    // gRPC reports a message it cannot decompress as INTERNAL; OTLP treats both as permanent.
    assert.ok(
      !reply.ok && (reply.grpcCode === GrpcCode.INVALID_ARGUMENT || reply.grpcCode === GrpcCode.INTERNAL),
      describeReply(reply),
    );
    assert.equal(clientWouldRetry(reply), false, describeReply(reply));
  }
  await assertStillServes(target);
});

/**
 * Many bodies at once, each under the per-request cap: what one request may inflate is
 * bounded, so the process must bound the sum. Each answer is definite — the request's own
 * verdict (these zeros decode to an empty or an invalid request), or retryable overload
 * beyond the process's cap — and memory stays bounded.
 */
for (const wire of ['http/protobuf', 'grpc'] as const satisfies readonly Wire[]) {
  test(`${wire}: ${CONCURRENT_BOMBS} concurrent bodies inflating to 19 MiB each stay within a memory bound; beyond the process cap they are told to retry later`, async (t) => {
    const body = await bomb('gzip', UNDER_CAP_BYTES);
    t.diagnostic(`${CONCURRENT_BOMBS} × ${body.length} bytes on the wire, ${CONCURRENT_BOMBS} × 19 MiB inflated`);
    let replies: ExportReply[] = [];
    await target.memory.assertBoundedDuring(
      t,
      `${CONCURRENT_BOMBS} concurrent ${wire} inflations`,
      CONCURRENT_BOUND_MIB,
      async () => {
        replies = await Promise.all(
          Array.from({ length: CONCURRENT_BOMBS }, () =>
            wire === 'grpc'
              ? grpcFrameExport(endpoints(), 'traces', body, { key: API_KEY, grpcEncoding: 'gzip' })
              : exportRaw(endpoints(), wire, 'traces', body, { key: API_KEY, headers: { 'content-encoding': 'gzip' } }),
          ),
        );
      },
    );
    const overloaded = replies.filter(
      (r) => !r.ok && (r.httpStatus === 429 || r.grpcCode === GrpcCode.RESOURCE_EXHAUSTED),
    );
    t.diagnostic(`answers: ${[...new Set(replies.map(describeReply))].join(' | ')}`);
    for (const reply of replies) {
      if (reply.ok || overloaded.includes(reply)) continue;
      assert.ok(
        reply.httpStatus === 400 || reply.grpcCode === GrpcCode.INVALID_ARGUMENT,
        `the request's own verdict or overload, got ${describeReply(reply)}`,
      );
    }
    assert.ok(
      overloaded.length > 0,
      `beyond the process's cap on bytes in flight some must be refused as overload (429 / RESOURCE_EXHAUSTED with RetryInfo); got ${replies.map(describeReply).join(' | ')}`,
    );
    for (const reply of overloaded) {
      assert.equal(clientWouldRetry(reply), true, `overload is retryable: ${describeReply(reply)}`);
      assert.ok(
        !reply.ok && reply.retryAfterSeconds !== undefined,
        `with Retry-After / RetryInfo: ${describeReply(reply)}`,
      );
    }
    await assertStillServes(target);
  });
}

test('the process stayed within its memory bound and the earlier data is intact', async (t) => {
  await assertBaselineIntact(target);
  target.memory.assertBounded(t, MEMORY_BOUND_MIB);
});
