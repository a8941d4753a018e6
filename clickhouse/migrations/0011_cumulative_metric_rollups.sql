-- Rollups that answer distributions of cumulative series and per-scale exponential histograms.
--
-- Cumulative histograms, exponential histograms and summaries (count and sum are cumulative
-- in OTLP summaries): per series, hour (daily: day) and series start time, the first, the last
-- and the peak point (largest count, latest of equals) with their times. A reset starts a new
-- start time and so a new row; a drop of the count without one shows as a peak above the last
-- point. The query layer turns these rows back into points and computes increases exactly as
-- from raw points. argMin / argMax states are idempotent, so a replayed block changes nothing.
--
-- Delta exponential histograms: bucket counts summed per series, hour and scale at the scale
-- they were sent (0008 re-buckets them to scale 4, which moves coarser buckets), so merging
-- them at query time gives the same buckets as merging the raw points. MinMissing / MaxMissing
-- count points without Min / Max: a range's extremes are known only when none lack them.

CREATE TABLE IF NOT EXISTS metrics_histogram_cumulative_hourly
(
    TenantId      LowCardinality(String) CODEC(ZSTD(1)),
    MetricName    LowCardinality(String) CODEC(ZSTD(1)),
    Fingerprint   UInt64 CODEC(ZSTD(1)),
    Hour          DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    StartTime     DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    First         AggregateFunction(argMin, Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Bounds Array(Float64), Counts Array(UInt64)), DateTime64(9)) CODEC(ZSTD(1)),
    Last          AggregateFunction(argMax, Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Bounds Array(Float64), Counts Array(UInt64)), DateTime64(9)) CODEC(ZSTD(1)),
    Peak          AggregateFunction(argMax, Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Bounds Array(Float64), Counts Array(UInt64)), Tuple(UInt64, DateTime64(9))) CODEC(ZSTD(1)),
    RetentionDays SimpleAggregateFunction(max, UInt16) DEFAULT dictGetOrDefault('tenant_retention_dict', 'HourlyDays', (toString(TenantId), 'metrics'), toUInt16(0)) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(Hour)
ORDER BY (TenantId, MetricName, Fingerprint, Hour, StartTime)
TTL Hour + toIntervalDay(RetentionDays) WHERE RetentionDays > 0
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS metrics_histogram_cumulative_daily
(
    TenantId      LowCardinality(String) CODEC(ZSTD(1)),
    MetricName    LowCardinality(String) CODEC(ZSTD(1)),
    Fingerprint   UInt64 CODEC(ZSTD(1)),
    Day          DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    StartTime     DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    First         AggregateFunction(argMin, Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Bounds Array(Float64), Counts Array(UInt64)), DateTime64(9)) CODEC(ZSTD(1)),
    Last          AggregateFunction(argMax, Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Bounds Array(Float64), Counts Array(UInt64)), DateTime64(9)) CODEC(ZSTD(1)),
    Peak          AggregateFunction(argMax, Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Bounds Array(Float64), Counts Array(UInt64)), Tuple(UInt64, DateTime64(9))) CODEC(ZSTD(1)),
    RetentionDays SimpleAggregateFunction(max, UInt16) DEFAULT dictGetOrDefault('tenant_retention_dict', 'DailyDays', (toString(TenantId), 'metrics'), toUInt16(0)) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYear(Day)
ORDER BY (TenantId, MetricName, Fingerprint, Day, StartTime)
TTL Day + toIntervalDay(RetentionDays) WHERE RetentionDays > 0
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS metrics_exp_histogram_cumulative_hourly
(
    TenantId      LowCardinality(String) CODEC(ZSTD(1)),
    MetricName    LowCardinality(String) CODEC(ZSTD(1)),
    Fingerprint   UInt64 CODEC(ZSTD(1)),
    Hour          DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    StartTime     DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    First         AggregateFunction(argMin, Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Min Nullable(Float64), Max Nullable(Float64), Scale Int32, ZeroCount UInt64, ZeroThreshold Float64, PositiveOffset Int32, Positive Array(UInt64), NegativeOffset Int32, Negative Array(UInt64)), DateTime64(9)) CODEC(ZSTD(1)),
    Last          AggregateFunction(argMax, Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Min Nullable(Float64), Max Nullable(Float64), Scale Int32, ZeroCount UInt64, ZeroThreshold Float64, PositiveOffset Int32, Positive Array(UInt64), NegativeOffset Int32, Negative Array(UInt64)), DateTime64(9)) CODEC(ZSTD(1)),
    Peak          AggregateFunction(argMax, Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Min Nullable(Float64), Max Nullable(Float64), Scale Int32, ZeroCount UInt64, ZeroThreshold Float64, PositiveOffset Int32, Positive Array(UInt64), NegativeOffset Int32, Negative Array(UInt64)), Tuple(UInt64, DateTime64(9))) CODEC(ZSTD(1)),
    RetentionDays SimpleAggregateFunction(max, UInt16) DEFAULT dictGetOrDefault('tenant_retention_dict', 'HourlyDays', (toString(TenantId), 'metrics'), toUInt16(0)) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(Hour)
