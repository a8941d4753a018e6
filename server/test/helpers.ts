// Shared end-to-end test helpers: an in-process all-in-one on a fresh data directory,
// an API client, the real OpenTelemetry JS SDK exporters for every signal and transport,
// and the telemetry every test sends and checks.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata } from '@grpc/grpc-js';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type HrTime, type Link } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as LogsGrpc } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as LogsHttp } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as LogsProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as MetricsGrpc } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as MetricsHttp } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as MetricsProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as TraceGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as TraceHttp } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as TraceProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import { AggregationType, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import type {
  KeyValueJson,
  LogDto,
  MetricDto,
  MetricQueryRequest,
  MetricQueryResultDto,
  TraceDto,
} from '@telemetryflow/contract';
import { loadConfig, startAllInOne, type RunningAllInOne } from '../src/index.js';

export { readyPort as natsReadyPort } from './nats-server.js';

export const API_KEY = 'tf_test_key_0123456789abcdef0123';
export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'correct horse battery';

export type Transport = 'grpc' | 'proto' | 'http';
export const TRANSPORTS: readonly Transport[] = ['grpc', 'proto', 'http'];

// ---------------------------------------------------------------------------------------
// Process and server

export function freshDataDir(prefix = 'tf-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The environment every test all-in-one runs with (ports chosen by the OS unless given). */
export function testEnv(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    TF_DATA_DIR: dataDir,
    TF_HTTP_PORT: '0',
    TF_METRICS_PORT: '0',
    TF_OTLP_HTTP_PORT: '0',
    TF_OTLP_GRPC_PORT: '0',
    TF_BOOTSTRAP_API_KEY: API_KEY,
    TF_BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
    TF_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
    TF_INGEST_BATCH_DELAY_MS: '20',
    // Tests poll the search API until data arrives, far faster than a person would.
    TF_RATE_LIMIT_HEAVY_PER_MINUTE: '100000',
    ...extra,
  };
}

export interface Started {
  running: RunningAllInOne;
  /** Every line the all-in-one logged. */
  log: string[];
}

export async function startServer(dataDir: string, extra: Record<string, string> = {}): Promise<Started> {
  const log: string[] = [];
  const running = await startAllInOne(loadConfig(testEnv(dataDir, extra)), (msg) => log.push(msg));
  return { running, log };
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---------------------------------------------------------------------------------------
// Read API

export interface ApiResponse<T> {
  status: number;
  body: T;
}

export async function api<T = unknown>(
  apiUrl: string,
  path: string,
  key: string | undefined,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${apiUrl}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // leave as text
  }
  return { status: res.status, body: body as T };
}

/** A new tenant owned by the bootstrap admin (signed in through the API) and keys of it with the given scopes. */
export async function createTenantWithKeys(
  apiUrl: string,
  name: string,
  keyScopes: string[][],
): Promise<{ tenantId: string; keys: string[] }> {
  const login = await api<{ data: { accessToken: string } }>(apiUrl, '/api/v1/auth/login', undefined, {
    method: 'POST',
    body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
  });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  const token = login.body.data.accessToken;
  const tenant = await api<{ data: { id: string } }>(apiUrl, '/api/v1/tenants', token, {
    method: 'POST',
    body: { name },
  });
  assert.equal(tenant.status, 201, JSON.stringify(tenant.body));
  const tenantId = tenant.body.data.id;
  const keys: string[] = [];
  for (const scopes of keyScopes) {
    const key = await api<{ data: { key: string } }>(apiUrl, '/api/v1/api-keys', token, {
      method: 'POST',
      body: { name: scopes.join('+'), scopes },
      headers: { 'x-tenant': tenantId },
    });
    assert.equal(key.status, 201, JSON.stringify(key.body));
    keys.push(key.body.data.key);
  }
  return { tenantId, keys };
}

export async function getTrace(apiUrl: string, key: string, traceId: string): Promise<ApiResponse<{ data: TraceDto }>> {
  return api<{ data: TraceDto }>(apiUrl, `/api/v1/traces/${traceId}`, key);
}

