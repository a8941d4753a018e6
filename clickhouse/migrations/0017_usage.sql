-- Usage per tenant, hour, signal, kind and reason, fed by the processes (batched, summed on
-- merge): Signal traces|metrics|logs with Kind accepted (items stored, bytes of the decoded
-- request) or refused with a Reason (quota, overload, invalid, too-large, forbidden, timeout,
-- unavailable: every refused request of a known tenant, and items a partial success rejected);
-- Signal queries with Kind run (Requests: queries, Items: rows they returned). Kept 400 days.
CREATE TABLE IF NOT EXISTS usage_hourly
(
    TenantId  LowCardinality(String) CODEC(ZSTD(1)),
    Hour      DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    Signal    LowCardinality(String) CODEC(ZSTD(1)),
    Kind      LowCardinality(String) CODEC(ZSTD(1)),
    Reason    LowCardinality(String) CODEC(ZSTD(1)),
    Requests  UInt64 CODEC(T64, ZSTD(1)),
    Items     UInt64 CODEC(T64, ZSTD(1)),
    Bytes     UInt64 CODEC(T64, ZSTD(1))
)
ENGINE = SummingMergeTree((Requests, Items, Bytes))
PARTITION BY toYYYYMM(Hour)
ORDER BY (TenantId, Hour, Signal, Kind, Reason)
TTL Hour + INTERVAL 400 DAY
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;

-- Bytes on disk per tenant and signal, measured periodically (see stored-bytes.ts): each raw
-- table's active parts' bytes shared out by the tenant's rows in each part. A gauge: the last
-- measurement of an hour (MeasuredAt) replaces the earlier ones.
CREATE TABLE IF NOT EXISTS usage_stored_bytes
(
    TenantId    LowCardinality(String) CODEC(ZSTD(1)),
    Hour        DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    Signal      LowCardinality(String) CODEC(ZSTD(1)),
    Bytes       UInt64 CODEC(T64, ZSTD(1)),
    Rows        UInt64 CODEC(T64, ZSTD(1)),
    MeasuredAt  DateTime64(3, 'UTC') CODEC(Delta(8), ZSTD(1))
)
ENGINE = ReplacingMergeTree(MeasuredAt)
PARTITION BY toYYYYMM(Hour)
ORDER BY (TenantId, Hour, Signal)
TTL Hour + INTERVAL 400 DAY
SETTINGS index_granularity = 1024;