ORDER BY (TenantId, MetricName, Fingerprint, Hour, StartTime)
TTL Hour + toIntervalDay(RetentionDays) WHERE RetentionDays > 0
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS metrics_exp_histogram_cumulative_daily
(
    TenantId      LowCardinality(String) CODEC(ZSTD(1)),
    MetricName    LowCardinality(String) CODEC(ZSTD(1)),
    Fingerprint   UInt64 CODEC(ZSTD(1)),
    Day          DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    StartTime     DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    First         AggregateFunction(argMin, Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Min Nullable(Float64), Max Nullable(Float64), Scale Int32, ZeroCount UInt64, ZeroThreshold Float64, PositiveOffset Int32, Positive Array(UInt64), NegativeOffset Int32, Negative Array(UInt64)), DateTime64(9)) CODEC(ZSTD(1)),
    Last          AggregateFunction(argMax, Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Min Nullable(Float64), Max Nullable(Float64), Scale Int32, ZeroCount UInt64, ZeroThreshold Float64, PositiveOffset Int32, Positive Array(UInt64), NegativeOffset Int32, Negative Array(UInt64)), DateTime64(9)) CODEC(ZSTD(1)),
    Peak          AggregateFunction(argMax, Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Min Nullable(Float64), Max Nullable(Float64), Scale Int32, ZeroCount UInt64, ZeroThreshold Float64, PositiveOffset Int32, Positive Array(UInt64), NegativeOffset Int32, Negative Array(UInt64)), Tuple(UInt64, DateTime64(9))) CODEC(ZSTD(1)),
    RetentionDays SimpleAggregateFunction(max, UInt16) DEFAULT dictGetOrDefault('tenant_retention_dict', 'DailyDays', (toString(TenantId), 'metrics'), toUInt16(0)) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYear(Day)
ORDER BY (TenantId, MetricName, Fingerprint, Day, StartTime)
TTL Day + toIntervalDay(RetentionDays) WHERE RetentionDays > 0
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS metrics_summary_cumulative_hourly
(
    TenantId      LowCardinality(String) CODEC(ZSTD(1)),
    MetricName    LowCardinality(String) CODEC(ZSTD(1)),
    Fingerprint   UInt64 CODEC(ZSTD(1)),
    Hour          DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    StartTime     DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    First         AggregateFunction(argMin, Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Quantiles Array(Float64), Values Array(Float64)), DateTime64(9)) CODEC(ZSTD(1)),
    Last          AggregateFunction(argMax, Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Quantiles Array(Float64), Values Array(Float64)), DateTime64(9)) CODEC(ZSTD(1)),
    Peak          AggregateFunction(argMax, Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Quantiles Array(Float64), Values Array(Float64)), Tuple(UInt64, DateTime64(9))) CODEC(ZSTD(1)),
    RetentionDays SimpleAggregateFunction(max, UInt16) DEFAULT dictGetOrDefault('tenant_retention_dict', 'HourlyDays', (toString(TenantId), 'metrics'), toUInt16(0)) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(Hour)
ORDER BY (TenantId, MetricName, Fingerprint, Hour, StartTime)
TTL Hour + toIntervalDay(RetentionDays) WHERE RetentionDays > 0
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS metrics_summary_cumulative_daily
(
    TenantId      LowCardinality(String) CODEC(ZSTD(1)),
    MetricName    LowCardinality(String) CODEC(ZSTD(1)),
    Fingerprint   UInt64 CODEC(ZSTD(1)),
    Day          DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    StartTime     DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    First         AggregateFunction(argMin, Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Quantiles Array(Float64), Values Array(Float64)), DateTime64(9)) CODEC(ZSTD(1)),
    Last          AggregateFunction(argMax, Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Quantiles Array(Float64), Values Array(Float64)), DateTime64(9)) CODEC(ZSTD(1)),
    Peak          AggregateFunction(argMax, Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Quantiles Array(Float64), Values Array(Float64)), Tuple(UInt64, DateTime64(9))) CODEC(ZSTD(1)),
    RetentionDays SimpleAggregateFunction(max, UInt16) DEFAULT dictGetOrDefault('tenant_retention_dict', 'DailyDays', (toString(TenantId), 'metrics'), toUInt16(0)) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYear(Day)