export async function searchLogs(
  apiUrl: string,
  key: string,
  params: Record<string, string | number>,
): Promise<LogDto[]> {
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
  const res = await api<{ data: LogDto[] }>(apiUrl, `/api/v1/logs?${qs}`, key);
  assert.equal(res.status, 200, `GET /api/v1/logs?${qs} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

export async function listMetrics(apiUrl: string, key: string, fromMs: number, toMs: number): Promise<MetricDto[]> {
  const res = await api<{ data: MetricDto[] }>(apiUrl, `/api/v1/metrics?from=${fromMs}&to=${toMs}`, key);
  assert.equal(res.status, 200, `GET /api/v1/metrics → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

export async function queryMetric(apiUrl: string, key: string, req: MetricQueryRequest): Promise<MetricQueryResultDto> {
  const res = await api<{ data: MetricQueryResultDto }>(apiUrl, '/api/v1/metrics/query', key, {
    method: 'POST',
    body: req,
  });
  assert.equal(
    res.status,
    200,
    `POST /api/v1/metrics/query ${JSON.stringify(req)} → ${res.status} ${JSON.stringify(res.body)}`,
  );
  return res.body.data;
}

/** The non-null values of every series of a query result. */
export function pointValues(result: MetricQueryResultDto): number[] {
  return result.series.flatMap((s) => s.points.filter((p) => p[1] !== null).map((p) => p[1] as number));
}

// ---------------------------------------------------------------------------------------
// Exporters

interface ExportResult {
  code: number;
  error?: Error;
}

/** The SDK's ExportResultCode.SUCCESS. */
export const EXPORT_SUCCESS = 0;

interface Exporter<T> {
  export(items: T, done: (r: ExportResult) => void): void;
  shutdown(): Promise<void>;
}

export interface SignalExporters {
  traces: Exporter<ReadableSpan[]>;
  logs: Exporter<ReadableLogRecord[]>;
  metrics: Exporter<ResourceMetrics>;
  shutdown(): Promise<void>;
}

function grpcMetadata(key: string): Metadata {
  const m = new Metadata();
  m.set('authorization', `Bearer ${key}`);
  return m;
}

/**
 * The three OTLP exporters of one transport, pointed at a running all-in-one.
 * `timeoutMillis`: how long one export may take, its retries included (SDK default 10 s).
 */
export function exporters(
  running: Pick<RunningAllInOne, 'otlpHttpUrl' | 'otlpGrpcAddress'>,
  transport: Transport,
  key: string,
  options: { timeoutMillis?: number } = {},
): SignalExporters {
  let traces: Exporter<ReadableSpan[]>;
  let logs: Exporter<ReadableLogRecord[]>;
  let metrics: unknown;
  const { timeoutMillis } = options;
  if (transport === 'grpc') {
    const url = `http://${running.otlpGrpcAddress}`;
    traces = new TraceGrpc({ url, metadata: grpcMetadata(key), timeoutMillis });
    logs = new LogsGrpc({ url, metadata: grpcMetadata(key), timeoutMillis });
    metrics = new MetricsGrpc({ url, metadata: grpcMetadata(key), timeoutMillis });
  } else {
    const headers = { Authorization: `Bearer ${key}` };
    const base = running.otlpHttpUrl;
    const [T, L, M] =
      transport === 'proto' ? [TraceProto, LogsProto, MetricsProto] : [TraceHttp, LogsHttp, MetricsHttp];
    traces = new T({ url: `${base}/v1/traces`, headers, timeoutMillis });
    logs = new L({ url: `${base}/v1/logs`, headers, timeoutMillis });
    metrics = new M({ url: `${base}/v1/metrics`, headers, timeoutMillis });
  }
  // sdk-metrics ^3.1.1 (ours) and 3.1.0 (the exporters') declare the same enums twice,
  // which TypeScript treats as different types; the objects are the same at run time.
  const m = metrics as Exporter<ResourceMetrics>;
  return {
    traces,
    logs,
    metrics: m,
    async shutdown() {
      await Promise.all([traces.shutdown(), logs.shutdown(), m.shutdown()]);
    },
  };
}

/** Exports and resolves with the exporter's result (the server's acknowledgement). */
export function exportWith<T>(exporter: Exporter<T>, items: T): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(items, resolve));
}

export async function exportOk<T>(exporter: Exporter<T>, items: T, what: string): Promise<void> {
  const r = await exportWith(exporter, items);
  assert.equal(
    r.code,
    EXPORT_SUCCESS,
    `${what}: export failed: ${r.error?.stack ?? r.error?.message ?? 'no error given'}`,
  );
}

// ---------------------------------------------------------------------------------------
// The telemetry: built with the SDK, with everything a user would check afterwards

