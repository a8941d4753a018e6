import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeExportRequest,
  decodeWriteRequest,
  FLAG_NO_RECORDED_VALUE,
  encodeWriteRequest,
  MalformedPayloadError,
  PROMETHEUS_SCOPE,
  seriesKind,
  type Metric,
} from '../src/index.js';

const labels = (name: string, extra: Record<string, string> = {}) => [
  { name: '__name__', value: name },
  ...Object.entries(extra).map(([n, value]) => ({ name: n, value })),
];

/** Metadata types of prometheus.MetricMetadata.MetricType. */
const COUNTER = 1;
const GAUGE = 2;
const HISTOGRAM = 3;
const SUMMARY = 5;

function metricsOf(payload: Uint8Array): Metric[] {
  const { request } = decodeWriteRequest(payload);
  return request.resourceMetrics?.[0]?.scopeMetrics?.[0]?.metrics ?? [];
}

/** Prometheus' staleness marker, as the bytes of a little-endian double. */
function staleNaNSampleBytes(timestampMs: number): Uint8Array {
  const value = Buffer.from([0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x7f]);
  // Sample { double value = 1 (tag 0x09); int64 timestamp = 2 (tag 0x10) }
  const ts: number[] = [];
  for (let v = timestampMs; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      ts.push(v);
      break;
    }
    ts.push((v % 128) | 0x80);
  }
  return Uint8Array.from([0x09, ...value, 0x10, ...ts]);
}

