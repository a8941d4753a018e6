// Every item an OTLP client sends is either stored and readable through the API, or refused
// through partial_success naming why: times that are not fixed64 values, spans that end before
// they start, times past what ClickHouse can store, data older than the tenant's retention,
// ids of the wrong JSON type. Real clients: fetch, grpc-js, and the API as a user reads it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { status as GrpcCode, type Client } from '@grpc/grpc-js';
import {
  API_KEY,
  api,
  freshDataDir,
  getTrace,
  pointValues,
  queryMetric,
  removeDir,
  searchLogs,
  startServer,
  type Started,
} from './helpers.js';
import { grpcClient, grpcExport, jsonWithRaw, postOtlp, spanId, traceId, tracesProtobuf } from './otlp-clients.js';

let server: Started;
let dataDir: string;
let grpc: Client;
const NOW_NS = () => BigInt(Date.now() - 60_000) * 1_000_000n;
const DAY_NS = 86_400n * 1_000_000_000n;

before(async () => {
  dataDir = freshDataDir();
  server = await startServer(dataDir);
  grpc = grpcClient(server.running.otlpGrpcAddress);
});

after(async () => {
  grpc?.close();
  await server?.running.close();
  if (dataDir) removeDir(dataDir);
});

function jsonSpan(trace: string, name: string, start: unknown, end: unknown): Record<string, unknown> {
  return { traceId: trace, spanId: spanId(), name, kind: 2, startTimeUnixNano: start, endTimeUnixNano: end };
}

function jsonTraces(service: string, spans: Record<string, unknown>[]): Record<string, unknown> {
  return {
    resourceSpans: [
      { resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ spans }] },
    ],
  };
}

async function traceStatus(id: string): Promise<number> {
  return (await getTrace(server.running.apiUrl, API_KEY, id)).status;
}

describe('JSON times that are not fixed64 values', () => {
  test('"abc", "1.5", "0x10", "1e3", -5, 2^64 and 1e23 are each refused by name; the valid span of the request is readable', async () => {
    const now = NOW_NS();
    // Numbers beyond what JSON.stringify writes as such go in as raw JSON text.
    const odd: unknown[] = ['abc', '1.5', '0x10', '1e3', -5, 'RAW:18446744073709551616', 'RAW:1e23'];
    const valid = traceId();
    const others = odd.map(() => traceId());
    const body = jsonWithRaw(
      jsonTraces('json-times', [
        jsonSpan(valid, 'kept', now.toString(), (now + 1000n).toString()),
        ...odd.map((v, i) => jsonSpan(others[i]!, `odd ${String(v)}`, v, now.toString())),
      ]),
    );
    const answer = await postOtlp(server.running.otlpHttpUrl, 'traces', body, 'json', API_KEY);
    assert.equal(answer.status, 200);
    assert.equal(answer.partial?.rejected, odd.length, answer.partial?.errorMessage);
    assert.match(answer.partial!.errorMessage, /span: start_time_unix_nano: "abc" is not a decimal integer/);
    assert.match(answer.partial!.errorMessage, /span: start_time_unix_nano: -5 is out of range/);
    assert.equal(await traceStatus(valid), 200);
    // "1e3" is a valid fixed64 (1000 ns after 1970): refused for its age, not stored unreadable.
    for (const id of others) assert.equal(await traceStatus(id), 404);
  });

  test('logs (time and observed time) and metric points (start time) are refused the same way; the valid ones are readable', async () => {
    const now = NOW_NS();
    const word = `valid${Date.now()}`;
    const logs = await postOtlp(
      server.running.otlpHttpUrl,
      'logs',
      JSON.stringify({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'json-logs' } }] },
            scopeLogs: [
              {
                logRecords: [
                  { timeUnixNano: now.toString(), body: { stringValue: `${word} kept` } },
                  { timeUnixNano: 'abc', body: { stringValue: `${word} bad time` } },
                  {
                    timeUnixNano: now.toString(),
                    observedTimeUnixNano: '1.5',
                    body: { stringValue: `${word} bad observed` },
                  },
                ],
              },
            ],
          },
        ],
      }),
      'json',
      API_KEY,
    );
    assert.equal(logs.status, 200);
    assert.equal(logs.partial?.rejected, 2);
    assert.match(logs.partial!.errorMessage, /log record: time_unix_nano: "abc"/);
    assert.match(logs.partial!.errorMessage, /log record: observed_time_unix_nano: "1.5"/);
    const found = await searchLogs(server.running.apiUrl, API_KEY, {
      q: word,
      from: Date.now() - 3_600_000,
      to: Date.now(),
    });
    assert.deepEqual(
      found.map((l) => l.body),
      [{ stringValue: `${word} kept` }],
    );

    const metric = `json.points.${Date.now()}`;
    const metrics = await postOtlp(
      server.running.otlpHttpUrl,
      'metrics',
      JSON.stringify({
        resourceMetrics: [
          {
            scopeMetrics: [
              {
                metrics: [
                  {
                    name: metric,
                    gauge: {
                      dataPoints: [
                        { timeUnixNano: now.toString(), startTimeUnixNano: (now - 1000n).toString(), asDouble: 7 },
                        { timeUnixNano: now.toString(), startTimeUnixNano: 'yesterday', asDouble: 8 },
                        { timeUnixNano: now.toString(), startTimeUnixNano: (now + 1n).toString(), asDouble: 9 },
                      ],
                    },
                  },
                ],
              },
            ],
          },
        ],
      }),
      'json',
      API_KEY,
    );
    assert.equal(metrics.status, 200);
    assert.equal(metrics.partial?.rejected, 2);
    assert.match(metrics.partial!.errorMessage, /data point of "json\.points\.\d+": start_time_unix_nano: "yesterday"/);
    assert.match(metrics.partial!.errorMessage, /start_time_unix_nano .* is after time_unix_nano/);
    const result = await queryMetric(server.running.apiUrl, API_KEY, {
      metric,
      aggregation: 'max',
      from: Date.now() - 3_600_000,
      to: Date.now(),
      stepSeconds: 3600,
    });
    assert.deepEqual(
      pointValues(result).filter((v) => v !== 0),
      [7],
    );
  });
});

