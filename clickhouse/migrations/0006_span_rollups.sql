-- RED rollups of spans per tenant, service, operation (span name) and span kind, and per
-- tenant and service. Hourly rows per operation come from every insert into spans; every
-- other rollup is filled from the insert into another rollup (cascade), never from raw
-- spans: daily from hourly, per service from per operation. Duration quantiles are
-- DDSketch states with 1% relative accuracy (ADR 0006), mergeable across hours, days and
-- operations. The per-service tables exist because merging sketches is what long-range
-- queries spend their time on: a service has one row per hour there instead of one per
-- operation and kind.
CREATE TABLE IF NOT EXISTS spans_red_hourly
(
    TenantId          LowCardinality(String) CODEC(ZSTD(1)),
    ServiceName       LowCardinality(String) CODEC(ZSTD(1)),
    Hour              DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    SpanName          LowCardinality(String) CODEC(ZSTD(1)),
    SpanKind          LowCardinality(String) CODEC(ZSTD(1)),
    Count             SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    ErrorCount        SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    DurationSum       SimpleAggregateFunction(sum, Int64) CODEC(ZSTD(1)),
    DurationMin       SimpleAggregateFunction(min, Int64) CODEC(ZSTD(1)),
    DurationMax       SimpleAggregateFunction(max, Int64) CODEC(ZSTD(1)),
    DurationQuantiles AggregateFunction(quantilesDD(0.01, 0.5, 0.9, 0.95, 0.99), Int64) CODEC(ZSTD(1)),
    RetentionDays     SimpleAggregateFunction(max, UInt16) DEFAULT dictGetOrDefault('tenant_retention_dict', 'HourlyDays', (toString(TenantId), 'spans'), toUInt16(0)) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(Hour)
ORDER BY (TenantId, ServiceName, Hour, SpanName, SpanKind)
TTL Hour + toIntervalDay(RetentionDays) WHERE RetentionDays > 0
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS spans_red_daily
(
    TenantId          LowCardinality(String) CODEC(ZSTD(1)),
    ServiceName       LowCardinality(String) CODEC(ZSTD(1)),
    Day               DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    SpanName          LowCardinality(String) CODEC(ZSTD(1)),
    SpanKind          LowCardinality(String) CODEC(ZSTD(1)),
    Count             SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    ErrorCount        SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    DurationSum       SimpleAggregateFunction(sum, Int64) CODEC(ZSTD(1)),
    DurationMin       SimpleAggregateFunction(min, Int64) CODEC(ZSTD(1)),
    DurationMax       SimpleAggregateFunction(max, Int64) CODEC(ZSTD(1)),
    DurationQuantiles AggregateFunction(quantilesDD(0.01, 0.5, 0.9, 0.95, 0.99), Int64) CODEC(ZSTD(1)),
    RetentionDays     SimpleAggregateFunction(max, UInt16) DEFAULT dictGetOrDefault('tenant_retention_dict', 'DailyDays', (toString(TenantId), 'spans'), toUInt16(0)) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYear(Day)
ORDER BY (TenantId, ServiceName, Day, SpanName, SpanKind)
TTL Day + toIntervalDay(RetentionDays) WHERE RetentionDays > 0
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS spans_red_hourly_mv TO spans_red_hourly AS
SELECT TenantId, ServiceName, toStartOfHour(toDateTime(StartTime, 'UTC')) AS Hour, Name AS SpanName, Kind AS SpanKind,
       count() AS Count, countIf(StatusCode = 'STATUS_CODE_ERROR') AS ErrorCount,
       sum(DurationNs) AS DurationSum, min(DurationNs) AS DurationMin, max(DurationNs) AS DurationMax,
       quantilesDDState(0.01, 0.5, 0.9, 0.95, 0.99)(DurationNs) AS DurationQuantiles
FROM spans
GROUP BY TenantId, ServiceName, Hour, SpanName, SpanKind;

CREATE MATERIALIZED VIEW IF NOT EXISTS spans_red_daily_mv TO spans_red_daily AS
SELECT TenantId, ServiceName, toStartOfDay(Hour) AS Day, SpanName, SpanKind,
       sum(Count) AS Count, sum(ErrorCount) AS ErrorCount,
       sum(DurationSum) AS DurationSum, min(DurationMin) AS DurationMin, max(DurationMax) AS DurationMax,
       quantilesDDMergeState(0.01, 0.5, 0.9, 0.95, 0.99)(DurationQuantiles) AS DurationQuantiles
FROM spans_red_hourly
GROUP BY TenantId, ServiceName, Day, SpanName, SpanKind;

CREATE TABLE IF NOT EXISTS spans_service_red_hourly
(
    TenantId          LowCardinality(String) CODEC(ZSTD(1)),
    ServiceName       LowCardinality(String) CODEC(ZSTD(1)),
    Hour              DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    Count             SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    ErrorCount        SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    DurationSum       SimpleAggregateFunction(sum, Int64) CODEC(ZSTD(1)),
    DurationMin       SimpleAggregateFunction(min, Int64) CODEC(ZSTD(1)),
    DurationMax       SimpleAggregateFunction(max, Int64) CODEC(ZSTD(1)),
    DurationQuantiles AggregateFunction(quantilesDD(0.01, 0.5, 0.9, 0.95, 0.99), Int64) CODEC(ZSTD(1)),
    RetentionDays     SimpleAggregateFunction(max, UInt16) DEFAULT dictGetOrDefault('tenant_retention_dict', 'HourlyDays', (toString(TenantId), 'spans'), toUInt16(0)) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(Hour)
ORDER BY (TenantId, ServiceName, Hour)
TTL Hour + toIntervalDay(RetentionDays) WHERE RetentionDays > 0
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS spans_service_red_daily
(
    TenantId          LowCardinality(String) CODEC(ZSTD(1)),
    ServiceName       LowCardinality(String) CODEC(ZSTD(1)),
    Day               DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    Count             SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    ErrorCount        SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    DurationSum       SimpleAggregateFunction(sum, Int64) CODEC(ZSTD(1)),
    DurationMin       SimpleAggregateFunction(min, Int64) CODEC(ZSTD(1)),
    DurationMax       SimpleAggregateFunction(max, Int64) CODEC(ZSTD(1)),
    DurationQuantiles AggregateFunction(quantilesDD(0.01, 0.5, 0.9, 0.95, 0.99), Int64) CODEC(ZSTD(1)),
    RetentionDays     SimpleAggregateFunction(max, UInt16) DEFAULT dictGetOrDefault('tenant_retention_dict', 'DailyDays', (toString(TenantId), 'spans'), toUInt16(0)) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYear(Day)
ORDER BY (TenantId, ServiceName, Day)
TTL Day + toIntervalDay(RetentionDays) WHERE RetentionDays > 0
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS spans_service_red_hourly_mv TO spans_service_red_hourly AS
SELECT TenantId, ServiceName, Hour,
       sum(Count) AS Count, sum(ErrorCount) AS ErrorCount,
       sum(DurationSum) AS DurationSum, min(DurationMin) AS DurationMin, max(DurationMax) AS DurationMax,
       quantilesDDMergeState(0.01, 0.5, 0.9, 0.95, 0.99)(DurationQuantiles) AS DurationQuantiles
FROM spans_red_hourly
GROUP BY TenantId, ServiceName, Hour;

CREATE MATERIALIZED VIEW IF NOT EXISTS spans_service_red_daily_mv TO spans_service_red_daily AS
SELECT TenantId, ServiceName, toStartOfDay(Hour) AS Day,
       sum(Count) AS Count, sum(ErrorCount) AS ErrorCount,
       sum(DurationSum) AS DurationSum, min(DurationMin) AS DurationMin, max(DurationMax) AS DurationMax,
       quantilesDDMergeState(0.01, 0.5, 0.9, 0.95, 0.99)(DurationQuantiles) AS DurationQuantiles
FROM spans_service_red_hourly
GROUP BY TenantId, ServiceName, Day;
