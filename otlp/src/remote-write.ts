// Prometheus remote write 1.0: a decompressed `prometheus.WriteRequest` (prompb, decoded by
// protobufjs) → the OTLP metrics request the rest of the pipeline stores (ADR 0018). Every
// series keeps its name and labels exactly as written: `__name__` becomes the metric name,
// every other label a string attribute of the point, the resource is empty and the scope
// `PROMETHEUS_SCOPE` marks where the series came from. Pure.
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { RefusedItems } from './otlp-json.js';
import type { ExportMetricsServiceRequest, KeyValue, Metric, NumberDataPoint } from './otlp-types.js';

/** The instrumentation scope name of every remote-written series: how a reader tells them apart. */
export const PROMETHEUS_SCOPE = 'prometheus.remote_write';

const PROTO = fileURLToPath(new URL('../../proto/prometheus/remote.proto', import.meta.url));

// Its own root: prompb's files import each other by file name (`import "types.proto"`).
const root = protobuf.loadSync(PROTO);
root.resolveAll();
const writeRequestType = root.lookupType('prometheus.WriteRequest');
const sampleType = root.lookupType('prometheus.Sample');

/**
 * Prometheus' staleness marker (model/value.StaleNaN): a NaN whose bits say "this series
 * ended". JavaScript does not promise to keep NaN payloads, so the bits are read off the wire.
 */
const STALE_NAN_LE = [0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x7f];

interface DecodedSample {
  value: number;
  /** Milliseconds since the epoch. */
  timestamp: bigint;
  stale: boolean;
}

function isStaleNaN(buf: Uint8Array, pos: number): boolean {
  for (let i = 0; i < 8; i++) if (buf[pos + i] !== STALE_NAN_LE[i]) return false;
  return true;
}

// Samples are decoded by hand (two fields) so that a staleness marker is recognised by its
// bits; the WriteRequest and TimeSeries decoders protobufjs generates call this one.
sampleType.setup();
sampleType.decode = function decodeSample(input: protobuf.Reader | Uint8Array, length?: number) {
  const reader = input instanceof protobuf.Reader ? input : protobuf.Reader.create(input);
  const end = length === undefined ? reader.len : reader.pos + length;
  const sample: DecodedSample = { value: 0, timestamp: 0n, stale: false };
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === 0x09) {
      sample.stale = isStaleNaN(reader.buf, reader.pos);
      sample.value = reader.double();
    } else if (tag === 0x10) {
      sample.timestamp = BigInt(reader.int64().toString());
    } else {
      reader.skipType(tag & 7);
    }
  }
  return sample as unknown as protobuf.Message;
};

interface DecodedLabel {
  name?: string;
  value?: string;
}

interface DecodedTimeSeries {
  labels?: DecodedLabel[];
  samples?: DecodedSample[];
  histograms?: unknown[];
}

/** prometheus.MetricMetadata.MetricType. */
const METRIC_TYPES = ['unknown', 'counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset'];

/** A decoded prometheus.MetricMetadata. */
export interface WriteRequestMetadata {
  type?: number;
  metricFamilyName?: string;
  help?: string;
  unit?: string;
}

interface DecodedWriteRequest {
  timeseries?: DecodedTimeSeries[];
  metadata?: WriteRequestMetadata[];
}

/** What a remote-written series is stored as: its OTLP data kind, and for sums their flags. */
export interface SeriesKind {
  data: 'gauge' | 'sum';
  /** Cumulative sums only. */
  isMonotonic: boolean;
  help: string;
  unit: string;
}

const GAUGE: SeriesKind = { data: 'gauge', isMonotonic: false, help: '', unit: '' };

/**
 * How a series is stored, from the metadata of its metric family in the same request:
 * counters (`x` or `x_total`) and the `_bucket` / `_count` / `_sum` series of histograms and
 * summaries are cumulative sums (monotonic but for `_sum`, which negative observations can
 * lower); everything else — gauges, unknown types, summary quantiles, gauge histograms, info,
 * state sets, and series whose family has no metadata here — is a gauge.
 */
export function seriesKind(name: string, metadata: ReadonlyMap<string, WriteRequestMetadata>): SeriesKind {
  const exact = metadata.get(name);
  if (exact) return kindOf(exact, '');
  const suffix = /_(bucket|count|sum|total)$/.exec(name);
  if (!suffix) return GAUGE;
  const family = metadata.get(name.slice(0, suffix.index));
  return family ? kindOf(family, suffix[1]!) : GAUGE;
}

