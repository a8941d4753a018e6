// Requests that are valid OTLP on the wire, or nearly so, but extreme in shape: 100,000
// attributes on one span, AnyValues nested 10,000 levels deep, strings that are not UTF-8,
// one 10 MiB string, 10,000 resources and scopes in one request, empty envelopes, unknown
// and repeated fields. Each is stored exactly and readable, or refused — never acked and
// lost, never a retryable error, never the process's end.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { AnyValueJson, KeyValueJson, ServiceDto, SpanDto, TraceDto } from '@telemetryflow/contract';
import { api } from '@telemetryflow/server/test-helpers';
import {
  NS_PER_MS,
  assertStoredOrRejected,
  encodeRequest,
  newSpanId,
  newTraceId,
  nowNs,
  spanJson,
  tracesJson,
  type Json,
} from './otlp-json.js';
import * as pb from './protobuf-bytes.js';
import { WIRES, describeReply, encodingOf, exportRaw } from './otlp-wire.js';
import { API_KEY, assertBaselineIntact, assertStillServes, startTarget, stopTarget, type Target } from './target.js';

const MiB = 1024 * 1024;
const MEMORY_BOUND_MIB = 384;
/** One request of each extreme may cost this much RSS while it is handled and read back. */
const ONE_REQUEST_BOUND_MIB = 320;

let target: Target;

before(async () => {
  target = await startTarget('oversized');
});
after(() => stopTarget(target));

const endpoints = () => target.server.running;

function storedSpan(trace: TraceDto, spanId: string): SpanDto {
  const span = trace.spans.find((s) => s.spanId === spanId);
  assert.ok(span, `span ${spanId} is in the trace`);
  return span;
}

const ATTRIBUTES = 100_000;

for (const wire of WIRES) {
  test(`${wire}: a span with 100,000 attributes is stored with every one of them, or refused`, async (t) => {
    const attributes = Array.from({ length: ATTRIBUTES }, (_, i) => ({
      key: `attr.${i}`,
      value: { intValue: String(i) },
    }));
    const span = spanJson({ name: '100k attributes', attributes });
    const body = encodeRequest(wire, 'traces', tracesJson(`wide-${wire}`, [span]));
    t.diagnostic(`${(body.length / MiB).toFixed(1)} MiB request`);
    await target.memory.assertBoundedDuring(t, `100k attributes over ${wire}`, ONE_REQUEST_BOUND_MIB, async () => {
      const reply = await exportRaw(endpoints(), wire, 'traces', body, { key: API_KEY });
      await assertStoredOrRejected(endpoints(), reply, span.traceId as string, {
        wholeRequestMayFail: true,
        check: (trace) => {
          const got = storedSpan(trace, span.spanId as string).attributes;
          assert.equal(got.length, ATTRIBUTES, 'every attribute acked is returned');
          const byKey = new Map(got.map((kv) => [kv.key, kv.value]));
          for (let i = 0; i < ATTRIBUTES; i += 997) assert.deepEqual(byKey.get(`attr.${i}`), { intValue: String(i) });
        },
      });
    });
    await assertStillServes(target);
  });
}

const DEPTH = 10_000;

/** Walks a returned AnyValue down to its leaf without recursion; the depth at which it ends. */
function nestedDepth(value: AnyValueJson, kind: 'kvlist' | 'array'): number {
  let v: unknown = value;
  for (let depth = 0; ; depth++) {
    const level = v as {
      kvlistValue?: { values?: KeyValueJson[] };
      arrayValue?: { values?: AnyValueJson[] };
      stringValue?: string;
    };
    if (level.stringValue === 'leaf') return depth;
    if (kind === 'kvlist') {
      const kv = level.kvlistValue?.values;
      assert.ok(
        kv?.length === 1 && kv[0]?.key === 'k',
        `level ${depth}: one entry "k", got ${JSON.stringify(level).slice(0, 200)}`,
      );
      v = kv[0]!.value;
    } else {
      const items = level.arrayValue?.values;
      assert.ok(items?.length === 1, `level ${depth}: one element, got ${JSON.stringify(level).slice(0, 200)}`);
      v = items[0];
    }
  }
}

