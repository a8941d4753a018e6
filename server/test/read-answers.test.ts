// What OpenTelemetry clients read back: telemetry sent with the real OTel JS SDK exporters
// (or OTLP/JSON where the SDK cannot express it) to the all-in-one, read through the API.
// Trace ids of every shape, histogram quantiles within the recorded extremes, and the OTLP
// fields besides names and attributes: flags, dropped counts, scope attributes, event names,
// int64 values.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ROOT_CONTEXT, SpanKind, trace, type Span } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan, type SpanLimits } from '@opentelemetry/sdk-trace';
import type { ExemplarDto, LogDto, MetricQueryResultDto, TraceDto, TraceSummaryDto } from '@telemetryflow/schemas';
import { api, API_KEY, CollectOnlyReader, exportOk, exporters, freshDataDir, getTrace, hr, removeDir, searchLogs, startServer, type Started } from './helpers.js';

const MS = 1_000_000n;
const H = 3_600_000;
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

const get = <T>(path: string) => api<{ data: T; meta: Record<string, unknown> }>(server.running.apiUrl, path, API_KEY);
const post = <T>(path: string, body: unknown) => api<{ data: T; meta: Record<string, unknown> }>(server.running.apiUrl, path, API_KEY, { method: 'POST', body });

/** Spans recorded by an SDK tracer of one service, exported as the SDK would. */
function recorder(service: string, options: { idGenerator?: { generateTraceId(): string; generateSpanId(): string }; spanLimits?: SpanLimits } = {}) {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
    ...options,
  });
  return { tracer: provider.getTracer('read-answers', '1.0.0'), spans: (): ReadableSpan[] => memory.getFinishedSpans() };
}

async function exportSpans(spans: ReadableSpan[]): Promise<void> {
  const ex = exporters(server.running, 'proto', API_KEY);
  try {
    await exportOk(ex.traces, spans, 'traces');
  } finally {
    await ex.shutdown();
  }
}


