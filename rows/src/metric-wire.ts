// A protobuf metrics request → RowBinary rows of metric_series and the gauge, sum and
// histogram point tables, read off the wire (as span-wire.ts does for spans). A decoded
// scrape-like request is ~15 objects per data point (point, attributes, any-values, Longs)
// plus a row array, and each point's series identity was a sort, a JSON text and a hash.
// Here a point's numbers are copied from the payload (fixed64 times and counts, doubles and
// packed bucket arrays are already RowBinary's little-endian words), and its series is looked
// up by the bytes of its attribute list: the identity (fingerprint and the Map columns of
// metric_series) is computed by the object path's own functions the first time those bytes
// are seen for that metric name, resource and scope, and kept for later requests
// (SeriesIdentities, bounded).
//
// The output is metricsRequestToRows + encodeRowBinary's, byte for byte
// (ingest/test/metric-wire.test.ts). Only the usual shape is read; for anything else
// transcodeMetricsRequest returns undefined and the caller decodes the whole request the
// object way (rejections and messages included): exponential histograms and summaries, a
// metric without data or name, a data point that would be refused (time outside the window,
// start after time, counts that do not match bounds, a count of 2⁶³ or more), a NaN double
// (JavaScript does not keep NaN payloads, so copying would differ), a repeated singular
// field, unpacked repeated numbers, attributes split by other fields, a payload that is not
// well-formed or has a known field with another wire type.
import { columnTypes, RowBinaryWriter } from '@telemetryflow/clickhouse';
import type { MetricType } from '@telemetryflow/contract';
import {
  cleanString,
  keyValuesToStored,
  otlpRoot,
  ProtobufReader,
  type Exemplar,
  type KeyValue,
} from '@telemetryflow/otlp';
import { encodeEnvelope } from './field-writers.js';
import { ANY_TIME, compareWords, type TimeWindow } from './fields.js';
import { envelopeKey, exemplarColumns, seriesFingerprint } from './metrics.js';
import type { MetricTable } from './metric-columns.js';
import { forEachScope } from './envelope-wire.js';
import {
  decodeAt,
  I64,
  LEN,
  lengthEnd,
  NOT_OUR_SHAPE,
  readString,
  skipUnknown,
  stringBytes,
  VARINT,
  type Reader,
} from './protobuf-wire.js';

const KEY_VALUE = otlpRoot.lookupType('opentelemetry.proto.common.v1.KeyValue');
const EXEMPLAR = otlpRoot.lookupType('opentelemetry.proto.metrics.v1.Exemplar');

const EXEMPLAR_TYPES = columnTypes('metrics_gauge').slice(-7);
export const SEVEN_EMPTY_ARRAYS = new Uint8Array(7);
const NULL = 1;
/** Value 0, IntValue 0. */
const NO_VALUE = new Uint8Array(17);

/** RowBinary rows per metrics table of one request, all its data points accepted. */
export interface EncodedMetricTables {
  tables: Partial<Record<MetricTable, { data: Buffer; rows: number }>>;
  accepted: number;
  rejected: number;
  errorMessage: string;
}

/** A series as metric_series stores it, from the attribute list it was first seen with. */
export interface SeriesIdentity {
  fingerprint: string;
  /** The Fingerprint column: UInt64 little-endian. */
  fingerprintBytes: Uint8Array;
  /** The Attributes and AttributeTypes columns. */
  attributeBytes: Uint8Array;
  /** The request that last wrote this series' row, and that row's state. */
  request: number;
  row: SeriesRow | undefined;
}

/**
 * Series identities by resource and scope (their envelopeKey), metric name and the bytes of
 * the attribute list, for a decoder thread's lifetime. Bounded: when it holds `limit` series
 * it starts over (new series then cost what they cost the object path).
 */
export class SeriesIdentities {
  private readonly byEnvelope = [new Map<string, Map<string, Map<string, SeriesIdentity>>>(), new Map()];
  private size = 0;

