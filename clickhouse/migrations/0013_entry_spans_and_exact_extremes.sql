-- Service RED over entry spans, and what rollups need to answer like raw data (ADR 0016).
--
-- Entry spans: a service's RED (rate, errors, duration) is over its server and consumer
-- spans, or over its root spans where it has none in the range. The per-operation rollups
-- know the kind (SpanKind) but not whether a span was a root: they gain `Root`. The
-- per-service rollups gain `Entry`, the class of the spans a row aggregates:
-- 'server_consumer', 'root' (a root span of another kind) or 'other'; queries choose per
-- service which class is its entry spans. 'undivided' (0, the type's default) marks rows
-- written before this migration, which summed every span of the service: they are rebuilt
-- below from the per-operation rollups, where SpanKind tells server and consumer spans from
-- the rest; whether such old spans were roots is not known, so they count as 'other'.
--
-- Both columns are appended to the sorting key in the same ALTER that adds them (allowed
-- for a new column without a default, since every existing row sorts the same with it).

ALTER TABLE spans_red_hourly ADD COLUMN IF NOT EXISTS Root Bool CODEC(ZSTD(1)), MODIFY ORDER BY (TenantId, ServiceName, Hour, SpanName, SpanKind, Root);
ALTER TABLE spans_red_daily ADD COLUMN IF NOT EXISTS Root Bool CODEC(ZSTD(1)), MODIFY ORDER BY (TenantId, ServiceName, Day, SpanName, SpanKind, Root);

ALTER TABLE spans_red_hourly_mv MODIFY QUERY
SELECT TenantId, ServiceName, toStartOfHour(toDateTime(StartTime, 'UTC')) AS Hour, Name AS SpanName, Kind AS SpanKind,
       ParentSpanId = toFixedString('', 8) AS Root,
       count() AS Count, countIf(StatusCode = 'STATUS_CODE_ERROR') AS ErrorCount,
       sum(DurationNs) AS DurationSum, min(DurationNs) AS DurationMin, max(DurationNs) AS DurationMax,
       quantilesDDState(0.01, 0.5, 0.9, 0.95, 0.99)(DurationNs) AS DurationQuantiles
FROM spans
GROUP BY TenantId, ServiceName, Hour, SpanName, SpanKind, Root;

ALTER TABLE spans_red_daily_mv MODIFY QUERY
SELECT TenantId, ServiceName, toStartOfDay(Hour) AS Day, SpanName, SpanKind, Root,
       sum(Count) AS Count, sum(ErrorCount) AS ErrorCount,
       sum(DurationSum) AS DurationSum, min(DurationMin) AS DurationMin, max(DurationMax) AS DurationMax,
       quantilesDDMergeState(0.01, 0.5, 0.9, 0.95, 0.99)(DurationQuantiles) AS DurationQuantiles
FROM spans_red_hourly
GROUP BY TenantId, ServiceName, Day, SpanName, SpanKind, Root;

ALTER TABLE spans_service_red_hourly ADD COLUMN IF NOT EXISTS Entry Enum8('undivided' = 0, 'other' = 1, 'server_consumer' = 2, 'root' = 3) CODEC(ZSTD(1)), MODIFY ORDER BY (TenantId, ServiceName, Hour, Entry);
ALTER TABLE spans_service_red_daily ADD COLUMN IF NOT EXISTS Entry Enum8('undivided' = 0, 'other' = 1, 'server_consumer' = 2, 'root' = 3) CODEC(ZSTD(1)), MODIFY ORDER BY (TenantId, ServiceName, Day, Entry);

-- The daily view is recreated after the rebuild, so rebuilt hourly rows do not cascade into
-- days that are rebuilt from the per-operation daily rollup (which outlives the hourly one).
DROP VIEW IF EXISTS spans_service_red_daily_mv;

ALTER TABLE spans_service_red_hourly_mv MODIFY QUERY
SELECT TenantId, ServiceName, Hour,
       multiIf(SpanKind IN ('SPAN_KIND_SERVER', 'SPAN_KIND_CONSUMER'), 'server_consumer', Root, 'root', 'other') AS Entry,
       sum(Count) AS Count, sum(ErrorCount) AS ErrorCount,
       sum(DurationSum) AS DurationSum, min(DurationMin) AS DurationMin, max(DurationMax) AS DurationMax,
       quantilesDDMergeState(0.01, 0.5, 0.9, 0.95, 0.99)(DurationQuantiles) AS DurationQuantiles
FROM spans_red_hourly
GROUP BY TenantId, ServiceName, Hour, Entry;

-- The rebuild of rows written before this migration: once per key (a rerun after an
-- interruption skips keys already rebuilt; two migrations at once insert the same block
-- with the same token, which is stored once), then the old rows go.
INSERT INTO spans_service_red_hourly (TenantId, ServiceName, Hour, Entry, Count, ErrorCount, DurationSum, DurationMin, DurationMax, DurationQuantiles)
SETTINGS insert_deduplicate = 1, insert_deduplication_token = '0013_spans_service_red_hourly', distributed_foreground_insert = 1, max_threads = 1
SELECT TenantId, ServiceName, Hour,
       multiIf(SpanKind IN ('SPAN_KIND_SERVER', 'SPAN_KIND_CONSUMER'), 'server_consumer', Root, 'root', 'other') AS Entry,
       sum(Count), sum(ErrorCount), sum(DurationSum), min(DurationMin), max(DurationMax),
       quantilesDDMergeState(0.01, 0.5, 0.9, 0.95, 0.99)(DurationQuantiles)
FROM spans_red_hourly
WHERE (TenantId, ServiceName, Hour) GLOBAL IN (SELECT TenantId, ServiceName, Hour FROM spans_service_red_hourly WHERE Entry = 'undivided')
  AND (TenantId, ServiceName, Hour) GLOBAL NOT IN (SELECT TenantId, ServiceName, Hour FROM spans_service_red_hourly WHERE Entry != 'undivided')
GROUP BY TenantId, ServiceName, Hour, Entry
ORDER BY TenantId, ServiceName, Hour, Entry;

INSERT INTO spans_service_red_daily (TenantId, ServiceName, Day, Entry, Count, ErrorCount, DurationSum, DurationMin, DurationMax, DurationQuantiles)
SETTINGS insert_deduplicate = 1, insert_deduplication_token = '0013_spans_service_red_daily', distributed_foreground_insert = 1, max_threads = 1
SELECT TenantId, ServiceName, Day,
       multiIf(SpanKind IN ('SPAN_KIND_SERVER', 'SPAN_KIND_CONSUMER'), 'server_consumer', Root, 'root', 'other') AS Entry,
       sum(Count), sum(ErrorCount), sum(DurationSum), min(DurationMin), max(DurationMax),
       quantilesDDMergeState(0.01, 0.5, 0.9, 0.95, 0.99)(DurationQuantiles)
FROM spans_red_daily
WHERE (TenantId, ServiceName, Day) GLOBAL IN (SELECT TenantId, ServiceName, Day FROM spans_service_red_daily WHERE Entry = 'undivided')
  AND (TenantId, ServiceName, Day) GLOBAL NOT IN (SELECT TenantId, ServiceName, Day FROM spans_service_red_daily WHERE Entry != 'undivided')
GROUP BY TenantId, ServiceName, Day, Entry
ORDER BY TenantId, ServiceName, Day, Entry;

ALTER TABLE spans_service_red_hourly DELETE WHERE Entry = 'undivided' SETTINGS mutations_sync = 2;
ALTER TABLE spans_service_red_daily DELETE WHERE Entry = 'undivided' SETTINGS mutations_sync = 2;

CREATE MATERIALIZED VIEW IF NOT EXISTS spans_service_red_daily_mv TO spans_service_red_daily AS
SELECT TenantId, ServiceName, toStartOfDay(Hour) AS Day, Entry,
       sum(Count) AS Count, sum(ErrorCount) AS ErrorCount,
       sum(DurationSum) AS DurationSum, min(DurationMin) AS DurationMin, max(DurationMax) AS DurationMax,
       quantilesDDMergeState(0.01, 0.5, 0.9, 0.95, 0.99)(DurationQuantiles) AS DurationQuantiles
FROM spans_service_red_hourly
GROUP BY TenantId, ServiceName, Day, Entry;

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
