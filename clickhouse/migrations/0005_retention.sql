-- Retention per tenant, signal and resolution (raw, hourly, daily), copied here from the
-- control plane by the query service (at start and on every change), so writers need no
-- Postgres. A row's retention is written with the row (RetentionDays, computed by the
-- column DEFAULT from the dictionary at insert time) and TTL deletes it after that many
-- days. RetentionDays 0 means "no policy known for this tenant": such rows are kept, so a
-- policy that has not reached ClickHouse yet never deletes data. See ADR 0007.
CREATE TABLE IF NOT EXISTS tenant_retention
(
    TenantId   String,
    Signal     LowCardinality(String),
    RawDays    UInt16,
    HourlyDays UInt16,
    DailyDays  UInt16,
    UpdatedAt  DateTime64(3) DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(UpdatedAt)
ORDER BY (TenantId, Signal);

-- Other processes (writers on a ClickHouse server) see a change within LIFETIME; the
-- query service reloads it at once after writing.
CREATE DICTIONARY IF NOT EXISTS tenant_retention_dict
(
    TenantId   String,
    Signal     String,
    RawDays    UInt16,
    HourlyDays UInt16,
    DailyDays  UInt16
)
PRIMARY KEY TenantId, Signal
SOURCE(CLICKHOUSE(QUERY 'SELECT TenantId, Signal, argMax(RawDays, UpdatedAt) AS RawDays, argMax(HourlyDays, UpdatedAt) AS HourlyDays, argMax(DailyDays, UpdatedAt) AS DailyDays FROM tenant_retention GROUP BY TenantId, Signal'))
LAYOUT(COMPLEX_KEY_HASHED())
LIFETIME(MIN 30 MAX 60);

-- Raw tables: ttl_only_drop_parts stays off, because a part holds rows of many tenants
-- with different retention; TTL merges delete the expired rows, and a part whose rows
-- have all expired is dropped whole.
ALTER TABLE spans ADD COLUMN IF NOT EXISTS RetentionDays UInt16
    DEFAULT dictGetOrDefault('tenant_retention_dict', 'RawDays', (toString(TenantId), 'spans'), toUInt16(0)) CODEC(ZSTD(1));
ALTER TABLE spans MODIFY TTL toDateTime(StartTime) + toIntervalDay(RetentionDays) WHERE RetentionDays > 0;

ALTER TABLE trace_index ADD COLUMN IF NOT EXISTS RetentionDays SimpleAggregateFunction(max, UInt16)
    DEFAULT dictGetOrDefault('tenant_retention_dict', 'RawDays', (toString(TenantId), 'spans'), toUInt16(0)) CODEC(ZSTD(1));
ALTER TABLE trace_index MODIFY TTL toDateTime(Start) + toIntervalDay(RetentionDays) WHERE RetentionDays > 0;

ALTER TABLE logs ADD COLUMN IF NOT EXISTS RetentionDays UInt16
    DEFAULT dictGetOrDefault('tenant_retention_dict', 'RawDays', (toString(TenantId), 'logs'), toUInt16(0)) CODEC(ZSTD(1));
ALTER TABLE logs MODIFY TTL toDateTime(Timestamp) + toIntervalDay(RetentionDays) WHERE RetentionDays > 0;

ALTER TABLE metrics_gauge ADD COLUMN IF NOT EXISTS RetentionDays UInt16
    DEFAULT dictGetOrDefault('tenant_retention_dict', 'RawDays', (toString(TenantId), 'metrics'), toUInt16(0)) CODEC(ZSTD(1));
ALTER TABLE metrics_gauge MODIFY TTL toDateTime(Time) + toIntervalDay(RetentionDays) WHERE RetentionDays > 0;

ALTER TABLE metrics_sum ADD COLUMN IF NOT EXISTS RetentionDays UInt16
    DEFAULT dictGetOrDefault('tenant_retention_dict', 'RawDays', (toString(TenantId), 'metrics'), toUInt16(0)) CODEC(ZSTD(1));
ALTER TABLE metrics_sum MODIFY TTL toDateTime(Time) + toIntervalDay(RetentionDays) WHERE RetentionDays > 0;

ALTER TABLE metrics_histogram ADD COLUMN IF NOT EXISTS RetentionDays UInt16
    DEFAULT dictGetOrDefault('tenant_retention_dict', 'RawDays', (toString(TenantId), 'metrics'), toUInt16(0)) CODEC(ZSTD(1));
ALTER TABLE metrics_histogram MODIFY TTL toDateTime(Time) + toIntervalDay(RetentionDays) WHERE RetentionDays > 0;

ALTER TABLE metrics_exp_histogram ADD COLUMN IF NOT EXISTS RetentionDays UInt16
    DEFAULT dictGetOrDefault('tenant_retention_dict', 'RawDays', (toString(TenantId), 'metrics'), toUInt16(0)) CODEC(ZSTD(1));
ALTER TABLE metrics_exp_histogram MODIFY TTL toDateTime(Time) + toIntervalDay(RetentionDays) WHERE RetentionDays > 0;

ALTER TABLE metrics_summary ADD COLUMN IF NOT EXISTS RetentionDays UInt16
    DEFAULT dictGetOrDefault('tenant_retention_dict', 'RawDays', (toString(TenantId), 'metrics'), toUInt16(0)) CODEC(ZSTD(1));
ALTER TABLE metrics_summary MODIFY TTL toDateTime(Time) + toIntervalDay(RetentionDays) WHERE RetentionDays > 0;
