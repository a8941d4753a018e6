// Realistic OTLP protobuf payloads for the ingest benchmark, encoded once up front.
//
// Every trace request is a template: before each send the load generator copies it and
// stamps a per-send 32-bit sequence number into the first four bytes of every trace id,
// span id and parent span id (the same stamp for all ids of one copy, so parent links stay
// intact). Ids therefore never repeat across requests however long the benchmark runs,
// without holding gigabytes of distinct payloads in memory.
import { randomBytes } from 'node:crypto';
import { encodeExportRequestObject, type Signal } from '@telemetryflow/otlp';

export interface PayloadTemplate {
  signal: Signal;
  /** The encoded Export*ServiceRequest. Never sent as is when `idOffsets` is non-empty. */
  bytes: Buffer;
  /** Items the request carries: spans, log records or metric data points. */
  items: number;
  /** Byte offsets of every id in `bytes` whose first four bytes get the per-send stamp. */
  idOffsets: Uint32Array;
  /**
   * Metrics: byte offsets of every data point's time (fixed64, little-endian) and its value
   * in the template; each send moves them by the stamp in microseconds, so no two sends are
   * the same export (JetStream would rightly store a repeated export once).
   */
  timeOffsets?: Uint32Array;
  baseTimeNs?: bigint;
  /**
   * Remote write: byte offsets of every sample's timestamp (a 6-byte varint of milliseconds);
   * each send moves them by the stamp's sequence in milliseconds.
   */
  msTimeOffsets?: Uint32Array;
  baseTimeMs?: number;
  /** Cardinality: byte offsets of 8 characters of every series' id; each send writes its stamp there in hex. */
  seriesOffsets?: Uint32Array;
}

export interface PayloadOptions {
  /** Items per request (spans, log records, data points). */
  itemsPerRequest: number;
  /** Distinct templates to build. */
  templates: number;
  /** Seed for the varying parts (service, names) so generators differ from each other. */
  seed: number;
}

const SERVICES = ['checkout', 'cart', 'payments', 'catalog', 'frontend'];
const ROUTES = [
  '/api/v1/orders/{id}',
  '/api/v1/cart',
  '/api/v1/products',
  '/api/v1/payments/{id}/capture',
  '/healthz',
  '/api/v1/users/{id}/profile',
];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const DB_SYSTEMS = ['postgresql', 'redis', 'mysql'];
const SPANS_PER_TRACE = 10;

/** Small deterministic PRNG (mulberry32): payloads vary without costing much to build. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)] as T;
}

const str = (stringValue: string) => ({ stringValue });
const int = (n: number) => ({ intValue: n });

function resourceOf(service: string, r: () => number): Record<string, unknown> {
  return {
    attributes: [
      { key: 'service.name', value: str(service) },
      { key: 'service.version', value: str(`1.${Math.floor(r() * 20)}.0`) },
      { key: 'service.instance.id', value: str(randomBytes(8).toString('hex')) },
      { key: 'host.name', value: str(`ip-10-0-${Math.floor(r() * 255)}-${Math.floor(r() * 255)}`) },
      { key: 'deployment.environment', value: str('production') },
      { key: 'telemetry.sdk.language', value: str('nodejs') },
      { key: 'telemetry.sdk.name', value: str('opentelemetry') },
      { key: 'telemetry.sdk.version', value: str('1.30.0') },
    ],
  };
}

const SCOPE = { name: '@opentelemetry/instrumentation-http', version: '0.57.0' };

/** Now, in epoch nanoseconds, as the decimal string protobufjs accepts for fixed64. */
function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** ~10 attributes of mixed types: 6 strings, 2 ints, a bool and a double. */
function spanAttributes(r: () => number, route: string, method: string): Record<string, unknown>[] {
  return [
    { key: 'http.request.method', value: str(method) },
    { key: 'http.route', value: str(route) },
    { key: 'url.path', value: str(route.replace('{id}', String(Math.floor(r() * 1e6)))) },
    { key: 'http.response.status_code', value: int(r() < 0.97 ? 200 : 500) },
    { key: 'server.address', value: str('api.internal.example.com') },
    { key: 'server.port', value: int(8443) },
    { key: 'user_agent.original', value: str('Mozilla/5.0 (X11; Linux x86_64) bench/1.0') },
    { key: 'db.system', value: str(pick(r, DB_SYSTEMS)) },
    { key: 'cache.hit', value: { boolValue: r() < 0.5 } },
    { key: 'app.queue.wait_ms', value: { doubleValue: Math.round(r() * 10_000) / 100 } },
  ];
}

