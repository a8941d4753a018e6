// The real OpenTelemetry JS SDK exporters, every signal over every transport, against the
// in-process all-in-one; everything is read back through the query API.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  API_KEY,
  TRANSPORTS,
  assertLogs,
  assertMetrics,
  assertTrace,
  buildLogs,
  buildMetrics,
  buildTrace,
  exportOk,
  exportWith,
  exporters,
  freshDataDir,
  getTrace,
  removeDir,
  searchLogs,
  startServer,
  type Started,
} from './helpers.js';

let server: Started;
let dataDir: string;

before(async () => {
  dataDir = freshDataDir();
  server = await startServer(dataDir);
});

after(async () => {
  await server?.running.close();
  if (dataDir) removeDir(dataDir);
});

test('health and readiness answer once started', async () => {
  const health = await fetch(`${server.running.apiUrl}/health`);
  assert.equal(health.status, 200);
  const ready = await fetch(`${server.running.apiUrl}/ready`);
  assert.equal(ready.status, 200);
});

test('the read API refuses requests without a valid key', async () => {
  const none = await fetch(`${server.running.apiUrl}/api/v1/traces/0123456789abcdef0123456789abcdef`);
  assert.equal(none.status, 401);
  const wrong = await fetch(`${server.running.apiUrl}/api/v1/traces/0123456789abcdef0123456789abcdef`, {
    headers: { authorization: 'Bearer tf_not_a_real_key_0000000000000000' },
  });
  assert.equal(wrong.status, 401);
});

test('items that cannot be stored are rejected through partial success; the rest are stored', async () => {
  const now = BigInt(Date.now() - 60_000) * 1_000_000n;
  const good = '0af7651916cd43dd8448eb211c80319c';
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'partial-svc' } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: good,
                spanId: 'b7ad6b7169203331',
                name: 'kept',
                kind: 2,
                startTimeUnixNano: now.toString(),
                endTimeUnixNano: (now + 1000n).toString(),
              },
              {
                traceId: '0af765',
                spanId: 'b7ad6b7169203332',
                name: 'short trace id',
                startTimeUnixNano: now.toString(),
                endTimeUnixNano: now.toString(),
              },
              {
                traceId: good,
                spanId: '0000000000000000',
                name: 'zero span id',
                startTimeUnixNano: now.toString(),
                endTimeUnixNano: now.toString(),
              },
            ],
          },
        ],
      },
    ],
  };
  const res = await fetch(`${server.running.otlpHttpUrl}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const answer = (await res.json()) as { partialSuccess?: { rejectedSpans?: string; errorMessage?: string } };
  assert.equal(answer.partialSuccess?.rejectedSpans, '2');
  assert.match(answer.partialSuccess?.errorMessage ?? '', /trace_id must be 16 bytes/);
  const trace = await getTrace(server.running.apiUrl, API_KEY, good);
  assert.equal(trace.status, 200);
  assert.deepEqual(
    trace.body.data.spans.map((s) => s.name),
    ['kept'],
  );
});

for (const transport of TRANSPORTS) {
  describe(`OTLP ${transport} through the SDK exporters`, () => {
    test('traces: every field comes back exactly, visible as soon as the export is acknowledged', async () => {
      const f = buildTrace(`checkout-${transport}`);
      const ex = exporters(server.running, transport, API_KEY);
      try {
        await exportOk(ex.traces, f.spans, `${transport} traces`);
      } finally {
        await ex.shutdown();
      }
      // No polling: an acknowledged export is durable and queryable.
      const res = await getTrace(server.running.apiUrl, API_KEY, f.traceId);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assertTrace(res.body.data, f);
      // Upper-case ids in the path name the same trace; the answer is lowercase hex.
      const upper = await getTrace(server.running.apiUrl, API_KEY, f.traceId.toUpperCase());
      assert.equal(upper.status, 200);
      assert.equal(upper.body.data.traceId, f.traceId);
    });

    test('logs: bodies, severities, ids and timestamps come back exactly', async () => {
      const f = buildLogs(`billing-${transport}`);
      const ex = exporters(server.running, transport, API_KEY);
      try {
        await exportOk(ex.logs, f.records, `${transport} logs`);
      } finally {
        await ex.shutdown();
      }
      const logs = await searchLogs(server.running.apiUrl, API_KEY, { service: f.service, from: f.fromMs, to: f.toMs });
      assertLogs(logs, f);
      const byTrace = await searchLogs(server.running.apiUrl, API_KEY, {
        traceId: f.traceId,
        service: f.service,
        from: f.fromMs,
        to: f.toMs,
      });
      assert.equal(byTrace.length, 2);
      const words = await searchLogs(server.running.apiUrl, API_KEY, {
        q: 'payment declined',
        service: f.service,
        from: f.fromMs,
        to: f.toMs,
      });
      assert.equal(words.length, 1);
      assert.deepEqual(words[0]!.body, { stringValue: 'payment declined for order 42' });
    });

    test('metrics: counter, up-down counter, gauges, histogram and exponential histogram', async () => {
      const f = await buildMetrics(`inventory-${transport}`, `e2e.${transport}`);
      const ex = exporters(server.running, transport, API_KEY);
      try {
        await exportOk(ex.metrics, f.resourceMetrics, `${transport} metrics`);
      } finally {
        await ex.shutdown();
      }
      await assertMetrics(server.running.apiUrl, API_KEY, f);
    });

    test('an export with an unknown key is refused and stores nothing', async () => {
      const f = buildTrace(`intruder-${transport}`);
      const ex = exporters(server.running, transport, 'tf_unknown_key_00000000000000000000');
      let result: Awaited<ReturnType<typeof exportWith>>;
      try {
        result = await exportWith(ex.traces, f.spans);
      } finally {
        await ex.shutdown();
      }
      assert.notEqual(result.code, 0, 'export with an unknown key must fail');
      // 401 over HTTP, UNAUTHENTICATED (16) over gRPC.
      assert.equal(
        (result.error as { code?: number } | undefined)?.code,
        transport === 'grpc' ? 16 : 401,
        String(result.error),
      );
      const res = await getTrace(server.running.apiUrl, API_KEY, f.traceId);
      assert.equal(res.status, 404);
    });
  });
}
