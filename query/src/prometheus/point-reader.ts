// Raw points of chosen series, one row per series with its points in time order. A point flagged
// "no recorded value" (OTLP's FLAG_NO_RECORDED_VALUE, which a Prometheus staleness marker is
// stored as) reads as Prometheus' StaleNaN.
import { METRIC_POINT_TABLES, POINT_COLUMNS as P, TENANT_COLUMN } from '@telemetryflow/clickhouse';
import type { ClickHouseReader } from '../clickhouse-reader.js';
import type { StepGrid } from './counter-rates.js';
import { decodeSampleArrays, type SampleArrays } from './sample-arrays.js';

/** Non-finite values come as "nan", "inf", "-inf"; timestamps as numbers. */
export const POINT_OUTPUT_SETTINGS =
  'output_format_json_quote_denormals = 1, output_format_json_quote_64bit_integers = 0';

const SERIES_WHERE = `${TENANT_COLUMN} = {tenant:String} AND ${P.MetricName} IN {names:Array(String)}
  AND ${P.Fingerprint} IN (SELECT toUInt64(arrayJoin({fps:Array(String)})))
  AND ${P.Time} >= fromUnixTimestamp64Milli({startMs:Int64}) AND ${P.Time} < fromUnixTimestamp64Milli({endMs:Int64} + 1)`;

/** A value as ClickHouse writes it with POINT_OUTPUT_SETTINGS. */
export type JsonFloat = number | 'nan' | 'inf' | '-inf' | '+inf';