  constructor(readonly limit = 50_000) {}

  /** The series of one metric; Buffer and plain Uint8Array payloads apart, as protobufjs reads their strings differently. */
  of(envKey: string, name: string, isBuffer: boolean): Map<string, SeriesIdentity> {
    const roots = this.byEnvelope[isBuffer ? 1 : 0]!;
    let byName = roots.get(envKey);
    if (!byName) roots.set(envKey, (byName = new Map()));
    let series = byName.get(name);
    if (!series) byName.set(name, (series = new Map()));
    return series;
  }

  /** Keeps a new series in `series` (a map `of` returned); at the limit, first drops every series. */
  add(
    series: Map<string, SeriesIdentity>,
    key: string,
    identity: SeriesIdentity,
    refetch: () => Map<string, SeriesIdentity>,
  ): Map<string, SeriesIdentity> {
    if (this.size >= this.limit) {
      for (const roots of this.byEnvelope) roots.clear();
      this.size = 0;
      series = refetch();
    }
    series.set(key, identity);
    this.size++;
    return series;
  }
}

/** The decoder thread's series identities. */
export const DEFAULT_IDENTITIES = new SeriesIdentities();
let requestNumber = 0;

/** One metric_series row being collected: its series, what it takes from its metric, and the times seen. */
export interface SeriesRow {
  identity: SeriesIdentity;
  /** Everything from MetricName to ServiceName but Fingerprint, and the envelope columns. */
  name: Uint8Array;
  typeToService: Uint8Array;
  envelope: Uint8Array;
  metadata: Uint8Array;
  firstLow: number;
  firstHigh: number;
  lastLow: number;
  lastHigh: number;
}

/** Output of one request. */
export interface Output {
  tenant: Uint8Array;
  window: TimeWindow;
  identities: SeriesIdentities;
  isBuffer: boolean;
  request: number;
  points: number;
  writers: Partial<Record<MetricTable, { w: RowBinaryWriter; rows: number }>>;
  series: SeriesRow[];
  /** Series rows by fingerprint: two attribute encodings of one series share a row. */
  seriesByFingerprint: Map<string, SeriesRow>;
  initialBytes: number;
}

/**
 * RowBinary rows of a protobuf ExportMetricsServiceRequest, or undefined when the payload
 * must be decoded the object way (see the top of this file).
 */
export function transcodeMetricsRequest(
  tenantId: string,
  payload: Uint8Array,
  window: TimeWindow = ANY_TIME,
  identities: SeriesIdentities = DEFAULT_IDENTITIES,
): EncodedMetricTables | undefined {
  const r = ProtobufReader.create(payload);
  const out = newOutput(tenantId, payload, window, identities);
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag === ((1 << 3) | LEN)) {
        const end = lengthEnd(r, r.len);
        resourceMetrics(r, end, out);
        r.pos = end;
      } else skipUnknown(r, tag, 0, 1);
    }
  } catch {
    // NotOurShape, an item the object path would refuse, or protobufjs's reader refusing the bytes.
    return undefined;
  }
  return build(out);
}

/** The output of one request, written by a wire reader. */
export function newOutput(
  tenantId: string,
  payload: Uint8Array,
  window: TimeWindow,
  identities: SeriesIdentities,
): Output {
  return {
    tenant: stringBytes(tenantId),
    window,
    identities,
    isBuffer: Buffer.isBuffer(payload),
    request: ++requestNumber,
    points: 0,
    writers: {},
    series: [],
    seriesByFingerprint: new Map(),
    initialBytes: Math.max(1024, payload.length * 2),
  };
}

