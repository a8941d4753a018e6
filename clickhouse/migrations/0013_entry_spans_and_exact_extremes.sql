-- Explicit-bucket histograms: quantiles are interpolated within the points' Min and Max,
-- which bound an answer only when every point of the step recorded them. The delta rollups
-- count the points without them; the cumulative rollups keep the extremes of their points
-- (cumulative Min / Max bound every observation since the series started). Rows written
-- before this migration: delta rows count none missing; cumulative rows have no extremes
-- (NULL), so their quantiles are not narrowed, as before.
ALTER TABLE metrics_histogram_hourly ADD COLUMN IF NOT EXISTS MinMissing SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)), ADD COLUMN IF NOT EXISTS MaxMissing SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1));
ALTER TABLE metrics_histogram_daily ADD COLUMN IF NOT EXISTS MinMissing SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)), ADD COLUMN IF NOT EXISTS MaxMissing SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1));

ALTER TABLE metrics_histogram_hourly_mv MODIFY QUERY
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour,
       sum(Count) AS Count, sum(ifNull(Sum, 0)) AS Sum, min(Min) AS Min, max(Max) AS Max,
       countIf(isNull(metrics_histogram.Min)) AS MinMissing, countIf(isNull(metrics_histogram.Max)) AS MaxMissing,
       sumMap(arrayPushBack(ExplicitBounds, inf), BucketCounts) AS Buckets,
       argMinState(CAST((metrics_histogram.Count, ifNull(metrics_histogram.Sum, 0), ExplicitBounds, BucketCounts) AS Tuple(Count UInt64, Sum Float64, Bounds Array(Float64), Counts Array(UInt64))), Time) AS First, argMaxState(CAST((metrics_histogram.Count, ifNull(metrics_histogram.Sum, 0), ExplicitBounds, BucketCounts) AS Tuple(Count UInt64, Sum Float64, Bounds Array(Float64), Counts Array(UInt64))), Time) AS Last
FROM metrics_histogram
GROUP BY TenantId, MetricName, Fingerprint, Hour;

ALTER TABLE metrics_histogram_daily_mv MODIFY QUERY
SELECT TenantId, MetricName, Fingerprint, toStartOfDay(Hour) AS Day,
       sum(Count) AS Count, sum(Sum) AS Sum, min(Min) AS Min, max(Max) AS Max, sum(MinMissing) AS MinMissing, sum(MaxMissing) AS MaxMissing,
       sumMap(Buckets) AS Buckets, argMinMergeState(First) AS First, argMaxMergeState(Last) AS Last
FROM metrics_histogram_hourly
GROUP BY TenantId, MetricName, Fingerprint, Day;

ALTER TABLE metrics_histogram_cumulative_hourly ADD COLUMN IF NOT EXISTS Min SimpleAggregateFunction(min, Nullable(Float64)) CODEC(ZSTD(1)), ADD COLUMN IF NOT EXISTS Max SimpleAggregateFunction(max, Nullable(Float64)) CODEC(ZSTD(1)), ADD COLUMN IF NOT EXISTS MinMissing SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)), ADD COLUMN IF NOT EXISTS MaxMissing SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1));
ALTER TABLE metrics_histogram_cumulative_daily ADD COLUMN IF NOT EXISTS Min SimpleAggregateFunction(min, Nullable(Float64)) CODEC(ZSTD(1)), ADD COLUMN IF NOT EXISTS Max SimpleAggregateFunction(max, Nullable(Float64)) CODEC(ZSTD(1)), ADD COLUMN IF NOT EXISTS MinMissing SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)), ADD COLUMN IF NOT EXISTS MaxMissing SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1));

ALTER TABLE metrics_histogram_cumulative_hourly_mv MODIFY QUERY
WITH CAST((Time, Count, ifNull(Sum, 0), ExplicitBounds, BucketCounts) AS Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Bounds Array(Float64), Counts Array(UInt64))) AS point
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour, StartTime,
       argMinState(point, Time) AS First, argMaxState(point, Time) AS Last, argMaxState(point, (Count, Time)) AS Peak,
       min(Min) AS Min, max(Max) AS Max, countIf(isNull(metrics_histogram.Min)) AS MinMissing, countIf(isNull(metrics_histogram.Max)) AS MaxMissing
