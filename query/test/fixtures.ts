// Telemetry rows for the read-API tests, as the ingest writer would store them.
const NS = 1_000_000n;

export const MIN = 60_000;
/** A minute-aligned base in the recent past, so the default "last hour" range covers traces and logs. */
export const T0 = Math.floor((Date.now() - 30 * MIN) / MIN) * MIN;
/**
 * Base for metric series: noon UTC two days ago, so the points are within every tenant's
 * raw retention (15 days by default) and TTL never removes them during a test.
 */
export const M0 = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 2 * 86_400_000 + 12 * 3_600_000;

export const ns = (ms: number, extraNs = 0n): string => (BigInt(ms) * NS + extraNs).toString();

export const TRACE_1 = '0af7651916cd43dd8448eb211c80319c';
export const TRACE_2 = '4bf92f3577b34da6a3ce929d0e0e4736';
export const TRACE_BETA = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
export const ROOT_SPAN = 'b7ad6b7169203331';
export const CHILD_SPAN = '00f067aa0ba902b7';

function span(
  tenant: string,
  o: {
    trace: string;
    span: string;
    parent?: string;
    service: string;
    name: string;
    kind: string;
    startMs: number;
    durMs: number;
    status?: string;
    statusMessage?: string;
    attrs?: Record<string, string>;
    types?: Record<string, string>;
    events?: { ms: number; name: string; attrs: Record<string, string>; types: Record<string, string> }[];
    links?: { trace: string; span: string; state: string }[];
  },
): Record<string, unknown> {
  return {
    TenantId: tenant,
    TraceIdHex: o.trace,
    SpanIdHex: o.span,
    ParentSpanIdHex: o.parent ?? '',
    TraceState: '',
    Flags: 1,
    ServiceName: o.service,
    Name: o.name,
    Kind: o.kind,
    StartTime: ns(o.startMs, 123n),
    EndTimeNs: ns(o.startMs + o.durMs, 123n),
    DurationNs: (BigInt(o.durMs) * NS).toString(),
    StatusCode: o.status ?? 'STATUS_CODE_UNSET',
    StatusMessage: o.statusMessage ?? '',
    ResourceAttributes: { 'service.name': o.service },
    ResourceAttributeTypes: {},
    ScopeName: 'io.opentelemetry.test',
    ScopeVersion: '1.2.3',
    Attributes: o.attrs ?? {},
    AttributeTypes: o.types ?? {},
    EventTimes: (o.events ?? []).map((e) => ns(e.ms)),
    EventNames: (o.events ?? []).map((e) => e.name),
    EventAttributes: (o.events ?? []).map((e) => e.attrs),
    EventAttributeTypes: (o.events ?? []).map((e) => e.types),
    LinkTraceIdsHex: (o.links ?? []).map((l) => l.trace),
    LinkSpanIdsHex: (o.links ?? []).map((l) => l.span),
    LinkTraceStates: (o.links ?? []).map((l) => l.state),
    LinkAttributes: (o.links ?? []).map(() => ({})),
    LinkAttributeTypes: (o.links ?? []).map(() => ({})),
  };
}

export const SPANS = [
  span('default', {
    trace: TRACE_1,
    span: ROOT_SPAN,
    service: 'frontend',
    name: 'GET /checkout',
    kind: 'SPAN_KIND_SERVER',
    startMs: T0,
    durMs: 250,
    attrs: { 'http.method': 'GET', 'http.status_code': '200' },
    types: { 'http.status_code': 'int' },
    events: [{ ms: T0 + 10, name: 'cache miss', attrs: { key: 'cart', hit: 'false' }, types: { hit: 'bool' } }],
    links: [{ trace: TRACE_2, span: 'a1a2a3a4a5a6a7a8', state: 'vendor=1' }],
  }),
  span('default', {
    trace: TRACE_1,
    span: CHILD_SPAN,
    parent: ROOT_SPAN,
    service: 'payments',
    name: 'charge',
    kind: 'SPAN_KIND_CLIENT',
    startMs: T0 + 50,
    durMs: 150,
    status: 'STATUS_CODE_ERROR',
    statusMessage: 'card declined',
  }),
  span('default', {
    trace: TRACE_2,
    span: 'c1c2c3c4c5c6c7c8',
    service: 'payments',
    name: 'refund',
    kind: 'SPAN_KIND_SERVER',
    startMs: T0 + MIN,
    durMs: 20,
    status: 'STATUS_CODE_OK',
  }),
  span('beta', {
    trace: TRACE_BETA,
    span: 'd1d2d3d4d5d6d7d8',
    service: 'beta-svc',
    name: 'work',
    kind: 'SPAN_KIND_INTERNAL',
    startMs: T0,
    durMs: 5,
  }),
];