export function build(out: Output): EncodedMetricTables {
  if (out.series.length > 0) {
    const w = new RowBinaryWriter(out.series.length * 512);
    for (const s of out.series) writeSeriesRow(w, out.tenant, s);
    out.writers.metric_series = { w, rows: out.series.length };
  }
  const tables: EncodedMetricTables['tables'] = {};
  for (const [table, { w, rows }] of Object.entries(out.writers) as [
    MetricTable,
    { w: RowBinaryWriter; rows: number },
  ][])
    tables[table] = { data: w.bytes(), rows };
  return { tables, accepted: out.points, rejected: 0, errorMessage: '' };
}

function writeSeriesRow(w: RowBinaryWriter, tenant: Uint8Array, s: SeriesRow): void {
  w.raw(tenant);
  w.raw(s.name);
  w.raw(s.identity.fingerprintBytes);
  w.raw(s.typeToService);
  w.raw(s.envelope);
  w.raw(s.identity.attributeBytes);
  w.raw(s.metadata);
  w.uint64Words(s.firstLow, s.firstHigh);
  w.uint64Words(s.lastLow, s.lastHigh);
}

export function writerOf(out: Output, table: MetricTable): { w: RowBinaryWriter; rows: number } {
  return (out.writers[table] ??= { w: new RowBinaryWriter(out.initialBytes), rows: 0 });
}

function resourceMetrics(r: Reader, end: number, out: Output): void {
  forEachScope(r, end, (env, scopeEnd, metricAts) => {
    const scopeContext: ScopeContext = {
      envKey: envelopeKey(env),
      service: stringBytes(env.serviceName),
      envelope: encodeEnvelope(env).columns,
    };
    for (const metricAt of metricAts) {
      r.pos = metricAt;
      const metricEnd = lengthEnd(r, scopeEnd);
      metric(r, metricEnd, out, scopeContext);
    }
  });
}

interface ScopeContext {
  envKey: string;
  service: Uint8Array;
  envelope: Uint8Array;
}

const TYPE_BY_FIELD: Record<number, MetricType> = { 5: 'gauge', 7: 'sum', 9: 'histogram' };
const TABLE_BY_FIELD: Record<number, MetricTable> = { 5: 'metrics_gauge', 7: 'metrics_sum', 9: 'metrics_histogram' };

/** What a data point's row and its series row take from its metric. */
interface MetricContext {
  table: MetricTable;
  name: string;
  nameBytes: Uint8Array;
  temporality: number;
  isMonotonic: boolean;
  /** Sum: Temporality and IsMonotonic; histogram: Temporality. */
  tail: Uint8Array;
  series: Map<string, SeriesIdentity>;
  scope: ScopeContext;
  unit: string;
  description: string;
  type: MetricType;
  metadataAts: number[];
  /** The metric_series columns from MetricType to ServiceName, written when its first series row is. */
  typeToService: Uint8Array | undefined;
  /** The MetadataAttributes and MetadataAttributeTypes columns, with typeToService. */
  metadata: Uint8Array | undefined;
}