/** The same nesting as OTLP/JSON text, built without recursion. */
function nestedJson(kind: 'kvlist' | 'array', depth: number): string {
  const open = kind === 'kvlist' ? '{"kvlistValue":{"values":[{"key":"k","value":' : '{"arrayValue":{"values":[';
  const close = kind === 'kvlist' ? '}]}}' : ']}}';
  return open.repeat(depth) + '{"stringValue":"leaf"}' + close.repeat(depth);
}

for (const kind of ['kvlist', 'array'] as const) {
  for (const wire of WIRES) {
    test(`${wire}: an attribute value nested 10,000 deep (${kind}) is stored exactly, or refused as bad data`, async (t) => {
      const traceId = newTraceId();
      const spanId = newSpanId();
      const start = nowNs() - 60_000n * NS_PER_MS;
      let body: Uint8Array;
      if (encodingOf(wire) === 'json') {
        const span = spanJson({
          traceId,
          spanId,
          name: `deep ${kind}`,
          attributes: [{ key: 'deep', value: '@DEEP@' }],
        });
        body = Buffer.from(
          JSON.stringify(tracesJson(`deep-${wire}`, [span])).replace('"@DEEP@"', nestedJson(kind, DEPTH)),
        );
      } else {
        const span = pb.span({
          traceId: Buffer.from(traceId, 'hex'),
          spanId: Buffer.from(spanId, 'hex'),
          name: `deep ${kind}`,
          startNs: start,
          endNs: start + NS_PER_MS,
          attributes: [pb.keyValue('deep', pb.nestedAnyValue(kind, DEPTH))],
        });
        body = pb.traceRequest([pb.resourceSpans({ service: `deep-${wire}`, spans: [span] })]);
      }
      await target.memory.assertBoundedDuring(
        t,
        `${kind} nested ${DEPTH} deep over ${wire}`,
        ONE_REQUEST_BOUND_MIB,
        async () => {
          const reply = await exportRaw(endpoints(), wire, 'traces', body, { key: API_KEY });
          t.diagnostic(describeReply(reply));
          await assertStoredOrRejected(endpoints(), reply, traceId, {
            wholeRequestMayFail: true,
            check: (trace) => {
              const deep = storedSpan(trace, spanId).attributes.find((kv) => kv.key === 'deep');
              assert.ok(deep, 'the nested attribute is returned');
              assert.equal(nestedDepth(deep.value, kind), DEPTH);
            },
          });
        },
      );
      await assertStillServes(target);
    });
  }
}

const NOT_UTF8 = [
  Buffer.from([0xc3, 0x28]),
  Buffer.from([0xff, 0xfe, 0xfd]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]),
];

for (const wire of ['http/protobuf', 'grpc'] as const) {
  test(`${wire}: strings and keys that are not UTF-8 are stored readable, or refused as bad data`, async () => {
    const traceId = newTraceId();
    const spanId = newSpanId();
    const start = nowNs() - 60_000n * NS_PER_MS;
    const bad = (label: string, i: number) => Buffer.concat([Buffer.from(label), NOT_UTF8[i % NOT_UTF8.length]!]);
    const span = pb.span({
      traceId: Buffer.from(traceId, 'hex'),
      spanId: Buffer.from(spanId, 'hex'),
      name: bad('name-', 0),
      startNs: start,
      endNs: start + NS_PER_MS,
      attributes: [
        pb.keyValue(bad('key-', 1), pb.anyString('fine')),
        pb.keyValue('value', pb.anyString(bad('value-', 2))),
        pb.keyValue('ok', pb.anyString('still here')),
      ],
    });
    const body = pb.traceRequest([pb.resourceSpans({ service: `not-utf8-${wire}`, spans: [span] })]);
    const reply = await exportRaw(endpoints(), wire, 'traces', body, { key: API_KEY });
    await assertStoredOrRejected(endpoints(), reply, traceId, {
      wholeRequestMayFail: true,
      check: (trace) => {
        // Stored: the readable parts are exact and the whole answer is valid JSON (it parsed).
        const stored = storedSpan(trace, spanId);
        assert.ok(stored.name.startsWith('name-'), stored.name);
        assert.deepEqual(stored.attributes.find((kv) => kv.key === 'ok')?.value, { stringValue: 'still here' });
      },
    });
    await assertStillServes(target);
  });
}

