-- Hourly metric rollups built from closed hours by a periodic job instead of on every insert
-- (docs/adr/0027-hourly-metric-rollups-off-the-insert-path.md), as 0019 did for the daily ones.
-- Until now every insert into a raw metric table was aggregated into hourly states by the nine
-- metrics_*_hourly views (most of ClickHouse's CPU per scrape point).
--
-- rollup_watermarks (0019) now also holds, per hourly table, the start of the first hour not
-- yet rolled (its DailyTable column names any rollup table): hours before it are complete in
-- the hourly table, hours from it are read from raw points (query planner). The job
-- (clickhouse/src/hourly-rollups.ts) rolls the hour at the watermark from the raw table once
-- it has been closed a few minutes, then moves the watermark on an hour. The daily job rolls
-- a day only once the hourly watermark has passed it.

-- The first watermark: this hour (UTC). Hours before it were written in full by the views;
-- this hour's (and any later hour's) hourly rows are deleted below and rolled by the job.
INSERT INTO rollup_watermarks (DailyTable, RolledUntil)
SETTINGS insert_deduplicate = 1, insert_deduplication_token = '0022_rollup_watermarks', distributed_foreground_insert = 1
SELECT arrayJoin(['metrics_value_hourly', 'metrics_histogram_hourly', 'metrics_exp_histogram_hourly', 'metrics_summary_hourly', 'metrics_histogram_cumulative_hourly', 'metrics_exp_histogram_cumulative_hourly', 'metrics_summary_cumulative_hourly', 'metrics_exp_histogram_scaled_hourly']), toStartOfHour(now('UTC'));

-- The hourly views are kept for late points only: a point of an hour already rolled (before
-- the watermark) still goes to the hourly table on insert, and from there to the daily table
-- when its day is rolled too (0019); a point of an hour not yet rolled is left to the job.
-- With nothing late in an insert the view aggregates no row.
ALTER TABLE metrics_value_hourly_gauge_mv MODIFY QUERY
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour,
       min(Value) AS Min, max(Value) AS Max, sum(Value) AS Sum, count() AS Count,
       argMinState(Value, Time) AS First, argMaxState(Value, Time) AS Last,
       countIf(isNotNull(IntValue)) AS IntCount, min(IntValue) AS IntMin, max(IntValue) AS IntMax, argMaxState(ifNull(IntValue, 0), Time) AS IntLast
