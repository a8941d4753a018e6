// Scrape-like metric requests for the ingest benchmark: a stated number of active series, a
// third gauges, a third cumulative counters, a third 16-bucket histograms, every series
// reported once per interval. The series are split over the requests of one interval
// (templates); a generator sends them round and round, and each send moves every point's
// time by its stamp, so each pass is the next interval of the same series.
//
// The cardinality variant writes the send's stamp into a `series.id` attribute of every
// point as well: each request then brings `itemsPerRequest` new series.
//
// Formats: OTLP metrics (protobuf, over OTLP/HTTP or gRPC) and Prometheus remote write 1.0
// (a protobuf WriteRequest, snappy-compressed per send by the generator), where histograms
// are their classic `_bucket` (16), `_sum` and `_count` series.
import { encodeExportRequestObject, encodeWriteRequest } from '@telemetryflow/otlp';
import { writeVarint6, type PayloadTemplate } from './payloads.js';

export interface ScrapeOptions {
  activeSeries: number;
  itemsPerRequest: number;
  /** Generator index: its series are its own (an `instance` label / resource attribute). */
  seed: number;
  format: 'otlp' | 'remote-write';
  /** Every send brings new series (cardinality phase). */
  newSeries: boolean;
}

const SERIES_PER_METRIC = 50;
const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 25];
const ROUTES = ['/api/v1/orders/{id}', '/api/v1/cart', '/api/v1/items', '/health', '/login'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
/** Where a send's stamp goes in the cardinality variant (8 hex digits). */
export const SERIES_PLACEHOLDER = 'SSSSSSSS';

/** The labels / attributes of series `i` of a metric. */
function seriesLabels(i: number, instance: string, newSeries: boolean): [string, string][] {
  return [
    ['instance', instance],
    ['route', ROUTES[i % ROUTES.length]!],
    ['method', METHODS[Math.floor(i / ROUTES.length) % METHODS.length]!],
    ['code', String(i % 7 === 0 ? 500 : 200)],
    ['shard', String(Math.floor(i / 20))],
    ...(newSeries ? [['series.id', `${SERIES_PLACEHOLDER}-${i}`] as [string, string]] : []),
  ];
}

/** One interval of every series, as requests of about `itemsPerRequest` items each. */
export function buildScrapeTemplates(opts: ScrapeOptions): PayloadTemplate[] {
  return opts.format === 'otlp' ? otlpTemplates(opts) : remoteWriteTemplates(opts);
}

function otlpTemplates(opts: ScrapeOptions): PayloadTemplate[] {
  const now = BigInt(Date.now() - 600_000) * 1_000_000n;
  const start = now - 3_600_000_000_000n;
  const instance = `bench-${opts.seed}:9100`;
  const requests = Math.max(1, Math.ceil(opts.activeSeries / opts.itemsPerRequest));
  const templates: PayloadTemplate[] = [];
  let series = 0;
  for (let q = 0; q < requests; q++) {
    const metrics: Record<string, unknown>[] = [];
    let points = 0;
    while (points < opts.itemsPerRequest && series < opts.activeSeries) {
      const m = Math.floor(series / SERIES_PER_METRIC);
      const n = Math.min(SERIES_PER_METRIC - (series % SERIES_PER_METRIC), opts.itemsPerRequest - points);
      const kind = m % 3;
      const dataPoints = Array.from({ length: n }, (_, k) => {
        const i = (series % SERIES_PER_METRIC) + k;
        const head = {
          attributes: seriesLabels(i, instance, opts.newSeries).map(([key, value]) => ({
            key,
            value: { stringValue: value },
          })),
          startTimeUnixNano: (kind === 0 ? 0n : start).toString(),
          timeUnixNano: now.toString(),
        };
        if (kind === 0) return { ...head, asDouble: (i * 7.3) % 100 };
        if (kind === 1) return { ...head, asInt: 1000 + i * 17 };
        const bucketCounts = [...BOUNDS, Infinity].map((_, b) => (i + b) % 40);
        return {
          ...head,
          count: bucketCounts.reduce((a, b) => a + b, 0),
          sum: i * 0.75,
          bucketCounts,
          explicitBounds: BOUNDS,
        };
      });
      const name = `${['process_open_fds', 'http_requests', 'http_request_duration_seconds'][kind]}_${m}`;
      const metric: Record<string, unknown> = { name, unit: kind === 2 ? 's' : '1', description: 'scrape bench' };
      if (kind === 0) metric.gauge = { dataPoints };
      else if (kind === 1) metric.sum = { dataPoints, aggregationTemporality: 2, isMonotonic: true };
      else metric.histogram = { dataPoints, aggregationTemporality: 2 };
      metrics.push(metric);
      points += n;
      series += n;
    }
    const bytes = Buffer.from(
      encodeExportRequestObject('metrics', {
        resourceMetrics: [
          {
            resource: {
              attributes: [
                { key: 'service.name', value: { stringValue: 'node-exporter' } },
                { key: 'service.instance.id', value: { stringValue: instance } },
              ],
            },
            scopeMetrics: [{ scope: { name: 'scrape', version: '1.0.0' }, metrics }],
          },
        ],
      }),
    );
    const pattern = Buffer.alloc(8);
    pattern.writeBigUInt64LE(now);
    templates.push({
      signal: 'metrics',
      bytes,
      items: points,
      idOffsets: new Uint32Array(0),
      timeOffsets: offsetsOf(bytes, pattern, points, 'point times'),
      baseTimeNs: now,
      ...(opts.newSeries
        ? { seriesOffsets: offsetsOf(bytes, Buffer.from(SERIES_PLACEHOLDER), points, 'series ids') }
        : {}),
    });
  }
  return templates;
}

function offsetsOf(bytes: Buffer, pattern: Buffer, expected: number, what: string): Uint32Array {
  const offsets: number[] = [];
  for (let at = bytes.indexOf(pattern); at >= 0; at = bytes.indexOf(pattern, at + pattern.length)) offsets.push(at);
  if (offsets.length !== expected)
    throw new Error(`found ${offsets.length} ${what} in a payload, expected ${expected}`);
  return Uint32Array.from(offsets);
}

function remoteWriteTemplates(opts: ScrapeOptions): PayloadTemplate[] {
  const nowMs = Date.now() - 600_000;
  const instance = `bench-${opts.seed}:9100`;
  const templates: PayloadTemplate[] = [];
  let timeseries: Record<string, unknown>[] = [];
  const flush = () => {
    const bytes = Buffer.from(encodeWriteRequest({ timeseries }));
    const pattern = Buffer.alloc(6);
    writeVarint6(pattern, 0, nowMs);
    templates.push({
      signal: 'metrics',
      bytes,
      items: timeseries.length,
      idOffsets: new Uint32Array(0),
      msTimeOffsets: offsetsOf(bytes, pattern, timeseries.length, 'sample times'),
      baseTimeMs: nowMs,
      ...(opts.newSeries
        ? { seriesOffsets: offsetsOf(bytes, Buffer.from(SERIES_PLACEHOLDER), timeseries.length, 'series ids') }
        : {}),
    });
    timeseries = [];
  };
  const add = (name: string, labels: [string, string][], value: number) => {
    timeseries.push({
      labels: [['__name__', name], ['job', 'bench'], ...labels].map(([n, v]) => ({ name: n, value: v })),
      samples: [{ value, timestamp: nowMs }],
    });
  };
  let series = 0;
  for (let f = 0; series < opts.activeSeries; f++) {
    const kind = f % 3;
    for (let i = 0; i < SERIES_PER_METRIC && series < opts.activeSeries; i++) {
      const labels = seriesLabels(i, instance, opts.newSeries);
      if (kind === 0) add(`process_open_fds_${f}`, labels, (i * 7.3) % 100);
      else if (kind === 1) add(`http_requests_${f}_total`, labels, 1000 + i * 17);
      else {
        const name = `http_request_duration_seconds_${f}`;
        let cumulative = 0;
        [...BOUNDS, Infinity].forEach((bound, b) => {
          cumulative += (i + b) % 40;
          add(`${name}_bucket`, [...labels, ['le', bound === Infinity ? '+Inf' : String(bound)]], cumulative);
        });
        add(`${name}_sum`, labels, i * 0.75);
        add(`${name}_count`, labels, cumulative);
      }
      series += kind === 2 ? BOUNDS.length + 3 : 1;
      if (timeseries.length >= opts.itemsPerRequest) flush();
    }
  }
  if (timeseries.length > 0) flush();
  return templates;
}
