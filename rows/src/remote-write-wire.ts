// A decompressed Prometheus remote-write 1.0 WriteRequest → RowBinary metric_series and
// metrics_gauge rows, read off the wire: what decodeWriteRequest (otlp/src/remote-write.ts,
// ADR 0018) and metricsRequestToRows write for it, without the OTLP objects in between. Each
// series is one gauge metric named by `__name__`, its other labels string attributes, in the
// empty resource and the `prometheus.remote_write` scope; a sample is a point at its time in
// nanoseconds without start time, and a staleness marker a point flagged
// FLAG_NO_RECORDED_VALUE. A series' identity is looked up by the bytes of its labels (as
// metric-wire.ts does by attribute bytes) and computed the object path's way the first time.
//
// The output is the object path's, byte for byte (ingest/test/remote-write-wire.test.ts).
// Anything else returns undefined and the caller decodes the request the object way:
// metadata in the request (it changes series types), native histograms, a series without
// `__name__` or with a label twice, labels split by other fields, a NaN that is not a
// staleness marker, a time that would be refused or needs more than 53 bits, a payload that
// is not well-formed.
import { RowBinaryWriter } from '@telemetryflow/clickhouse';
import {
  cleanString,
  FLAG_NO_RECORDED_VALUE,
  keyValuesToStored,
  PROMETHEUS_SCOPE,
  ProtobufReader,
  type KeyValue,
} from '@telemetryflow/otlp';
import { encodeEnvelope } from './field-writers.js';
import { ANY_TIME, compareWords, LATEST_ROW_TIME_NS, resourceEnvelope, withScope, type TimeWindow } from './fields.js';
import {
  build,
  DEFAULT_IDENTITIES,
  latin1,
  newOutput,
  SEVEN_EMPTY_ARRAYS,
  writerOf,
  type EncodedMetricTables,
  type Output,
  type SeriesIdentities,
  type SeriesIdentity,
  type SeriesRow,
} from './metric-wire.js';
import { envelopeKey, seriesFingerprint } from './metrics.js';
import { I64, LEN, lengthEnd, NOT_OUR_SHAPE, skipUnknown, stringBytes, VARINT, type Reader } from './protobuf-wire.js';

const ENV = withScope(resourceEnvelope({ attributes: [] }, undefined), { name: PROMETHEUS_SCOPE }, undefined);
const ENV_KEY = envelopeKey(ENV);
const ENVELOPE = encodeEnvelope(ENV).columns;
/** metric_series from MetricType to ServiceName: a gauge without unit or description. */
const GAUGE_TO_SERVICE = (() => {
  const w = new RowBinaryWriter(64);
  w.string('gauge');
  w.string('');
  w.string('');
  w.uint8(0);
  w.uint8(0);
  w.string(ENV.serviceName);
  return Uint8Array.from(w.bytes());
})();
const NO_METADATA = new Uint8Array(2);
const STALE_NAN_LE = [0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x7f];
const ZERO_START = new Uint8Array(8);
/** Value 0 and IntValue NULL: a staleness marker's point has no value. */
const NO_VALUE = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1]);

/** A remote-written series: its identity and the bytes of its metric name. */
interface RemoteSeries extends SeriesIdentity {
  nameBytes: Uint8Array;
}

/**
 * RowBinary rows of a decompressed WriteRequest, or undefined when it must be decoded the
 * object way (see the top of this file).
 */
export function transcodeWriteRequest(
  tenantId: string,
  payload: Uint8Array,
  window: TimeWindow = ANY_TIME,
  identities: SeriesIdentities = DEFAULT_IDENTITIES,
): EncodedMetricTables | undefined {
  const r = ProtobufReader.create(payload);
  const out = newOutput(tenantId, payload, window, identities);
  const times = new TimeBytes(window);
  let series = identities.of(ENV_KEY, '', out.isBuffer);
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag === ((1 << 3) | LEN)) {
        const end = lengthEnd(r, r.len);
        series = timeSeries(r, end, out, series, times);
        r.pos = end;
      } else skipUnknown(r, tag, 0, 1, 3);
    }
  } catch {
    return undefined;
  }
  return build(out);
}