/** Times of the test data: a whole second a minute ago, plus `nanos`. */
export function hr(baseSec: number, offsetNs: number): HrTime {
  const total = BigInt(baseSec) * 1_000_000_000n + BigInt(offsetNs);
  return [Number(total / 1_000_000_000n), Number(total % 1_000_000_000n)];
}

export function hrToNs(t: HrTime): string {
  return (BigInt(t[0]) * 1_000_000_000n + BigInt(t[1])).toString();
}

export interface TraceFixture {
  service: string;
  baseSec: number;
  spans: ReadableSpan[];
  traceId: string;
  rootSpanId: string;
  childSpanId: string;
  linkedTraceId: string;
  linkedSpanId: string;
  /** Times of the root and the child, as the SDK recorded them. */
  rootStart: HrTime;
  rootEnd: HrTime;
  childStart: HrTime;
  childEnd: HrTime;
  eventTime: HrTime;
}

/** Resource attributes every fixture uses (typed). */
export function resourceAttributes(service: string): Record<string, string | number | boolean | string[]> {
  return {
    'service.name': service,
    'service.version': '1.2.3',
    'deployment.environment': 'e2e',
    'host.cpu.count': 8,
    'process.runtime.ok': true,
    'host.tags': ['a', 'b'],
  };
}

