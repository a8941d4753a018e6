// Fixed SQL fragments that read distribution points: the same names from raw point tables
// and from the points the cumulative rollups keep (migration 0011), so one mapping serves both.

export type DistributionType = 'histogram' | 'exponential_histogram' | 'summary';

/** Cumulative rollups (migration 0011) per distribution type: `<name>_hourly`, `<name>_daily`. */
export const CUMULATIVE_ROLLUPS: Record<DistributionType, string> = {
  histogram: 'metrics_histogram_cumulative',
  exponential_histogram: 'metrics_exp_histogram_cumulative',
  summary: 'metrics_summary_cumulative',
};

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
    raw: 'Count AS count, Sum AS sum, ExplicitBounds AS bounds, BucketCounts AS counts, Min AS min, Max AS max, Temporality AS temporality',
    rollup: `p.Count AS count, p.Sum AS sum, p.Bounds AS bounds, p.Counts AS counts,
             if(noMin = 0, lo, NULL) AS min, if(noMax = 0, hi, NULL) AS max, 2 AS temporality`,
    rollupAggregates: 'min(Min) AS lo, max(Max) AS hi, sum(MinMissing) AS noMin, sum(MaxMissing) AS noMax',
  },
  exponential_histogram: {
    raw: `Count AS count, Sum AS sum, ${NO_BUCKETS}, ${NO_EXTREMES}, Temporality AS temporality`,
    rollup: `p.Count AS count, p.Sum AS sum, ${NO_BUCKETS}, ${NO_EXTREMES}, 2 AS temporality`,
  },
  summary: {
    raw: `Count AS count, Sum AS sum, ${NO_BUCKETS}, ${NO_EXTREMES}, 2 AS temporality`,
    rollup: `p.Count AS count, p.Sum AS sum, ${NO_BUCKETS}, ${NO_EXTREMES}, 2 AS temporality`,
  },
};

export const EXP_BUCKET_COLUMNS: PointColumns = {
  raw: `Count AS count, Sum AS sum, Min AS min, Max AS max, Scale AS scale, ZeroCount AS zeroCount, ZeroThreshold AS zeroThreshold,
        PositiveOffset AS posOffset, PositiveBucketCounts AS posCounts, NegativeOffset AS negOffset, NegativeBucketCounts AS negCounts,
        Temporality AS temporality`,
  rollup: `p.Count AS count, p.Sum AS sum, p.Min AS min, p.Max AS max, p.Scale AS scale, p.ZeroCount AS zeroCount, p.ZeroThreshold AS zeroThreshold,
           p.PositiveOffset AS posOffset, p.Positive AS posCounts, p.NegativeOffset AS negOffset, p.Negative AS negCounts, 2 AS temporality`,
};

/** Partial aggregates of delta exponential histograms per scale: from raw points (absolute bucket indexes) and from the scaled rollups. */
export const RAW_SCALED_EXP = `sum(ZeroCount) AS zero, max(ZeroThreshold) AS threshold, min(Min) AS min, max(Max) AS max,
  countIf(isNull(Min)) AS noMin, countIf(isNull(Max)) AS noMax,
  sumMap(arrayMap(i -> toInt32(PositiveOffset + i - 1), arrayEnumerate(PositiveBucketCounts)), PositiveBucketCounts) AS pos,
  sumMap(arrayMap(i -> toInt32(NegativeOffset + i - 1), arrayEnumerate(NegativeBucketCounts)), NegativeBucketCounts) AS neg`;
export const ROLLUP_SCALED_EXP = `sum(ZeroCount) AS zero, max(ZeroThreshold) AS threshold, min(Min) AS min, max(Max) AS max,
  sum(MinMissing) AS noMin, sum(MaxMissing) AS noMax, sumMap(Positive) AS pos, sumMap(Negative) AS neg`;