/** Finds `needle` at or after `from`; throws if it is missing (the encoding is not what we think). */
function offsetOf(haystack: Buffer, needle: Buffer, from: number): number {
  const at = haystack.indexOf(needle, from);
  if (at < 0) throw new Error('id not found in encoded payload');
  return at;
}

/** Byte offsets of every id, found by one forward scan (ids are encoded in the order given). */
function idOffsets(bytes: Buffer, ids: readonly (readonly Buffer[])[]): Uint32Array {
  const offsets: number[] = [];
  let pos = 0;
  for (const itemIds of ids) {
    for (const id of itemIds) {
      pos = offsetOf(bytes, id, pos);
      offsets.push(pos);
      pos += id.length;
    }
  }
  return Uint32Array.from(offsets);
}

export function buildTraceTemplate(opts: PayloadOptions, index: number): PayloadTemplate {
  const r = rng(opts.seed * 7919 + index);
  const service = SERVICES[(opts.seed + index) % SERVICES.length] as string;
  const base = nowNs();
  const spans: Record<string, unknown>[] = [];
  const ids: Buffer[][] = [];
  let traceId = randomBytes(16);
  let rootId = randomBytes(8);
  for (let i = 0; i < opts.itemsPerRequest; i++) {
    const inTrace = i % SPANS_PER_TRACE;
    if (inTrace === 0) {
      traceId = randomBytes(16);
      rootId = randomBytes(8);
    }
    const spanId = inTrace === 0 ? rootId : randomBytes(8);
    const parent = inTrace === 0 ? undefined : rootId;
    const route = pick(r, ROUTES);
    const method = pick(r, METHODS);
    const start = base - BigInt(Math.floor(r() * 60e9));
    const duration = BigInt(Math.floor(r() * 250e6) + 1000);
    spans.push({
      traceId,
      spanId,
      ...(parent ? { parentSpanId: parent } : {}),
      name: inTrace === 0 ? `${method} ${route}` : `db.query ${pick(r, DB_SYSTEMS)}`,
      kind: inTrace === 0 ? 2 : 3,
      startTimeUnixNano: start.toString(),
      endTimeUnixNano: (start + duration).toString(),
      attributes: spanAttributes(r, route, method),
      status: { code: r() < 0.97 ? 1 : 2 },
    });
    ids.push(parent ? [traceId, spanId, parent] : [traceId, spanId]);
  }
  const bytes = Buffer.from(
    encodeExportRequestObject('traces', {
      resourceSpans: [{ resource: resourceOf(service, r), scopeSpans: [{ scope: SCOPE, spans }] }],
    }),
  );
  // protobufjs writes fields in field-number order (trace_id 1, span_id 2, parent_span_id 4)
  // and spans in array order, so one forward scan finds every id.
  return { signal: 'traces', bytes, items: opts.itemsPerRequest, idOffsets: idOffsets(bytes, ids) };
}

const LOG_MESSAGES = [
  'request completed successfully',
  'cache miss for key, falling back to database lookup',
  'payment authorization declined by issuer, will not retry',
  'connection pool exhausted, waiting for a free connection',
  'user session refreshed',
];
const SEVERITIES: [number, string][] = [
  [9, 'INFO'],
  [9, 'INFO'],
  [9, 'INFO'],
  [13, 'WARN'],
  [17, 'ERROR'],
  [5, 'DEBUG'],
];