describe('ids of the wrong JSON type, malformed requests', () => {
  test('a trace or span id given as an object or array is a permanent 400 (not OTLP/JSON), never 503; nothing of the request is stored', async () => {
    const now = NOW_NS();
    for (const bad of [{ traceId: { length: 16 } }, { spanId: [1, 2, 3, 4, 5, 6, 7, 8] }]) {
      const valid = traceId();
      const body = JSON.stringify(
        jsonTraces('json-ids', [
          jsonSpan(valid, 'sibling', now.toString(), now.toString()),
          { ...jsonSpan(traceId(), 'wrong type', now.toString(), now.toString()), ...bad },
        ]),
      );
      const answer = await postOtlp(server.running.otlpHttpUrl, 'traces', body, 'json', API_KEY);
      assert.equal(answer.status, 400, JSON.stringify(bad));
      assert.equal(answer.retryAfter, null);
      assert.equal(answer.error?.code, GrpcCode.INVALID_ARGUMENT);
      assert.match(answer.error!.message, /must be a hex string, got an (object|array)/);
      assert.equal(await traceStatus(valid), 404, 'a refused request stores nothing');
    }
  });

  test('a request whose structure is wrong is a permanent 400 with google.rpc.Status INVALID_ARGUMENT', async () => {
    for (const body of [
      '{"resourceSpans":{"length":1}}',
      '{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":{"intValue":{}}}]}}]}',
      '[]',
      '{',
    ]) {
      const answer = await postOtlp(server.running.otlpHttpUrl, 'traces', body, 'json', API_KEY);
      assert.equal(answer.status, 400, body);
      assert.equal(answer.retryAfter, null);
      assert.equal(answer.error?.code, GrpcCode.INVALID_ARGUMENT);
    }
  });
});

describe('span times on every transport', () => {
  test('a span that ends before it starts is refused over OTLP/HTTP protobuf and JSON and over gRPC; its valid sibling is readable', async () => {
    const now = NOW_NS();
    for (const transport of ['protobuf', 'json', 'grpc'] as const) {
      const valid = traceId();
      const inverted = traceId();
      const spans = [
        { traceId: valid, spanId: spanId(), name: 'kept', start: now, end: now + 5n },
        { traceId: inverted, spanId: spanId(), name: 'inverted', start: now, end: now - 1n },
      ];
      let partial;
      if (transport === 'grpc') {
        const answer = await grpcExport(grpc, 'traces', tracesProtobuf(`inverted-${transport}`, spans), API_KEY);
        assert.equal(answer.error, undefined);
        partial = answer.partial;
      } else {
        const body =
          transport === 'protobuf'
            ? tracesProtobuf(`inverted-${transport}`, spans)
            : JSON.stringify(
                jsonTraces(
                  `inverted-${transport}`,
                  spans.map((s) => jsonSpan(s.traceId, s.name, s.start.toString(), s.end.toString())),
                ),
              );
        const answer = await postOtlp(server.running.otlpHttpUrl, 'traces', body, transport, API_KEY);
        assert.equal(answer.status, 200);
        partial = answer.partial;
      }
      assert.equal(partial?.rejected, 1, transport);
      assert.match(partial!.errorMessage, /end_time_unix_nano .* is before start_time_unix_nano/, transport);
      const trace = await getTrace(server.running.apiUrl, API_KEY, valid);
      assert.equal(trace.status, 200, transport);
      assert.equal(trace.body.data.spans[0]!.durationNs, '5');
      assert.equal(await traceStatus(inverted), 404, transport);
    }
  });

  test('times past 2096-02-09 (their TTL would wrap ClickHouse DateTime) are refused; a span in 2090 is stored and readable', async () => {
    const at = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;
    const future = traceId();
    const tooFar = traceId();
    const answer = await grpcExport(
      grpc,
      'traces',
      tracesProtobuf('future', [
        {
          traceId: future,
          spanId: spanId(),
          name: 'in 2090',
          start: at('2090-01-01T00:00:00Z'),
          end: at('2090-01-01T00:00:01Z'),
        },
        {
          traceId: tooFar,
          spanId: spanId(),
          name: 'in 2200',
          start: at('2200-01-01T00:00:00Z'),
          end: at('2200-01-01T00:00:01Z'),
        },
      ]),
      API_KEY,
    );
    assert.equal(answer.partial?.rejected, 1);
    assert.match(
      answer.partial!.errorMessage,
      /start_time_unix_nano 2200-01-01T00:00:00\.000000000Z is after 2096-02-09T06:28:15\.000000000Z, the latest time that can be stored/,
    );
    const trace = await getTrace(server.running.apiUrl, API_KEY, future);
    assert.equal(trace.status, 200);
    assert.equal(trace.body.data.spans[0]!.startTimeUnixNano, at('2090-01-01T00:00:00Z').toString());
    assert.equal(await traceStatus(tooFar), 404);
  });
});