export function expectedResource(service: string): KeyValueJson[] {
  return [
    { key: 'service.name', value: { stringValue: service } },
    { key: 'service.version', value: { stringValue: '1.2.3' } },
    { key: 'deployment.environment', value: { stringValue: 'e2e' } },
    { key: 'host.cpu.count', value: { intValue: '8' } },
    { key: 'process.runtime.ok', value: { boolValue: true } },
    { key: 'host.tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } } },
  ];
}

/** A root SERVER span (error status, typed attributes, event, link) and a CLIENT child. */
export function buildTrace(service: string, baseSec = Math.floor(Date.now() / 1000) - 60): TraceFixture {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes(resourceAttributes(service)),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const tracer = provider.getTracer('e2e-tracer', '4.5.6');
  const linkedTraceId = 'abcdef0123456789abcdef0123456789';
  const linkedSpanId = '0123456789abcdef';
  const link: Link = {
    context: { traceId: linkedTraceId, spanId: linkedSpanId, traceFlags: 1, isRemote: true },
    attributes: { 'link.reason': 'retry-of', 'link.attempt': 2 },
  };
  const rootStart = hr(baseSec, 123_456_789);
  const rootEnd = hr(baseSec, 987_654_321 + 1_000_000_000);
  const childStart = hr(baseSec, 200_000_001);
  const childEnd = hr(baseSec, 700_000_999);
  const eventTime = hr(baseSec, 500_000_007);
  const root = tracer.startSpan(
    'GET /checkout',
    {
      kind: SpanKind.SERVER,
      startTime: rootStart,
      links: [link],
      attributes: {
        'http.method': 'GET',
        'http.status_code': 200,
        'sample.ratio': 0.5,
        'cache.hit': true,
        'http.request.header.accept': ['text/html', 'application/json'],
      },
    },
    ROOT_CONTEXT,
  );
  root.addEvent(
    'exception',
    { 'exception.type': 'TimeoutError', 'exception.escaped': false, 'retry.count': 3 },
    eventTime,
  );
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream timed out' });
  const child = tracer.startSpan(
    'SELECT orders',
    { kind: SpanKind.CLIENT, startTime: childStart, attributes: { 'db.system': 'postgresql' } },
    trace.setSpan(ROOT_CONTEXT, root),
  );
  child.end(childEnd);
  root.end(rootEnd);
  const spans = memory.getFinishedSpans();
  assert.equal(spans.length, 2);
  return {
    service,
    baseSec,
    spans,
    traceId: root.spanContext().traceId,
    rootSpanId: root.spanContext().spanId,
    childSpanId: child.spanContext().spanId,
    linkedTraceId,
    linkedSpanId,
    rootStart,
    rootEnd,
    childStart,
    childEnd,
    eventTime,
  };
}

/** Compares two KeyValue lists as sets keyed by `key`. */
export function assertKeyValues(actual: KeyValueJson[], expected: KeyValueJson[], what: string): void {
  const byKey = (kvs: KeyValueJson[]) => Object.fromEntries(kvs.map((kv) => [kv.key, kv.value]));
  assert.equal(
    new Set(actual.map((kv) => kv.key)).size,
    actual.length,
    `${what}: duplicate keys in ${JSON.stringify(actual)}`,
  );
  assert.deepEqual(byKey(actual), byKey(expected), what);
}

/** Everything the API gives back for the fixture's trace is what the SDK sent. */
export function assertTrace(dto: TraceDto, f: TraceFixture): void {
  assert.equal(dto.traceId, f.traceId);
  assert.equal(dto.spans.length, 2, `spans: ${JSON.stringify(dto.spans.map((s) => s.name))}`);
  const root = dto.spans.find((s) => s.spanId === f.rootSpanId);
  const child = dto.spans.find((s) => s.spanId === f.childSpanId);
  assert.ok(root, `root span ${f.rootSpanId} missing from ${JSON.stringify(dto.spans.map((s) => s.spanId))}`);
  assert.ok(child, `child span ${f.childSpanId} missing`);
  for (const s of dto.spans) {
    assert.match(s.traceId, /^[0-9a-f]{32}$/);
    assert.match(s.spanId, /^[0-9a-f]{16}$/);
    assert.equal(s.traceId, f.traceId);
    assert.equal(s.serviceName, f.service);
    assert.deepEqual(s.scope, { name: 'e2e-tracer', version: '4.5.6', attributes: [], droppedAttributesCount: 0 });
    assertKeyValues(s.resource, expectedResource(f.service), `resource of ${s.name}`);
    // Sampled (bit 0), and "is the parent remote" known (bit 8): the parent was local or absent.
    assert.equal(s.flags, 0x101, `flags of ${s.name}`);
    assert.deepEqual([s.droppedAttributesCount, s.droppedEventsCount, s.droppedLinksCount], [0, 0, 0]);
  }

  assert.equal(root.name, 'GET /checkout');
  assert.equal(root.parentSpanId, '');
  assert.equal(root.kind, 'SPAN_KIND_SERVER');
  assert.deepEqual(root.status, { code: 'STATUS_CODE_ERROR', message: 'upstream timed out' });
  assert.equal(root.startTimeUnixNano, hrToNs(f.rootStart));
  assert.equal(root.endTimeUnixNano, hrToNs(f.rootEnd));
  assert.equal(root.durationNs, (BigInt(hrToNs(f.rootEnd)) - BigInt(hrToNs(f.rootStart))).toString());
  assertKeyValues(
    root.attributes,
    [
      { key: 'http.method', value: { stringValue: 'GET' } },
      { key: 'http.status_code', value: { intValue: '200' } },
      { key: 'sample.ratio', value: { doubleValue: 0.5 } },
      { key: 'cache.hit', value: { boolValue: true } },
      {
        key: 'http.request.header.accept',
        value: { arrayValue: { values: [{ stringValue: 'text/html' }, { stringValue: 'application/json' }] } },
      },
    ],
    'root attributes',
  );
  assert.equal(root.events.length, 1);
  assert.equal(root.events[0]!.name, 'exception');
  assert.equal(root.events[0]!.timeUnixNano, hrToNs(f.eventTime));
  assertKeyValues(
    root.events[0]!.attributes,
    [
      { key: 'exception.type', value: { stringValue: 'TimeoutError' } },
      { key: 'exception.escaped', value: { boolValue: false } },
      { key: 'retry.count', value: { intValue: '3' } },
    ],
    'event attributes',
  );
  assert.equal(root.links.length, 1);
  assert.equal(root.links[0]!.traceId, f.linkedTraceId);
  assert.equal(root.links[0]!.spanId, f.linkedSpanId);
  assertKeyValues(
    root.links[0]!.attributes,
    [
      { key: 'link.reason', value: { stringValue: 'retry-of' } },
      { key: 'link.attempt', value: { intValue: '2' } },
    ],
    'link attributes',
  );

  assert.equal(child.name, 'SELECT orders');
  assert.equal(child.parentSpanId, f.rootSpanId);
  assert.equal(child.kind, 'SPAN_KIND_CLIENT');
  assert.deepEqual(child.status, { code: 'STATUS_CODE_UNSET', message: '' });
  assert.equal(child.startTimeUnixNano, hrToNs(f.childStart));
  assert.equal(child.endTimeUnixNano, hrToNs(f.childEnd));
  assert.equal(child.durationNs, '500000998');
  assertKeyValues(child.attributes, [{ key: 'db.system', value: { stringValue: 'postgresql' } }], 'child attributes');
  assert.deepEqual(child.events, []);
  assert.deepEqual(child.links, []);
}

export interface LogFixture {
  service: string;
  records: ReadableLogRecord[];
  traceId: string;
  spanId: string;
  textTime: HrTime;
  structuredTime: HrTime;
  observedTime: HrTime;
  fromMs: number;
  toMs: number;
}

/** Two log records (string body, structured body) emitted inside an active span. */
export function buildLogs(service: string, baseSec = Math.floor(Date.now() / 1000) - 60): LogFixture {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes(resourceAttributes(service)),
    processors: [new SimpleLogRecordProcessor({ exporter: memory })],
  });
  const logger = provider.getLogger('e2e-logger', '7.8.9');
  const spanCtx = { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', traceFlags: 1 };
  const ctx = trace.setSpanContext(ROOT_CONTEXT, spanCtx);
  const textTime = hr(baseSec, 111_222_333);
  const structuredTime = hr(baseSec, 444_555_666);
  const observedTime = hr(baseSec, 999_999_999);
  logger.emit({
    timestamp: textTime,
    observedTimestamp: observedTime,
    severityNumber: SeverityNumber.ERROR,
    severityText: 'ERROR',
    body: 'payment declined for order 42',
    attributes: {
      'order.id': 42,
      'payment.amount': 12.75,
      'payment.retry': false,
      tags: ['card', 'eu'],
      'user.id': 'u-1',
    },
    context: ctx,
  });
  logger.emit({
    timestamp: structuredTime,
    observedTimestamp: observedTime,
    severityNumber: SeverityNumber.INFO2,
    severityText: 'info',
    body: { event: 'checkout', items: 3, total: 99.5, express: true },
    attributes: { 'code.function': 'checkout' },
    context: ctx,
  });
  const records = memory.getFinishedLogRecords();
  assert.equal(records.length, 2);
  return {
    service,
    records: [...records],
    traceId: spanCtx.traceId,
    spanId: spanCtx.spanId,
    textTime,
    structuredTime,
    observedTime,
    fromMs: (baseSec - 10) * 1000,
    toMs: (baseSec + 10) * 1000,
  };
}