describe('trace search', () => {
  /** 501 one-span traces; a third of the ids end in a zero byte, a third in four. */
  const sent = new Set<string>();
  let fromMs = 0;
  before(async () => {
    let i = 0;
    const ids = {
      generateTraceId(): string {
        const id = `${randomBytes(8).toString('hex')}${(i++).toString(16).padStart(8, '0')}${i % 3 === 0 ? `${randomBytes(3).toString('hex')}00` : i % 3 === 1 ? '00000000' : 'ab'.repeat(4)}`;
        sent.add(id);
        return id;
      },
      generateSpanId: () => randomBytes(8).toString('hex'),
    };
    const { tracer, spans } = recorder('catalog', { idGenerator: ids });
    fromMs = Date.now() - 30 * 60_000;
    for (let k = 0; k < 501; k++) {
      const start = fromMs + k * 1000;
      tracer.startSpan('GET /item', { kind: SpanKind.SERVER, startTime: start }, ROOT_CONTEXT).end(start + (k % 50) + 1);
    }
    await exportSpans(spans());
  });

  for (const sort of ['newest', 'slowest'] as const) {
    test(`every trace once, ids ending in zero bytes included, paging 501 traces by 100 (${sort} first)`, async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await get<TraceSummaryDto[]>(`/api/v1/traces?service=catalog&from=${fromMs - 60_000}&to=${Date.now()}&limit=100&sort=${sort}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        seen.push(...res.body.data.map((t) => t.traceId));
        cursor = res.body.meta.nextCursor as string | undefined;
        pages++;
      } while (cursor !== undefined && pages < 10);
      assert.equal(pages, 6);
      assert.equal(seen.length, 501);
      assert.deepEqual(new Set(seen), sent);
      assert.equal(seen.filter((id) => id.endsWith('00')).length, 334);
    });
  }
});

describe('explicit-bucket histogram quantiles', () => {
  test("lie within the point's recorded min and max: bounds [10, 100, 1000], counts [2, 5, 3, 0], max 300", async () => {
    const reader = new CollectOnlyReader();
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'pricing' }), readers: [reader] });
    const histogram = provider.getMeter('read-answers').createHistogram('quote.latency', { unit: 'ms', advice: { explicitBucketBoundaries: [10, 100, 1000] } });
    for (const v of [5, 6, 20, 30, 40, 50, 60, 150, 200, 300]) histogram.record(v);
    const { resourceMetrics, errors } = await reader.collect();
    assert.deepEqual(errors, []);
    await provider.shutdown();
    const ex = exporters(server.running, 'grpc', API_KEY);
    try {
      await exportOk(ex.metrics, resourceMetrics, 'metrics');
    } finally {
      await ex.shutdown();
    }
    const quantile = async (aggregation: string) => {
      const res = await post<MetricQueryResultDto>('/api/v1/metrics/query', { metric: 'quote.latency', aggregation, from: Date.now() - H, to: Date.now() + 60_000, stepSeconds: 7200 });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.data.series.flatMap((s) => s.points.map((p) => p[1]).filter((v) => v !== null));
    };
    // Rank 9.5 and 9.9 of 10 fall in (100, 1000], which the maximum narrows to (100, 300]:
    // 100 + 200 × 2.5/3 and 100 + 200 × 2.9/3 (not 850 and 970, above every observation).
    const [p95] = await quantile('p95');
    const [p99] = await quantile('p99');
    assert.ok(Math.abs(p95! - (100 + (200 * 2.5) / 3)) < 1e-9, `p95 ${p95}`);
    assert.ok(Math.abs(p99! - (100 + (200 * 2.9) / 3)) < 1e-9, `p99 ${p99}`);
    // Ranks inside the buckets between min and max are interpolated as before: p50 at 60% of (10, 100].
    const [p50] = await quantile('p50');
    assert.ok(Math.abs(p50! - (10 + 90 * (3 / 5))) < 1e-9, `p50 ${p50}`);
  });
});

describe('what OTLP carries besides names and attributes', () => {
  test('span flags (sampled, remote parent), dropped attribute, event and link counts', async () => {
    const limits: SpanLimits = { attributeCountLimit: 2, eventCountLimit: 1, linkCountLimit: 1, attributePerEventCountLimit: 1, attributePerLinkCountLimit: 1 };
    const { tracer, spans } = recorder('limited', { spanLimits: limits });
    const remote = trace.setSpanContext(ROOT_CONTEXT, { traceId: 'c0ffee'.padEnd(32, '1'), spanId: 'feedbeef00000001', traceFlags: 1, isRemote: true });
    const start = Date.now() - 60_000;
    const link = { context: { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceFlags: 1, isRemote: true }, attributes: { a: 1, b: 2 } };
    const span: Span = tracer.startSpan('POST /limited', { kind: SpanKind.SERVER, startTime: start, attributes: { a: 1, b: 2, c: 3, d: 4 }, links: [link, link] }, remote);
    for (let i = 0; i < 3; i++) span.addEvent(`event ${i}`, { x: 1, y: 2, z: 3 }, start + i);
    span.end(start + 10);
    await exportSpans(spans());
    const res = await getTrace(server.running.apiUrl, API_KEY, 'c0ffee'.padEnd(32, '1'));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const [s] = res.body.data.spans;
    assert.ok(s);
    // Sampled (0x1), "is the parent remote" known (0x100) and true (0x200).
    assert.equal(s.flags, 0x301);
    assert.deepEqual([s.droppedAttributesCount, s.droppedEventsCount, s.droppedLinksCount], [2, 2, 1]);
    assert.deepEqual(s.events.map((e) => e.droppedAttributesCount), [2]);
    assert.deepEqual(s.links.map((l) => [l.flags, l.droppedAttributesCount]), [[0x301, 1]]);
  });

  test('scope attributes of spans (OTLP/JSON: the JS tracing API has none) and of log records (SDK)', async () => {
    const traceId = '5c0be'.padEnd(32, '7');
    const now = BigInt(Date.now() - 60_000) * MS;
    const body = {
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'scoped' } }] },
        scopeSpans: [{
          scope: { name: 'io.example.http', version: '2.0', attributes: [{ key: 'library.mode', value: { stringValue: 'fast' } }, { key: 'retries', value: { intValue: '3' } }], droppedAttributesCount: 4 },
          spans: [{ traceId, spanId: '5c0be00000000001', name: 'GET /', kind: 2, flags: 257, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 1000n) }],
        }],
      }],
    };
    const sent = await fetch(`${server.running.otlpHttpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` }, body: JSON.stringify(body) });
    assert.equal(sent.status, 200, await sent.text());
    const res = await getTrace(server.running.apiUrl, API_KEY, traceId);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual((res.body.data as TraceDto).spans[0]!.scope, {
      name: 'io.example.http', version: '2.0', droppedAttributesCount: 4,
      attributes: [{ key: 'library.mode', value: { stringValue: 'fast' } }, { key: 'retries', value: { intValue: '3' } }],
    });
    assert.equal(res.body.data.spans[0]!.flags, 257);

    // Log records: the scope's attributes, the event name, the span context's flags, dropped attributes.
    const memory = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'sessions' }),
      processors: [new SimpleLogRecordProcessor({ exporter: memory })],
      logRecordLimits: { attributeCountLimit: 1 },
    });
    const logger = provider.getLogger('pino', '9.0.0', { attributes: { 'logger.kind': 'json' } });
    const baseSec = Math.floor(Date.now() / 1000) - 60;
    logger.emit({
      eventName: 'session.start', severityNumber: SeverityNumber.INFO, body: 'signed in', timestamp: hr(baseSec, 5), attributes: { user: 'u-1', plan: 'pro', seats: 3 },
      context: trace.setSpanContext(ROOT_CONTEXT, { traceId: 'e'.repeat(32), spanId: 'f'.repeat(16), traceFlags: 1 }),
    });
    const ex = exporters(server.running, 'http', API_KEY);
    try {
      await exportOk(ex.logs, [...memory.getFinishedLogRecords()], 'logs');
    } finally {
      await ex.shutdown();
    }
    const [log] = await searchLogs(server.running.apiUrl, API_KEY, { service: 'sessions', from: (baseSec - 10) * 1000, to: (baseSec + 10) * 1000 });
    assert.ok(log);
    const l: LogDto = log;
    assert.deepEqual(l.scope, { name: 'pino', version: '9.0.0', attributes: [{ key: 'logger.kind', value: { stringValue: 'json' } }], droppedAttributesCount: 0 });
    assert.deepEqual([l.eventName, l.flags, l.droppedAttributesCount, l.attributes.length], ['session.start', 1, 2, 1]);
  });

  test('int64 metric values past 2^53 come back exactly, as strings beside the JSON numbers', async () => {
    const now = BigInt(Date.now() - 60_000) * MS;
    const body = {
      resourceMetrics: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'clock' } }] },
        scopeMetrics: [{
          metrics: [{
            name: 'process.start_time.ns',
            gauge: {
              dataPoints: [{
                timeUnixNano: String(now), asInt: '9007199254740993',
                exemplars: [{ timeUnixNano: String(now - 5n), asInt: '9007199254740995', traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }],
              }],
            },
          }],
        }],
      }],
    };
    const sent = await fetch(`${server.running.otlpHttpUrl}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` }, body: JSON.stringify(body) });
    assert.equal(sent.status, 200, await sent.text());
    const window = { from: Date.now() - H, to: Date.now() + 60_000 };
    for (const aggregation of ['last', 'max', 'min']) {
      const res = await post<MetricQueryResultDto>('/api/v1/metrics/query', { metric: 'process.start_time.ns', aggregation, ...window, stepSeconds: 7200 });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const [series] = res.body.data.series;
      assert.deepEqual(series!.intValues?.filter((v) => v !== null), ['9007199254740993'], aggregation);
    }
    const ex = await get<ExemplarDto[]>(`/api/v1/metrics/exemplars?metric=process.start_time.ns&from=${window.from}&to=${window.to}`);
    assert.deepEqual(ex.body.data.map((e) => [e.intValue, e.traceId]), [['9007199254740995', 'a'.repeat(32)]]);
  });
});