function metric(r: Reader, end: number, out: Output, scope: ScopeContext): void {
  let nameAt = -1;
  let descriptionAt = -1;
  let unitAt = -1;
  let dataField = 0;
  let dataAt = -1;
  const metadataAts: number[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    const at = r.pos;
    const field = tag >>> 3;
    if ((tag & 7) !== LEN) {
      skipUnknown(r, tag, 3, 1, 2, 3, 5, 7, 9, 10, 11, 12);
      continue;
    }
    switch (field) {
      case 1:
        if (nameAt >= 0) throw NOT_OUR_SHAPE;
        nameAt = at;
        break;
      case 2:
        if (descriptionAt >= 0) throw NOT_OUR_SHAPE;
        descriptionAt = at;
        break;
      case 3:
        if (unitAt >= 0) throw NOT_OUR_SHAPE;
        unitAt = at;
        break;
      case 5:
      case 7:
      case 9:
        if (dataAt >= 0) throw NOT_OUR_SHAPE;
        dataField = field;
        dataAt = at;
        break;
      case 10:
      case 11:
        throw NOT_OUR_SHAPE;
      case 12:
        metadataAts.push(at);
        break;
      default:
        r.skipType(LEN, 3);
        continue;
    }
    r.pos = lengthEnd(r, end);
  }
  if (r.pos !== end) throw NOT_OUR_SHAPE;
  const name = cleanString(readString(r, nameAt));
  if (dataAt < 0 || !name) throw NOT_OUR_SHAPE;
  r.pos = dataAt;
  const dataEnd = lengthEnd(r, end);
  // Gauge, Sum and Histogram: 1 data points; Sum and Histogram 2 temporality; Sum 3 monotonic.
  const pointAts: number[] = [];
  let temporality = 0;
  let isMonotonic = false;
  let seen = 0;
  while (r.pos < dataEnd) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | LEN)) {
      pointAts.push(r.pos);
      r.pos = lengthEnd(r, dataEnd);
    } else if (tag === ((2 << 3) | VARINT) && dataField !== 5) {
      if (seen & 1) throw NOT_OUR_SHAPE;
      seen |= 1;
      const t = r.int32();
      temporality = (t >= 0 ? t : 0) & 0xff;
    } else if (tag === ((3 << 3) | VARINT) && dataField === 7) {
      if (seen & 2) throw NOT_OUR_SHAPE;
      seen |= 2;
      isMonotonic = r.bool();
    } else skipUnknown(r, tag, 4, 1, ...(dataField === 5 ? [] : [2]), ...(dataField === 7 ? [3] : []));
  }
  if (r.pos !== dataEnd) throw NOT_OUR_SHAPE;
  const type = TYPE_BY_FIELD[dataField]!;
  const context: MetricContext = {
    table: TABLE_BY_FIELD[dataField]!,
    name,
    nameBytes: stringBytes(name),
    temporality,
    isMonotonic,
    tail: dataField === 7 ? new Uint8Array([temporality, isMonotonic ? 1 : 0]) : new Uint8Array([temporality]),
    series: out.identities.of(scope.envKey, name, out.isBuffer),
    scope,
    unit: cleanString(readString(r, unitAt)),
    description: cleanString(readString(r, descriptionAt)),
    type,
    metadataAts,
    typeToService: undefined,
    metadata: undefined,
  };
  if (pointAts.length === 0) return;
  const sink = writerOf(out, context.table);
  for (const at of pointAts) {
    r.pos = at;
    const pointEnd = lengthEnd(r, dataEnd);
    if (dataField === 9) histogramPoint(r, pointEnd, out, context, sink.w);
    else numberPoint(r, pointEnd, out, context, sink.w);
    sink.rows++;
    out.points++;
  }
}

// The point being read: times as words, where its attribute list and exemplars are.
let startLow = 0,
  startHigh = 0,
  timeLow = 0,
  timeHigh = 0,
  flags = 0;
let attributesAt = -1,
  attributesEnd = -1;
const attributeAts: number[] = [];
const exemplarAts: number[] = [];

function resetPoint(): void {
  startLow = startHigh = timeLow = timeHigh = flags = 0;
  attributesAt = attributesEnd = -1;
  attributeAts.length = 0;
  exemplarAts.length = 0;
}

/** An attribute KeyValue at `at` (its tag) ending at `end`; its list must be one run of fields. */
function attribute(at: number, prefixAt: number, end: number): void {
  if (attributesAt < 0) attributesAt = at;
  else if (attributesEnd !== at) throw NOT_OUR_SHAPE;
  attributeAts.push(prefixAt);
  attributesEnd = end;
}

/** A double's 8 bytes at `at`; NaN (whose payload JavaScript may not keep) is not our shape. */
function checkNotNaN(buf: Uint8Array, at: number): void {
  if ((buf[at + 7]! & 0x7f) === 0x7f && (buf[at + 6]! & 0xf0) === 0xf0) {
    const mantissa =
      (buf[at + 6]! & 0x0f) | buf[at + 5]! | buf[at + 4]! | buf[at + 3]! | buf[at + 2]! | buf[at + 1]! | buf[at]!;
    if (mantissa !== 0) throw NOT_OUR_SHAPE;
  }
}