test('http/protobuf and grpc: one 10 MiB string attribute is stored byte for byte, or refused', async (t) => {
  for (const wire of ['http/protobuf', 'grpc'] as const) {
    const huge = randomBytes(5 * MiB).toString('hex');
    const span = spanJson({ name: 'huge string', attributes: [{ key: 'huge', value: { stringValue: huge } }] });
    await target.memory.assertBoundedDuring(t, `10 MiB string over ${wire}`, ONE_REQUEST_BOUND_MIB, async () => {
      const reply = await exportRaw(
        endpoints(),
        wire,
        'traces',
        encodeRequest(wire, 'traces', tracesJson(`huge-${wire}`, [span])),
        { key: API_KEY },
      );
      await assertStoredOrRejected(endpoints(), reply, span.traceId as string, {
        wholeRequestMayFail: true,
        check: (trace) => {
          const got = storedSpan(trace, span.spanId as string).attributes.find((kv) => kv.key === 'huge')?.value as
            { stringValue?: string } | undefined;
          const digest = (s: string | undefined) =>
            createHash('sha256')
              .update(s ?? '')
              .digest('hex');
          assert.equal(got?.stringValue?.length, huge.length);
          assert.equal(digest(got?.stringValue), digest(huge));
        },
      });
    });
  }
  await assertStillServes(target);
});

const RESOURCES = 5_000;
const SCOPES = 2;

for (const wire of WIRES) {
  test(`${wire}: ${RESOURCES} resources × ${SCOPES} scopes in one request are all stored`, async (t) => {
    const service = `many-resources-${wire.replace('/', '-')}`;
    const request = {
      resourceSpans: Array.from({ length: RESOURCES }, (_, r) => ({
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: service } },
            { key: 'resource.index', value: { intValue: String(r) } },
          ],
        },
        scopeSpans: Array.from({ length: SCOPES }, (_, s) => ({
          scope: { name: `scope-${s}` },
          spans: [spanJson({ name: `r${r}s${s}` })],
        })),
      })),
    };
    const fromMs = Date.now() - 3_600_000;
    await target.memory.assertBoundedDuring(
      t,
      `${RESOURCES * SCOPES} resources and scopes over ${wire}`,
      ONE_REQUEST_BOUND_MIB,
      async () => {
        const reply = await exportRaw(endpoints(), wire, 'traces', encodeRequest(wire, 'traces', request), {
          key: API_KEY,
        });
        assert.ok(reply.ok && reply.partial === null, describeReply(reply));
      },
    );
    const services = await api<{ data: ServiceDto[] }>(
      endpoints().apiUrl,
      `/api/v1/services?from=${fromMs}&to=${Date.now() + 60_000}`,
      API_KEY,
    );
    assert.equal(services.status, 200);
    assert.equal(services.body.data.find((s) => s.name === service)?.spanCount, RESOURCES * SCOPES);
    await assertStillServes(target);
  });
}