FROM metrics_histogram
WHERE Temporality != 1
GROUP BY TenantId, MetricName, Fingerprint, Hour, StartTime;

ALTER TABLE metrics_histogram_cumulative_daily_mv MODIFY QUERY
SELECT TenantId, MetricName, Fingerprint, toStartOfDay(Hour) AS Day, StartTime,
       argMinMergeState(First) AS First, argMaxMergeState(Last) AS Last, argMaxMergeState(Peak) AS Peak,
       min(Min) AS Min, max(Max) AS Max, sum(MinMissing) AS MinMissing, sum(MaxMissing) AS MaxMissing
FROM metrics_histogram_cumulative_hourly
GROUP BY TenantId, MetricName, Fingerprint, Day, StartTime;

-- Integer gauges and sums: Value is a Float64, exact only up to 2^53. The value rollups keep
-- the integer minimum, maximum and last value and how many points had one, so min, max and
-- last of a step whose points were all integers come back exactly. Rows written before this
-- migration count no integer points.
ALTER TABLE metrics_value_hourly ADD COLUMN IF NOT EXISTS IntCount SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)), ADD COLUMN IF NOT EXISTS IntMin SimpleAggregateFunction(min, Nullable(Int64)) CODEC(ZSTD(1)), ADD COLUMN IF NOT EXISTS IntMax SimpleAggregateFunction(max, Nullable(Int64)) CODEC(ZSTD(1)), ADD COLUMN IF NOT EXISTS IntLast AggregateFunction(argMax, Int64, DateTime64(9)) CODEC(ZSTD(1));
ALTER TABLE metrics_value_daily ADD COLUMN IF NOT EXISTS IntCount SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)), ADD COLUMN IF NOT EXISTS IntMin SimpleAggregateFunction(min, Nullable(Int64)) CODEC(ZSTD(1)), ADD COLUMN IF NOT EXISTS IntMax SimpleAggregateFunction(max, Nullable(Int64)) CODEC(ZSTD(1)), ADD COLUMN IF NOT EXISTS IntLast AggregateFunction(argMax, Int64, DateTime64(9)) CODEC(ZSTD(1));

ALTER TABLE metrics_value_hourly_gauge_mv MODIFY QUERY
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour,
       min(Value) AS Min, max(Value) AS Max, sum(Value) AS Sum, count() AS Count,
       argMinState(Value, Time) AS First, argMaxState(Value, Time) AS Last,
       countIf(isNotNull(IntValue)) AS IntCount, min(IntValue) AS IntMin, max(IntValue) AS IntMax, argMaxState(ifNull(IntValue, 0), Time) AS IntLast
FROM metrics_gauge
GROUP BY TenantId, MetricName, Fingerprint, Hour;

ALTER TABLE metrics_value_hourly_sum_mv MODIFY QUERY
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour,
       min(Value) AS Min, max(Value) AS Max, sum(Value) AS Sum, count() AS Count,
       argMinState(Value, Time) AS First, argMaxState(Value, Time) AS Last,
       countIf(isNotNull(IntValue)) AS IntCount, min(IntValue) AS IntMin, max(IntValue) AS IntMax, argMaxState(ifNull(IntValue, 0), Time) AS IntLast
FROM metrics_sum
GROUP BY TenantId, MetricName, Fingerprint, Hour;

ALTER TABLE metrics_value_daily_mv MODIFY QUERY
SELECT TenantId, MetricName, Fingerprint, toStartOfDay(Hour) AS Day,
       min(Min) AS Min, max(Max) AS Max, sum(Sum) AS Sum, sum(Count) AS Count,
       argMinMergeState(First) AS First, argMaxMergeState(Last) AS Last,
       sum(IntCount) AS IntCount, min(IntMin) AS IntMin, max(IntMax) AS IntMax, argMaxMergeState(IntLast) AS IntLast
FROM metrics_value_hourly
GROUP BY TenantId, MetricName, Fingerprint, Day;
