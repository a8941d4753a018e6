// Raw points of chosen series, one row per series with its points in time order. A point flagged
// "no recorded value" (OTLP's FLAG_NO_RECORDED_VALUE, which a Prometheus staleness marker is
// stored as) reads as Prometheus' StaleNaN.
import { METRIC_POINT_TABLES, POINT_COLUMNS as P, TENANT_COLUMN } from '@telemetryflow/clickhouse';
import type { ClickHouseReader } from '../clickhouse-reader.js';
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
    (series) => series.reduce((n, s) => n + s.ts.length, 0),
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
 * The samples `rate` / `increase` read for a range query whose windows overlap (range ≥ step):
 * every sample of the range but staleness markers, which are not samples of a range.
 */
export function readCounterSamples(ch: ClickHouseReader, w: Window): Promise<SampleArrays[]> {
  return readSampleArrays(ch, [METRIC_POINT_TABLES.sum, METRIC_POINT_TABLES.gauge], w, {
    order: 'timeValue',
    filter: ` AND ${STALE} = 0`,
  });
}

/** What aggregateCounterRates computes: `op by (…) (fn(selector[range] offset o))` at each step. */
export interface CounterRateAggregation {
  readonly op: 'sum' | 'min' | 'max' | 'avg' | 'count' | 'group';
  /** `rate` divides the extrapolated increase by the range in seconds; `increase` does not. */
  readonly perSecond: boolean;
  readonly rangeMs: number;
  readonly offsetMs: number;
  readonly startMs: number;
  readonly stepMs: number;
  readonly steps: number;
  /** Group index of each series (`fps[i]` is in group `groups[i]`). */
  readonly groups: readonly number[];
}

const AGGREGATE_SQL: Record<CounterRateAggregation['op'], string> = {
  sum: 'sum(r)',
  min: 'min(r)',
  max: 'max(r)',
  avg: 'avg(r)',
  count: 'toFloat64(count())',
  group: 'toFloat64(1)',
};

/**
 * Prometheus 2.42's `rate` / `increase` (extrapolatedRate with counter resets) of every chosen
 * series at every step, aggregated per group, computed in ClickHouse: a sample belongs to the
 * steps whose window [T − offset − range, T − offset] holds it; per series and step the first and
 * last sample, the running sum of drops (resets) at each and the sample count give the increase —
 * last − first, plus the drops between them, as Prometheus adds them (no float noise without a
 * reset: a bucket's rate must equal Prometheus' to the bit, or histogram_quantile can pick another
 * bucket) — extrapolated to the window's edges as Prometheus does. Per series the samples are
 * sorted (one per millisecond) and the drops summed in arrays (a quarter of the cost of window
 * functions).
 * Staleness markers are not samples of a range. Rows: one per group with its [ms, value] points in
 * step order.
 */
export function aggregateCounterRates(
  ch: ClickHouseReader,
  w: Window,
  a: CounterRateAggregation,
): Promise<{ g: number; points: [number, JsonFloat][] }[]> {
  // With windows shorter than the step, only samples inside some step's window are read: the
  // pairs a window's resets come from are consecutive among those too.
  const inWindows =
    a.rangeMs < a.stepMs
      ? ` AND positiveModulo({queryStart:Int64} - {offsetMs:Int64} - toUnixTimestamp64Milli(${P.Time}), {stepMs:Int64}) <= {rangeMs:Int64}`
      : '';
  const read = (table: string) =>
    `SELECT ${P.Fingerprint} AS fp, toUnixTimestamp64Milli(${P.Time}) AS t, ${P.Value} AS v FROM ${table}
     WHERE ${SERIES_WHERE} AND ${STALE} = 0${inWindows}`;
  return ch.select<{ g: number; points: [number, JsonFloat][] }>(
    `SELECT g, arraySort(x -> x.1, groupArray((T, v))) AS points FROM (
       SELECT g, T, ${AGGREGATE_SQL[a.op]} AS v
       FROM (
         SELECT g, T, (lv - fv) + (lr - fr) AS increase, (lt - ft) / 1000 AS sampled, sampled / (c - 1) AS spacing,
           (ft - (T - {offsetMs:Int64} - {rangeMs:Int64})) / 1000 AS toStartRaw, (T - {offsetMs:Int64} - lt) / 1000 AS toEnd,
           if(increase > 0 AND fv >= 0, least(toStartRaw, sampled * (fv / increase)), toStartRaw) AS toStart,
           sampled + if(toStart < spacing * 1.1, toStart, spacing / 2) + if(toEnd < spacing * 1.1, toEnd, spacing / 2) AS covered,
           -- Prometheus' order of operations (factor first), so rates equal its own to the bit.
           increase * ((covered / sampled) / {divisor:Float64}) AS r
         FROM (
           SELECT g, {queryStart:Int64} + toInt64(k) * {stepMs:Int64} AS T, count() AS c, min(t) AS ft, max(t) AS lt,
             argMin(v, t) AS fv, argMax(v, t) AS lv, argMin(resets, t) AS fr, argMax(resets, t) AS lr
           FROM (
             SELECT fp, g, x.1 AS t, x.2 AS v, x.3 AS resets FROM (
               SELECT fp, transform(fp, {fpList:Array(UInt64)}, {groupList:Array(UInt32)}, toUInt32(0)) AS g, arrayZip(ts, vs,
                   arrayCumSum(arrayMap((v, p) -> if(v < p, p, 0), vs, arrayPushFront(arrayPopBack(vs), vs[1])))) AS xs
               FROM (
                 -- One sample per millisecond: the first of equal times (a lambda must not index
                 -- another array: ClickHouse would copy it per element).
                 SELECT fp, arrayFilter((t, keep) -> keep, allTs, firsts) AS ts, arrayFilter((v, keep) -> keep, allVs, firsts) AS vs
                 FROM (
                   SELECT fp, arrayMap(x -> x.1, sorted) AS allTs, arrayMap(x -> x.2, sorted) AS allVs,
                     arrayMap((d, i) -> i = 1 OR d != 0, arrayDifference(allTs), arrayEnumerate(allTs)) AS firsts
                   FROM (SELECT fp, arraySort(groupArray((t, v))) AS sorted
                         FROM (${read(METRIC_POINT_TABLES.sum)} UNION ALL ${read(METRIC_POINT_TABLES.gauge)}) GROUP BY fp)
                 )
               )
             ) ARRAY JOIN xs AS x
           )
           ARRAY JOIN range(
             toUInt32(intDiv(greatest(toInt64(0), t + {offsetMs:Int64} - {queryStart:Int64}) + {stepMs:Int64} - 1, {stepMs:Int64})),
             toUInt32(if(t + {offsetMs:Int64} + {rangeMs:Int64} < {queryStart:Int64}, toInt64(0),
               least({steps:Int64}, intDiv(t + {offsetMs:Int64} + {rangeMs:Int64} - {queryStart:Int64}, {stepMs:Int64}) + 1)))
           ) AS k
           GROUP BY fp, g, k
           HAVING c >= 2
         )
       )
       GROUP BY g, T
     ) GROUP BY g`,
    {
      ...w,
      // Fingerprints exceed 2^53: bigints, so the client writes them unquoted.
      fpList: w.fps.map((fp) => BigInt(fp)),
      groupList: a.groups,
      offsetMs: a.offsetMs,
      rangeMs: a.rangeMs,
      queryStart: a.startMs,
      stepMs: a.stepMs,
      steps: a.steps,
      divisor: a.perSecond ? a.rangeMs / 1000 : 1,
    },
    POINT_OUTPUT_SETTINGS,
  );
}