export function buildLogTemplate(opts: PayloadOptions, index: number): PayloadTemplate {
  const r = rng(opts.seed * 104729 + index);
  const service = SERVICES[(opts.seed + index) % SERVICES.length] as string;
  const base = nowNs();
  const records: Record<string, unknown>[] = [];
  const ids: Buffer[][] = [];
  for (let i = 0; i < opts.itemsPerRequest; i++) {
    const [severityNumber, severityText] = pick(r, SEVERITIES);
    const traceId = randomBytes(16);
    const spanId = randomBytes(8);
    const t = base - BigInt(Math.floor(r() * 60e9));
    records.push({
      timeUnixNano: t.toString(),
      observedTimeUnixNano: (t + 1_000_000n).toString(),
      severityNumber,
      severityText,
      body: str(`${pick(r, LOG_MESSAGES)} (order=${Math.floor(r() * 1e7)}, attempt=${Math.floor(r() * 3)})`),
      attributes: [
        { key: 'http.route', value: str(pick(r, ROUTES)) },
        { key: 'http.request.method', value: str(pick(r, METHODS)) },
        { key: 'enduser.id', value: str(`user-${Math.floor(r() * 1e5)}`) },
        { key: 'thread.id', value: int(Math.floor(r() * 64)) },
        { key: 'code.function', value: str('handleRequest') },
        { key: 'retry', value: { boolValue: r() < 0.1 } },
      ],
      traceId,
      spanId,
      flags: 1,
    });
    ids.push([traceId, spanId]);
  }
  const bytes = Buffer.from(
    encodeExportRequestObject('logs', {
      resourceLogs: [
        {
          resource: resourceOf(service, r),
          scopeLogs: [{ scope: { name: 'bench-logger', version: '1.0.0' }, logRecords: records }],
        },
      ],
    }),
  );
  return { signal: 'logs', bytes, items: opts.itemsPerRequest, idOffsets: idOffsets(bytes, ids) };
}

const HISTOGRAM_BOUNDS = [5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000];
const POINTS_PER_METRIC = 20;