export function jsonFloat(v: JsonFloat | null): number {
  if (typeof v === 'number') return v;
  if (v === 'inf' || v === '+inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return NaN;
}

/** Points of a histogram series: [ms, stale, count, sum, bounds, bucket counts]. */
export interface HistogramPoints {
  fp: string;
  points: [number, number, number, JsonFloat, JsonFloat[], number[]][];
}

/** Points of a summary series: [ms, stale, count, sum, quantiles, quantile values]. */
export interface SummaryPoints {
  fp: string;
  points: [number, number, number, JsonFloat, JsonFloat[], JsonFloat[]][];
}

interface Window {
  tenant: string;
  names: readonly string[];
  fps: readonly string[];
  startMs: number;
  endMs: number;
}

const HEAD = `toString(${P.Fingerprint}) AS fp`;
const T = `toUnixTimestamp64Milli(${P.Time})`;
const STALE = `bitAnd(Flags, 1)`;

/**
 * Samples of value series (gauges, sums) as typed arrays, one row per series, read as RowBinary:
 * millions of samples cost their bytes, not a JSON parse. `order: 'time'` sorts by time only (the
 * engine keeps the first of equal times); `'timeValue'` by time, then value. `filter` is fixed
 * SQL text of this module's callers (bound parameters only).
 */
export async function readSampleArrays(
  ch: ClickHouseReader,
  tables: readonly string[],
  w: Window,
  opts: { order: 'time' | 'timeValue'; filter?: string; params?: Record<string, unknown> },
): Promise<SampleArrays[]> {
  const read = (table: string) =>
    `SELECT ${P.Fingerprint} AS fp, ${T} AS t, ${P.Value} AS v, toUInt8(${STALE}) AS stale FROM ${table}
     WHERE ${SERIES_WHERE}${opts.filter ?? ''}`;
  const sorted =
    opts.order === 'time' ? 'arraySort(x -> x.1, groupArray((t, v, stale)))' : 'arraySort(groupArray((t, v, stale)))';
  return ch.selectRowBinary(
    `SELECT fp, arrayMap(x -> toFloat64(x.1), s), arrayMap(x -> x.2, s), arrayMap(x -> x.3, s)
     FROM (SELECT fp, ${sorted} AS s FROM (${tables.map(read).join(' UNION ALL ')}) GROUP BY fp)`,
    { ...w, ...opts.params },
    decodeSampleArrays,
  );
}

export function readHistogramPoints(ch: ClickHouseReader, w: Window): Promise<HistogramPoints[]> {
  return ch.select<HistogramPoints>(
    `SELECT ${HEAD}, arraySort(x -> x.1, groupArray((${T}, ${STALE}, ${P.Count}, ifNull(${P.Sum}, nan), ExplicitBounds, BucketCounts))) AS points
     FROM ${METRIC_POINT_TABLES.histogram} WHERE ${SERIES_WHERE} GROUP BY ${P.Fingerprint}`,
    { ...w },
    POINT_OUTPUT_SETTINGS,
  );
}

export function readSummaryPoints(ch: ClickHouseReader, w: Window): Promise<SummaryPoints[]> {
  return ch.select<SummaryPoints>(
    `SELECT ${HEAD}, arraySort(x -> x.1, groupArray((${T}, ${STALE}, ${P.Count}, ${P.Sum}, Quantiles, QuantileValues))) AS points
     FROM ${METRIC_POINT_TABLES.summary} WHERE ${SERIES_WHERE} GROUP BY ${P.Fingerprint}`,
    { ...w },
    POINT_OUTPUT_SETTINGS,
  );
}

/** Histogram bounds or summary quantiles seen per series in the window (they live on points). */
export function readLayouts(
  ch: ClickHouseReader,
  type: 'histogram' | 'summary',
  w: Window,
): Promise<{ fp: string; layout: JsonFloat[] }[]> {
  const column = type === 'histogram' ? 'ExplicitBounds' : 'Quantiles';
  return ch.select<{ fp: string; layout: JsonFloat[] }>(
    `SELECT ${HEAD}, groupUniqArrayArray(${column}) AS layout
     FROM ${METRIC_POINT_TABLES[type]} WHERE ${SERIES_WHERE} GROUP BY ${P.Fingerprint}`,
    { ...w },
    POINT_OUTPUT_SETTINGS,
  );
}

/** Exemplars of value and histogram series in the window: [ms, value, trace id hex, span id hex, attributes]. */
export interface ExemplarRow {
  fp: string;
  exemplars: [number, JsonFloat, string, string, Record<string, string>][];
}

export function readExemplars(
  ch: ClickHouseReader,
  type: 'gauge' | 'sum' | 'histogram',
  w: Window,
  limit: number,
): Promise<ExemplarRow[]> {
  return ch.select<ExemplarRow>(
    `SELECT fp, arraySort(x -> x.1, groupArray(e)) AS exemplars FROM (
       SELECT ${HEAD}, arrayJoin(arrayZip(arrayMap(x -> toUnixTimestamp64Milli(x), ExemplarTimes), ExemplarValues,
         arrayMap(x -> lower(hex(x)), ExemplarTraceIds), arrayMap(x -> lower(hex(x)), ExemplarSpanIds), ExemplarAttributes)) AS e
       FROM ${METRIC_POINT_TABLES[type]} WHERE ${SERIES_WHERE} AND notEmpty(ExemplarTimes)
         AND e.1 >= {startMs:Int64} AND e.1 <= {endMs:Int64}
       LIMIT {limit:UInt32})
     GROUP BY fp`,
    { ...w, limit },
    POINT_OUTPUT_SETTINGS,
  );
}

/**
 * The samples `rate` / `increase` read for a range query: staleness markers are not samples of a
 * range; with windows shorter than the step only the samples inside some step's window
 * [T − offset − range, T − offset] are read (the resets of a window come from pairs of those too).
 */
export function readCounterSamples(ch: ClickHouseReader, w: Window, grid: StepGrid): Promise<SampleArrays[]> {
  const inWindows =
    grid.rangeMs < grid.stepMs
      ? ` AND positiveModulo({queryStart:Int64} - {offsetMs:Int64} - ${T}, {stepMs:Int64}) <= {rangeMs:Int64}`
      : '';
  return readSampleArrays(ch, [METRIC_POINT_TABLES.sum, METRIC_POINT_TABLES.gauge], w, {
    order: 'timeValue',
    filter: ` AND ${STALE} = 0${inWindows}`,
    params: { queryStart: grid.startMs, offsetMs: grid.offsetMs, stepMs: grid.stepMs, rangeMs: grid.rangeMs },
  });
}