export function assertLogs(logs: LogDto[], f: LogFixture): void {
  assert.equal(logs.length, 2, `logs: ${JSON.stringify(logs)}`);
  const text = logs.find((l) => 'stringValue' in l.body);
  const structured = logs.find((l) => 'kvlistValue' in l.body);
  assert.ok(text, `no log with a string body in ${JSON.stringify(logs)}`);
  assert.ok(structured, `no log with a kvlist body in ${JSON.stringify(logs)}`);
  // Newest first.
  assert.equal(logs[0], structured);
  for (const l of logs) {
    assert.equal(l.serviceName, f.service);
    assert.equal(l.traceId, f.traceId);
    assert.equal(l.spanId, f.spanId);
    assert.equal(l.observedTimeUnixNano, hrToNs(f.observedTime));
    assert.deepEqual(l.scope, { name: 'e2e-logger', version: '7.8.9', attributes: [], droppedAttributesCount: 0 });
    // The span context's trace flags: sampled.
    assert.equal(l.flags, 1);
    assert.equal(l.eventName, '');
    assertKeyValues(l.resource, expectedResource(f.service), 'log resource');
  }
  assert.deepEqual(text.body, { stringValue: 'payment declined for order 42' });
  assert.equal(text.timeUnixNano, hrToNs(f.textTime));
  assert.equal(text.severityNumber, SeverityNumber.ERROR);
  assert.equal(text.severityText, 'ERROR');
  assertKeyValues(
    text.attributes,
    [
      { key: 'order.id', value: { intValue: '42' } },
      { key: 'payment.amount', value: { doubleValue: 12.75 } },
      { key: 'payment.retry', value: { boolValue: false } },
      { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'card' }, { stringValue: 'eu' }] } } },
      { key: 'user.id', value: { stringValue: 'u-1' } },
    ],
    'log attributes',
  );
  assert.equal(structured.timeUnixNano, hrToNs(f.structuredTime));
  assert.equal(structured.severityNumber, SeverityNumber.INFO2);
  assert.equal(structured.severityText, 'info');
  assertKeyValues(
    (structured.body as { kvlistValue: { values: KeyValueJson[] } }).kvlistValue.values,
    [
      { key: 'event', value: { stringValue: 'checkout' } },
      { key: 'items', value: { intValue: '3' } },
      { key: 'total', value: { doubleValue: 99.5 } },
      { key: 'express', value: { boolValue: true } },
    ],
    'structured body',
  );
  assertKeyValues(
    structured.attributes,
    [{ key: 'code.function', value: { stringValue: 'checkout' } }],
    'structured log attributes',
  );
}