/** The point's time and start checked as the object path's pointTimes does; a refusal is not our shape. */
function checkTimes(window: TimeWindow): void {
  if (!window.holdsWords(timeLow, timeHigh)) throw NOT_OUR_SHAPE;
  if (compareWords(startLow, startHigh, timeLow, timeHigh) > 0) throw NOT_OUR_SHAPE;
}

function numberPoint(r: Reader, end: number, out: Output, m: MetricContext, w: RowBinaryWriter): void {
  resetPoint();
  const buf = r.buf;
  let valueAt = -1;
  let isInt = false;
  let seen = 0;
  while (r.pos < end) {
    const tagAt = r.pos;
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 7 || field === 5) {
      if (wire !== LEN) throw NOT_OUR_SHAPE;
      const at = r.pos;
      const fieldEnd = lengthEnd(r, end);
      if (field === 7) attribute(tagAt, at, fieldEnd);
      else exemplarAts.push(at);
      r.pos = fieldEnd;
      continue;
    }
    if (field === 2 || field === 3 || field === 4 || field === 6) {
      if (wire !== I64) throw NOT_OUR_SHAPE;
      if (field === 4 || field === 6) {
        if (seen & ((1 << 4) | (1 << 6))) throw NOT_OUR_SHAPE;
      } else if (seen & (1 << field)) throw NOT_OUR_SHAPE;
      seen |= 1 << field;
      if (field === 2) {
        startLow = r.fixed32();
        startHigh = r.fixed32();
      } else if (field === 3) {
        timeLow = r.fixed32();
        timeHigh = r.fixed32();
      } else {
        valueAt = r.pos;
        isInt = field === 6;
        r.pos += 8;
      }
      continue;
    }
    if (field === 8) {
      if (wire !== VARINT || seen & (1 << 8)) throw NOT_OUR_SHAPE;
      seen |= 1 << 8;
      flags = r.uint32();
      continue;
    }
    r.skipType(wire, 5);
  }
  if (r.pos !== end) throw NOT_OUR_SHAPE;
  checkTimes(out.window);
  if (valueAt >= 0 && !isInt) checkNotNaN(buf, valueAt);
  const identity = seriesOf(r, out, m);
  writeHead(w, out, m, identity);
  if (valueAt < 0) {
    // No value: protobufjs leaves the oneof unset and asInt at its default, which numberValue reads as int 0.
    w.raw(NO_VALUE);
  } else if (isInt) {
    // Value: the int64 as the nearest double (exact words, one rounding: Number of its decimal text).
    const low = buf[valueAt]! | (buf[valueAt + 1]! << 8) | (buf[valueAt + 2]! << 16) | (buf[valueAt + 3]! << 24);
    const high = buf[valueAt + 4]! | (buf[valueAt + 5]! << 8) | (buf[valueAt + 6]! << 16) | (buf[valueAt + 7]! << 24);
    w.float64(high * 4294967296 + (low >>> 0));
    w.uint8(0);
    w.rawRange(buf, valueAt, valueAt + 8);
  } else {
    w.rawRange(buf, valueAt, valueAt + 8);
    w.uint8(NULL);
  }
  if (m.table === 'metrics_sum') w.raw(m.tail);
  writeExemplars(r, w);
}