function log(
  tenant: string,
  o: {
    ms: number;
    sev: string;
    sevNum: number;
    body: string;
    bodyType?: string;
    service: string;
    trace?: string;
    span?: string;
    attrs?: Record<string, string>;
    types?: Record<string, string>;
  },
) {
  return {
    TenantId: tenant,
    Timestamp: ns(o.ms, 7n),
    ObservedTimestamp: ns(o.ms + 1),
    TraceIdHex: o.trace ?? '',
    SpanIdHex: o.span ?? '',
    Flags: 0,
    SeverityText: o.sev,
    SeverityNumber: o.sevNum,
    ServiceName: o.service,
    EventName: '',
    Body: o.body,
    BodyType: o.bodyType ?? '',
    ResourceAttributes: { 'service.name': o.service },
    ResourceAttributeTypes: {},
    ScopeName: 'logger',
    ScopeVersion: '',
    Attributes: o.attrs ?? {},
    AttributeTypes: o.types ?? {},
    DroppedAttributesCount: 0,
  };
}

export const KVLIST_BODY = { kvlistValue: { values: [{ key: 'user', value: { stringValue: 'bob' } }] } };

export const LOGS = [
  log('default', {
    ms: T0 + 1000,
    sev: 'ERROR',
    sevNum: 17,
    body: 'Payment failed: card declined',
    service: 'payments',
    trace: TRACE_1,
    span: CHILD_SPAN,
    attrs: { order_id: '42' },
    types: { order_id: 'int' },
  }),
  log('default', { ms: T0 + 2000, sev: 'INFO', sevNum: 9, body: 'Checkout completed', service: 'frontend' }),
  log('default', {
    ms: T0 + 3000,
    sev: 'Warn',
    sevNum: 13,
    body: JSON.stringify(KVLIST_BODY),
    bodyType: 'kvlist',
    service: 'frontend',
  }),
  log('beta', { ms: T0 + 1000, sev: 'ERROR', sevNum: 17, body: 'Payment failed for beta', service: 'beta-svc' }),
];

function series(
  tenant: string,
  name: string,
  fp: number,
  type: string,
  o: {
    unit?: string;
    temporality?: number;
    monotonic?: boolean;
    attrs?: Record<string, string>;
    res: Record<string, string>;
  },
) {
  return {
    TenantId: tenant,
    MetricName: name,
    Fingerprint: String(fp),
    MetricType: type,
    Unit: o.unit ?? '',
    Description: `${name} description`,
    Temporality: o.temporality ?? 0,
    IsMonotonic: o.monotonic ?? false,
    ServiceName: o.res['service.name'] ?? '',
    ResourceAttributes: o.res,
    ResourceAttributeTypes: {},
    ScopeName: 'meter',
    ScopeVersion: '',
    Attributes: o.attrs ?? {},
    AttributeTypes: {},
    FirstSeen: ns(M0 - 60 * MIN),
    LastSeen: ns(M0 + 10 * MIN),
  };
}

export const METRIC_SERIES = [
  series('default', 'system.memory.usage', 1001, 'gauge', {
    unit: 'By',
    attrs: { state: 'used' },
    res: { 'service.name': 'api', 'host.name': 'h1' },
  }),
  series('default', 'system.memory.usage', 1002, 'gauge', {
    unit: 'By',
    attrs: { state: 'used' },
    res: { 'service.name': 'api', 'host.name': 'h2' },
  }),
  series('default', 'system.memory.usage', 1003, 'gauge', {
    unit: 'By',
    attrs: { state: 'used' },
    res: { 'service.name': 'worker', 'host.name': 'h3' },
  }),
  series('default', 'http.requests', 2001, 'sum', {
    unit: '{request}',
    temporality: 2,
    monotonic: true,
    res: { 'service.name': 'api' },
  }),
  series('default', 'jobs.processed', 2101, 'sum', {
    temporality: 1,
    monotonic: true,
    res: { 'service.name': 'worker' },
  }),
  series('default', 'http.server.duration', 3001, 'histogram', {
    unit: 's',
    temporality: 2,
    res: { 'service.name': 'api' },
  }),
  series('default', 'rpc.duration', 4001, 'exponential_histogram', {
    unit: 'ms',
    temporality: 1,
    res: { 'service.name': 'api' },
  }),
  series('default', 'rpc.duration', 4002, 'exponential_histogram', {
    unit: 'ms',
    temporality: 2,
    res: { 'service.name': 'worker' },
  }),
  series('beta', 'system.memory.usage', 9001, 'gauge', {
    unit: 'By',
    attrs: { state: 'used' },
    res: { 'service.name': 'api', 'host.name': 'b1' },
  }),
];

const point = (tenant: string, name: string, fp: number, ms: number, value: number, startMs = M0 - 60 * MIN) => ({
  TenantId: tenant,
  MetricName: name,
  Fingerprint: String(fp),
  StartTime: ns(startMs),
  Time: ns(ms),
  Flags: 0,
  Value: value,
});