describe('Prometheus remote write → OTLP metrics', () => {
  it('keeps the metric name and every label exactly as written, in one scope that marks the origin', () => {
    const payload = encodeWriteRequest({
      timeseries: [
        {
          labels: labels('http_requests_total', { instance: 'host:9100', job: 'node', le: '+Inf', 'weird.name': '' }),
          samples: [
            { value: 1.5, timestamp: 1_700_000_000_123 },
            { value: 0.25, timestamp: 1_700_000_015_123 },
          ],
        },
      ],
    });
    const { request, refused, staleMarkers } = decodeWriteRequest(payload);
    assert.deepEqual(refused, []);
    assert.equal(staleMarkers, 0);
    const rm = request.resourceMetrics![0]!;
    assert.deepEqual(rm.resource?.attributes, []);
    assert.equal(rm.scopeMetrics![0]!.scope?.name, PROMETHEUS_SCOPE);
    const [metric] = rm.scopeMetrics![0]!.metrics!;
    assert.equal(metric!.name, 'http_requests_total');
    // No metadata in the request: a gauge.
    const points = metric!.gauge!.dataPoints!;
    assert.deepEqual(
      points.map((p) => [p.timeUnixNano, p.asDouble]),
      [
        ['1700000000123000000', 1.5],
        ['1700000015123000000', 0.25],
      ],
    );
    assert.deepEqual(points[0]!.attributes, [
      { key: 'instance', value: { stringValue: 'host:9100' } },
      { key: 'job', value: { stringValue: 'node' } },
      { key: 'le', value: { stringValue: '+Inf' } },
      { key: 'weird.name', value: { stringValue: '' } },
    ]);
  });

  it('types series by the metadata of their family in the same request', () => {
    const payload = encodeWriteRequest({
      timeseries: [
        { labels: labels('requests_total'), samples: [{ value: 3, timestamp: 1000 }] },
        { labels: labels('temperature'), samples: [{ value: 21.5, timestamp: 1000 }] },
        { labels: labels('latency_bucket', { le: '0.5' }), samples: [{ value: 4, timestamp: 1000 }] },
        { labels: labels('latency_sum'), samples: [{ value: 1.25, timestamp: 1000 }] },
        { labels: labels('latency_count'), samples: [{ value: 4, timestamp: 1000 }] },
        { labels: labels('rpc', { quantile: '0.9' }), samples: [{ value: 0.2, timestamp: 1000 }] },
        { labels: labels('rpc_count'), samples: [{ value: 9, timestamp: 1000 }] },
        { labels: labels('untyped_thing'), samples: [{ value: 1, timestamp: 1000 }] },
      ],
      metadata: [
        { type: COUNTER, metricFamilyName: 'requests', help: 'Requests served.', unit: '' },
        { type: GAUGE, metricFamilyName: 'temperature', help: 'Degrees.', unit: 'celsius' },
        { type: HISTOGRAM, metricFamilyName: 'latency', help: 'Latency.' },
        { type: SUMMARY, metricFamilyName: 'rpc', help: 'RPCs.' },
      ],
    });
    const byName = new Map(metricsOf(payload).map((m) => [m.name!, m]));
    const kind = (name: string) => {
      const m = byName.get(name)!;
      return m.sum ? `sum monotonic=${m.sum.isMonotonic} temporality=${m.sum.aggregationTemporality}` : 'gauge';
    };
    assert.equal(kind('requests_total'), 'sum monotonic=true temporality=2');
    assert.equal(byName.get('requests_total')!.description, 'Requests served.');
    assert.equal(kind('temperature'), 'gauge');
    assert.equal(byName.get('temperature')!.unit, 'celsius');
    assert.equal(kind('latency_bucket'), 'sum monotonic=true temporality=2');
    assert.equal(kind('latency_count'), 'sum monotonic=true temporality=2');
    assert.equal(kind('latency_sum'), 'sum monotonic=false temporality=2');
    assert.equal(kind('rpc'), 'gauge');
    assert.equal(kind('rpc_count'), 'sum monotonic=true temporality=2');
    assert.equal(kind('untyped_thing'), 'gauge');
  });

  it('reads a counter family named with its _total suffix (Prometheus text format)', () => {
    const metadata = new Map([['jobs_total', { type: COUNTER, metricFamilyName: 'jobs_total' }]]);
    assert.equal(seriesKind('jobs_total', metadata).data, 'sum');
    assert.equal(seriesKind('jobs_total_bucket', metadata).data, 'gauge');
  });

  it('keeps staleness markers (series ended) as no-recorded-value points, and NaN samples as values', () => {
    // Append a third sample, the staleness marker, to the series by hand (field 2 of TimeSeries).
    const stale = staleNaNSampleBytes(3000);
    const series = encodeWriteRequest({
      timeseries: [
        {
          labels: labels('up', { job: 'x' }),
          samples: [
            { value: 1, timestamp: 1000 },
            { value: Number.NaN, timestamp: 2000 },
          ],
        },
      ],
    });
    // WriteRequest { timeseries = 1 (len) } wrapping TimeSeries + one more sample (tag 0x12).
    const inner = Buffer.concat([Buffer.from(series.subarray(2)), Buffer.from([0x12, stale.length]), stale]);
    assert.ok(inner.length < 128);
    const payload = Buffer.concat([Buffer.from([0x0a, inner.length]), inner]);
    const { request, staleMarkers } = decodeWriteRequest(payload);
    assert.equal(staleMarkers, 1);
    const points = request.resourceMetrics![0]!.scopeMetrics![0]!.metrics![0]!.gauge!.dataPoints!;
    assert.equal(points.length, 3);
    assert.ok(Number.isNaN(points[1]!.asDouble));
    assert.equal(points[1]!.flags ?? 0, 0);
    assert.equal(points[2]!.timeUnixNano, '3000000000');
    assert.equal(points[2]!.flags, FLAG_NO_RECORDED_VALUE);
    assert.equal(points[2]!.asDouble, undefined);
  });

  it('refuses series without __name__, with a label twice, and native histograms, with reasons', () => {
    const payload = encodeWriteRequest({
      timeseries: [
        { labels: [{ name: 'job', value: 'x' }], samples: [{ value: 1, timestamp: 1000 }] },
        {
          labels: [...labels('a'), { name: 'job', value: 'x' }, { name: 'job', value: 'y' }],
          samples: [
            { value: 1, timestamp: 1000 },
            { value: 2, timestamp: 2000 },
          ],
        },
        { labels: labels('h'), histograms: [{ countInt: 1, timestamp: 1000 }] },
        { labels: labels('ok'), samples: [{ value: 1, timestamp: 1000 }] },
      ],
    });
    const { request, refused } = decodeWriteRequest(payload);
    assert.deepEqual(
      refused.sort((a, b) => a.reason.localeCompare(b.reason)),
      [
        { reason: 'native histograms are not stored (only classic _bucket/_sum/_count series)', count: 1 },
        { reason: 'series with the label "job" twice', count: 2 },
        { reason: 'series without __name__', count: 1 },
      ],
    );
    assert.deepEqual(
      request.resourceMetrics![0]!.scopeMetrics![0]!.metrics!.map((m) => m.name),
      ['ok'],
    );
  });

  it('is a metrics encoding of decodeExportRequest: bytes that are no WriteRequest are malformed', () => {
    const payload = encodeWriteRequest({
      timeseries: [{ labels: labels('x'), samples: [{ value: 1, timestamp: 1 }] }],
    });
    const { request } = decodeExportRequest('metrics', payload, 'remote-write');
    assert.equal(request.resourceMetrics?.length, 1);
    assert.throws(
      () => decodeExportRequest('metrics', Buffer.from('not protobuf at all'), 'remote-write'),
      (err) => {
        assert.ok(err instanceof MalformedPayloadError);
        assert.match(err.message, /invalid protobuf prometheus\.WriteRequest/);
        return true;
      },
    );
    assert.throws(() => decodeExportRequest('logs', payload, 'remote-write'), MalformedPayloadError);
  });

  it('an empty request (metadata only) converts to no metrics', () => {
    const payload = encodeWriteRequest({ metadata: [{ type: COUNTER, metricFamilyName: 'x', help: 'h' }] });
    assert.deepEqual(decodeWriteRequest(payload).request, { resourceMetrics: [] });
  });
});