describe('data older than the tenant retention', () => {
  test('is refused with partial success on every transport and signal (default 15 days raw), while recent data is stored', async () => {
    const now = NOW_NS();
    const old = now - 20n * DAY_NS;
    const recent = traceId();
    const stale = [traceId(), traceId(), traceId()];
    const spans = (i: number) => [
      { traceId: recent, spanId: spanId(), name: 'recent', start: now - DAY_NS, end: now - DAY_NS + 1n },
      { traceId: stale[i]!, spanId: spanId(), name: 'old', start: old, end: old + 1n },
    ];
    const answers = [
      (await grpcExport(grpc, 'traces', tracesProtobuf('retention', spans(0)), API_KEY)).partial,
      (await postOtlp(server.running.otlpHttpUrl, 'traces', tracesProtobuf('retention', spans(1)), 'protobuf', API_KEY))
        .partial,
      (
        await postOtlp(
          server.running.otlpHttpUrl,
          'traces',
          JSON.stringify(
            jsonTraces(
              'retention',
              spans(2).map((s) => jsonSpan(s.traceId, s.name, s.start.toString(), s.end.toString())),
            ),
          ),
          'json',
          API_KEY,
        )
      ).partial,
    ];
    for (const partial of answers) {
      assert.equal(partial?.rejected, 1);
      assert.match(
        partial!.errorMessage,
        /span: start_time_unix_nano \S+ is older than this tenant's retention \(nothing before \S+ is kept\)/,
      );
    }
    assert.equal(await traceStatus(recent), 200);
    for (const id of stale) assert.equal(await traceStatus(id), 404);

    const logs = await postOtlp(
      server.running.otlpHttpUrl,
      'logs',
      JSON.stringify({
        resourceLogs: [
          {
            scopeLogs: [
              {
                logRecords: [
                  { timeUnixNano: old.toString() },
                  { observedTimeUnixNano: old.toString() },
                  { timeUnixNano: now.toString() },
                ],
              },
            ],
          },
        ],
      }),
      'json',
      API_KEY,
    );
    assert.equal(logs.partial?.rejected, 2);
    const metrics = await postOtlp(
      server.running.otlpHttpUrl,
      'metrics',
      JSON.stringify({
        resourceMetrics: [
          {
            scopeMetrics: [
              {
                metrics: [
                  {
                    name: 'retention.points',
                    gauge: {
                      dataPoints: [
                        { timeUnixNano: old.toString(), asDouble: 1 },
                        { timeUnixNano: now.toString(), asDouble: 2 },
                      ],
                    },
                  },
                ],
              },
            ],
          },
        ],
      }),
      'json',
      API_KEY,
    );
    assert.equal(metrics.partial?.rejected, 1);
    assert.match(
      metrics.partial!.errorMessage,
      /data point of "retention\.points": time_unix_nano .* is older than this tenant's retention/,
    );
  });

  test('a longer retention set through the API admits what it keeps', async () => {
    const put = await api(server.running.apiUrl, '/api/v1/retention', API_KEY, {
      method: 'PUT',
      body: { spans: { rawDays: 30 } },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    // A new key: the collector caches a key's credential, retention included, for 10 s.
    const created = await api<{ data: { key: string } }>(server.running.apiUrl, '/api/v1/api-keys', API_KEY, {
      method: 'POST',
      body: { name: 'retention test', scopes: ['ingest'] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const old = NOW_NS() - 20n * DAY_NS;
    const kept = traceId();
    const answer = await postOtlp(
      server.running.otlpHttpUrl,
      'traces',
      tracesProtobuf('retention-30', [
        { traceId: kept, spanId: spanId(), name: 'old but kept', start: old, end: old + 1n },
      ]),
      'protobuf',
      created.body.data.key,
    );
    assert.equal(answer.status, 200);
    assert.equal(answer.partial, null);
    assert.equal(await traceStatus(kept), 200);
  });
});
