-- Uptime monitor check results: one row per check per probe location, per tenant. Raw rows
-- are kept 30 days; hourly uptime 90 days and daily uptime 400 days (status pages show 90
-- days of daily bars; the results API reads the rollups for long ranges). Retention is
-- fixed like alert_history's: monitors are not one of the tenant-configurable signals.
CREATE TABLE IF NOT EXISTS monitor_results
(
    TenantId             LowCardinality(String) CODEC(ZSTD(1)),
    MonitorId            UUID CODEC(ZSTD(1)),
    Time                 DateTime64(3, 'UTC') CODEC(Delta(8), ZSTD(1)),
    Location             LowCardinality(String) CODEC(ZSTD(1)),
    Kind                 LowCardinality(String) CODEC(ZSTD(1)),
    Up                   Bool CODEC(ZSTD(1)),
    LatencyMs            Float64 CODEC(ZSTD(1)),
    StatusCode           Nullable(UInt16) CODEC(ZSTD(1)),
    Error                String CODEC(ZSTD(1)),
    CertificateExpiresAt Nullable(DateTime('UTC')) CODEC(ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(Time)
ORDER BY (TenantId, MonitorId, Time)
TTL toDateTime(Time) + INTERVAL 30 DAY
SETTINGS index_granularity = 8192, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS monitor_uptime_hourly
(
    TenantId         LowCardinality(String) CODEC(ZSTD(1)),
    MonitorId        UUID CODEC(ZSTD(1)),
    Location         LowCardinality(String) CODEC(ZSTD(1)),
    Hour             DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    Checks           SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    UpChecks         SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    LatencySumMs     SimpleAggregateFunction(sum, Float64) CODEC(ZSTD(1)),
    LatencyQuantiles AggregateFunction(quantilesDD(0.01, 0.5, 0.95), Float64) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(Hour)
ORDER BY (TenantId, MonitorId, Location, Hour)
TTL Hour + INTERVAL 90 DAY
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS monitor_uptime_daily
(
    TenantId         LowCardinality(String) CODEC(ZSTD(1)),
    MonitorId        UUID CODEC(ZSTD(1)),
    Location         LowCardinality(String) CODEC(ZSTD(1)),
    Day              DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    Checks           SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    UpChecks         SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    LatencySumMs     SimpleAggregateFunction(sum, Float64) CODEC(ZSTD(1)),
    LatencyQuantiles AggregateFunction(quantilesDD(0.01, 0.5, 0.95), Float64) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYear(Day)
ORDER BY (TenantId, MonitorId, Location, Day)
TTL Day + INTERVAL 400 DAY
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS monitor_uptime_hourly_mv TO monitor_uptime_hourly AS
SELECT TenantId, MonitorId, Location, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour,
       count() AS Checks, countIf(Up) AS UpChecks, sum(LatencyMs) AS LatencySumMs,
       quantilesDDState(0.01, 0.5, 0.95)(LatencyMs) AS LatencyQuantiles
FROM monitor_results
GROUP BY TenantId, MonitorId, Location, Hour;

CREATE MATERIALIZED VIEW IF NOT EXISTS monitor_uptime_daily_mv TO monitor_uptime_daily AS
SELECT TenantId, MonitorId, Location, toStartOfDay(Hour) AS Day,
       sum(Checks) AS Checks, sum(UpChecks) AS UpChecks, sum(LatencySumMs) AS LatencySumMs,
       quantilesDDMergeState(0.01, 0.5, 0.95)(LatencyQuantiles) AS LatencyQuantiles
FROM monitor_uptime_hourly
GROUP BY TenantId, MonitorId, Location, Day;