/** Gauges, monotonic sums and histograms in equal shares, 20 series per metric. */
export function buildMetricsTemplate(opts: PayloadOptions, index: number): PayloadTemplate {
  const r = rng(opts.seed * 15485863 + index);
  const service = SERVICES[(opts.seed + index) % SERVICES.length] as string;
  const now = nowNs();
  const start = now - 60_000_000_000n;
  const metrics: Record<string, unknown>[] = [];
  let points = 0;
  for (let m = 0; points < opts.itemsPerRequest; m++) {
    const n = Math.min(POINTS_PER_METRIC, opts.itemsPerRequest - points);
    const kind = m % 3;
    const dataPoints: Record<string, unknown>[] = [];
    for (let p = 0; p < n; p++) {
      const attributes = [
        { key: 'http.route', value: str(ROUTES[p % ROUTES.length] as string) },
        { key: 'http.request.method', value: str(METHODS[Math.floor(p / ROUTES.length) % METHODS.length] as string) },
        { key: 'http.response.status_code', value: int(p % 7 === 0 ? 500 : 200) },
        { key: 'pod', value: str(`pod-${index % 8}`) },
      ];
      const head = { attributes, startTimeUnixNano: start.toString(), timeUnixNano: now.toString() };
      if (kind === 0) dataPoints.push({ ...head, asDouble: r() * 100 });
      else if (kind === 1) dataPoints.push({ ...head, asInt: Math.floor(r() * 1e6) });
      else {
        const bucketCounts = HISTOGRAM_BOUNDS.map(() => Math.floor(r() * 50)).concat([Math.floor(r() * 5)]);
        const count = bucketCounts.reduce((a, b) => a + b, 0);
        dataPoints.push({
          ...head,
          count,
          sum: count * 42.5,
          min: 1,
          max: 6000,
          bucketCounts,
          explicitBounds: HISTOGRAM_BOUNDS,
        });
      }
    }
    const name = ['system.cpu.utilization', 'http.server.request.count', 'http.server.request.duration'][
      kind
    ] as string;
    const metric: Record<string, unknown> = {
      name: `${name}.${m}`,
      unit: kind === 2 ? 'ms' : '1',
      description: 'bench metric',
    };
    if (kind === 0) metric.gauge = { dataPoints };
    else if (kind === 1) metric.sum = { dataPoints, aggregationTemporality: 2, isMonotonic: true };
    else metric.histogram = { dataPoints, aggregationTemporality: 2 };
    metrics.push(metric);
    points += n;
  }
  const bytes = Buffer.from(
    encodeExportRequestObject('metrics', {
      resourceMetrics: [
        {
          resource: resourceOf(service, r),
          scopeMetrics: [{ scope: { name: 'bench-meter', version: '1.0.0' }, metrics }],
        },
      ],
    }),
  );
  // The points' time is the only fixed64 of this value in the encoding (start times differ).
  const pattern = Buffer.alloc(8);
  pattern.writeBigUInt64LE(now);
  const timeOffsets: number[] = [];
  for (let at = bytes.indexOf(pattern); at >= 0; at = bytes.indexOf(pattern, at + 8)) timeOffsets.push(at);
  if (timeOffsets.length !== points)
    throw new Error(`found ${timeOffsets.length} point times in the encoded payload, expected ${points}`);
  return {
    signal: 'metrics',
    bytes,
    items: points,
    idOffsets: new Uint32Array(0),
    timeOffsets: Uint32Array.from(timeOffsets),
    baseTimeNs: now,
  };
}

export function buildTemplates(signal: Signal, opts: PayloadOptions): PayloadTemplate[] {
  const build = signal === 'traces' ? buildTraceTemplate : signal === 'logs' ? buildLogTemplate : buildMetricsTemplate;
  return Array.from({ length: opts.templates }, (_, i) => build(opts, i));
}

/**
 * A copy of the template with `stamp` (big-endian) in the first four bytes of every id.
 * The stamp must not be zero, so an id never becomes all zeros.
 */
export function stampPayload(template: PayloadTemplate, stamp: number): Buffer {
  const times = template.timeOffsets ?? new Uint32Array(0);
  const msTimes = template.msTimeOffsets ?? new Uint32Array(0);
  const series = template.seriesOffsets ?? new Uint32Array(0);
  if (template.idOffsets.length === 0 && times.length === 0 && msTimes.length === 0) return template.bytes;
  const copy = Buffer.allocUnsafe(template.bytes.length);
  template.bytes.copy(copy);
  const s = stamp >>> 0 || 1;
  for (const off of template.idOffsets) copy.writeUInt32BE(s, off);
  if (times.length > 0) {
    const time = (template.baseTimeNs ?? 0n) + BigInt(s) * 1000n;
    for (const off of times) copy.writeBigUInt64LE(time, off);
  }
  if (msTimes.length > 0) {
    const time = (template.baseTimeMs ?? 0) + (s & 0xffffff);
    for (const off of msTimes) writeVarint6(copy, off, time);
  }
  if (series.length > 0) {
    const id = Buffer.from(s.toString(16).padStart(8, '0'), 'latin1');
    for (const off of series) id.copy(copy, off);
  }
  return copy;
}

/** A 6-byte varint: every millisecond time from 2^35 to 2^42 (1971 to 2109) takes exactly six. */
export function writeVarint6(buf: Buffer, at: number, v: number): void {
  for (let k = 0; k < 5; k++) {
    buf[at + k] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[at + 5] = v;
}