export interface MetricFixture {
  prefix: string;
  resourceMetrics: ResourceMetrics;
  fromMs: number;
  toMs: number;
}

/** A reader that collects when asked, for exporting what it collected by hand. */
export class CollectOnlyReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/**
 * A counter, an up-down counter, a synchronous and an observable gauge, an explicit-bucket
 * histogram and an exponential histogram, named `<prefix>.*`, collected once (cumulative).
 */
export async function buildMetrics(service: string, prefix: string): Promise<MetricFixture> {
  const fromMs = Date.now() - 60_000;
  const reader = new CollectOnlyReader();
  const provider = new MeterProvider({
    resource: resourceFromAttributes(resourceAttributes(service)),
    views: [
      {
        instrumentName: `${prefix}.payload.size`,
        aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 160 } },
      },
    ],
    readers: [reader],
  });
  const meter = provider.getMeter('e2e-meter', '0.0.1');
  const counter = meter.createCounter(`${prefix}.requests`, { unit: '{request}', description: 'Requests served' });
  counter.add(5, { route: '/checkout' });
  counter.add(7, { route: '/checkout' });
  const upDown = meter.createUpDownCounter(`${prefix}.queue.depth`, { unit: '{item}', description: 'Items waiting' });
  upDown.add(10);
  upDown.add(-3);
  const gauge = meter.createGauge(`${prefix}.temperature`, { unit: 'Cel', description: 'Room temperature' });
  gauge.record(21.25);
  gauge.record(22.75);
  const observable = meter.createObservableGauge(`${prefix}.memory.used`, { unit: 'By', description: 'Memory in use' });
  observable.addCallback((r) => r.observe(1_048_576));
  const histogram = meter.createHistogram(`${prefix}.latency`, {
    unit: 'ms',
    description: 'Request latency',
    advice: { explicitBucketBoundaries: [0, 5, 10, 25, 50, 100, 250, 500] },
  });
  for (const v of [3, 7, 15, 60, 250]) histogram.record(v);
  const exp = meter.createHistogram(`${prefix}.payload.size`, { unit: 'By', description: 'Payload sizes' });
  for (const v of [100, 200, 400, 800]) exp.record(v);
  const { resourceMetrics, errors } = await reader.collect();
  assert.deepEqual(errors, []);
  await provider.shutdown();
  return { prefix, resourceMetrics, fromMs, toMs: Date.now() + 60_000 };
}

export const METRIC_EXPECTATIONS = (prefix: string): MetricDto[] => [
  { name: `${prefix}.requests`, type: 'sum', unit: '{request}', description: 'Requests served' },
  { name: `${prefix}.queue.depth`, type: 'sum', unit: '{item}', description: 'Items waiting' },
  { name: `${prefix}.temperature`, type: 'gauge', unit: 'Cel', description: 'Room temperature' },
  { name: `${prefix}.memory.used`, type: 'gauge', unit: 'By', description: 'Memory in use' },
  { name: `${prefix}.latency`, type: 'histogram', unit: 'ms', description: 'Request latency' },
  { name: `${prefix}.payload.size`, type: 'exponential_histogram', unit: 'By', description: 'Payload sizes' },
];

