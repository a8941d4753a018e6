// Items that cannot be stored as sent (issue 15, "Acked, then unreadable", "Poison requests
// told to retry", "Data older than retention"): each is either stored and readable, or
// rejected — one by one with partial_success saying why, or the whole request as permanent
// bad data. Never acknowledged and then lost, never an invitation to retry forever.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { LogDto } from '@telemetryflow/contract';
import type { Signal } from '@telemetryflow/otlp';
import { api } from '@telemetryflow/server/test-helpers';
import {
  NS_PER_DAY,
  NS_PER_MS,
  assertStoredOrRejected,
  encodeRequest,
  logsJson,
  metricsJson,
  newTraceId,
  nowNs,
  spanJson,
  tracesJson,
  type Json,
} from './otlp-json.js';
import { WIRES, clientWouldRetry, describeReply, exportRaw } from './otlp-wire.js';
import { API_KEY, assertBaselineIntact, assertStillServes, startTarget, stopTarget, type Target } from './target.js';

const MEMORY_BOUND_MIB = 256;

let target: Target;

before(async () => {
  target = await startTarget('poison');
});
after(() => stopTarget(target));

const endpoints = () => target.server.running;

for (const wire of WIRES) {
  test(`${wire}: a span that ends before it starts is stored readable, or rejected saying why`, async () => {
    const start = nowNs() - 60_000n * NS_PER_MS;
    const span = spanJson({
      name: 'ends before it starts',
      startTimeUnixNano: start.toString(),
      endTimeUnixNano: (start - 5n * NS_PER_MS).toString(),
    });
    const reply = await exportRaw(
      endpoints(),
      wire,
      'traces',
      encodeRequest(wire, 'traces', tracesJson(`inverted-${wire}`, [span])),
      { key: API_KEY },
    );
    await assertStoredOrRejected(endpoints(), reply, span.traceId as string, {
      wholeRequestMayFail: false,
      check: (trace) => {
        const stored = trace.spans.find((s) => s.spanId === span.spanId);
        assert.ok(stored, 'the acked span is in its trace');
        assert.equal(stored.startTimeUnixNano, span.startTimeUnixNano, 'the start time as sent');
        assert.ok(
          !stored.durationNs.startsWith('-') && BigInt(stored.durationNs) < 2n ** 63n,
          `a duration that did not wrap: ${stored.durationNs}`,
        );
      },
    });
    await assertStillServes(target);
  });
}

// OTLP/JSON carries uint64 nanoseconds as decimal strings (or numbers); these are neither a
// valid time nor something a reader can find again.
const BAD_JSON_TIMES: [string, string][] = [
  ['"abc"', 'a word'],
  ['"1.5"', 'a fraction'],
  ['"0x10"', 'hexadecimal'],
  ['"1e3"', 'an exponent in a string'],
  ['-5', 'a negative number'],
  ['"18446744073709551616"', '2^64, one past uint64'],
  ['1e23', 'a number beyond uint64'],
];

for (const [literal, what] of BAD_JSON_TIMES) {
  test(`http/json: startTimeUnixNano ${literal} (${what}) is stored readable or rejected by partial_success`, async () => {
    const span = spanJson({ name: `time ${literal}`, startTimeUnixNano: '@START@' });
    const text = JSON.stringify(tracesJson('bad-times', [span])).replace('"@START@"', literal);
    const reply = await exportRaw(endpoints(), 'http/json', 'traces', Buffer.from(text), { key: API_KEY });
    await assertStoredOrRejected(endpoints(), reply, span.traceId as string, {
      wholeRequestMayFail: false,
      check: (trace) =>
        assert.ok(
          trace.spans.some((s) => s.spanId === span.spanId),
          'the acked span is in its trace',
        ),
    });
    await assertStillServes(target);
  });
}

const ID_SHAPES: [string, string][] = [
  ['{"length":16}', 'an object'],
  ['{}', 'an empty object'],
];

