// Fixed SQL fragments that read distribution points: the same names from raw point tables
// and from the points the cumulative rollups keep (migration 0011), so one mapping serves both.
// Column names come from the read catalog.
import { KEPT_POINT_FIELDS as K, METRIC_ROLLUP_COLUMNS as R, POINT_COLUMNS as P } from '@telemetryflow/clickhouse';

export type DistributionType = 'histogram' | 'exponential_histogram' | 'summary';

/**
 * Columns of a point, from a raw point row and from a rollup's kept point `p`, under the
 * same names; `rollupAggregates` are further aggregates of a rollup row the kept points
 * read (as columns of the row, beside `p`).
 */
export interface PointColumns {
  raw: string;
  rollup: string;
  rollupAggregates?: string;
}

const NO_BUCKETS = 'CAST([] AS Array(Float64)) AS bounds, CAST([] AS Array(UInt64)) AS counts';
const NO_EXTREMES = 'CAST(NULL AS Nullable(Float64)) AS min, CAST(NULL AS Nullable(Float64)) AS max';

/**
 * Count, sum, explicit buckets and their extremes (none for exponential histograms and
 * summaries, which these columns serve for totals only); summaries are cumulative by
 * definition. A cumulative histogram's kept points take the extremes of every point of
 * their rollup row (migration 0013), known only when none lacked them: cumulative Min and
 * Max bound every observation since the series started, so they bound each interval too.
 */
export const DISTRIBUTION_COLUMNS: Record<DistributionType, PointColumns> = {
  histogram: {
    raw: `${P.Count} AS count, ${P.Sum} AS sum, ${P.ExplicitBounds} AS bounds, ${P.BucketCounts} AS counts, ${P.Min} AS min, ${P.Max} AS max, ${P.Temporality} AS temporality`,
    rollup: `p.${K.Count} AS count, p.${K.Sum} AS sum, p.${K.Bounds} AS bounds, p.${K.Counts} AS counts,
             if(noMin = 0, lo, NULL) AS min, if(noMax = 0, hi, NULL) AS max, 2 AS temporality`,
    rollupAggregates: `min(${R.Min}) AS lo, max(${R.Max}) AS hi, sum(${R.MinMissing}) AS noMin, sum(${R.MaxMissing}) AS noMax`,
  },
  exponential_histogram: {
    raw: `${P.Count} AS count, ${P.Sum} AS sum, ${NO_BUCKETS}, ${NO_EXTREMES}, ${P.Temporality} AS temporality`,
    rollup: `p.${K.Count} AS count, p.${K.Sum} AS sum, ${NO_BUCKETS}, ${NO_EXTREMES}, 2 AS temporality`,
  },
  summary: {
    raw: `${P.Count} AS count, ${P.Sum} AS sum, ${NO_BUCKETS}, ${NO_EXTREMES}, 2 AS temporality`,
    rollup: `p.${K.Count} AS count, p.${K.Sum} AS sum, ${NO_BUCKETS}, ${NO_EXTREMES}, 2 AS temporality`,
  },
};

export const EXP_BUCKET_COLUMNS: PointColumns = {
  raw: `${P.Count} AS count, ${P.Sum} AS sum, ${P.Min} AS min, ${P.Max} AS max, ${P.Scale} AS scale, ${P.ZeroCount} AS zeroCount, ${P.ZeroThreshold} AS zeroThreshold,
        ${P.PositiveOffset} AS posOffset, ${P.PositiveBucketCounts} AS posCounts, ${P.NegativeOffset} AS negOffset, ${P.NegativeBucketCounts} AS negCounts,
        ${P.Temporality} AS temporality`,
  rollup: `p.${K.Count} AS count, p.${K.Sum} AS sum, p.${K.Min} AS min, p.${K.Max} AS max, p.${K.Scale} AS scale, p.${K.ZeroCount} AS zeroCount, p.${K.ZeroThreshold} AS zeroThreshold,
           p.${K.PositiveOffset} AS posOffset, p.${K.Positive} AS posCounts, p.${K.NegativeOffset} AS negOffset, p.${K.Negative} AS negCounts, 2 AS temporality`,
};

/** Partial aggregates of delta exponential histograms per scale: from raw points (absolute bucket indexes) and from the scaled rollups. */
export const RAW_SCALED_EXP = `sum(${P.ZeroCount}) AS zero, max(${P.ZeroThreshold}) AS threshold, min(${P.Min}) AS min, max(${P.Max}) AS max,
  countIf(isNull(${P.Min})) AS noMin, countIf(isNull(${P.Max})) AS noMax,
  sumMap(arrayMap(i -> toInt32(${P.PositiveOffset} + i - 1), arrayEnumerate(${P.PositiveBucketCounts})), ${P.PositiveBucketCounts}) AS pos,
  sumMap(arrayMap(i -> toInt32(${P.NegativeOffset} + i - 1), arrayEnumerate(${P.NegativeBucketCounts})), ${P.NegativeBucketCounts}) AS neg`;
export const ROLLUP_SCALED_EXP = `sum(${R.ZeroCount}) AS zero, max(${R.ZeroThreshold}) AS threshold, min(${R.Min}) AS min, max(${R.Max}) AS max,
  sum(${R.MinMissing}) AS noMin, sum(${R.MaxMissing}) AS noMax, sumMap(${R.Positive}) AS pos, sumMap(${R.Negative}) AS neg`;
