-- Log record counts per tenant, service and severity; daily rows cascade from hourly ones.
CREATE TABLE IF NOT EXISTS logs_volume_hourly
(
    TenantId       LowCardinality(String) CODEC(ZSTD(1)),
    ServiceName    LowCardinality(String) CODEC(ZSTD(1)),
    Hour           DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    SeverityNumber UInt8 CODEC(ZSTD(1)),
    SeverityText   LowCardinality(String) CODEC(ZSTD(1)),
    Count          SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    RetentionDays  SimpleAggregateFunction(max, UInt16) DEFAULT dictGetOrDefault('tenant_retention_dict', 'HourlyDays', (toString(TenantId), 'logs'), toUInt16(0)) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(Hour)
ORDER BY (TenantId, ServiceName, Hour, SeverityNumber, SeverityText)
TTL Hour + toIntervalDay(RetentionDays) WHERE RetentionDays > 0
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS logs_volume_daily
(
    TenantId       LowCardinality(String) CODEC(ZSTD(1)),
    ServiceName    LowCardinality(String) CODEC(ZSTD(1)),
    Day            DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    SeverityNumber UInt8 CODEC(ZSTD(1)),
    SeverityText   LowCardinality(String) CODEC(ZSTD(1)),
    Count          SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    RetentionDays  SimpleAggregateFunction(max, UInt16) DEFAULT dictGetOrDefault('tenant_retention_dict', 'DailyDays', (toString(TenantId), 'logs'), toUInt16(0)) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYear(Day)
ORDER BY (TenantId, ServiceName, Day, SeverityNumber, SeverityText)
TTL Day + toIntervalDay(RetentionDays) WHERE RetentionDays > 0
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS logs_volume_hourly_mv TO logs_volume_hourly AS
SELECT TenantId, ServiceName, toStartOfHour(toDateTime(Timestamp, 'UTC')) AS Hour, SeverityNumber, SeverityText, count() AS Count
FROM logs
GROUP BY TenantId, ServiceName, Hour, SeverityNumber, SeverityText;

CREATE MATERIALIZED VIEW IF NOT EXISTS logs_volume_daily_mv TO logs_volume_daily AS
SELECT TenantId, ServiceName, toStartOfDay(Hour) AS Day, SeverityNumber, SeverityText, sum(Count) AS Count
FROM logs_volume_hourly
GROUP BY TenantId, ServiceName, Day, SeverityNumber, SeverityText;
