// What OpenTelemetry clients read back: telemetry sent with the real OTel JS SDK exporters
// (or OTLP/JSON where the SDK cannot express it) to the all-in-one, read through the API.
// Trace ids of every shape, a service's RED over its entry spans everywhere it is shown,
// histogram quantiles within the recorded extremes, and the OTLP fields besides names and
// attributes: flags, dropped counts, scope attributes, event names, int64 values.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
  type SpanLimits,
} from '@opentelemetry/sdk-trace';
import type {
  DashboardRenderDto,
  DashboardSummaryDto,
  ExemplarDto,
  LogDto,
  MetricQueryResultDto,
  PreviewDto,
  ServiceDto,
  ServiceMapDto,
  TraceDto,
  TraceSummaryDto,
} from '@telemetryflow/contract';
import {
  api,
  API_KEY,
  CollectOnlyReader,
  exportOk,
  exporters,
  freshDataDir,
  getTrace,
  hr,
  removeDir,
  searchLogs,
  startServer,
  type Started,
} from './helpers.js';

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
const post = <T>(path: string, body: unknown) =>
  api<{ data: T; meta: Record<string, unknown> }>(server.running.apiUrl, path, API_KEY, { method: 'POST', body });

/** Spans recorded by an SDK tracer of one service, exported as the SDK would. */
function recorder(
  service: string,
  options: { idGenerator?: { generateTraceId(): string; generateSpanId(): string }; spanLimits?: SpanLimits } = {},
) {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
    ...options,
  });
  return {
    tracer: provider.getTracer('read-answers', '1.0.0'),
    spans: (): ReadableSpan[] => memory.getFinishedSpans(),
  };
}

async function exportSpans(spans: ReadableSpan[]): Promise<void> {
  const ex = exporters(server.running, 'proto', API_KEY);
  try {
    await exportOk(ex.traces, spans, 'traces');
  } finally {
    await ex.shutdown();
  }
}