ORDER BY (TenantId, MetricName, Fingerprint, Day, StartTime)
TTL Day + toIntervalDay(RetentionDays) WHERE RetentionDays > 0
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS metrics_exp_histogram_scaled_hourly
(
    TenantId      LowCardinality(String) CODEC(ZSTD(1)),
    MetricName    LowCardinality(String) CODEC(ZSTD(1)),
    Fingerprint   UInt64 CODEC(ZSTD(1)),
    Hour          DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    Scale         Int32 CODEC(ZSTD(1)),
    Count         SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    Sum           SimpleAggregateFunction(sum, Float64) CODEC(ZSTD(1)),
    Min           SimpleAggregateFunction(min, Nullable(Float64)) CODEC(ZSTD(1)),
    Max           SimpleAggregateFunction(max, Nullable(Float64)) CODEC(ZSTD(1)),
    MinMissing    SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    MaxMissing    SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    ZeroCount     SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    ZeroThreshold SimpleAggregateFunction(max, Float64) CODEC(ZSTD(1)),
    Positive      SimpleAggregateFunction(sumMap, Tuple(Array(Int32), Array(UInt64))) CODEC(ZSTD(1)),
    Negative      SimpleAggregateFunction(sumMap, Tuple(Array(Int32), Array(UInt64))) CODEC(ZSTD(1)),
    RetentionDays SimpleAggregateFunction(max, UInt16) DEFAULT dictGetOrDefault('tenant_retention_dict', 'HourlyDays', (toString(TenantId), 'metrics'), toUInt16(0)) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(Hour)
ORDER BY (TenantId, MetricName, Fingerprint, Hour, Scale)
TTL Hour + toIntervalDay(RetentionDays) WHERE RetentionDays > 0
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS metrics_exp_histogram_scaled_daily
(
    TenantId      LowCardinality(String) CODEC(ZSTD(1)),
    MetricName    LowCardinality(String) CODEC(ZSTD(1)),
    Fingerprint   UInt64 CODEC(ZSTD(1)),
    Day          DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    Scale         Int32 CODEC(ZSTD(1)),
    Count         SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    Sum           SimpleAggregateFunction(sum, Float64) CODEC(ZSTD(1)),
    Min           SimpleAggregateFunction(min, Nullable(Float64)) CODEC(ZSTD(1)),
    Max           SimpleAggregateFunction(max, Nullable(Float64)) CODEC(ZSTD(1)),
    MinMissing    SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    MaxMissing    SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    ZeroCount     SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    ZeroThreshold SimpleAggregateFunction(max, Float64) CODEC(ZSTD(1)),
    Positive      SimpleAggregateFunction(sumMap, Tuple(Array(Int32), Array(UInt64))) CODEC(ZSTD(1)),
    Negative      SimpleAggregateFunction(sumMap, Tuple(Array(Int32), Array(UInt64))) CODEC(ZSTD(1)),
    RetentionDays SimpleAggregateFunction(max, UInt16) DEFAULT dictGetOrDefault('tenant_retention_dict', 'DailyDays', (toString(TenantId), 'metrics'), toUInt16(0)) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYear(Day)
ORDER BY (TenantId, MetricName, Fingerprint, Day, Scale)
TTL Day + toIntervalDay(RetentionDays) WHERE RetentionDays > 0
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_histogram_cumulative_hourly_mv TO metrics_histogram_cumulative_hourly AS
WITH CAST((Time, Count, ifNull(Sum, 0), ExplicitBounds, BucketCounts) AS Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Bounds Array(Float64), Counts Array(UInt64))) AS point
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour, StartTime,
       argMinState(point, Time) AS First, argMaxState(point, Time) AS Last, argMaxState(point, (Count, Time)) AS Peak
FROM metrics_histogram
WHERE Temporality != 1
GROUP BY TenantId, MetricName, Fingerprint, Hour, StartTime;

CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_exp_histogram_cumulative_hourly_mv TO metrics_exp_histogram_cumulative_hourly AS
WITH CAST((Time, Count, ifNull(Sum, 0), Min, Max, Scale, ZeroCount, ZeroThreshold, PositiveOffset, PositiveBucketCounts, NegativeOffset, NegativeBucketCounts) AS Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Min Nullable(Float64), Max Nullable(Float64), Scale Int32, ZeroCount UInt64, ZeroThreshold Float64, PositiveOffset Int32, Positive Array(UInt64), NegativeOffset Int32, Negative Array(UInt64))) AS point
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour, StartTime,
       argMinState(point, Time) AS First, argMaxState(point, Time) AS Last, argMaxState(point, (Count, Time)) AS Peak