/** The 8 bytes of a sample's time in nanoseconds; the samples of one scrape share their time. */
class TimeBytes {
  private lastMs = -1;
  private readonly bytes = new Uint8Array(8);
  private readonly view = new DataView(this.bytes.buffer);
  low = 0;
  high = 0;

  constructor(private readonly window: TimeWindow) {}

  of(ms: number): Uint8Array {
    if (ms !== this.lastMs) {
      const ns = BigInt(ms) * 1_000_000n;
      if (ns > LATEST_ROW_TIME_NS || ns < this.window.notBeforeNs) throw NOT_OUR_SHAPE;
      this.view.setBigUint64(0, ns, true);
      this.low = this.view.getUint32(0, true);
      this.high = this.view.getUint32(4, true);
      this.lastMs = ms;
    }
    return this.bytes;
  }
}

// The series being read: its labels' run and each label, its samples.
const labelAts: number[] = [];
const sampleAts: number[] = [];

function timeSeries(
  r: Reader,
  end: number,
  out: Output,
  known: Map<string, SeriesIdentity>,
  times: TimeBytes,
): Map<string, SeriesIdentity> {
  labelAts.length = 0;
  sampleAts.length = 0;
  let labelsAt = -1;
  let labelsEnd = -1;
  while (r.pos < end) {
    const tagAt = r.pos;
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1 || field === 2 || field === 3) {
      if ((tag & 7) !== LEN) throw NOT_OUR_SHAPE;
      const at = r.pos;
      const fieldEnd = lengthEnd(r, end);
      if (field === 1) {
        if (labelsAt < 0) labelsAt = tagAt;
        else if (labelsEnd !== tagAt) throw NOT_OUR_SHAPE;
        labelsEnd = fieldEnd;
        labelAts.push(at);
      } else if (field === 2) sampleAts.push(at);
      r.pos = fieldEnd;
    } else if (field === 4) throw NOT_OUR_SHAPE;
    else r.skipType(tag & 7, 2);
  }
  if (r.pos !== end) throw NOT_OUR_SHAPE;
  // The object path skips a series without samples before looking at its labels.
  if (sampleAts.length === 0) return known;
  const key = labelsAt < 0 ? '' : latin1(r.buf, labelsAt, labelsEnd);
  let identity = known.get(key) as RemoteSeries | undefined;
  if (!identity) {
    identity = newIdentity(r);
    known = out.identities.add(known, key, identity, () => out.identities.of(ENV_KEY, '', out.isBuffer));
  }
  const sink = writerOf(out, 'metrics_gauge');
  const w = sink.w;
  const buf = r.buf;
  for (const at of sampleAts) {
    r.pos = at;
    const sampleEnd = lengthEnd(r, end);
    let valueAt = -1;
    let ms = 0;
    let seen = 0;
    while (r.pos < sampleEnd) {
      const tag = r.uint32();
      if (tag === ((1 << 3) | I64)) {
        valueAt = r.pos;
        r.pos += 8;
      } else if (tag === ((2 << 3) | VARINT)) {
        if (seen & 1) throw NOT_OUR_SHAPE;
        seen |= 1;
        ms = smallVarint(r, sampleEnd);
      } else skipUnknown(r, tag, 3, 1, 2);
    }
    if (r.pos !== sampleEnd) throw NOT_OUR_SHAPE;
    const stale = valueAt >= 0 && isStaleNaN(buf, valueAt);
    if (valueAt >= 0 && !stale && isNaNAt(buf, valueAt)) throw NOT_OUR_SHAPE;
    const time = times.of(ms);
    w.raw(out.tenant);
    w.raw(identity.nameBytes);
    w.raw(identity.fingerprintBytes);
    w.raw(ZERO_START);
    w.raw(time);
    if (stale) {
      w.uint32(FLAG_NO_RECORDED_VALUE);
      w.raw(NO_VALUE);
    } else {
      w.uint32(0);
      if (valueAt < 0) w.float64(0);
      else w.rawRange(buf, valueAt, valueAt + 8);
      w.uint8(1);
    }
    w.raw(SEVEN_EMPTY_ARRAYS);
    sink.rows++;
    out.points++;
    recordSeen(out, identity, times.low, times.high);
  }
  return known;
}

