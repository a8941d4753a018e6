-- Metric rollups per series (fingerprint), hourly and daily; daily rows cascade from hourly.
-- Gauges and sums: min, max, sum, count, first and last value (first/last by point time,
-- so rates of cumulative sums can be computed across hours). Explicit histograms: bucket
-- counts summed per upper bound (the last bound is +inf), count, sum, min, max — sums of
-- points, meaningful for delta temporality — plus the first and last point of the hour
-- for cumulative series. Exponential histograms: buckets re-bucketed to scale 4 (base
-- 2^(1/16)); points of a coarser scale put a bucket's count in the first scale-4 bucket it
-- covers. Summaries: first and last point (count, sum, quantile values).

CREATE TABLE IF NOT EXISTS metrics_value_hourly
(
    TenantId      LowCardinality(String) CODEC(ZSTD(1)),
    MetricName    LowCardinality(String) CODEC(ZSTD(1)),
    Fingerprint   UInt64 CODEC(ZSTD(1)),
    Hour          DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    Min           SimpleAggregateFunction(min, Float64) CODEC(ZSTD(1)),
    Max           SimpleAggregateFunction(max, Float64) CODEC(ZSTD(1)),
    Sum           SimpleAggregateFunction(sum, Float64) CODEC(ZSTD(1)),
    Count         SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    First         AggregateFunction(argMin, Float64, DateTime64(9)) CODEC(ZSTD(1)),
    Last          AggregateFunction(argMax, Float64, DateTime64(9)) CODEC(ZSTD(1)),
    RetentionDays SimpleAggregateFunction(max, UInt16) DEFAULT dictGetOrDefault('tenant_retention_dict', 'HourlyDays', (toString(TenantId), 'metrics'), toUInt16(0)) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(Hour)
ORDER BY (TenantId, MetricName, Fingerprint, Hour)
TTL Hour + toIntervalDay(RetentionDays) WHERE RetentionDays > 0
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS metrics_value_daily
(
    TenantId      LowCardinality(String) CODEC(ZSTD(1)),
    MetricName    LowCardinality(String) CODEC(ZSTD(1)),
    Fingerprint   UInt64 CODEC(ZSTD(1)),
    Day          DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    Min           SimpleAggregateFunction(min, Float64) CODEC(ZSTD(1)),
    Max           SimpleAggregateFunction(max, Float64) CODEC(ZSTD(1)),
    Sum           SimpleAggregateFunction(sum, Float64) CODEC(ZSTD(1)),
    Count         SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    First         AggregateFunction(argMin, Float64, DateTime64(9)) CODEC(ZSTD(1)),
    Last          AggregateFunction(argMax, Float64, DateTime64(9)) CODEC(ZSTD(1)),
    RetentionDays SimpleAggregateFunction(max, UInt16) DEFAULT dictGetOrDefault('tenant_retention_dict', 'DailyDays', (toString(TenantId), 'metrics'), toUInt16(0)) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYear(Day)
ORDER BY (TenantId, MetricName, Fingerprint, Day)
TTL Day + toIntervalDay(RetentionDays) WHERE RetentionDays > 0
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS metrics_histogram_hourly
(
    TenantId      LowCardinality(String) CODEC(ZSTD(1)),
    MetricName    LowCardinality(String) CODEC(ZSTD(1)),
    Fingerprint   UInt64 CODEC(ZSTD(1)),
    Hour          DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    Count         SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    Sum           SimpleAggregateFunction(sum, Float64) CODEC(ZSTD(1)),
    Min           SimpleAggregateFunction(min, Nullable(Float64)) CODEC(ZSTD(1)),
    Max           SimpleAggregateFunction(max, Nullable(Float64)) CODEC(ZSTD(1)),
    Buckets       SimpleAggregateFunction(sumMap, Tuple(Array(Float64), Array(UInt64))) CODEC(ZSTD(1)),
    First         AggregateFunction(argMin, Tuple(Count UInt64, Sum Float64, Bounds Array(Float64), Counts Array(UInt64)), DateTime64(9)) CODEC(ZSTD(1)),
    Last          AggregateFunction(argMax, Tuple(Count UInt64, Sum Float64, Bounds Array(Float64), Counts Array(UInt64)), DateTime64(9)) CODEC(ZSTD(1)),
    RetentionDays SimpleAggregateFunction(max, UInt16) DEFAULT dictGetOrDefault('tenant_retention_dict', 'HourlyDays', (toString(TenantId), 'metrics'), toUInt16(0)) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(Hour)
ORDER BY (TenantId, MetricName, Fingerprint, Hour)
TTL Hour + toIntervalDay(RetentionDays) WHERE RetentionDays > 0
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS metrics_histogram_daily
(
    TenantId      LowCardinality(String) CODEC(ZSTD(1)),
    MetricName    LowCardinality(String) CODEC(ZSTD(1)),
    Fingerprint   UInt64 CODEC(ZSTD(1)),
    Day          DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    Count         SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    Sum           SimpleAggregateFunction(sum, Float64) CODEC(ZSTD(1)),
    Min           SimpleAggregateFunction(min, Nullable(Float64)) CODEC(ZSTD(1)),
    Max           SimpleAggregateFunction(max, Nullable(Float64)) CODEC(ZSTD(1)),
    Buckets       SimpleAggregateFunction(sumMap, Tuple(Array(Float64), Array(UInt64))) CODEC(ZSTD(1)),
    First         AggregateFunction(argMin, Tuple(Count UInt64, Sum Float64, Bounds Array(Float64), Counts Array(UInt64)), DateTime64(9)) CODEC(ZSTD(1)),
    Last          AggregateFunction(argMax, Tuple(Count UInt64, Sum Float64, Bounds Array(Float64), Counts Array(UInt64)), DateTime64(9)) CODEC(ZSTD(1)),
    RetentionDays SimpleAggregateFunction(max, UInt16) DEFAULT dictGetOrDefault('tenant_retention_dict', 'DailyDays', (toString(TenantId), 'metrics'), toUInt16(0)) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYear(Day)
ORDER BY (TenantId, MetricName, Fingerprint, Day)
TTL Day + toIntervalDay(RetentionDays) WHERE RetentionDays > 0
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS metrics_exp_histogram_hourly
(
    TenantId      LowCardinality(String) CODEC(ZSTD(1)),
    MetricName    LowCardinality(String) CODEC(ZSTD(1)),
    Fingerprint   UInt64 CODEC(ZSTD(1)),
    Hour          DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    Count         SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    Sum           SimpleAggregateFunction(sum, Float64) CODEC(ZSTD(1)),
    Min           SimpleAggregateFunction(min, Nullable(Float64)) CODEC(ZSTD(1)),
    Max           SimpleAggregateFunction(max, Nullable(Float64)) CODEC(ZSTD(1)),
    ZeroCount     SimpleAggregateFunction(sum, UInt64) CODEC(ZSTD(1)),
    Positive      SimpleAggregateFunction(sumMap, Tuple(Array(Int32), Array(UInt64))) CODEC(ZSTD(1)),
    Negative      SimpleAggregateFunction(sumMap, Tuple(Array(Int32), Array(UInt64))) CODEC(ZSTD(1)),
    RetentionDays SimpleAggregateFunction(max, UInt16) DEFAULT dictGetOrDefault('tenant_retention_dict', 'HourlyDays', (toString(TenantId), 'metrics'), toUInt16(0)) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(Hour)
ORDER BY (TenantId, MetricName, Fingerprint, Hour)
TTL Hour + toIntervalDay(RetentionDays) WHERE RetentionDays > 0
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS metrics_exp_histogram_daily
(
    TenantId      LowCardinality(String) CODEC(ZSTD(1)),
    MetricName    LowCardinality(String) CODEC(ZSTD(1)),
    Fingerprint   UInt64 CODEC(ZSTD(1)),
    Day          DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    Count         SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    Sum           SimpleAggregateFunction(sum, Float64) CODEC(ZSTD(1)),
    Min           SimpleAggregateFunction(min, Nullable(Float64)) CODEC(ZSTD(1)),
    Max           SimpleAggregateFunction(max, Nullable(Float64)) CODEC(ZSTD(1)),
    ZeroCount     SimpleAggregateFunction(sum, UInt64) CODEC(ZSTD(1)),
    Positive      SimpleAggregateFunction(sumMap, Tuple(Array(Int32), Array(UInt64))) CODEC(ZSTD(1)),
    Negative      SimpleAggregateFunction(sumMap, Tuple(Array(Int32), Array(UInt64))) CODEC(ZSTD(1)),
    RetentionDays SimpleAggregateFunction(max, UInt16) DEFAULT dictGetOrDefault('tenant_retention_dict', 'DailyDays', (toString(TenantId), 'metrics'), toUInt16(0)) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYear(Day)
ORDER BY (TenantId, MetricName, Fingerprint, Day)
TTL Day + toIntervalDay(RetentionDays) WHERE RetentionDays > 0
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS metrics_summary_hourly
(
    TenantId      LowCardinality(String) CODEC(ZSTD(1)),
    MetricName    LowCardinality(String) CODEC(ZSTD(1)),
    Fingerprint   UInt64 CODEC(ZSTD(1)),
    Hour          DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    First         AggregateFunction(argMin, Tuple(Count UInt64, Sum Float64, Quantiles Array(Float64), Values Array(Float64)), DateTime64(9)) CODEC(ZSTD(1)),
    Last          AggregateFunction(argMax, Tuple(Count UInt64, Sum Float64, Quantiles Array(Float64), Values Array(Float64)), DateTime64(9)) CODEC(ZSTD(1)),
    RetentionDays SimpleAggregateFunction(max, UInt16) DEFAULT dictGetOrDefault('tenant_retention_dict', 'HourlyDays', (toString(TenantId), 'metrics'), toUInt16(0)) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(Hour)
ORDER BY (TenantId, MetricName, Fingerprint, Hour)
TTL Hour + toIntervalDay(RetentionDays) WHERE RetentionDays > 0
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS metrics_summary_daily
(
    TenantId      LowCardinality(String) CODEC(ZSTD(1)),
    MetricName    LowCardinality(String) CODEC(ZSTD(1)),
    Fingerprint   UInt64 CODEC(ZSTD(1)),
    Day          DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    First         AggregateFunction(argMin, Tuple(Count UInt64, Sum Float64, Quantiles Array(Float64), Values Array(Float64)), DateTime64(9)) CODEC(ZSTD(1)),
    Last          AggregateFunction(argMax, Tuple(Count UInt64, Sum Float64, Quantiles Array(Float64), Values Array(Float64)), DateTime64(9)) CODEC(ZSTD(1)),
    RetentionDays SimpleAggregateFunction(max, UInt16) DEFAULT dictGetOrDefault('tenant_retention_dict', 'DailyDays', (toString(TenantId), 'metrics'), toUInt16(0)) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYear(Day)
ORDER BY (TenantId, MetricName, Fingerprint, Day)
TTL Day + toIntervalDay(RetentionDays) WHERE RetentionDays > 0
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_value_hourly_gauge_mv TO metrics_value_hourly AS
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour,
       min(Value) AS Min, max(Value) AS Max, sum(Value) AS Sum, count() AS Count,
       argMinState(Value, Time) AS First, argMaxState(Value, Time) AS Last
FROM metrics_gauge
GROUP BY TenantId, MetricName, Fingerprint, Hour;

CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_value_hourly_sum_mv TO metrics_value_hourly AS
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour,
       min(Value) AS Min, max(Value) AS Max, sum(Value) AS Sum, count() AS Count,
       argMinState(Value, Time) AS First, argMaxState(Value, Time) AS Last
FROM metrics_sum
GROUP BY TenantId, MetricName, Fingerprint, Hour;

CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_histogram_hourly_mv TO metrics_histogram_hourly AS
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour,
       sum(Count) AS Count, sum(ifNull(Sum, 0)) AS Sum, min(Min) AS Min, max(Max) AS Max,
       sumMap(arrayPushBack(ExplicitBounds, inf), BucketCounts) AS Buckets,
       argMinState(CAST((metrics_histogram.Count, ifNull(metrics_histogram.Sum, 0), ExplicitBounds, BucketCounts) AS Tuple(Count UInt64, Sum Float64, Bounds Array(Float64), Counts Array(UInt64))), Time) AS First, argMaxState(CAST((metrics_histogram.Count, ifNull(metrics_histogram.Sum, 0), ExplicitBounds, BucketCounts) AS Tuple(Count UInt64, Sum Float64, Bounds Array(Float64), Counts Array(UInt64))), Time) AS Last
FROM metrics_histogram
GROUP BY TenantId, MetricName, Fingerprint, Hour;

CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_exp_histogram_hourly_mv TO metrics_exp_histogram_hourly AS
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour,
       sum(Count) AS Count, sum(ifNull(Sum, 0)) AS Sum, min(Min) AS Min, max(Max) AS Max, sum(ZeroCount) AS ZeroCount,
       sumMap(arrayMap(i -> toInt32(if(Scale >= 4, bitShiftRight(toInt64(PositiveOffset) + i - 1, Scale - 4), bitShiftLeft(toInt64(PositiveOffset) + i - 1, 4 - Scale))), arrayEnumerate(PositiveBucketCounts)), PositiveBucketCounts) AS Positive,
       sumMap(arrayMap(i -> toInt32(if(Scale >= 4, bitShiftRight(toInt64(NegativeOffset) + i - 1, Scale - 4), bitShiftLeft(toInt64(NegativeOffset) + i - 1, 4 - Scale))), arrayEnumerate(NegativeBucketCounts)), NegativeBucketCounts) AS Negative
FROM metrics_exp_histogram
GROUP BY TenantId, MetricName, Fingerprint, Hour;

CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_summary_hourly_mv TO metrics_summary_hourly AS
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour,
       argMinState(CAST((metrics_summary.Count, metrics_summary.Sum, Quantiles, QuantileValues) AS Tuple(Count UInt64, Sum Float64, Quantiles Array(Float64), Values Array(Float64))), Time) AS First, argMaxState(CAST((metrics_summary.Count, metrics_summary.Sum, Quantiles, QuantileValues) AS Tuple(Count UInt64, Sum Float64, Quantiles Array(Float64), Values Array(Float64))), Time) AS Last
FROM metrics_summary
GROUP BY TenantId, MetricName, Fingerprint, Hour;

CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_value_daily_mv TO metrics_value_daily AS
SELECT TenantId, MetricName, Fingerprint, toStartOfDay(Hour) AS Day,
       min(Min) AS Min, max(Max) AS Max, sum(Sum) AS Sum, sum(Count) AS Count,
       argMinMergeState(First) AS First, argMaxMergeState(Last) AS Last
FROM metrics_value_hourly
GROUP BY TenantId, MetricName, Fingerprint, Day;

CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_histogram_daily_mv TO metrics_histogram_daily AS
SELECT TenantId, MetricName, Fingerprint, toStartOfDay(Hour) AS Day,
       sum(Count) AS Count, sum(Sum) AS Sum, min(Min) AS Min, max(Max) AS Max, sumMap(Buckets) AS Buckets,
       argMinMergeState(First) AS First, argMaxMergeState(Last) AS Last
FROM metrics_histogram_hourly
GROUP BY TenantId, MetricName, Fingerprint, Day;

CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_exp_histogram_daily_mv TO metrics_exp_histogram_daily AS
SELECT TenantId, MetricName, Fingerprint, toStartOfDay(Hour) AS Day,
       sum(Count) AS Count, sum(Sum) AS Sum, min(Min) AS Min, max(Max) AS Max, sum(ZeroCount) AS ZeroCount,
       sumMap(Positive) AS Positive, sumMap(Negative) AS Negative
FROM metrics_exp_histogram_hourly
GROUP BY TenantId, MetricName, Fingerprint, Day;

CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_summary_daily_mv TO metrics_summary_daily AS
SELECT TenantId, MetricName, Fingerprint, toStartOfDay(Hour) AS Day,
       argMinMergeState(First) AS First, argMaxMergeState(Last) AS Last
FROM metrics_summary_hourly
GROUP BY TenantId, MetricName, Fingerprint, Day;