/** The metric list and the values the query API computes are what the SDK recorded. */
export async function assertMetrics(apiUrl: string, key: string, f: MetricFixture): Promise<void> {
  const listed = (await listMetrics(apiUrl, key, f.fromMs, f.toMs)).filter((m) => m.name.startsWith(`${f.prefix}.`));
  const sortByName = (ms: MetricDto[]) => [...ms].sort((a, b) => a.name.localeCompare(b.name));
  assert.deepEqual(sortByName(listed), sortByName(METRIC_EXPECTATIONS(f.prefix)));

  const window = { from: f.fromMs, to: f.toMs, stepSeconds: 3600 };
  const q = async (metric: string, aggregation: MetricQueryRequest['aggregation']) =>
    pointValues(await queryMetric(apiUrl, key, { metric: `${f.prefix}.${metric}`, aggregation, ...window }));

  // Each point stored once: a point stored twice keeps the last value but doubles the count.
  for (const metric of ['requests', 'queue.depth', 'temperature', 'memory.used']) {
    assert.deepEqual(await q(metric, 'count'), [1], `${metric}: points stored`);
  }
  assert.deepEqual(await q('requests', 'last'), [12], 'counter last = added total');
  assert.deepEqual(await q('requests', 'max'), [12], 'counter max');
  assert.deepEqual(await q('queue.depth', 'last'), [7], 'up-down counter last');
  assert.deepEqual(await q('temperature', 'last'), [22.75], 'gauge last');
  assert.deepEqual(await q('memory.used', 'last'), [1_048_576], 'observable gauge last');
  assert.deepEqual(await q('latency', 'count'), [5], 'histogram count');
  assert.deepEqual(await q('latency', 'sum'), [335], 'histogram sum');
  // Linear interpolation inside the bucket, as Prometheus' histogram_quantile does: of the 5
  // observations, rank 2.5 falls halfway into (10, 25] and rank 4.95 at 95% of (100, 250].
  const [p50] = await q('latency', 'p50');
  assert.ok(p50 !== undefined && Math.abs(p50 - 17.5) < 1e-9, `histogram p50 ${p50} should be 17.5`);
  const [p99] = await q('latency', 'p99');
  assert.ok(p99 !== undefined && Math.abs(p99 - 242.5) < 1e-9, `histogram p99 ${p99} should be 242.5`);
  assert.deepEqual(await q('payload.size', 'count'), [4], 'exponential histogram count');
  assert.deepEqual(await q('payload.size', 'sum'), [1500], 'exponential histogram sum');
}

// ---------------------------------------------------------------------------------------
// All three signals at once, for the tests about storage rather than one signal

export type SignalBodies = Record<'traces' | 'logs' | 'metrics', Buffer>;

export interface SignalFixtures {
  trace: TraceFixture;
  logs: LogFixture;
  metrics: MetricFixture;
}

export async function buildSignals(service: string, metricPrefix: string): Promise<SignalFixtures> {
  return { trace: buildTrace(service), logs: buildLogs(service), metrics: await buildMetrics(service, metricPrefix) };
}

/** Exports traces, logs and metrics with `key` and asserts each export succeeded. */
export async function exportSignals(
  running: Pick<RunningAllInOne, 'otlpHttpUrl' | 'otlpGrpcAddress'>,
  transport: Transport,
  key: string,
  f: SignalFixtures,
): Promise<void> {
  const ex = exporters(running, transport, key);
  try {
    await exportOk(ex.traces, f.trace.spans, 'traces');
    await exportOk(ex.logs, f.logs.records, 'logs');
    await exportOk(ex.metrics, f.metrics.resourceMetrics, 'metrics');
  } finally {
    await ex.shutdown();
  }
}

/** Reads all three signals back through the API and compares them with what was sent. */
export async function assertSignals(apiUrl: string, key: string, f: SignalFixtures): Promise<void> {
  const res = await getTrace(apiUrl, key, f.trace.traceId);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assertTrace(res.body.data, f.trace);
  assertLogs(await searchLogs(apiUrl, key, { service: f.logs.service, from: f.logs.fromMs, to: f.logs.toMs }), f.logs);
  await assertMetrics(apiUrl, key, f.metrics);
}

/**
 * The request bodies the SDK's OTLP/HTTP protobuf exporters send for `f`, caught by a local
 * receiver that answers success: a test can then send exactly those bytes again, as a
 * client's retry does.
 */
export async function sdkRequestBodies(f: SignalFixtures): Promise<SignalBodies> {
  const bodies: Partial<SignalBodies> = {};
  const receiver = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      assert.equal(req.headers['content-encoding'], undefined, 'the exporter compresses nothing');
      const signal = req.url?.slice('/v1/'.length) as keyof SignalBodies;
      bodies[signal] = Buffer.concat(chunks);
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  try {
    await exportSignals({ otlpHttpUrl: `http://127.0.0.1:${port}`, otlpGrpcAddress: '' }, 'proto', API_KEY, f);
  } finally {
    receiver.close();
  }
  assert.ok(bodies.traces && bodies.logs && bodies.metrics, `caught ${Object.keys(bodies).join(', ')}`);
  return bodies as SignalBodies;
}