for (const [literal, what] of ID_SHAPES) {
  for (const field of ['traceId', 'spanId', 'parentSpanId'] as const) {
    test(`http/json: a span's ${field} given as ${what} is a permanent 400, never a retry`, async () => {
      const span = spanJson({ [field]: '@ID@' });
      const text = JSON.stringify(tracesJson('object-ids', [span])).replace('"@ID@"', literal);
      const reply = await exportRaw(endpoints(), 'http/json', 'traces', Buffer.from(text), { key: API_KEY });
      assert.equal(reply.ok, false, describeReply(reply));
      assert.equal(!reply.ok && reply.httpStatus, 400, describeReply(reply));
      assert.equal(clientWouldRetry(reply), false, describeReply(reply));
      assert.equal(!reply.ok && reply.retryAfterSeconds, undefined, `no Retry-After: ${describeReply(reply)}`);
      await assertStillServes(target);
    });
  }
}

test("http/json: a log record's traceId given as an object is a permanent 400, never a retry", async () => {
  const text = JSON.stringify(
    logsJson('object-ids', [{ timeUnixNano: nowNs().toString(), body: { stringValue: 'x' }, traceId: '@ID@' }]),
  ).replace('"@ID@"', '{"length":16}');
  const reply = await exportRaw(endpoints(), 'http/json', 'logs', Buffer.from(text), { key: API_KEY });
  assert.equal(!reply.ok && reply.httpStatus, 400, describeReply(reply));
  assert.equal(clientWouldRetry(reply), false, describeReply(reply));
  await assertStillServes(target);
});

/** One item of each signal from `daysAgo` days ago, tagged with `marker`. */
function oldItem(signal: Signal, daysAgo: bigint, marker: string): Json {
  const t = nowNs() - daysAgo * NS_PER_DAY;
  if (signal === 'traces')
    return tracesJson(marker, [
      spanJson({ traceId: newTraceId(), startTimeUnixNano: t.toString(), endTimeUnixNano: (t + NS_PER_MS).toString() }),
    ]);
  if (signal === 'logs')
    return logsJson(marker, [
      { timeUnixNano: t.toString(), observedTimeUnixNano: t.toString(), body: { stringValue: marker } },
    ]);
  return metricsJson(marker, [
    { name: `abuse.old.${marker}`, gauge: { dataPoints: [{ timeUnixNano: t.toString(), asDouble: 1 }] } },
  ]);
}

for (const wire of WIRES) {
  test(`${wire}: items older than the tenant's retention are rejected by partial_success saying so`, async () => {
    // Raw retention is 15 days by default; 30 days ago is past it for every signal.
    for (const signal of ['traces', 'logs', 'metrics'] as const) {
      const reply = await exportRaw(
        endpoints(),
        wire,
        signal,
        encodeRequest(wire, signal, oldItem(signal, 30n, `expired-${wire}`)),
        { key: API_KEY },
      );
      assert.ok(reply.ok, `${signal}: ${describeReply(reply)}`);
      assert.equal(
        reply.partial?.rejected,
        1,
        `${signal}: an item past retention is never stored, so it must not be acked as stored: ${describeReply(reply)}`,
      );
      assert.match(reply.partial?.errorMessage ?? '', /retention/i, `${signal}: partial_success says why`);
    }
    await assertStillServes(target);
  });
}

test('items inside the retention are stored next to rejected expired ones in the same request', async () => {
  const fresh = {
    timeUnixNano: (nowNs() - 60_000n * NS_PER_MS).toString(),
    body: { stringValue: 'fresh-next-to-expired' },
  };
  const expired = {
    timeUnixNano: (nowNs() - 30n * NS_PER_DAY).toString(),
    body: { stringValue: 'expired-next-to-fresh' },
  };
  const reply = await exportRaw(
    endpoints(),
    'http/protobuf',
    'logs',
    encodeRequest('http/protobuf', 'logs', logsJson('mixed-retention', [fresh, expired])),
    { key: API_KEY },
  );
  assert.ok(reply.ok, describeReply(reply));
  assert.equal(reply.partial?.rejected, 1, describeReply(reply));
  const found = await api<{ data: LogDto[] }>(
    endpoints().apiUrl,
    `/api/v1/logs?service=mixed-retention&from=${Date.now() - 3_600_000}&to=${Date.now() + 60_000}`,
    API_KEY,
  );
  assert.equal(found.status, 200);
  assert.deepEqual(
    found.body.data.map((l) => l.body),
    [{ stringValue: 'fresh-next-to-expired' }],
  );
  await assertStillServes(target);
});

test('the process stayed within its memory bound and the earlier data is intact', async (t) => {
  await assertBaselineIntact(target);
  target.memory.assertBounded(t, MEMORY_BOUND_MIB);
});