function histogramPoint(r: Reader, end: number, out: Output, m: MetricContext, w: RowBinaryWriter): void {
  resetPoint();
  const buf = r.buf;
  let countAt = -1;
  let sumAt = -1;
  let minAt = -1;
  let maxAt = -1;
  let countsAt = -1;
  let countsLen = 0;
  let boundsAt = -1;
  let boundsLen = 0;
  let seen = 0;
  while (r.pos < end) {
    const tagAt = r.pos;
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    switch (field) {
      case 9:
      case 8:
      case 6:
      case 7: {
        if (wire !== LEN) throw NOT_OUR_SHAPE;
        const at = r.pos;
        const fieldEnd = lengthEnd(r, end);
        if (field === 9) attribute(tagAt, at, fieldEnd);
        else if (field === 8) exemplarAts.push(at);
        else {
          // Packed fixed64 counts and doubles: 8 bytes each, already RowBinary's.
          if (seen & (1 << field) || (fieldEnd - r.pos) % 8 !== 0) throw NOT_OUR_SHAPE;
          seen |= 1 << field;
          if (field === 6) {
            countsAt = r.pos;
            countsLen = (fieldEnd - r.pos) / 8;
          } else {
            boundsAt = r.pos;
            boundsLen = (fieldEnd - r.pos) / 8;
          }
        }
        r.pos = fieldEnd;
        continue;
      }
      case 2:
      case 3:
      case 4:
      case 5:
      case 11:
      case 12: {
        if (wire !== I64 || seen & (1 << field)) throw NOT_OUR_SHAPE;
        seen |= 1 << field;
        const at = r.pos;
        if (field === 2) {
          startLow = r.fixed32();
          startHigh = r.fixed32();
          continue;
        }
        if (field === 3) {
          timeLow = r.fixed32();
          timeHigh = r.fixed32();
          continue;
        }
        r.pos += 8;
        if (field === 4) countAt = at;
        else if (field === 5) sumAt = at;
        else if (field === 11) minAt = at;
        else maxAt = at;
        continue;
      }
      case 10:
        if (wire !== VARINT || seen & (1 << 10)) throw NOT_OUR_SHAPE;
        seen |= 1 << 10;
        flags = r.uint32();
        continue;
      default:
        r.skipType(wire, 5);
    }
  }
  if (r.pos !== end) throw NOT_OUR_SHAPE;
  checkTimes(out.window);
  // Counts of 2⁶³ or more are refused by the object path (uint64 reads them as negative).
  if (countAt >= 0 && buf[countAt + 7]! >= 0x80) throw NOT_OUR_SHAPE;
  for (let i = 0; i < countsLen; i++) if (buf[countsAt + i * 8 + 7]! >= 0x80) throw NOT_OUR_SHAPE;
  for (let i = 0; i < boundsLen; i++) checkNotNaN(buf, boundsAt + i * 8);
  for (const at of [sumAt, minAt, maxAt]) if (at >= 0) checkNotNaN(buf, at);
  if (countsLen !== 0 && countsLen !== boundsLen + 1) throw NOT_OUR_SHAPE;
  const identity = seriesOf(r, out, m);
  writeHead(w, out, m, identity);
  if (countAt < 0) w.uint64Words(0, 0);
  else w.rawRange(buf, countAt, countAt + 8);
  for (const at of [sumAt, minAt, maxAt]) {
    if (at < 0) w.uint8(NULL);
    else {
      w.uint8(0);
      w.rawRange(buf, at, at + 8);
    }
  }
  w.varUInt(countsLen);
  if (countsLen > 0) w.rawRange(buf, countsAt, countsAt + countsLen * 8);
  w.varUInt(boundsLen);
  if (boundsLen > 0) w.rawRange(buf, boundsAt, boundsAt + boundsLen * 8);
  w.raw(m.tail);
  writeExemplars(r, w);
}

function writeHead(w: RowBinaryWriter, out: Output, m: MetricContext, identity: SeriesIdentity): void {
  w.raw(out.tenant);
  w.raw(m.nameBytes);
  w.raw(identity.fingerprintBytes);
  w.uint64Words(startLow, startHigh);
  w.uint64Words(timeLow, timeHigh);
  w.uint32(flags);
}