function kindOf(meta: WriteRequestMetadata, suffix: string): SeriesKind {
  const type = METRIC_TYPES[meta.type ?? 0] ?? 'unknown';
  const described = { help: meta.help ?? '', unit: meta.unit ?? '' };
  if (type === 'counter' && (suffix === '' || suffix === 'total'))
    return { data: 'sum', isMonotonic: true, ...described };
  if ((type === 'histogram' || type === 'summary') && (suffix === 'bucket' || suffix === 'count' || suffix === 'sum'))
    return { data: 'sum', isMonotonic: suffix !== 'sum', ...described };
  if (suffix === '' || type === 'gaugehistogram') return { ...GAUGE, ...described };
  // The family's metadata names another type than the suffix implies (e.g. a gauge `x_total`).
  return GAUGE;
}

export interface ConvertedWriteRequest {
  request: ExportMetricsServiceRequest;
  /** Series or samples that cannot be stored, with why. */
  refused: RefusedItems[];
  /** Staleness markers (Prometheus' "series ended"), stored as points flagged FLAG_NO_RECORDED_VALUE. */
  staleMarkers: number;
}

const AGGREGATION_TEMPORALITY_CUMULATIVE = 2;
/** OTLP DataPointFlags.FLAG_NO_RECORDED_VALUE_MASK. */
export const FLAG_NO_RECORDED_VALUE = 1;

/**
 * Decodes a decompressed WriteRequest and converts it. Throws (a protobufjs error) when the
 * bytes are not a WriteRequest; the caller reports that as malformed.
 */
export function decodeWriteRequest(payload: Uint8Array): ConvertedWriteRequest {
  const decoded = writeRequestType.decode(payload) as unknown as DecodedWriteRequest;
  const metadata = new Map<string, WriteRequestMetadata>();
  for (const m of decoded.metadata ?? []) if (m.metricFamilyName) metadata.set(m.metricFamilyName, m);
  const refused = new Map<string, number>();
  const refuse = (reason: string, count: number) => {
    if (count > 0) refused.set(reason, (refused.get(reason) ?? 0) + count);
  };
  let staleMarkers = 0;
  const metrics: Metric[] = [];
  for (const series of decoded.timeseries ?? []) {
    const samples = series.samples ?? [];
    const histograms = series.histograms?.length ?? 0;
    refuse('native histograms are not stored (only classic _bucket/_sum/_count series)', histograms);
    let name = '';
    const attributes: KeyValue[] = [];
    const seen = new Set<string>();
    let duplicate: string | undefined;
    for (const label of series.labels ?? []) {
      const key = label.name ?? '';
      if (seen.has(key)) duplicate = key;
      seen.add(key);
      if (key === '__name__') name = label.value ?? '';
      else attributes.push({ key, value: { stringValue: label.value ?? '' } });
    }
    if (!name || duplicate !== undefined) {
      refuse(
        name ? `series with the label ${JSON.stringify(duplicate)} twice` : 'series without __name__',
        samples.length,
      );
      continue;
    }
    const points: NumberDataPoint[] = [];
    for (const s of samples) {
      const timeUnixNano = (s.timestamp * 1_000_000n).toString();
      if (s.stale) {
        // "Series ended": stored as OTLP's no-recorded-value point, as the OTel Prometheus
        // compatibility spec maps it; PromQL reads it back as the marker, rollups skip it.
        staleMarkers++;
        points.push({ timeUnixNano, flags: FLAG_NO_RECORDED_VALUE, attributes });
        continue;
      }
      // Negative times (before 1970) cannot be stored: the row checks refuse them with a reason.
      points.push({ timeUnixNano, asDouble: s.value, attributes });
    }
    if (points.length === 0) continue;
    const kind = seriesKind(name, metadata);
    const metric: Metric = { name, description: kind.help, unit: kind.unit };
    if (kind.data === 'sum') {
      metric.sum = {
        dataPoints: points,
        aggregationTemporality: AGGREGATION_TEMPORALITY_CUMULATIVE,
        isMonotonic: kind.isMonotonic,
      };
    } else {
      metric.gauge = { dataPoints: points };
    }
    metrics.push(metric);
  }
  const request: ExportMetricsServiceRequest = {
    resourceMetrics:
      metrics.length === 0
        ? []
        : [{ resource: { attributes: [] }, scopeMetrics: [{ scope: { name: PROMETHEUS_SCOPE }, metrics }] }],
  };
  return { request, refused: [...refused].map(([reason, count]) => ({ reason, count })), staleMarkers };
}

/** Encodes a WriteRequest given as plain objects (tests and load generators; not snappy-compressed). */
export function encodeWriteRequest(request: Record<string, unknown>): Uint8Array {
  return writeRequestType.encode(writeRequestType.fromObject(request)).finish();
}