FROM metrics_gauge
WHERE bitAnd(Flags, 1) = 0
  AND Time < (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_value_hourly')
GROUP BY TenantId, MetricName, Fingerprint, Hour;
ALTER TABLE metrics_value_hourly_sum_mv MODIFY QUERY
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour,
       min(Value) AS Min, max(Value) AS Max, sum(Value) AS Sum, count() AS Count,
       argMinState(Value, Time) AS First, argMaxState(Value, Time) AS Last,
       countIf(isNotNull(IntValue)) AS IntCount, min(IntValue) AS IntMin, max(IntValue) AS IntMax, argMaxState(ifNull(IntValue, 0), Time) AS IntLast
FROM metrics_sum
WHERE bitAnd(Flags, 1) = 0
  AND Time < (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_value_hourly')
GROUP BY TenantId, MetricName, Fingerprint, Hour;
ALTER TABLE metrics_histogram_hourly_mv MODIFY QUERY
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour,
       sum(Count) AS Count, sum(ifNull(Sum, 0)) AS Sum, min(Min) AS Min, max(Max) AS Max,
       countIf(isNull(metrics_histogram.Min)) AS MinMissing, countIf(isNull(metrics_histogram.Max)) AS MaxMissing,
       sumMap(arrayPushBack(ExplicitBounds, inf), BucketCounts) AS Buckets,
       argMinState(CAST((metrics_histogram.Count, ifNull(metrics_histogram.Sum, 0), ExplicitBounds, BucketCounts) AS Tuple(Count UInt64, Sum Float64, Bounds Array(Float64), Counts Array(UInt64))), Time) AS First, argMaxState(CAST((metrics_histogram.Count, ifNull(metrics_histogram.Sum, 0), ExplicitBounds, BucketCounts) AS Tuple(Count UInt64, Sum Float64, Bounds Array(Float64), Counts Array(UInt64))), Time) AS Last
FROM metrics_histogram
WHERE Time < (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_histogram_hourly')
GROUP BY TenantId, MetricName, Fingerprint, Hour;
ALTER TABLE metrics_exp_histogram_hourly_mv MODIFY QUERY
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour,
       sum(Count) AS Count, sum(ifNull(Sum, 0)) AS Sum, min(Min) AS Min, max(Max) AS Max, sum(ZeroCount) AS ZeroCount,
       sumMap(arrayMap(i -> toInt32(if(Scale >= 4, bitShiftRight(toInt64(PositiveOffset) + i - 1, Scale - 4), bitShiftLeft(toInt64(PositiveOffset) + i - 1, 4 - Scale))), arrayEnumerate(PositiveBucketCounts)), PositiveBucketCounts) AS Positive,
       sumMap(arrayMap(i -> toInt32(if(Scale >= 4, bitShiftRight(toInt64(NegativeOffset) + i - 1, Scale - 4), bitShiftLeft(toInt64(NegativeOffset) + i - 1, 4 - Scale))), arrayEnumerate(NegativeBucketCounts)), NegativeBucketCounts) AS Negative
FROM metrics_exp_histogram
WHERE Time < (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_exp_histogram_hourly')
GROUP BY TenantId, MetricName, Fingerprint, Hour;
ALTER TABLE metrics_summary_hourly_mv MODIFY QUERY
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour,
       argMinState(CAST((metrics_summary.Count, metrics_summary.Sum, Quantiles, QuantileValues) AS Tuple(Count UInt64, Sum Float64, Quantiles Array(Float64), Values Array(Float64))), Time) AS First, argMaxState(CAST((metrics_summary.Count, metrics_summary.Sum, Quantiles, QuantileValues) AS Tuple(Count UInt64, Sum Float64, Quantiles Array(Float64), Values Array(Float64))), Time) AS Last
FROM metrics_summary
WHERE Time < (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_summary_hourly')
GROUP BY TenantId, MetricName, Fingerprint, Hour;
ALTER TABLE metrics_histogram_cumulative_hourly_mv MODIFY QUERY
WITH CAST((Time, Count, ifNull(Sum, 0), ExplicitBounds, BucketCounts) AS Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Bounds Array(Float64), Counts Array(UInt64))) AS point
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour, StartTime,
       argMinState(point, Time) AS First, argMaxState(point, Time) AS Last, argMaxState(point, (Count, Time)) AS Peak,
       min(Min) AS Min, max(Max) AS Max, countIf(isNull(metrics_histogram.Min)) AS MinMissing, countIf(isNull(metrics_histogram.Max)) AS MaxMissing
FROM metrics_histogram
WHERE Temporality != 1
  AND Time < (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_histogram_cumulative_hourly')
GROUP BY TenantId, MetricName, Fingerprint, Hour, StartTime;
ALTER TABLE metrics_exp_histogram_cumulative_hourly_mv MODIFY QUERY
WITH CAST((Time, Count, ifNull(Sum, 0), Min, Max, Scale, ZeroCount, ZeroThreshold, PositiveOffset, PositiveBucketCounts, NegativeOffset, NegativeBucketCounts) AS Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Min Nullable(Float64), Max Nullable(Float64), Scale Int32, ZeroCount UInt64, ZeroThreshold Float64, PositiveOffset Int32, Positive Array(UInt64), NegativeOffset Int32, Negative Array(UInt64))) AS point
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour, StartTime,
       argMinState(point, Time) AS First, argMaxState(point, Time) AS Last, argMaxState(point, (Count, Time)) AS Peak
FROM metrics_exp_histogram
WHERE Temporality != 1
  AND Time < (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_exp_histogram_cumulative_hourly')
GROUP BY TenantId, MetricName, Fingerprint, Hour, StartTime;
ALTER TABLE metrics_summary_cumulative_hourly_mv MODIFY QUERY
WITH CAST((Time, Count, Sum, Quantiles, QuantileValues) AS Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Quantiles Array(Float64), Values Array(Float64))) AS point
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour, StartTime,
       argMinState(point, Time) AS First, argMaxState(point, Time) AS Last, argMaxState(point, (Count, Time)) AS Peak
FROM metrics_summary
WHERE Time < (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_summary_cumulative_hourly')
GROUP BY TenantId, MetricName, Fingerprint, Hour, StartTime;
ALTER TABLE metrics_exp_histogram_scaled_hourly_mv MODIFY QUERY
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour, Scale,
       sum(Count) AS Count, sum(ifNull(Sum, 0)) AS Sum, min(Min) AS Min, max(Max) AS Max,
       countIf(isNull(metrics_exp_histogram.Min)) AS MinMissing, countIf(isNull(metrics_exp_histogram.Max)) AS MaxMissing,
       sum(ZeroCount) AS ZeroCount, max(ZeroThreshold) AS ZeroThreshold,
       sumMap(arrayMap(i -> toInt32(PositiveOffset + i - 1), arrayEnumerate(PositiveBucketCounts)), PositiveBucketCounts) AS Positive,
       sumMap(arrayMap(i -> toInt32(NegativeOffset + i - 1), arrayEnumerate(NegativeBucketCounts)), NegativeBucketCounts) AS Negative
FROM metrics_exp_histogram
WHERE Temporality = 1
  AND Time < (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_exp_histogram_scaled_hourly')
GROUP BY TenantId, MetricName, Fingerprint, Hour, Scale;

-- Rows the views wrote for hours from the watermark on (this hour's partial rows, future
-- hours): the job rolls those hours whole from the raw points. The daily views never took
-- them (their days are not before the daily watermark).
ALTER TABLE metrics_value_hourly DELETE WHERE Hour >= (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_value_hourly') SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;
ALTER TABLE metrics_histogram_hourly DELETE WHERE Hour >= (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_histogram_hourly') SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;
ALTER TABLE metrics_exp_histogram_hourly DELETE WHERE Hour >= (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_exp_histogram_hourly') SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;
ALTER TABLE metrics_summary_hourly DELETE WHERE Hour >= (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_summary_hourly') SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;
ALTER TABLE metrics_histogram_cumulative_hourly DELETE WHERE Hour >= (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_histogram_cumulative_hourly') SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;
ALTER TABLE metrics_exp_histogram_cumulative_hourly DELETE WHERE Hour >= (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_exp_histogram_cumulative_hourly') SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;
ALTER TABLE metrics_summary_cumulative_hourly DELETE WHERE Hour >= (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_summary_cumulative_hourly') SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;
ALTER TABLE metrics_exp_histogram_scaled_hourly DELETE WHERE Hour >= (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_exp_histogram_scaled_hourly') SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;