/** Relative difference within the sketches' 2%. */
function assertNear(actual: number | null | undefined, expected: number, what: string): void {
  assert.ok(
    actual !== null && actual !== undefined && Math.abs(actual - expected) / expected <= 0.02,
    `${what}: ${actual} vs ${expected}`,
  );
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
      tracer
        .startSpan('GET /item', { kind: SpanKind.SERVER, startTime: start }, ROOT_CONTEXT)
        .end(start + (k % 50) + 1);
    }
    await exportSpans(spans());
  });

  for (const sort of ['newest', 'slowest'] as const) {
    test(`every trace once, ids ending in zero bytes included, paging 501 traces by 100 (${sort} first)`, async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await get<TraceSummaryDto[]>(
          `/api/v1/traces?service=catalog&from=${fromMs - 60_000}&to=${Date.now()}&limit=100&sort=${sort}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
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

describe("a service's RED is over its entry spans, everywhere it is shown", () => {
  /**
   * Within the last hour (raw spans), before the trace-search test's spans and within one
   * UTC day, so a daily step holds all of it.
   */
  const D = 24 * H;
  const recent = ((t) =>
    Math.floor(t / D) === Math.floor((t + 19 * 60_000) / D) ? t : Math.floor((t + 19 * 60_000) / D) * D - 20 * 60_000)(
    Date.now() - 55 * 60_000,
  );
  /** Two days ago, at the start of a UTC hour: whole hours that the rollups answer. */
  const oldHour = Math.floor((Date.now() - 2 * D) / H) * H;
  /** The 17 minutes of the app's spans. */
  const range = (from: number) => `from=${from - 60_000}&to=${from + 18 * 60_000}`;

  /**
   * shop: 200 requests (server spans of 100 … 299 ms, 10 failed) with 20 internal 1 ms
   * children each (20 failed); mq consumes a message for the first 50 requests; cron has
   * no server spans: 30 root client spans of 50 ms (6 failed), each with two client children.
   */
  function app(base: number): ReadableSpan[] {
    const shop = recorder('shop');
    const mq = recorder('mq');
    const cron = recorder('cron');
    for (let i = 0; i < 200; i++) {
      const start = base + i * 5000;
      const request = shop.tracer.startSpan('GET /checkout', { kind: SpanKind.SERVER, startTime: start }, ROOT_CONTEXT);
      const inside: Context = trace.setSpan(ROOT_CONTEXT, request);
      for (let c = 0; c < 20; c++) {
        const child = shop.tracer.startSpan(`step ${c}`, { kind: SpanKind.INTERNAL, startTime: start + c }, inside);
        if (i % 10 === 5 && c === 0) child.setStatus({ code: SpanStatusCode.ERROR });
        child.end(start + c + 1);
      }
      if (i < 50)
        mq.tracer
          .startSpan('process order', { kind: SpanKind.CONSUMER, startTime: start + 40 }, inside)
          .end(start + 70);
      if (i % 20 === 0) request.setStatus({ code: SpanStatusCode.ERROR });
      request.end(start + 100 + i);
    }
    for (let i = 0; i < 30; i++) {
      const start = base + i * 30_000;
      const job = cron.tracer.startSpan('POST /sync', { kind: SpanKind.CLIENT, startTime: start }, ROOT_CONTEXT);
      for (let c = 0; c < 2; c++)
        cron.tracer
          .startSpan('GET /page', { kind: SpanKind.CLIENT, startTime: start + c }, trace.setSpan(ROOT_CONTEXT, job))
          .end(start + c + 10);
      if (i % 5 === 0) job.setStatus({ code: SpanStatusCode.ERROR });
      job.end(start + 50);
    }
    return [...shop.spans(), ...mq.spans(), ...cron.spans()];
  }

  before(async () => {
    await exportSpans(app(recent));
    await exportSpans(app(oldHour + 60_000));
  });

  const expected = {
    cron: { spanCount: 90, requestCount: 30, errorCount: 6, entrySpans: 'root', p95Ms: 50 },
    mq: { spanCount: 50, requestCount: 50, errorCount: 0, entrySpans: 'server_consumer', p95Ms: 30 },
    // p95 of 100 … 299 ms (inclusive): 289.05 ms; over every span it would be 1 ms.
    shop: { spanCount: 4200, requestCount: 200, errorCount: 10, entrySpans: 'server_consumer', p95Ms: 289.05 },
  };

  function assertServices(list: ServiceDto[], what: string): void {
    assert.deepEqual(
      list.map((s) => s.name),
      ['cron', 'mq', 'shop'],
      what,
    );
    for (const s of list) {
      const e = expected[s.name as keyof typeof expected];
      assert.deepEqual(
        [s.spanCount, s.requestCount, s.errorCount, s.entrySpans],
        [e.spanCount, e.requestCount, e.errorCount, e.entrySpans],
        `${what}: ${s.name}`,
      );
      assertNear(s.p95Ms, e.p95Ms, `${what}: ${s.name} p95`);
    }
  }

  test('services table: requests, errors and p95 of server and consumer spans, or of root spans where a service has none', async () => {
    const res = await get<ServiceDto[]>(`/api/v1/services?${range(recent)}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assertServices(res.body.data, 'recent');
    const shop = res.body.data.find((s) => s.name === 'shop')!;
    assert.equal(shop.errorCount / shop.requestCount, 0.05, 'a 5% failure rate, not 30 of 4,200 spans');
  });

  test('the same from the rollups for whole hours as from raw spans', async () => {
    const hour = `from=${oldHour - 60_000}&to=${oldHour + H + 60_000}`;
    const planned = await get<ServiceDto[]>(`/api/v1/services?${hour}`);
    const raw = await get<ServiceDto[]>(`/api/v1/services?${hour}&resolution=raw`);
    assert.equal(planned.body.meta.resolution, 'hourly');
    assert.equal(raw.body.meta.resolution, 'raw');
    assertServices(planned.body.data, 'rollups');
    assertServices(raw.body.data, 'raw');
    const steps = await get<{ count: number; errorCount: number }[]>(
      `/api/v1/services/shop/red?from=${oldHour}&to=${oldHour + 2 * H - 1}&stepSeconds=3600`,
    );
    assert.equal(steps.body.meta.resolution, 'hourly');
    assert.deepEqual(
      steps.body.data.map((p) => [p.count, p.errorCount]),
      [
        [200, 10],
        [0, 0],
      ],
    );
  });

  test('RED series of the service page', async () => {
    const res = await get<{ count: number; errorCount: number; errorRate: number | null; p95Ms: number | null }[]>(
      `/api/v1/services/shop/red?${range(recent)}&stepSeconds=3600`,
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const steps = res.body.data.filter((p) => p.count > 0);
    assert.equal(
      steps.reduce((a, p) => a + p.count, 0),
      200,
    );
    assert.equal(
      steps.reduce((a, p) => a + p.errorCount, 0),
      10,
    );
    if (steps.length === 1) assertNear(steps[0]!.p95Ms, 289.05, 'p95 of the one step');
    const cron = await get<{ count: number; errorCount: number }[]>(
      `/api/v1/services/cron/red?${range(recent)}&stepSeconds=3600`,
    );
    assert.deepEqual(
      [cron.body.data.reduce((a, p) => a + p.count, 0), cron.body.data.reduce((a, p) => a + p.errorCount, 0)],
      [30, 6],
    );
  });

  test("service map: nodes carry the entry spans' RED, edges the calls between services as before", async () => {
    const res = await get<ServiceMapDto>(`/api/v1/service-map?${range(recent)}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const shop = res.body.data.nodes.find((n) => n.service === 'shop')!;
    assert.deepEqual([shop.count, shop.errorCount, shop.errorRate], [200, 10, 0.05]);
    assertNear(shop.p95Ms, 289.05, 'map node p95');
    assert.deepEqual(
      res.body.data.edges.map((e) => [e.caller, e.callee, e.calls, e.errorCount]),
      [['shop', 'mq', 50, 0]],
    );
  });

  test('the query API, alert rules and the built-in Service overview dashboard measure the same requests', async () => {
    const from = recent - 60_000;
    const to = recent + 18 * 60_000;
    const q = await post<{ series: { points: [number, number | null][] }[] }>('/api/v1/query', {
      query: {
        signal: 'spans',
        measure: 'error_rate',
        spans: 'entry',
        filters: [{ label: 'service', op: '=', value: 'shop' }],
      },
      from,
      to,
      step: 86_400,
    });
    assert.equal(q.status, 200, JSON.stringify(q.body));
    assert.deepEqual(
      q.body.data.series[0]!.points.filter((p) => p[1] !== null).map((p) => p[1]),
      [0.05],
    );

    // An error-rate rule of 3% fires on shop's 5% of failed requests (30 failed spans of 4,200 are 0.7%).
    const preview = await post<PreviewDto>('/api/v1/alert-rules/preview', {
      rule: {
        name: 'shop errors',
        condition: {
          kind: 'span',
          measure: 'error_rate',
          service: 'shop',
          window: '1h',
          threshold: { op: 'above', value: 0.03 },
        },
        interval: '10m',
      },
      from: new Date(Date.now() - 10 * 60_000).toISOString(),
      to: new Date().toISOString(),
    });
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    const firing = preview.body.data.transitions.find((t) => t.to === 'firing');
    assert.ok(firing, JSON.stringify(preview.body.data));
    assert.equal(firing.value, 0.05);

    const dashboards = await get<DashboardSummaryDto[]>('/api/v1/dashboards');
    const overview = dashboards.body.data.find((d) => d.title === 'Service overview');
    assert.ok(overview, 'the built-in dashboard exists');
    const render = await post<DashboardRenderDto>(
      `/api/v1/dashboards/${overview.id}/render?from=${from}&to=${to}&step=86400`,
      { variables: { service: 'shop' } },
    );
    assert.equal(render.status, 200, JSON.stringify(render.body));
    const panel = (title: string) => {
      const p = render.body.data.panels.find((x) => x.title === title);
      assert.ok(p && p.status === 'ok' && p.kind === 'series', `${title}: ${JSON.stringify(p)}`);
      return p.data.series.flatMap((s) => s.points.map((pt) => pt[1]).filter((v) => v !== null));
    };
    assert.deepEqual(panel('Requests'), [200]);
    assert.deepEqual(panel('Error rate'), [0.05]);
    assertNear(panel('p95 latency')[0], 289.05, 'dashboard p95');
  });
});

describe('explicit-bucket histogram quantiles', () => {
  test("lie within the point's recorded min and max: bounds [10, 100, 1000], counts [2, 5, 3, 0], max 300", async () => {
    const reader = new CollectOnlyReader();
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'pricing' }),
      readers: [reader],
    });
    const histogram = provider
      .getMeter('read-answers')
      .createHistogram('quote.latency', { unit: 'ms', advice: { explicitBucketBoundaries: [10, 100, 1000] } });
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
      const res = await post<MetricQueryResultDto>('/api/v1/metrics/query', {
        metric: 'quote.latency',
        aggregation,
        from: Date.now() - H,
        to: Date.now() + 60_000,
        stepSeconds: 7200,
      });
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
    const limits: SpanLimits = {
      attributeCountLimit: 2,
      eventCountLimit: 1,
      linkCountLimit: 1,
      attributePerEventCountLimit: 1,
      attributePerLinkCountLimit: 1,
    };
    const { tracer, spans } = recorder('limited', { spanLimits: limits });
    const remote = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: 'c0ffee'.padEnd(32, '1'),
      spanId: 'feedbeef00000001',
      traceFlags: 1,
      isRemote: true,
    });
    const start = Date.now() - 60_000;
    const link = {
      context: { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceFlags: 1, isRemote: true },
      attributes: { a: 1, b: 2 },
    };
    const span: Span = tracer.startSpan(
      'POST /limited',
      { kind: SpanKind.SERVER, startTime: start, attributes: { a: 1, b: 2, c: 3, d: 4 }, links: [link, link] },
      remote,
    );
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
    assert.deepEqual(
      s.events.map((e) => e.droppedAttributesCount),
      [2],
    );
    assert.deepEqual(
      s.links.map((l) => [l.flags, l.droppedAttributesCount]),
      [[0x301, 1]],
    );
  });

  test('scope attributes of spans (OTLP/JSON: the JS tracing API has none) and of log records (SDK)', async () => {
    const traceId = '5c0be'.padEnd(32, '7');
    const now = BigInt(Date.now() - 60_000) * MS;
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'scoped' } }] },
          scopeSpans: [
            {
              scope: {
                name: 'io.example.http',
                version: '2.0',
                attributes: [
                  { key: 'library.mode', value: { stringValue: 'fast' } },
                  { key: 'retries', value: { intValue: '3' } },
                ],
                droppedAttributesCount: 4,
              },
              spans: [
                {
                  traceId,
                  spanId: '5c0be00000000001',
                  name: 'GET /',
                  kind: 2,
                  flags: 257,
                  startTimeUnixNano: String(now),
                  endTimeUnixNano: String(now + 1000n),
                },
              ],
            },
          ],
        },
      ],
    };
    const sent = await fetch(`${server.running.otlpHttpUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify(body),
    });
    assert.equal(sent.status, 200, await sent.text());
    const res = await getTrace(server.running.apiUrl, API_KEY, traceId);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual((res.body.data as TraceDto).spans[0]!.scope, {
      name: 'io.example.http',
      version: '2.0',
      droppedAttributesCount: 4,
      attributes: [
        { key: 'library.mode', value: { stringValue: 'fast' } },
        { key: 'retries', value: { intValue: '3' } },
      ],
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
      eventName: 'session.start',
      severityNumber: SeverityNumber.INFO,
      body: 'signed in',
      timestamp: hr(baseSec, 5),
      attributes: { user: 'u-1', plan: 'pro', seats: 3 },
      context: trace.setSpanContext(ROOT_CONTEXT, { traceId: 'e'.repeat(32), spanId: 'f'.repeat(16), traceFlags: 1 }),
    });
    const ex = exporters(server.running, 'http', API_KEY);
    try {
      await exportOk(ex.logs, [...memory.getFinishedLogRecords()], 'logs');
    } finally {
      await ex.shutdown();
    }
    const [log] = await searchLogs(server.running.apiUrl, API_KEY, {
      service: 'sessions',
      from: (baseSec - 10) * 1000,
      to: (baseSec + 10) * 1000,
    });
    assert.ok(log);
    const l: LogDto = log;
    assert.deepEqual(l.scope, {
      name: 'pino',
      version: '9.0.0',
      attributes: [{ key: 'logger.kind', value: { stringValue: 'json' } }],
      droppedAttributesCount: 0,
    });
    assert.deepEqual([l.eventName, l.flags, l.droppedAttributesCount, l.attributes.length], ['session.start', 1, 2, 1]);
  });

  test('int64 metric values past 2^53 come back exactly, as strings beside the JSON numbers', async () => {
    const now = BigInt(Date.now() - 60_000) * MS;
    const body = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'clock' } }] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'process.start_time.ns',
                  gauge: {
                    dataPoints: [
                      {
                        timeUnixNano: String(now),
                        asInt: '9007199254740993',
                        exemplars: [
                          {
                            timeUnixNano: String(now - 5n),
                            asInt: '9007199254740995',
                            traceId: 'a'.repeat(32),
                            spanId: 'b'.repeat(16),
                          },
                        ],
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const sent = await fetch(`${server.running.otlpHttpUrl}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify(body),
    });
    assert.equal(sent.status, 200, await sent.text());
    const window = { from: Date.now() - H, to: Date.now() + 60_000 };
    for (const aggregation of ['last', 'max', 'min']) {
      const res = await post<MetricQueryResultDto>('/api/v1/metrics/query', {
        metric: 'process.start_time.ns',
        aggregation,
        ...window,
        stepSeconds: 7200,
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const [series] = res.body.data.series;
      assert.deepEqual(
        series!.intValues?.filter((v) => v !== null),
        ['9007199254740993'],
        aggregation,
      );
    }
    const ex = await get<ExemplarDto[]>(
      `/api/v1/metrics/exemplars?metric=process.start_time.ns&from=${window.from}&to=${window.to}`,
    );
    assert.deepEqual(
      ex.body.data.map((e) => [e.intValue, e.traceId]),
      [['9007199254740995', 'a'.repeat(32)]],
    );
  });
});