export const GAUGE_POINTS = [
  ...[10, 20, 30, 40].map((v, i) => point('default', 'system.memory.usage', 1001, M0 + i * 30_000, v)),
  ...[100, 200, 300, 400].map((v, i) => point('default', 'system.memory.usage', 1002, M0 + i * 30_000, v)),
  ...[5, 5, 5, 5].map((v, i) => point('default', 'system.memory.usage', 1003, M0 + i * 30_000, v)),
  ...[7777, 7777].map((v, i) => point('beta', 'system.memory.usage', 9001, M0 + i * 30_000, v)),
];

export const SUM_POINTS = [
  // Cumulative counter with a reset between the 3rd and 4th points.
  ...[0, 60, 120, 30, 90].map((v, i) => ({
    ...point('default', 'http.requests', 2001, M0 + i * MIN, v),
    Temporality: 2,
    IsMonotonic: true,
  })),
  // Delta sum: each point is the count of its own interval.
  { ...point('default', 'jobs.processed', 2101, M0 + 10_000, 120), Temporality: 1, IsMonotonic: true },
  { ...point('default', 'jobs.processed', 2101, M0 + 70_000, 60), Temporality: 1, IsMonotonic: true },
];

const BOUNDS = [0.1, 0.5, 1, 5];
const hist = (ms: number, counts: number[], sum: number, min: number | null, max: number | null) => ({
  TenantId: 'default',
  MetricName: 'http.server.duration',
  Fingerprint: '3001',
  StartTime: ns(M0 - 60 * MIN),
  Time: ns(ms),
  Flags: 0,
  Count: String(counts.reduce((a, b) => a + b, 0)),
  Sum: sum,
  Min: min,
  Max: max,
  BucketCounts: counts.map(String),
  ExplicitBounds: BOUNDS,
  Temporality: 2,
});

/**
 * Cumulative histogram: the first minute adds [50,30,10,10,0], the second adds [10,0,0,0,0].
 * Min/Max recorded on the last two points only.
 */
export const HISTOGRAM_POINTS = [
  hist(M0, [0, 0, 0, 0, 0], 0, null, null),
  hist(M0 + MIN, [50, 30, 10, 10, 0], 60, 0.004, 4.5),
  hist(M0 + 2 * MIN, [60, 30, 10, 10, 0], 60.5, 0.002, 4.5),
];

const expHist = (
  fp: string,
  ms: number,
  o: {
    temporality: number;
    count: number;
    sum: number;
    min: number | null;
    max: number | null;
    scale: number;
    zero?: number;
    pos?: [number, number[]];
    neg?: [number, number[]];
  },
) => ({
  TenantId: 'default',
  MetricName: 'rpc.duration',
  Fingerprint: fp,
  StartTime: ns(M0 - 60 * MIN),
  Time: ns(ms),
  Flags: 0,
  Count: String(o.count),
  Sum: o.sum,
  Min: o.min,
  Max: o.max,
  Scale: o.scale,
  ZeroCount: String(o.zero ?? 0),
  ZeroThreshold: 0.001,
  PositiveOffset: o.pos?.[0] ?? 0,
  PositiveBucketCounts: (o.pos?.[1] ?? []).map(String),
  NegativeOffset: o.neg?.[0] ?? 0,
  NegativeBucketCounts: (o.neg?.[1] ?? []).map(String),
  Temporality: o.temporality,
});

/**
 * Exponential histograms of two series, merged when not grouped:
 * - 4001 (api), delta, scale 1 (base √2): at M0+10s, 4 values in (2, 2√2] and 6 in (2√2, 4].
 * - 4002 (worker), cumulative, scale 0 (base 2): baseline at M0; at M0+30s 5 values in [-2,-1),
 *   5 in the zero bucket, 5 in (4, 8]; at M0+90s downscaled to scale -1 (base 4) with 10 more
 *   values in (4, 16].
 * First minute at scale 0: [-2,-1):5, zero:5, (2,4]:10, (4,8]:5 — 25 values, max 7.
 * Second minute at scale -1: (4,16]:10.
 */
export const EXP_HISTOGRAM_POINTS = [
  expHist('4001', M0 + 10_000, { temporality: 1, count: 10, sum: 30, min: 2.1, max: 3.9, scale: 1, pos: [2, [4, 6]] }),
  expHist('4002', M0, { temporality: 2, count: 0, sum: 0, min: null, max: null, scale: 0 }),
  expHist('4002', M0 + 30_000, {
    temporality: 2,
    count: 15,
    sum: 20,
    min: -1.5,
    max: 7,
    scale: 0,
    zero: 5,
    pos: [2, [5]],
    neg: [0, [5]],
  }),
  expHist('4002', M0 + 90_000, {
    temporality: 2,
    count: 25,
    sum: 120,
    min: -1.5,
    max: 15,
    scale: -1,
    zero: 5,
    pos: [1, [15]],
    neg: [0, [5]],
  }),
];