/** Records the point's time on its series' metric_series row of this request. */
function recordSeen(out: Output, identity: RemoteSeries, low: number, high: number): void {
  if (identity.request !== out.request) {
    identity.request = out.request;
    identity.row = out.seriesByFingerprint.get(identity.fingerprint);
    if (!identity.row) {
      const row: SeriesRow = {
        identity,
        name: identity.nameBytes,
        typeToService: GAUGE_TO_SERVICE,
        envelope: ENVELOPE,
        metadata: NO_METADATA,
        firstLow: low,
        firstHigh: high,
        lastLow: low,
        lastHigh: high,
      };
      identity.row = row;
      out.seriesByFingerprint.set(identity.fingerprint, row);
      out.series.push(row);
      return;
    }
  }
  const row = identity.row!;
  if (compareWords(low, high, row.firstLow, row.firstHigh) < 0) {
    row.firstLow = low;
    row.firstHigh = high;
  }
  if (compareWords(low, high, row.lastLow, row.lastHigh) > 0) {
    row.lastLow = low;
    row.lastHigh = high;
  }
}

/** A varint of at most 7 bytes (below 2⁴⁹): milliseconds up to the year 19,800. */
function smallVarint(r: Reader, end: number): number {
  const buf = r.buf;
  let value = 0;
  let scale = 1;
  for (let k = 0; k < 7; k++) {
    if (r.pos >= end) throw NOT_OUR_SHAPE;
    const b = buf[r.pos++]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return value;
    scale *= 128;
  }
  throw NOT_OUR_SHAPE;
}

function isStaleNaN(buf: Uint8Array, at: number): boolean {
  for (let i = 0; i < 8; i++) if (buf[at + i] !== STALE_NAN_LE[i]) return false;
  return true;
}

function isNaNAt(buf: Uint8Array, at: number): boolean {
  if ((buf[at + 7]! & 0x7f) !== 0x7f || (buf[at + 6]! & 0xf0) !== 0xf0) return false;
  return (
    ((buf[at + 6]! & 0x0f) | buf[at + 5]! | buf[at + 4]! | buf[at + 3]! | buf[at + 2]! | buf[at + 1]! | buf[at]!) !== 0
  );
}

/** The object path's identity of the labels just read (decodeWriteRequest's mapping, then seriesFingerprint). */
function newIdentity(r: Reader): RemoteSeries {
  let name = '';
  const seen = new Set<string>();
  const attributes: KeyValue[] = [];
  for (const at of labelAts) {
    r.pos = at;
    const end = lengthEnd(r, r.len);
    let key = '';
    let value = '';
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === ((1 << 3) | LEN)) key = r.string();
      else if (tag === ((2 << 3) | LEN)) value = r.string();
      else skipUnknown(r, tag, 3, 1, 2);
    }
    if (r.pos !== end || seen.has(key)) throw NOT_OUR_SHAPE;
    seen.add(key);
    if (key === '__name__') name = value;
    else attributes.push({ key, value: { stringValue: value } });
  }
  if (!name) throw NOT_OUR_SHAPE;
  name = cleanString(name);
  const attrs = keyValuesToStored(attributes);
  const fingerprint = seriesFingerprint(name, ENV_KEY, attrs.values, attrs.types);
  const f = new RowBinaryWriter(16);
  f.uint64(fingerprint);
  const a = new RowBinaryWriter(512);
  a.map(attrs.values);
  a.map(attrs.types);
  return {
    fingerprint,
    fingerprintBytes: Uint8Array.from(f.bytes()),
    attributeBytes: Uint8Array.from(a.bytes()),
    nameBytes: stringBytes(name),
    request: 0,
    row: undefined,
  };
}