test('empty envelopes (a resource without scopes, a scope without spans) are a full success', async () => {
  const empty = {
    resourceSpans: [
      { resource: { attributes: [] } },
      { scopeSpans: [] },
      { scopeSpans: [{ scope: { name: 'empty' }, spans: [] }] },
    ],
  };
  for (const wire of WIRES) {
    const reply = await exportRaw(endpoints(), wire, 'traces', encodeRequest(wire, 'traces', empty), { key: API_KEY });
    assert.ok(reply.ok, describeReply(reply));
    assert.equal(reply.partial, null, describeReply(reply));
  }
  await assertStillServes(target);
});

for (const wire of ['http/protobuf', 'grpc'] as const) {
  test(`${wire}: unknown protobuf fields at every level are skipped; a field sent twice keeps its last value`, async () => {
    const traceId = newTraceId();
    const spanId = newSpanId();
    const start = nowNs() - 60_000n * NS_PER_MS;
    const span = pb.span({
      traceId: Buffer.from(traceId, 'hex'),
      spanId: Buffer.from(spanId, 'hex'),
      name: 'first name',
      startNs: start,
      endNs: start + NS_PER_MS,
      attributes: [pb.keyValue('kept', pb.anyString('yes'))],
      // name (5) again: proto3 parsers take the last value of a non-repeated field.
      extra: Buffer.concat([pb.unknownFields(), pb.lenField(5, 'last name')]),
    });
    const body = pb.traceRequest(
      [pb.resourceSpans({ service: `unknown-fields-${wire}`, spans: [span], extra: pb.unknownFields() })],
      pb.unknownFields(),
    );
    const reply = await exportRaw(endpoints(), wire, 'traces', body, { key: API_KEY });
    assert.ok(reply.ok && reply.partial === null, describeReply(reply));
    await assertStoredOrRejected(endpoints(), reply, traceId, {
      wholeRequestMayFail: false,
      check: (trace) => {
        const stored = storedSpan(trace, spanId);
        assert.equal(stored.name, 'last name');
        assert.equal(stored.serviceName, `unknown-fields-${wire}`);
        assert.equal(stored.startTimeUnixNano, start.toString());
        assert.deepEqual(stored.attributes, [{ key: 'kept', value: { stringValue: 'yes' } }]);
      },
    });
    await assertStillServes(target);
  });
}

test('http/json: unknown field names at every level are ignored (OTLP/JSON MUST); a repeated key keeps its last value', async () => {
  const span: Json = {
    ...spanJson({ name: 'json name', attributes: [{ key: 'kept', value: { stringValue: 'yes' }, futureField: 1 }] }),
    futureSpanField: { nested: [1, 2, 3] },
  };
  const request: Json = {
    resourceSpans: [
      {
        resource: {
          attributes: [{ key: 'service.name', value: { stringValue: 'unknown-json' } }],
          futureResource: 'x',
        },
        scopeSpans: [{ scope: { name: 's', futureScope: true }, spans: [span], futureScopeSpans: null }],
        futureResourceSpans: 1.5,
      },
    ],
    futureTopLevel: { a: 'b' },
  };
  // The same key twice in one object: JSON parsers keep the last one.
  const text = JSON.stringify(request).replace('"name":"json name"', '"name":"first","name":"json name"');
  const reply = await exportRaw(endpoints(), 'http/json', 'traces', Buffer.from(text), { key: API_KEY });
  assert.ok(reply.ok && reply.partial === null, describeReply(reply));
  await assertStoredOrRejected(endpoints(), reply, span.traceId as string, {
    wholeRequestMayFail: false,
    check: (trace) => {
      const stored = storedSpan(trace, span.spanId as string);
      assert.equal(stored.name, 'json name');
      assert.equal(stored.serviceName, 'unknown-json');
      assert.deepEqual(stored.attributes, [{ key: 'kept', value: { stringValue: 'yes' } }]);
    },
  });
  await assertStillServes(target);
});

test('the process stayed within its memory bound and the earlier data is intact', async (t) => {
  await assertBaselineIntact(target);
  target.memory.assertBounded(t, MEMORY_BOUND_MIB);
});