FROM metrics_exp_histogram
WHERE Temporality != 1
GROUP BY TenantId, MetricName, Fingerprint, Hour, StartTime;

CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_summary_cumulative_hourly_mv TO metrics_summary_cumulative_hourly AS
WITH CAST((Time, Count, Sum, Quantiles, QuantileValues) AS Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Quantiles Array(Float64), Values Array(Float64))) AS point
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour, StartTime,
       argMinState(point, Time) AS First, argMaxState(point, Time) AS Last, argMaxState(point, (Count, Time)) AS Peak
FROM metrics_summary
GROUP BY TenantId, MetricName, Fingerprint, Hour, StartTime;

CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_exp_histogram_scaled_hourly_mv TO metrics_exp_histogram_scaled_hourly AS
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour, Scale,
       sum(Count) AS Count, sum(ifNull(Sum, 0)) AS Sum, min(Min) AS Min, max(Max) AS Max,
       countIf(isNull(metrics_exp_histogram.Min)) AS MinMissing, countIf(isNull(metrics_exp_histogram.Max)) AS MaxMissing,
       sum(ZeroCount) AS ZeroCount, max(ZeroThreshold) AS ZeroThreshold,
       sumMap(arrayMap(i -> toInt32(PositiveOffset + i - 1), arrayEnumerate(PositiveBucketCounts)), PositiveBucketCounts) AS Positive,
       sumMap(arrayMap(i -> toInt32(NegativeOffset + i - 1), arrayEnumerate(NegativeBucketCounts)), NegativeBucketCounts) AS Negative
FROM metrics_exp_histogram
WHERE Temporality = 1
GROUP BY TenantId, MetricName, Fingerprint, Hour, Scale;

CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_histogram_cumulative_daily_mv TO metrics_histogram_cumulative_daily AS
SELECT TenantId, MetricName, Fingerprint, toStartOfDay(Hour) AS Day, StartTime,
       argMinMergeState(First) AS First, argMaxMergeState(Last) AS Last, argMaxMergeState(Peak) AS Peak
FROM metrics_histogram_cumulative_hourly
GROUP BY TenantId, MetricName, Fingerprint, Day, StartTime;

CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_exp_histogram_cumulative_daily_mv TO metrics_exp_histogram_cumulative_daily AS
SELECT TenantId, MetricName, Fingerprint, toStartOfDay(Hour) AS Day, StartTime,
       argMinMergeState(First) AS First, argMaxMergeState(Last) AS Last, argMaxMergeState(Peak) AS Peak
FROM metrics_exp_histogram_cumulative_hourly
GROUP BY TenantId, MetricName, Fingerprint, Day, StartTime;

CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_summary_cumulative_daily_mv TO metrics_summary_cumulative_daily AS
SELECT TenantId, MetricName, Fingerprint, toStartOfDay(Hour) AS Day, StartTime,
       argMinMergeState(First) AS First, argMaxMergeState(Last) AS Last, argMaxMergeState(Peak) AS Peak
FROM metrics_summary_cumulative_hourly
GROUP BY TenantId, MetricName, Fingerprint, Day, StartTime;

CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_exp_histogram_scaled_daily_mv TO metrics_exp_histogram_scaled_daily AS
SELECT TenantId, MetricName, Fingerprint, toStartOfDay(Hour) AS Day, Scale,
       sum(Count) AS Count, sum(Sum) AS Sum, min(Min) AS Min, max(Max) AS Max, sum(MinMissing) AS MinMissing, sum(MaxMissing) AS MaxMissing,
       sum(ZeroCount) AS ZeroCount, max(ZeroThreshold) AS ZeroThreshold, sumMap(Positive) AS Positive, sumMap(Negative) AS Negative
FROM metrics_exp_histogram_scaled_hourly
GROUP BY TenantId, MetricName, Fingerprint, Day, Scale;