function writeExemplars(r: Reader, w: RowBinaryWriter): void {
  if (exemplarAts.length === 0) {
    w.raw(SEVEN_EMPTY_ARRAYS);
    return;
  }
  const ats = [...exemplarAts];
  const exemplars = ats.map((at) => decodeAt(EXEMPLAR, r, at, 6) as Exemplar);
  // Refused exemplars refuse their point: the object path's to report.
  try {
    w.columns(EXEMPLAR_TYPES, exemplarColumns(exemplars));
  } catch {
    throw NOT_OUR_SHAPE;
  }
}

/** The series of the point just read, and its metric_series row in this request. */
function seriesOf(r: Reader, out: Output, m: MetricContext): SeriesIdentity {
  const buf = r.buf;
  const key = attributesAt < 0 ? '' : latin1(buf, attributesAt, attributesEnd);
  let identity = m.series.get(key);
  if (!identity) {
    identity = newIdentity(r, m);
    m.series = out.identities.add(m.series, key, identity, () =>
      out.identities.of(m.scope.envKey, m.name, out.isBuffer),
    );
  }
  if (identity.request !== out.request) {
    identity.request = out.request;
    identity.row = out.seriesByFingerprint.get(identity.fingerprint);
    if (!identity.row) {
      identity.row = newSeriesRow(r, identity, m);
      out.seriesByFingerprint.set(identity.fingerprint, identity.row);
      out.series.push(identity.row);
      return identity;
    }
  }
  const row = identity.row!;
  if (compareWords(timeLow, timeHigh, row.firstLow, row.firstHigh) < 0) {
    row.firstLow = timeLow;
    row.firstHigh = timeHigh;
  }
  if (compareWords(timeLow, timeHigh, row.lastLow, row.lastHigh) > 0) {
    row.lastLow = timeLow;
    row.lastHigh = timeHigh;
  }
  return identity;
}

export function latin1(buf: Uint8Array, start: number, end: number): string {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  return b.toString('latin1', start, end);
}

/** The object path's identity of the attribute list just read: decoded by protobufjs, hashed by seriesFingerprint. */
function newIdentity(r: Reader, m: MetricContext): SeriesIdentity {
  const kvs = attributeAts.map((at) => decodeAt(KEY_VALUE, r, at, 6) as KeyValue);
  const attrs = keyValuesToStored(kvs);
  const fingerprint = seriesFingerprint(m.name, m.scope.envKey, attrs.values, attrs.types);
  const w = new RowBinaryWriter(256);
  w.uint64(fingerprint);
  const fingerprintBytes = Uint8Array.from(w.bytes());
  const a = new RowBinaryWriter(512);
  a.map(attrs.values);
  a.map(attrs.types);
  return { fingerprint, fingerprintBytes, attributeBytes: Uint8Array.from(a.bytes()), request: 0, row: undefined };
}

function newSeriesRow(r: Reader, identity: SeriesIdentity, m: MetricContext): SeriesRow {
  if (!m.typeToService) {
    const head = new RowBinaryWriter(256);
    head.string(m.type);
    head.string(m.unit);
    head.string(m.description);
    head.uint8(m.temporality);
    head.uint8(m.isMonotonic ? 1 : 0);
    head.raw(m.scope.service);
    const typeToService = head.position;
    const metadata = keyValuesToStored(m.metadataAts.map((at) => decodeAt(KEY_VALUE, r, at, 4) as KeyValue));
    head.map(metadata.values);
    head.map(metadata.types);
    const bytes = Uint8Array.from(head.bytes());
    m.typeToService = bytes.subarray(0, typeToService);
    m.metadata = bytes.subarray(typeToService);
  }
  return {
    identity,
    name: m.nameBytes,
    typeToService: m.typeToService,
    envelope: m.scope.envelope,
    metadata: m.metadata!,
    firstLow: timeLow,
    firstHigh: timeHigh,
    lastLow: timeLow,
    lastHigh: timeHigh,
  };
}
